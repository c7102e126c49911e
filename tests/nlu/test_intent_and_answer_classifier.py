"""One DIET for intents and FAQ answers, read back as an intent plus a ResponseSelector ranking."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from confidant.nlu.faq_confidence_gate import FaqConfidenceGate
from confidant.nlu.intent_and_answer_classifier import (
    IntentAndAnswerClassifier,
    answer_ranking,
    intent_ranking,
    split_ranking,
)

FULL_RANKING = [
    {"name": "faq/tell_parents", "confidence": 0.40},
    {"name": "greet", "confidence": 0.30},
    {"name": "faq/court", "confidence": 0.20},
    {"name": "faq/records", "confidence": 0.10},
]


def test_the_intent_is_the_question_type_with_its_answers_summed() -> None:
    answers, others = split_ranking(FULL_RANKING, "faq")
    intents = intent_ranking(answers, others, "faq", length=10)
    assert [label["name"] for label in intents] == ["faq", "greet"]
    assert intents[0]["confidence"] == pytest.approx(0.70)


def test_an_intent_can_outrank_every_single_answer_and_still_lose_to_their_sum() -> None:
    ranking = [
        {"name": "greet", "confidence": 0.36},
        {"name": "faq/a", "confidence": 0.33},
        {"name": "faq/b", "confidence": 0.31},
    ]
    answers, others = split_ranking(ranking, "faq")
    assert intent_ranking(answers, others, "faq", length=10)[0]["name"] == "faq"


def test_answers_are_ranked_given_a_faq_question_and_cut_to_length() -> None:
    answers, _ = split_ranking(FULL_RANKING, "faq")
    ranked = answer_ranking(answers, length=2)
    assert [label["intent_response_key"] for label in ranked] == ["faq/tell_parents", "faq/court"]
    assert ranked[0]["confidence"] == pytest.approx(0.40 / 0.70)
    assert sum(label["confidence"] for label in answer_ranking(answers, length=0)) == pytest.approx(1.0)


def test_no_answers_means_no_division_by_zero() -> None:
    assert answer_ranking([{"name": "faq/a", "confidence": 0.0}], length=10)[0]["confidence"] == 0.0


# A real (tiny) training: the relabelling, DIET itself, persistence and loading.

TOPICS: Dict[str, List[str]] = {
    "faq/tell_parents": [
        "will you tell my parents",
        "do my parents find out what i say",
        "can my mom read my therapy notes",
        "would you tell my dad about this",
    ],
    "faq/court": [
        "can a court get my records",
        "what if i get a subpoena",
        "can a judge make you testify",
        "do you have to talk in court",
    ],
}
GREETINGS = ["hi", "hello there", "hey", "good morning"]


def training_data() -> TrainingData:
    examples = [Message(data={"text": text, "intent": "greet"}) for text in GREETINGS]
    for answer_key, texts in TOPICS.items():
        examples += [
            Message(data={"text": text, "intent": "faq", "intent_response_key": answer_key}) for text in texts
        ]
    responses = {f"utter_{key}": [{"text": f"answer for {key}"}] for key in TOPICS}
    return TrainingData(training_examples=examples, responses=responses)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("model")))
    context = ExecutionContext(graph_schema=None, node_name="classifier")  # type: ignore[arg-type]
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("featurizer"), context
    )
    data = training_data()
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)

    resource = Resource("classifier")
    config = {
        **IntentAndAnswerClassifier.get_default_config(),
        "epochs": 60,
        "random_seed": 1,
        "constrain_similarities": True,
    }
    classifier = IntentAndAnswerClassifier.create(config, storage, resource, context)
    classifier.train(data)
    classifier.persist()
    loaded = IntentAndAnswerClassifier.load(config, storage, resource, context)

    def parse(text: str) -> Message:
        message = Message(data={"text": text})
        tokenizer.process([message])
        featurizer.process([message])
        return loaded.process([message])[0]

    return {"parse": parse, "loaded": loaded}


def test_training_labels_each_answer_and_keeps_the_training_data_as_it_was(trained: Dict[str, Any]) -> None:
    labels = set(trained["loaded"].index_label_id_mapping.values())
    assert labels == {"greet", "faq/tell_parents", "faq/court"}
    # The relabelling worked on copies: the pipeline's own messages still say `faq`.
    assert {message.get("intent") for message in training_data().training_examples} == {"greet", "faq"}


def test_a_loaded_model_gives_the_intent_and_the_answer_in_rasas_shapes(trained: Dict[str, Any]) -> None:
    parsed = trained["parse"]("will you tell my parents what i said")
    assert parsed.get("intent")["name"] == "faq"
    assert [label["name"] for label in parsed.get("intent_ranking")] == ["faq", "greet"]
    selector = parsed.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == "faq/tell_parents"
    assert response["utter_action"] == "utter_faq/tell_parents"
    assert response["responses"] == [{"text": "answer for faq/tell_parents"}]
    assert response["confidence"] == selector["faq"]["ranking"][0]["confidence"]

    court = trained["parse"]("can the court subpoena my records")
    assert court.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/court"
    assert trained["parse"]("hello").get("intent")["name"] == "greet"


def test_the_confidence_gate_reads_the_answer_ranking_as_it_read_the_selectors(trained: Dict[str, Any]) -> None:
    parsed = trained["parse"]("will you tell my parents")
    strict = FaqConfidenceGate({"threshold": 1.01, "ambiguity_threshold": 0.0}).process([parsed])[0]
    assert strict.get("intent")["name"] == "nlu_fallback"
