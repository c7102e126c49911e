"""The shared names exist where the assistant uses them; every risk intent has its replies and rules."""

from __future__ import annotations

import pytest
import yaml

from confidant import vocabulary
from confidant.settings import PROJECT_ROOT
from confidant.vocabulary import CATEGORIES, RISK_INTENT_LIST, RISK_INTENTS, SPANISH_RISK_INTENT, WRITER_FOR_INTENT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
RULES = yaml.safe_load((PROJECT_ROOT / "data/rules/safety.yml").read_text(encoding="utf-8"))["rules"]


def rules_for(intent: str) -> list:
    return [rule for rule in RULES if rule["steps"][0].get("intent") == intent]


@pytest.mark.parametrize("risk_intent", RISK_INTENT_LIST, ids=lambda i: i.name)
def test_each_risk_intent_has_its_replies_and_rules(risk_intent) -> None:
    assert risk_intent.name in DOMAIN["intents"]
    assert risk_intent.category in CATEGORIES
    assert risk_intent.reply in DOMAIN["responses"]
    rules = rules_for(risk_intent.name)
    assert len(rules) == 1 + len(DOMAIN["forms"]), "one rule, and one for the middle of each form"
    for form in DOMAIN["forms"]:
        [mid_form] = [rule for rule in rules if rule.get("condition") == [{"active_loop": form}]]
        assert mid_form["steps"][-2:] == [{"action": form}, {"active_loop": form}], "the form goes on after it"
    for rule in rules:
        actions = [step.get("action") for step in rule["steps"][1:]]
        assert actions[0] == risk_intent.reply, "the short first message goes first"
        assert "action_escalate" in actions
        if risk_intent.name != SPANISH_RISK_INTENT:
            assert actions[1] == f"{risk_intent.reply}_more"
            assert f"{risk_intent.reply}_more" in DOMAIN["responses"]


def test_every_first_crisis_message_carries_the_card_for_its_writer_on_the_web() -> None:
    for risk_intent in RISK_INTENT_LIST:
        web = [v for v in DOMAIN["responses"][risk_intent.reply] if not v.get("channel")]
        assert web and all("crisis_card" in (v.get("custom") or {}) for v in web), risk_intent.reply
        card = web[0]["custom"]["crisis_card"]
        if risk_intent.name != SPANISH_RISK_INTENT:
            assert card == WRITER_FOR_INTENT[risk_intent.name]


def test_the_call_back_form_steps_aside_for_every_risk_intent() -> None:
    from actions import callback

    assert callback.RISK_INTENTS is RISK_INTENTS


def test_every_intent_slot_and_form_named_in_the_vocabulary_is_in_the_domain() -> None:
    intents = {value for name, value in vars(vocabulary).items() if name.endswith("_INTENT") and isinstance(value, str)}
    in_domain = {intent if isinstance(intent, str) else next(iter(intent)) for intent in DOMAIN["intents"]}
    assert intents - {vocabulary.NLU_FALLBACK_INTENT} <= in_domain
    assert set(vocabulary.SLOTS) <= set(DOMAIN["slots"])
    assert vocabulary.CALLBACK_FORM in DOMAIN["forms"]
    assert f"utter_{vocabulary.CONTACT_PRACTICE_ANSWER}" in DOMAIN["responses"]


def test_the_faq_intent_is_the_response_selectors_retrieval_intent() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    [selector] = [step for step in config["pipeline"] if step["name"] == "ResponseSelector"]
    assert selector["retrieval_intent"] == vocabulary.FAQ_INTENT


def test_every_writer_kind_is_a_crisis_situation_and_every_risk_intents_writer_is_known() -> None:
    from confidant.settings import SITUATIONS

    assert set(SITUATIONS) == {vocabulary.GENERAL_SITUATION, *vocabulary.WRITER_KINDS}
    assert set(WRITER_FOR_INTENT.values()) == {*vocabulary.WRITER_KINDS, vocabulary.SPANISH_WRITER}
    assert vocabulary.FALLBACK_CATEGORY in CATEGORIES


PARSED_QUESTION = {
    "intent": {"name": "faq", "confidence": 0.9},
    "response_selector": {
        "faq": {
            "response": {"intent_response_key": "faq/tell_parents", "confidence": 0.82},
            "ranking": [
                {"intent_response_key": "faq/tell_parents", "confidence": 0.82},
                {"intent_response_key": "faq/tell_others", "confidence": 0.11},
            ],
        }
    },
}


def test_the_response_selectors_output_is_read_in_one_way() -> None:
    assert vocabulary.selected_answer(PARSED_QUESTION) == "faq/tell_parents"
    assert vocabulary.selected_answer_confidence(PARSED_QUESTION) == pytest.approx(0.82)
    assert [item["intent_response_key"] for item in vocabulary.selector_ranking(PARSED_QUESTION)] == [
        "faq/tell_parents",
        "faq/tell_others",
    ]
    assert vocabulary.answer_key(PARSED_QUESTION) == "faq/tell_parents"
    assert vocabulary.answer_key({**PARSED_QUESTION, "intent": {"name": "greet"}}) == "greet"


def test_a_parse_without_a_chosen_answer_falls_back_to_the_ranking_then_the_intent() -> None:
    ranked_only = {
        "intent": {"name": "faq"},
        "response_selector": {"faq": {"ranking": [{"intent_response_key": "faq/x"}]}},
    }
    assert vocabulary.answer_key(ranked_only) == "faq/x"
    assert vocabulary.selected_answer_confidence(ranked_only) == 0.0
    nothing = {"intent": {"name": "faq"}, "response_selector": {"faq": {"ranking": ["not a dict"]}}}
    assert vocabulary.answer_key(nothing) == "faq" and vocabulary.selector_ranking(nothing) == []
    assert vocabulary.answer_key({}) is None


def test_the_category_names_and_the_selectors_output_are_spelled_out_in_the_vocabulary_only() -> None:
    """A second spelling drifts: code names categories, and reads the ResponseSelector, through confidant.vocabulary."""
    spelled = ('"self_harm"', '"harm_others"', '"response_selector"')
    found = []
    for folder in ("confidant", "actions", "review"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            if path.name == "vocabulary.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(PROJECT_ROOT)}: {name}" for name in spelled if name in text]
    assert found == []
