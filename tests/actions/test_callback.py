"""The call-back form's validation: what it takes from a message, what it leaves to the rules.

Run in-process with rasa_sdk's Tracker, a scratch vault and a scratch outbox. The number must
reach only the vault: no event the action returns and no message it sends holds it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from cryptography.fernet import Fernet
from rasa_sdk.executor import CollectingDispatcher

from actions import form_support
from actions.callback import ActionSaveCallback, ActionWithdrawCallback, ValidateCallbackForm
from confidant import contact_vault
from confidant.channels.sms.store import SmsStore
from confidant.notify import outbox as outbox_module
from tests.actions.conftest import make_tracker
from tests.support.leaks import gives_away_number

NUMBER = "555-010-0199"
SMS_PSEUDONYM = "sms-" + "ab" * 16


@pytest.fixture(autouse=True)
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv(contact_vault.KEY_ENV_VAR, key)
    monkeypatch.setenv(contact_vault.VAULT_PATH_ENV_VAR, str(tmp_path / "contacts.sqlite3"))
    monkeypatch.setenv(outbox_module.OUTBOX_PATH_ENV_VAR, str(tmp_path / "outbox.sqlite3"))
    monkeypatch.setenv("CONFIDANT_SMS_STORE_PATH", str(tmp_path / "sms.sqlite3"))
    for cached in (contact_vault.default_vault, outbox_module.default_outbox, form_support.sms_store):
        cached.cache_clear()
    yield
    for cached in (contact_vault.default_vault, outbox_module.default_outbox, form_support.sms_store):
        cached.cache_clear()


def turn(
    text: str,
    intent: str = "nlu_fallback",
    requested: Optional[str] = "callback_contact",
    slots: Optional[Dict[str, Any]] = None,
    after: List[str] = (),
    sender: str = "conv-test",
    channel: str = "rest",
):
    """One message reaching the form; `after`: actions a rule ran since it (e.g. the crisis reply)."""
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}, "input_channel": channel}
    events = [user] + [{"event": "action", "name": name} for name in after]
    events += [
        {"event": "slot", "name": "requested_slot", "value": requested},
        {"event": "action", "name": "callback_form"},
    ]
    tracker = make_tracker(events, slots={"requested_slot": requested, **(slots or {})})
    tracker.sender_id = sender
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateCallbackForm().run(dispatcher, tracker, {}))
    return {e["name"]: e["value"] for e in result}, [m.get("response") for m in dispatcher.messages], result


def vault_rows(sender: str = "conv-test"):
    return contact_vault.default_vault().reveal(sender)


def test_a_number_in_a_sentence_goes_to_the_vault_and_only_a_masked_form_to_the_conversation() -> None:
    slots, said, events = turn(f"call me at {NUMBER} after 5pm please", intent="inform_contact")
    assert slots["callback_contact"] == "phone ending 99"
    assert slots["callback_when"] == "after 5pm please"
    assert slots["callback_ref"]
    assert not gives_away_number(json.dumps(events), NUMBER) and said == []
    [stored] = vault_rows()
    assert stored.value == NUMBER and stored.when == "after 5pm please"


def test_the_practice_is_told_as_soon_as_there_is_a_contact_and_only_once() -> None:
    turn(f"my number is {NUMBER}", intent="inform_contact")
    turn("555 010 0100", intent="inform_contact")  # a correction
    outbox = outbox_module.default_outbox()
    [escalation] = outbox.escalations("conv-test")
    callbacks = [n for n in outbox.notifications(escalation.id) if n.kind == "callback"]
    payloads = json.dumps([n.payload for n in callbacks])
    assert callbacks and not gives_away_number(payloads, NUMBER) and not gives_away_number(payloads, "555 010 0100")


def test_a_bare_short_number_is_asked_again_not_taken_for_a_question() -> None:
    slots, said, _ = turn("15", intent="faq")
    assert said == ["utter_invalid_contact"]
    assert slots == {"callback_contact": None, "requested_slot": "callback_contact"}
    assert vault_rows() == []


def test_a_number_typed_right_after_the_offer_fills_the_form_at_activation() -> None:
    slots, said, _ = turn(f"{NUMBER}", intent="inform_contact", requested=None)
    assert slots["callback_contact"] == "phone ending 99" and said == []


def test_an_unreadable_number_at_activation_asks_for_the_number_next() -> None:
    slots, said, _ = turn("12345", intent="inform_contact", requested=None)
    assert said == ["utter_invalid_contact"] and slots["requested_slot"] == "callback_contact"


@pytest.mark.parametrize(
    "text, intent",
    [("wait, will you tell my parents?", "faq"), ("no", "deny"), ("forget it", "deny"), ("bye", "goodbye")],
)
def test_a_question_a_no_or_a_goodbye_is_left_to_the_rules(text: str, intent: str) -> None:
    assert turn(text, intent=intent)[2] == []


def test_a_question_with_a_number_in_it_is_read_as_the_number() -> None:
    slots, _, _ = turn(f"can my parents see this? {NUMBER}", intent="faq")
    assert slots["callback_contact"] == "phone ending 99"


def test_a_risk_message_gets_the_crisis_reply_first_then_its_number_is_taken() -> None:
    text = f"i want to die, just call {NUMBER}"
    assert turn(text, intent="risk_self_harm")[2] == []  # the safety rule answers first
    slots, _, _ = turn(text, intent="risk_self_harm", after=["utter_crisis_self_harm", "action_escalate"])
    assert slots["callback_contact"] == "phone ending 99"
    assert vault_rows()[0].notes == ()  # the risk message itself is not kept as a note


@pytest.mark.parametrize(
    "text, intent, how",
    [("yes", "affirm", "call_or_text"), ("Text only", "nlu_fallback", "text_only"), ("no", "deny", "email_only")],
)
def test_is_it_safe_to_call_or_text(text: str, intent: str, how: str) -> None:
    slots, _, _ = turn(text, intent=intent, requested="callback_how")
    assert slots["callback_how"] == how


def test_email_only_after_a_number_takes_the_number_out_of_the_vault() -> None:
    slots, _, _ = turn(NUMBER, intent="inform_contact")
    slots, _, _ = turn("no", intent="deny", requested="callback_how", slots=slots)
    assert slots == {"callback_how": "email_only", "callback_contact": None}
    assert vault_rows() == []


def test_an_email_needs_no_answer_about_calls_or_texts() -> None:
    slots, _, _ = turn("my email is sam@example.org", intent="inform_contact", requested="callback_how")
    assert slots["callback_contact"] == "s***@example.org" and slots["callback_how"] == "email"


def test_a_note_with_an_answer_is_kept_encrypted_in_the_vault() -> None:
    slots, _, events = turn("text only, my mom checks my calls", requested="callback_how")
    assert slots["callback_how"] == "text_only" and "mom" not in json.dumps(events)
    slots, _, _ = turn(NUMBER, intent="inform_contact", slots=slots)
    [stored] = vault_rows()
    assert stored.how == "text_only" and stored.notes == ("text only, my mom checks my calls",)


@pytest.mark.parametrize("text, when", [("after 5pm please", "after 5pm please"), ("no", "any time")])
def test_when_is_a_good_time(text: str, when: str) -> None:
    intent = "deny" if text == "no" else "nlu_fallback"
    assert turn(text, intent=intent, requested="callback_when")[0]["callback_when"] == when


def test_a_message_with_nothing_for_the_form_asks_the_same_question_again() -> None:
    slots, said, events = turn("hmm ok", intent="affirm", requested="callback_contact")
    assert slots == {"callback_contact": None} and said == [] and events


@pytest.mark.parametrize("text", ["/affirm", "yes please"])  # "1" reaches Rasa as the button's payload
def test_on_sms_yes_means_the_number_the_client_is_texting_from(text: str) -> None:
    store = SmsStore()
    store.remember_address(SMS_PSEUDONYM, "+15550100142")
    slots, _, events = turn(text, intent="affirm", requested=None, sender=SMS_PSEUDONYM, channel="sms")
    assert slots["callback_contact"] == "phone ending 42"
    assert "5550100142" not in json.dumps(events)
    assert vault_rows(SMS_PSEUDONYM)[0].value == "+15550100142"


def test_on_sms_another_number_typed_wins_over_the_sender() -> None:
    SmsStore().remember_address(SMS_PSEUDONYM, "+15550100142")
    slots, _, _ = turn(f"use {NUMBER}", intent="inform_contact", requested=None, sender=SMS_PSEUDONYM, channel="sms")
    assert slots["callback_contact"] == "phone ending 99"


def test_the_read_back_names_only_the_last_two_digits_and_the_slots_are_cleared() -> None:
    tracker = make_tracker(
        [{"event": "user", "text": "any time", "parse_data": {}, "input_channel": "rest"}],
        slots={"callback_how": "text_only", "callback_contact": "phone ending 99", "callback_when": "after 5pm"},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSaveCallback().run(dispatcher, tracker, {}))
    [message] = dispatcher.messages
    assert message["response"] == "utter_callback_saved"
    assert message["contact_ending"] == "99" and message["reach_how"] == "text" and message["good_time"] == "after 5pm"
    assert all(event["value"] is None for event in events)


def test_changing_ones_mind_half_way_removes_what_was_left_and_tells_the_practice() -> None:
    slots, _, _ = turn(NUMBER, intent="inform_contact")
    tracker = make_tracker([], slots=slots)
    asyncio.run(ActionWithdrawCallback().run(CollectingDispatcher(), tracker, {}))
    assert vault_rows() == []
    outbox = outbox_module.default_outbox()
    [escalation] = outbox.escalations("conv-test")
    assert {n.kind for n in outbox.notifications(escalation.id)} >= {"callback", "callback_withdrawn"}
