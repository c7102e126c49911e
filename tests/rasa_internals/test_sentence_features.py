"""DIET reads a message from its sentence features alone, so it is fed only those where that holds."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Iterator, List

import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import LexicalSyntacticFeaturizer
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import SENTENCE, SEQUENCE

from confidant import rasa_internals
from confidant.rasa_internals import sentence_features

EXAMPLES = {
    "ask_parents": [
        "will you tell my parents",
        "does my mom find out what i say",
        "do my parents get told",
        "can my dad read my file",
    ],
    "ask_court": [
        "can a judge get my notes",
        "what if my lawyer asks for my records",
        "could you be made to testify in court",
        "does a subpoena get my file",
    ],
    "greet": ["hi", "hello there", "good morning", "hey"],
}
SMALL_DIET = {"epochs": 30, "random_seed": 1, "entity_recognition": False, "constrain_similarities": True}


@pytest.mark.parametrize(
    "config, unused",
    [
        ({"number_of_transformer_layers": 0, "entity_recognition": False}, True),
        ({"number_of_transformer_layers": 2, "entity_recognition": False}, False),
        ({"number_of_transformer_layers": {"text": 1, "label": 0}, "entity_recognition": False}, False),
        ({"number_of_transformer_layers": {"text": 0, "label": 0}, "entity_recognition": False}, True),
        ({"number_of_transformer_layers": 0, "entity_recognition": True}, False),
        ({"number_of_transformer_layers": 0, "entity_recognition": False, "use_masked_language_model": True}, False),
    ],
)
def test_token_features_are_unused_only_without_transformer_entities_or_masking(
    config: Dict[str, Any], unused: bool
) -> None:
    assert sentence_features.token_features_unused(config) is unused


def featurized(texts: List[str], tokenizer: WhitespaceTokenizer, featurizer: CountVectorsFeaturizer) -> List[Message]:
    messages = [Message(data={TEXT: text}) for text in texts]
    tokenizer.process(messages)
    featurizer.process(messages)
    return messages


@pytest.fixture(scope="module")
def pipeline_parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    rasa_internals.install()
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        storage,
        Resource("featurizer"),
        context,
    )
    examples = [Message(data={TEXT: text, "intent": intent}) for intent, texts in EXAMPLES.items() for text in texts]
    data = TrainingData(examples)
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    yield {"storage": storage, "context": context, "tokenizer": tokenizer, "featurizer": featurizer, "data": data}


def trained_diet(parts: Dict[str, Any], name: str, config: Dict[str, Any]) -> DIETClassifier:
    full_config = {**DIETClassifier.get_default_config(), **config}
    diet = DIETClassifier.create(full_config, parts["storage"], Resource(name), parts["context"])
    diet.train(parts["data"])
    return DIETClassifier.load(full_config, parts["storage"], Resource(name), parts["context"])


def intent_confidences(diet: DIETClassifier, messages: List[Message]) -> List[Dict[str, float]]:
    diet.process(messages)
    return [{i["name"]: i["confidence"] for i in m.get("intent_ranking")} for m in messages]


def tokens_blanked(messages: List[Message]) -> List[Message]:
    """The same messages with every token's features set to zero; the sentence features kept."""
    for message in messages:
        for features in message.features:
            if features.type == SEQUENCE and features.attribute == TEXT:
                features.features = scipy.sparse.coo_matrix(features.features.shape)
    return messages


TEXTS = ["will my mom be told", "can the court see my notes", "hello"]


