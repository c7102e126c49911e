"""The blend: nearest training examples by meaning, with risk left exactly as DIET read it."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from confidant.nlu.neighbour_classifier import (
    NeighbourClassifier,
    blend,
    classifier_distribution,
    intents_and_answers,
    label_rows,
    label_scores,
    nearest_reading,
    softmax,
)
from confidant.vocabulary import selected_answer, selected_answer_confidence


def test_a_label_scores_by_its_nearest_examples_only() -> None:
    rows = label_rows(["a", "a", "b", "b", "b"])
    scores = label_scores(np.array([0.9, 0.1, 0.8, 0.7, 0.2]), rows, neighbours=2)
    assert scores == pytest.approx({"a": 0.5, "b": 0.75})


def test_softmax_sharpens_with_a_low_temperature() -> None:
    sharp = softmax({"a": 0.8, "b": 0.7}, temperature=0.03)
    flat = softmax({"a": 0.8, "b": 0.7}, temperature=1.0)
    assert sum(sharp.values()) == pytest.approx(1.0)
    assert sharp["a"] > 0.95 > flat["a"] > 0.5


def test_the_faq_share_is_split_over_the_selectors_answers() -> None:
    distribution = classifier_distribution(
        [{"name": "faq", "confidence": 0.8}, {"name": "greet", "confidence": 0.2}],
        [
            {"intent_response_key": "faq/limit_court", "confidence": 0.75},
            {"intent_response_key": "faq/tell_parents", "confidence": 0.25},
        ],
    )
    assert distribution == pytest.approx({"faq/limit_court": 0.6, "faq/tell_parents": 0.2, "greet": 0.2})


def test_risk_intents_keep_their_confidence_and_the_rest_is_reshared() -> None:
    classifiers = {"risk_self_harm": 0.4, "faq/limit_court": 0.5, "greet": 0.1}
    neighbours = {"faq/tell_parents": 0.9, "risk_self_harm": 0.1}
    blended = blend(classifiers, neighbours, classifier_weight=0.4)
    assert blended["risk_self_harm"] == 0.4
    assert sum(blended.values()) == pytest.approx(1.0)
    assert blended["faq/tell_parents"] == pytest.approx(0.6 * 0.6)
    assert blended["faq/limit_court"] == pytest.approx(0.6 * 0.4 * 0.5 / 0.6)


def test_neighbours_sure_of_risk_are_a_second_witness() -> None:
    classifiers = {"faq/limit_harm": 0.7, "risk_self_harm": 0.3}
    neighbours = {"risk_self_harm": 0.75, "faq/limit_harm": 0.25}
    witnessed = blend(classifiers, neighbours, classifier_weight=0.4, risk_witness=0.7)
    assert witnessed["risk_self_harm"] == 0.75
    assert sum(witnessed.values()) == pytest.approx(1.0)
    # Below the witness threshold, or without one, risk stays DIET's.
    assert blend(classifiers, neighbours, classifier_weight=0.4, risk_witness=0.8)["risk_self_harm"] == 0.3
    assert blend(classifiers, neighbours, classifier_weight=0.4)["risk_self_harm"] == 0.3


def test_the_witness_never_lowers_diets_risk_reading() -> None:
    classifiers = {"risk_self_harm": 0.9, "faq/limit_harm": 0.1}
    neighbours = {"risk_self_harm": 0.4, "risk_harm_others": 0.4, "faq/limit_harm": 0.2}
    witnessed = blend(classifiers, neighbours, classifier_weight=0.4, risk_witness=0.7)
    assert witnessed["risk_self_harm"] == 0.9


def test_without_a_neighbour_reading_the_classifiers_stand() -> None:
    classifiers = {"faq/limit_court": 0.7, "greet": 0.3}
    assert blend(classifiers, {}, classifier_weight=0.4) == classifiers


def test_answers_are_ranked_within_the_faq_intent() -> None:
    ranking, answers = intents_and_answers({"faq/limit_court": 0.3, "faq/tell_parents": 0.3 * 3, "greet": 0.1})
    assert ranking[0] == {"name": "faq", "confidence": pytest.approx(1.2)}
    assert [key for key, _ in answers] == ["faq/tell_parents", "faq/limit_court"]
    assert answers[0][1] == pytest.approx(0.75)


def test_the_nearest_reading_names_the_best_label_and_sums_every_risk_intent() -> None:
    reading = nearest_reading({"faq/tell_parents": 0.5, "risk_self_harm": 0.3, "concern_abuse": 0.15, "greet": 0.05})
    assert reading == {"label": "faq/tell_parents", "risk": pytest.approx(0.45)}
    assert nearest_reading({}) == {"label": None, "risk": 0.0}


EXAMPLES = {
    "faq/tell_parents": [
        "will my parents find out what i say",
        "can my mom read my therapy notes",
        "do you tell parents stuff",
    ],
    "faq/limit_court": [
        "can a judge get my records",
        "will my therapist have to testify in my divorce",
        "subpoena for my file",
    ],
    "greet": ["hi", "hello there", "good morning"],
}


@pytest.fixture(scope="module")
def trained(encoder, tmp_path_factory) -> NeighbourClassifier:
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("neighbours")
    classifier = NeighbourClassifier(NeighbourClassifier.get_default_config(), storage, resource, encoder)
    examples = [
        Message(
            data={"text": text, "intent": label.split("/")[0], "intent_response_key": label if "/" in label else None}
        )
        for label, texts in EXAMPLES.items()
        for text in texts
    ]
    classifier.train(TrainingData(examples))
    return NeighbourClassifier.load(NeighbourClassifier.get_default_config(), storage, resource, None)


def parsed(text: str, intents: List[Dict[str, Any]], answers: List[Dict[str, Any]]) -> Message:
    top = answers[0]
    return Message(
        data={
            "text": text,
            "intent": intents[0],
            "intent_ranking": intents,
            "response_selector": {
                "all_retrieval_intents": ["faq"],
                "faq": {
                    "response": {
                        **top,
                        "utter_action": f"utter_{top['intent_response_key']}",
                        "responses": [{"text": "..."}],
                    },
                    "ranking": answers,
                },
            },
        }
    )


def test_the_nearest_examples_move_an_unsure_answer(trained) -> None:
    message = parsed(
        "ugh my dad keeps asking what i talk about in counseling, does he get to know??",
        [
            {"name": "faq", "confidence": 0.7},
            {"name": "risk_self_harm", "confidence": 0.2},
            {"name": "greet", "confidence": 0.1},
        ],
        [
            {"intent_response_key": "faq/limit_court", "confidence": 0.55},
            {"intent_response_key": "faq/tell_parents", "confidence": 0.45},
        ],
    )
    [processed] = trained.process([message])
    parse = processed.as_dict()
    assert selected_answer(parse) == "faq/tell_parents"
    assert parse["response_selector"]["faq"]["response"]["utter_action"] == "utter_faq/tell_parents"
    assert selected_answer_confidence(parse) > 0.5
    risk = next(item for item in parse["intent_ranking"] if item["name"] == "risk_self_harm")
    assert risk["confidence"] == 0.2
    assert sum(item["confidence"] for item in parse["intent_ranking"]) == pytest.approx(1.0)


def test_the_nearest_examples_own_reading_is_kept_in_the_parse(trained) -> None:
    """The message focus step reads it as a second witness beside DIET (tests/nlu/test_message_focus.py)."""
    message = parsed(
        "can my mum see what i tell my counsellor",
        [{"name": "risk_self_harm", "confidence": 0.6}, {"name": "faq", "confidence": 0.4}],
        [{"intent_response_key": "faq/tell_parents", "confidence": 0.9}],
    )
    [processed] = trained.process([message])
    nearest = processed.as_dict()["nearest"]
    assert nearest["label"] == "faq/tell_parents"
    assert nearest["risk"] < 0.1


def test_a_sure_classifier_reading_of_another_kind_is_kept(trained) -> None:
    message = parsed(
        "hello!",
        [{"name": "greet", "confidence": 0.95}, {"name": "faq", "confidence": 0.05}],
        [
            {"intent_response_key": "faq/limit_court", "confidence": 0.9},
            {"intent_response_key": "faq/tell_parents", "confidence": 0.1},
        ],
    )
    [processed] = trained.process([message])
    assert processed.get("intent")["name"] == "greet"


def test_a_message_without_a_classifier_reading_is_left_alone(trained) -> None:
    message = Message(data={"text": "/greet"})
    trained.process([message])
    assert message.get("intent") is None
