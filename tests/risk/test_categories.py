"""Every risk intent has its replies in the domain and its rules, normal and mid-form."""

from __future__ import annotations

import pytest
import yaml

from confidant.risk.categories import CATEGORIES, RISK_INTENT_LIST, RISK_INTENTS, SPANISH_RISK_INTENT, WRITER_FOR_INTENT
from confidant.settings import PROJECT_ROOT

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
