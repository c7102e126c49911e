"""The union of the two layers, as the Rasa component applies it to a parsed message."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from confidant.risk.component import RiskScreenComponent, decide
from confidant.risk.screen import NO_RISK, Evidence, RiskFinding

CURRENT = RiskFinding("self_harm", "current", (Evidence("kms", 8, 11, "self_harm.slang"),))
NEGATED = RiskFinding("self_harm", "negated", (Evidence("suicidal", 8, 16, "self_harm.suicidal"),))
FRIEND = RiskFinding("self_harm", "third_party", ())
THREAT_BY_OTHER = RiskFinding("harm_others", "third_party", ())


def top(name: str, confidence: float) -> dict:
    return {"name": name, "confidence": confidence}


@pytest.mark.parametrize(
    "finding, classifier, intent, layers",
    [
        (CURRENT, top("faq", 0.9), "risk_self_harm", ["screen"]),
        (NO_RISK, top("risk_abuse_disclosure", 0.6), "risk_abuse_disclosure", ["classifier"]),
        (CURRENT, top("risk_self_harm", 0.9), "risk_self_harm", ["screen", "classifier"]),
        (NEGATED, top("deny", 0.9), None, []),
        # The classifier cannot overrule the screen's evidence of negation...
        (NEGATED, top("risk_self_harm", 0.95), None, []),
        (NO_RISK, top("risk_harm_others", 0.2), None, []),  # below the classifier's floor
        (FRIEND, top("faq", 0.5), "concern_for_someone", []),
        (NO_RISK, top("concern_for_someone", 0.8), "concern_for_someone", []),
        (THREAT_BY_OTHER, top("faq", 0.5), "risk_harm_others", ["screen"]),
    ],
)
def test_union_of_the_layers(finding, classifier, intent, layers) -> None:
    decision = decide(finding, classifier, 0.3)
    assert decision["intent"] == intent
    assert decision["layers"] == layers


@pytest.fixture(scope="module")
def component() -> RiskScreenComponent:
    from confidant.risk.screen import RiskScreen
    from confidant.settings import PROJECT_ROOT

    screen = RiskScreen.from_directory(PROJECT_ROOT / "data/risk")
    return RiskScreenComponent({"classifier_min_confidence": 0.3}, screen)


def parsed(text: str, intent: str, confidence: float) -> Message:
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": intent, "confidence": confidence}]
    return Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})


def test_risk_overrides_whatever_came_before(component) -> None:
    [message] = component.process([parsed("will you tell my parents? honestly i just want to kms", "faq", 0.9)])
    assert message.get("intent") == {"name": "risk_self_harm", "confidence": 1.0}
    assert message.get("risk")["screen"]["evidence"][0]["text"] == "kms"
    assert "risk" in message.as_dict(only_output_properties=True)


def test_the_classifier_is_read_past_a_fallback(component) -> None:
    [message] = component.process([parsed("something vague", "risk_harm_others", 0.4)])
    assert message.get("intent")["name"] == "risk_harm_others"


def test_ordinary_questions_are_left_alone(component) -> None:
    [message] = component.process([parsed("this exam is killing me, is therapy private?", "faq", 0.9)])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("risk")["intent"] is None


def test_a_risk_guess_the_screen_explained_away_is_demoted(component) -> None:
    ranking = [{"name": "risk_self_harm", "confidence": 0.6}, {"name": "share_feelings", "confidence": 0.3}]
    message = Message(data={"text": "I'm not suicidal, just stressed", "intent": ranking[0], "intent_ranking": ranking})
    [processed] = component.process([message])
    assert processed.get("intent")["name"] == "share_feelings"
    assert processed.get("risk")["vetoed"] is True