def test_without_a_transformer_diet_ignores_the_token_features_it_was_trained_with(
    pipeline_parts: Dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why dropping them changes nothing: a model trained with them predicts the same without them."""
    monkeypatch.setattr(DIETClassifier, "_create_model_data", sentence_features.rasas_create_model_data())
    diet = trained_diet(pipeline_parts, "diet_rasas_way", {**SMALL_DIET, "number_of_transformer_layers": 0})
    assert SEQUENCE in diet.model.data_signature[TEXT]
    tokenizer, featurizer = pipeline_parts["tokenizer"], pipeline_parts["featurizer"]
    whole = intent_confidences(diet, featurized(TEXTS, tokenizer, featurizer))
    blanked = intent_confidences(diet, tokens_blanked(featurized(TEXTS, tokenizer, featurizer)))
    assert whole == pytest.approx(blanked, abs=1e-6)


def answer_confidences(selector: ResponseSelector, messages: List[Message]) -> List[Dict[str, float]]:
    selector.process(messages)
    return [
        {r["intent_response_key"]: r["confidence"] for r in m.get("response_selector")["faq"]["ranking"]}
        for m in messages
    ]


def test_the_response_selector_too_ignores_the_token_features_it_was_trained_with(
    pipeline_parts: Dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its hidden layers work position by position, and it reads the last one, as DIET does."""
    monkeypatch.setattr(DIETClassifier, "_create_model_data", sentence_features.rasas_create_model_data())
    examples = [
        Message(data={**m.data, "intent": "faq", "intent_response_key": f"faq/{m.get('intent')}"}, features=m.features)
        for m in pipeline_parts["data"].training_examples
    ]
    responses = {f"utter_faq/{intent}": [{"text": f"About {intent}."}] for intent in EXAMPLES}
    config = {**ResponseSelector.get_default_config(), "epochs": 30, "random_seed": 1, "retrieval_intent": "faq"}
    selector = ResponseSelector.create(
        config, pipeline_parts["storage"], Resource("selector"), pipeline_parts["context"]
    )
    selector.train(TrainingData(examples, responses=responses))
    selector = ResponseSelector.load(config, pipeline_parts["storage"], Resource("selector"), pipeline_parts["context"])
    assert SEQUENCE in selector.model.data_signature[TEXT]
    tokenizer, featurizer = pipeline_parts["tokenizer"], pipeline_parts["featurizer"]
    whole = answer_confidences(selector, featurized(TEXTS, tokenizer, featurizer))
    blanked = answer_confidences(selector, tokens_blanked(featurized(TEXTS, tokenizer, featurizer)))
    assert whole == pytest.approx(blanked, abs=1e-6)


def test_with_a_transformer_the_token_features_change_the_reading(
    pipeline_parts: Dict[str, Any],
) -> None:
    """The contrast that makes the test above mean something, and why a transformer keeps them."""
    diet = trained_diet(pipeline_parts, "diet_transformer", {**SMALL_DIET, "number_of_transformer_layers": 1})
    assert SEQUENCE in diet.model.data_signature[TEXT]
    tokenizer, featurizer = pipeline_parts["tokenizer"], pipeline_parts["featurizer"]
    whole = intent_confidences(diet, featurized(TEXTS, tokenizer, featurizer))
    blanked = intent_confidences(diet, tokens_blanked(featurized(TEXTS, tokenizer, featurizer)))
    assert whole != pytest.approx(blanked, abs=1e-6)


def test_diet_without_a_transformer_is_trained_and_predicts_on_sentence_features_only(
    pipeline_parts: Dict[str, Any],
) -> None:
    diet = trained_diet(pipeline_parts, "diet_sentence_only", {**SMALL_DIET, "number_of_transformer_layers": 0})
    signature = diet.model.data_signature[TEXT]
    assert [(f.is_sparse, f.units) for f in signature[SEQUENCE]] == [sentence_features.EMPTY_POSITION]
    assert signature[SENTENCE][0].units > 100  # the char n-grams, all of them
    assert not sentence_features.trained_with_token_features(diet)
    messages = featurized(TEXTS, pipeline_parts["tokenizer"], pipeline_parts["featurizer"])
    diet.process(messages)
    assert [m.get("intent")["name"] for m in messages] == ["ask_parents", "ask_court", "greet"]


def test_features_of_tokens_alone_cannot_reach_diet_without_a_transformer(
    pipeline_parts: Dict[str, Any],
) -> None:
    """Why config.yml has no LexicalSyntacticFeaturizer: it describes single tokens only (no
    sentence features), so a DIET trained with it is the same DIET, weight for weight."""
    lexical = LexicalSyntacticFeaturizer.create(
        LexicalSyntacticFeaturizer.get_default_config(),
        pipeline_parts["storage"],
        Resource("lexical"),
        dataclasses.replace(pipeline_parts["context"], node_name="lexical"),
    )
    with_lexical = {
        **pipeline_parts,
        "data": TrainingData([Message(data=dict(m.data)) for m in pipeline_parts["data"].training_examples]),
    }
    with_lexical["tokenizer"].process_training_data(with_lexical["data"])
    lexical.train(with_lexical["data"])
    lexical.process_training_data(with_lexical["data"])
    pipeline_parts["featurizer"].process_training_data(with_lexical["data"])
    lexical_features = [f for f in with_lexical["data"].training_examples[0].features if f.origin == "lexical"]
    assert lexical_features and all(f.type == SEQUENCE for f in lexical_features)
    config = {**SMALL_DIET, "number_of_transformer_layers": 0}
    without = trained_diet(pipeline_parts, "diet_without_lexical", config)
    also_lexical = trained_diet(with_lexical, "diet_with_lexical", config)

    def read(diet: DIETClassifier, extra: Any) -> List[Dict[str, float]]:
        messages = featurized(TEXTS, pipeline_parts["tokenizer"], pipeline_parts["featurizer"])
        if extra is not None:
            extra.process(messages)
        return intent_confidences(diet, messages)

    assert read(without, None) == pytest.approx(read(also_lexical, lexical), abs=1e-6)


def test_a_model_trained_with_token_features_is_still_fed_them(
    pipeline_parts: Dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model from before this change, or from Rasa's training cache, predicts as it was trained."""
    with monkeypatch.context() as unpatched:
        unpatched.setattr(DIETClassifier, "_create_model_data", sentence_features.rasas_create_model_data())
        older = trained_diet(pipeline_parts, "diet_older", {**SMALL_DIET, "number_of_transformer_layers": 0})
    assert sentence_features.trained_with_token_features(older)
    messages = featurized(TEXTS, pipeline_parts["tokenizer"], pipeline_parts["featurizer"])
    older.process(messages)  # Rasa raises on a data signature that does not match the model's
    assert [m.get("intent")["name"] for m in messages] == ["ask_parents", "ask_court", "greet"]
