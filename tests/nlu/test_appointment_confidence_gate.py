"""A weak `request_appointment` guess becomes a sure FAQ answer or a clarifying question, never the form.

The numbers in these messages are the trained model's (2026-12-03 evening build) on messages like
the ones named: what DIET and the ResponseSelector gave them, so the gate is tested on the shapes
it meets, without loading a model.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import pytest
from rasa.shared.nlu.training_data.message import Message

from confidant.nlu.appointment_confidence_gate import AppointmentConfidenceGate
from confidant.risk.component import RiskScreenComponent

Ranked = List[Tuple[str, float]]


def message(text: str, intents: Ranked, answers: Ranked) -> Message:
    ranking = [{"name": name, "confidence": confidence} for name, confidence in intents]
    selector = [{"intent_response_key": key, "confidence": confidence} for key, confidence in answers]
    return Message(
        data={
            "text": text,
            "intent": dict(ranking[0]),
            "intent_ranking": ranking,
            "response_selector": {"faq": {"ranking": selector, "response": {"intent_response_key": answers[0][0]}}},
        }
    )


def gate() -> AppointmentConfidenceGate:
    return AppointmentConfidenceGate(AppointmentConfidenceGate.get_default_config())


# A question about a counsellor breaking confidentiality, taken for a request at 0.49: the case
# that started the form on a privacy question (issue 18).
STRUCK_OFF = (
    [("request_appointment", 0.491), ("bot_challenge", 0.207), ("faq", 0.130), ("affirm", 0.057)],
    [("faq/is_it_law", 0.897), ("faq/beyond_substances_crimes", 0.026)],
)


def test_a_weak_guess_with_a_sure_answer_gets_that_answer() -> None:
    intents, answers = STRUCK_OFF
    [processed] = gate().process([message("could a therapist lose their job for telling on me", intents, answers)])
    assert processed.get("intent") == {"name": "faq", "confidence": 0.130}
    # DIET's own ranking is left as it was: the risk component and the review tool read it.
    assert processed.get("intent_ranking")[0]["name"] == "request_appointment"
    assert processed.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/is_it_law"


def test_a_sure_answer_alone_is_not_enough_when_diet_does_not_read_a_question() -> None:
    """The selector ranks answers for every message: "do i have to give my real name to book"."""
    intents = [("request_appointment", 0.674), ("out_of_scope", 0.19), ("faq", 0.0)]
    [processed] = gate().process(
        [message("must I use my real name to book", intents, [("faq/contact_practice", 0.898)])]
    )
    assert processed.get("intent") == {"name": "nlu_fallback", "confidence": 0.674}


def test_a_weak_guess_without_a_sure_answer_becomes_the_clarifying_question() -> None:
    intents = [("request_appointment", 0.619), ("risk_self_harm", 0.115), ("faq", 0.11)]
    answers = [("faq/contact_practice", 0.133), ("faq/safe_to_share", 0.1)]
    [processed] = gate().process([message("i'm ready", intents, answers)])
    assert processed.get("intent")["name"] == "nlu_fallback"
    assert [item["name"] for item in processed.get("intent_ranking")[:2]] == ["nlu_fallback", "request_appointment"]
    # The selector's ranking stays: the clarifying question offers its likeliest topics.
    assert processed.get("response_selector")["faq"]["ranking"][0]["intent_response_key"] == "faq/contact_practice"


def test_two_answers_too_close_to_choose_are_not_a_sure_answer() -> None:
    intents = [("request_appointment", 0.5), ("faq", 0.4)]
    answers = [("faq/tell_parents", 0.45), ("faq/tell_others", 0.44)]
    [processed] = gate().process([message("will mum know if i book", intents, answers)])
    assert processed.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize(
    "intents",
    [
        [("request_appointment", 0.726), ("risk_self_harm", 0.087)],  # the weakest training example
        [("request_appointment", 0.879), ("risk_child_abuse", 0.027)],  # "book me a slot"
    ],
)
def test_a_confident_request_starts_the_form(intents: Ranked) -> None:
    [processed] = gate().process([message("book me a slot", intents, [("faq/contact_practice", 0.95)])])
    assert processed.get("intent") == {"name": "request_appointment", "confidence": intents[0][1]}


@pytest.mark.parametrize("intent", ["faq", "nlu_fallback", "affirm", "risk_self_harm", "concern_for_someone"])
def test_other_intents_are_left_alone_however_weak(intent: str) -> None:
    intents = [(intent, 0.4), ("request_appointment", 0.3), ("faq", 0.2)]
    [processed] = gate().process([message("something", intents, [("faq/is_it_law", 0.95)])])
    assert processed.get("intent") == {"name": intent, "confidence": 0.4}


def test_an_unsure_answer_to_a_message_also_read_as_a_request_becomes_the_clarifying_question() -> None:
    """ "how does my son get an appointment": the clarifying question offers the request as one tap."""
    intents = [("faq", 0.61), ("request_appointment", 0.38)]
    unsure = [("faq/contact_practice", 0.45), ("faq/tell_parents", 0.12)]
    [processed] = gate().process([message("how does my son get an appointment", intents, unsure)])
    assert processed.get("intent")["name"] == "nlu_fallback"
    # A sure answer, or too little of a request, keeps the answer.
    [sure] = gate().process([message("how do i reach you", intents, [("faq/contact_practice", 0.9)])])
    assert sure.get("intent")["name"] == "faq"
    faint = [("faq", 0.61), ("request_appointment", 0.1)]
    [kept] = gate().process([message("who sees my notes", faint, unsure)])
    assert kept.get("intent")["name"] == "faq"


@pytest.fixture(scope="module")
def risk_component() -> RiskScreenComponent:
    return RiskScreenComponent.from_directory({"classifier_min_confidence": 0.5}, Path("data/risk"))


def test_a_risk_message_behind_a_weak_appointment_guess_still_gets_the_crisis_reply(
    risk_component: RiskScreenComponent,
) -> None:
    intents = [("request_appointment", 0.55), ("faq", 0.3), ("risk_self_harm", 0.1)]
    text = "can i book a session, honestly i just want to kms"
    [screened] = risk_component.process(gate().process([message(text, intents, [("faq/limit_harm", 0.9)])]))
    assert screened.get("intent") == {"name": "risk_self_harm", "confidence": 1.0}


@pytest.mark.parametrize(
    "intents, answers",
    [
        ([("request_appointment", 0.55), ("faq", 0.3)], [("faq/is_it_law", 0.9)]),  # to the answer
        ([("request_appointment", 0.45), ("risk_harm_others", 0.44)], [("faq/limit_harm", 0.3)]),  # to the fallback
    ],
)
def test_the_risk_component_decides_as_it_would_without_the_gate(
    risk_component: RiskScreenComponent, intents: Ranked, answers: Ranked
) -> None:
    """It still reads DIET's own guess (looking past the fallback), so its decision is unchanged."""
    for text, risk_intent in (
        ("could I book in, someone said they would hurt me", "risk_abuse_disclosure"),
        ("could I book in, would it stay private", None),
    ):
        [gated] = risk_component.process(gate().process([message(text, intents, answers)]))
        [alone] = risk_component.process([message(text, intents, answers)])
        assert gated.get("risk") == alone.get("risk") and gated.get("risk")["intent"] == risk_intent
        assert gated.get("risk")["classifier"] == {"intent": "request_appointment", "confidence": intents[0][1]}
        assert gated.get("intent")["name"] == risk_intent or gated.get("intent")["name"] in ("faq", "nlu_fallback")
