"""The crisis response a channel sends itself for a message it refuses (no Rasa turn)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from confidant.channels.crisis_reply import crisis_messages_for, escalating_intents, responses_for_risk_intents


def test_the_responses_are_those_the_safety_rule_sends_before_any_action(tmp_path: Path) -> None:
    rules = tmp_path / "safety.yml"
    rules.write_text(
        "rules:\n"
        "  - rule: first\n"
        "    steps:\n"
        "      - intent: risk_x\n"
        "      - action: utter_crisis_x\n"
        "      - action: utter_crisis_x_more\n"
        "      - action: action_escalate\n"
        "      - action: utter_offer_callback\n"
        "  - rule: inside a form, not the plain answer\n"
        "    condition:\n"
        "      - active_loop: callback_form\n"
        "    steps:\n"
        "      - intent: risk_y\n"
        "      - action: utter_crisis_y\n"
    )
    assert responses_for_risk_intents(rules) == {"risk_x": ["utter_crisis_x", "utter_crisis_x_more"]}
    assert escalating_intents(rules) == {"risk_x"}


def test_the_shipped_rules_name_a_crisis_response_for_every_risk_intent() -> None:
    mapping = responses_for_risk_intents()
    for intent in ("risk_self_harm", "risk_harm_others", "risk_abuse_disclosure"):
        assert mapping[intent][0].startswith("utter_crisis"), intent
        assert intent in escalating_intents(), intent


def texts(text: str, channel: str) -> list:
    return [message["text"] for message in asyncio.run(crisis_messages_for(text, channel))]


def test_a_risk_message_gets_the_crisis_resources_and_a_question_gets_nothing(practice) -> None:
    web = texts("i want to kill myself", "socketio")
    sms = texts("i want to kill myself", "sms")
    assert web and sms and web != sms  # the channel's own variant
    first_line = practice.crisis.lines_for("self_at_risk")[0]
    assert practice.crisis.emergency_number in web[0] and first_line.how in web[0]
    assert "{" not in "".join(web + sms)
    assert texts("will you tell my parents what i say?", "collector") == []
    assert texts("i'd never kill myself, i was just asking", "collector") == []
