"""The appointment request's actions: what the form takes, what it leaves to the rules, what is sent.

Run in-process with rasa_sdk's Tracker, a scratch vault and a scratch outbox. The name, number
and note reach only the vault: no event the actions return holds them, and the practice's
notice holds none of them either.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from cryptography.fernet import Fernet
from rasa_sdk.executor import CollectingDispatcher

from actions import form_support
from actions.appointment import (
    ActionAskAppointmentConfirmed,
    ActionCancelAppointment,
    ActionSaveAppointment,
    ValidateAppointmentForm,
)
from confidant import contact_vault
from confidant.channels.sms.store import SmsStore
from confidant.notify import outbox as outbox_module
from tests.actions.conftest import make_tracker
from tests.support.leaks import gives_away_number

NUMBER = "555-010-0199"
SMS_PSEUDONYM = "sms-" + "cd" * 16


@pytest.fixture(autouse=True)
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(contact_vault.KEY_ENV_VAR, Fernet.generate_key().decode())
    monkeypatch.setenv(contact_vault.VAULT_PATH_ENV_VAR, str(tmp_path / "contacts.sqlite3"))
    monkeypatch.setenv(outbox_module.OUTBOX_PATH_ENV_VAR, str(tmp_path / "outbox.sqlite3"))
    monkeypatch.setenv("CONFIDANT_SMS_STORE_PATH", str(tmp_path / "sms.sqlite3"))
    caches = (contact_vault.default_vault, outbox_module.default_outbox, form_support.sms_store)
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


class Conversation:
    """Slots carried from turn to turn, as Rasa would, with what each turn said and returned."""

    def __init__(self, sender: str = "conv-test", channel: str = "rest") -> None:
        self.sender, self.channel = sender, channel
        self.slots: Dict[str, Any] = {"requested_slot": None}
        self.returned: List[Dict[str, Any]] = []

    def tracker(self, text: str, intent: str, after: List[str]) -> Any:
        user = {
            "event": "user",
            "text": text,
            "parse_data": {"intent": {"name": intent}},
            "input_channel": self.channel,
        }
        events = [user] + [{"event": "action", "name": name} for name in after]
        events.append({"event": "action", "name": "appointment_form"})
        tracker = make_tracker(events, slots=dict(self.slots))
        tracker.sender_id = self.sender
        return tracker

    def run(self, action: Any, text: str = "", intent: str = "nlu_fallback", after: List[str] = ()) -> Tuple:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, self.tracker(text, intent, list(after)), {}))
        self.returned.extend(events)
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        said = [message.get("response") for message in dispatcher.messages]
        return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, said, events, dispatcher.messages

    def say(self, text: str, intent: str = "nlu_fallback", after: List[str] = ()) -> Tuple:
        return self.run(ValidateAppointmentForm(), text, intent, after)

    def ask(self, slot: str) -> None:
        self.slots["requested_slot"] = slot


def request_of(conversation: Conversation) -> Any:
    return contact_vault.default_vault().appointment(int(conversation.slots["appointment_ref"]))


def fill_up_to_confirmation(conversation: Conversation) -> None:
    conversation.say("I'd like to book a first session", intent="request_appointment")
    conversation.ask("appointment_name")
    conversation.say("call me Sam")
    conversation.ask("appointment_contact")
    conversation.say(f"my number is {NUMBER}", intent="inform_contact")
    conversation.ask("appointment_message_ok")
    conversation.say("no", intent="deny")
    conversation.ask("appointment_when")
    conversation.say("after 5pm please")
    conversation.ask("appointment_note")
    conversation.say("it's for my son, he's 15")
    conversation.ask("appointment_confirmed")


def test_a_whole_request_reaches_the_vault_and_the_conversation_keeps_only_markers() -> None:
    conversation = Conversation()
    fill_up_to_confirmation(conversation)
    assert {
        key: conversation.slots[key] for key in ("appointment_name", "appointment_contact", "appointment_note")
    } == {
        "appointment_name": "given",
        "appointment_contact": "phone ending 99",
        "appointment_note": "given",
    }
    stored = request_of(conversation)
    assert (stored.name, stored.contact.value, stored.message_ok, stored.when, stored.note, stored.status) == (
        "Sam",
        NUMBER,
        "no",
        "after 5pm please",
        "it's for my son, he's 15",
        "draft",
    )
    returned = json.dumps(conversation.returned)
    assert not gives_away_number(returned, NUMBER) and "Sam" not in returned and "son" not in returned


def test_the_read_back_names_the_last_digits_the_time_and_the_message_answer() -> None:
    conversation = Conversation()
    fill_up_to_confirmation(conversation)
    _, said, _, messages = conversation.run(ActionAskAppointmentConfirmed())
    assert said == ["utter_appointment_readback_phone_no_message"]
    assert messages[0]["contact_ending"] == "99" and messages[0]["good_time"] == "after 5pm please"
    assert not gives_away_number(json.dumps(messages), NUMBER)


def test_yes_to_the_read_back_sends_it_and_tells_the_practice_without_details() -> None:
    conversation = Conversation()
    fill_up_to_confirmation(conversation)
    request = int(conversation.slots["appointment_ref"])
    slots, _, _, _ = conversation.say("yes", intent="affirm")
    assert slots == {"appointment_confirmed": "yes"}
    assert outbox_module.default_outbox().notifications() == [], "nothing goes out before the client agrees"
    _, said, events, _ = conversation.run(ActionSaveAppointment())
    assert said == ["utter_appointment_saved"]
    assert contact_vault.default_vault().appointment(request).status == "new"
    notices = outbox_module.default_outbox().notifications()
    assert notices and {n.kind for n in notices} == {"appointment_request"}
    assert {n.escalation_id for n in notices} == {f"appointment:{request}"}
    sent = json.dumps([n.payload for n in notices])
    assert not gives_away_number(sent, NUMBER) and "Sam" not in sent and "5pm" not in sent and "son" not in sent
    assert all(event["value"] in (None, 0.0) for event in events), "ready for another request"
    assert outbox_module.default_outbox().escalations() == [], "a request is not an escalation"


def test_no_to_the_read_back_asks_for_the_contact_again() -> None:
    conversation = Conversation()
    fill_up_to_confirmation(conversation)
    slots, said, _, _ = conversation.say("no that's wrong", intent="deny")
    assert said == ["utter_appointment_change"]
    assert slots["requested_slot"] == "appointment_contact" and slots["appointment_contact"] is None
    assert request_of(conversation).contact is None
    conversation.ask("appointment_contact")
    slots, _, _, _ = conversation.say("sam@example.org", intent="inform_contact")
    assert slots["appointment_contact"] == "s***@example.org"


def test_a_number_and_a_time_in_one_sentence_are_both_taken() -> None:
    conversation = Conversation()
    conversation.ask("appointment_contact")
    slots, _, _, _ = conversation.say(f"call me at {NUMBER} after 5pm", intent="inform_contact")
    assert slots["appointment_contact"] == "phone ending 99" and slots["appointment_when"] == "after 5pm"


def test_an_unreadable_number_is_asked_again_then_the_practice_phone_is_offered() -> None:
    conversation = Conversation()
    conversation.ask("appointment_contact")
    slots, said, _, _ = conversation.say("555 01", intent="inform_contact")
    assert said == ["utter_appointment_invalid_contact"]
    assert slots["appointment_contact"] is None and slots["requested_slot"] == "appointment_contact"
    _, said, _, _ = conversation.say("me at sam@example", intent="inform_contact")
    assert said == ["utter_appointment_contact_trouble"]
    slots, said, _, _ = conversation.say(NUMBER, intent="inform_contact")
    assert slots["appointment_contact"] == "phone ending 99" and said == []
    assert slots["appointment_contact_tries"] == 0.0


@pytest.mark.parametrize("text", ["never mind", "stop", "cancel", "forget it"])
def test_stopping_half_way_deletes_the_draft_and_says_nothing_was_sent(text: str) -> None:
    conversation = Conversation()
    conversation.ask("appointment_contact")
    conversation.say(NUMBER, intent="inform_contact")
    request = int(conversation.slots["appointment_ref"])
    conversation.ask("appointment_message_ok")
    slots, said, events, _ = conversation.say(text, intent="deny")
    assert said == ["utter_appointment_cancelled"]
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in events if e["event"] == "active_loop"
    ]
    assert slots["requested_slot"] is None and slots["appointment_confirmed"] is None
    assert contact_vault.default_vault().appointment(request) is None
    _, said, _, _ = conversation.run(ActionSaveAppointment())
    assert said == [] and outbox_module.default_outbox().notifications() == []


def test_the_rule_for_a_no_deletes_the_draft_too() -> None:
    conversation = Conversation()
    conversation.ask("appointment_contact")
    conversation.say(NUMBER, intent="inform_contact")
    request = int(conversation.slots["appointment_ref"])
    conversation.run(ActionCancelAppointment())
    assert contact_vault.default_vault().appointment(request) is None


@pytest.mark.parametrize(
    "text, intent",
    [
        ("will my parents be told?", "faq"),
        ("bye", "goodbye"),
        ("no thanks", "deny"),
        ("are you a bot", "bot_challenge"),
    ],
)
def test_a_question_a_no_or_a_goodbye_at_the_contact_is_left_to_the_rules(text: str, intent: str) -> None:
    conversation = Conversation()
    conversation.ask("appointment_contact")
    assert conversation.say(text, intent=intent)[2] == []


def test_a_risk_message_gets_the_crisis_reply_first_then_its_number_is_taken() -> None:
    conversation = Conversation()
    conversation.ask("appointment_contact")
    text = f"i want to die, just call {NUMBER}"
    assert conversation.say(text, intent="risk_self_harm")[2] == []
    slots, _, _, _ = conversation.say(
        text,
        intent="risk_self_harm",
        after=["utter_crisis_self_harm", "utter_crisis_self_harm_more", "action_escalate"],
    )
    assert slots["appointment_contact"] == "phone ending 99"


@pytest.mark.parametrize(
    "requested, text, intent, slot, value",
    [
        ("appointment_name", "rather not say", "deny", "appointment_name", "not given"),
        ("appointment_message_ok", "yes that's fine", "affirm", "appointment_message_ok", "yes"),
        ("appointment_when", "any time", "out_of_scope", "appointment_when", "any time"),
        ("appointment_note", "nothing else", "deny", "appointment_note", "none"),
        ("appointment_note", "no thanks", "deny", "appointment_note", "none"),
    ],
)
def test_plain_answers(requested: str, text: str, intent: str, slot: str, value: str) -> None:
    conversation = Conversation()
    conversation.ask(requested)
    slots, said, _, _ = conversation.say(text, intent=intent)
    assert slots[slot] == value and said == []


@pytest.mark.parametrize("text, intent", [("hi", "greet"), ("thanks", "thanks"), ("ok", "affirm"), ("12", "faq")])
def test_a_greeting_or_a_yes_is_not_taken_for_a_name(text: str, intent: str) -> None:
    conversation = Conversation()
    conversation.ask("appointment_name")
    slots, _, _, _ = conversation.say(text, intent=intent)
    assert slots.get("appointment_name") is None


def test_on_sms_one_means_this_number_read_from_the_sms_store_not_the_conversation() -> None:
    SmsStore().remember_address(SMS_PSEUDONYM, "+15550100188")
    conversation = Conversation(sender=SMS_PSEUDONYM, channel="sms")
    conversation.ask("appointment_contact")
    slots, _, events, _ = conversation.say("/affirm", intent="affirm")
    assert slots["appointment_contact"] == "phone ending 88"
    assert "0188" not in json.dumps(events)
    assert request_of(conversation).contact.value == "+15550100188"


def test_on_the_web_a_yes_at_the_contact_is_asked_again() -> None:
    conversation = Conversation()
    conversation.ask("appointment_contact")
    slots, _, _, _ = conversation.say("yes", intent="affirm")
    assert slots == {"appointment_contact": None}


def read_back_with(message_ok: Optional[str], contact: str) -> List[str]:
    conversation = Conversation()
    conversation.ask("appointment_contact")
    conversation.say(contact, intent="inform_contact")
    conversation.ask("appointment_message_ok")
    conversation.say(message_ok, intent="nlu_fallback")
    return conversation.run(ActionAskAppointmentConfirmed())[1]


@pytest.mark.parametrize(
    "answer, contact, response",
    [
        ("yes", NUMBER, "utter_appointment_readback_phone_message"),
        ("yes", "sam@example.org", "utter_appointment_readback_email_message"),
        ("no", "sam@example.org", "utter_appointment_readback_email_no_message"),
    ],
)
def test_each_read_back(answer: str, contact: str, response: str) -> None:
    assert read_back_with(answer, contact) == [response]


def test_a_form_opened_while_the_action_server_was_down_reads_the_answer_to_its_first_question() -> None:
    conversation = Conversation()
    slots, _, _, _ = conversation.say("call me Jo", intent="nlu_fallback")
    assert slots["appointment_name"] == "given"
    assert request_of(conversation).name == "Jo"


def test_asking_again_to_resume_takes_nothing_from_the_request_itself() -> None:
    conversation = Conversation()
    slots, _, _, _ = conversation.say("appointment", intent="request_appointment")
    assert slots == {"appointment_name": None}


@pytest.mark.parametrize("intent", ["faq", "inform_contact", "greet"])
def test_a_name_that_says_it_is_one_is_taken_whatever_the_intent(intent: str) -> None:
    conversation = Conversation()
    conversation.ask("appointment_name")
    slots, _, _, _ = conversation.say("call me Jo", intent=intent)
    assert slots["appointment_name"] == "given" and request_of(conversation).name == "Jo"


def test_a_question_at_the_name_is_left_to_its_rule() -> None:
    conversation = Conversation()
    conversation.ask("appointment_name")
    assert conversation.say("will my parents know", intent="faq")[2] == []


def test_resuming_after_the_draft_was_deleted_starts_the_request_over() -> None:
    """Unsent drafts are deleted after a day (review.cli.retention): nothing said before is assumed."""
    conversation = Conversation()
    fill_up_to_confirmation(conversation)
    draft = request_of(conversation).id
    conversation.slots["requested_slot"] = None  # paused by a question, then resumed a day later
    assert contact_vault.default_vault().purge_stale_drafts(datetime.now(timezone.utc) + timedelta(seconds=1)) == 1
    slots, said, _, _ = conversation.say("appointment", intent="request_appointment")
    assert said == [] and all(slots[name] is None for name in ("appointment_name", "appointment_contact"))
    assert slots["appointment_ref"] is None and slots["appointment_note"] is None
    conversation.ask("appointment_name")
    conversation.say("call me Sam")
    assert int(conversation.slots["appointment_ref"]) != draft and request_of(conversation).name == "Sam"


def test_resuming_a_draft_that_is_still_there_keeps_it() -> None:
    conversation = Conversation()
    fill_up_to_confirmation(conversation)
    conversation.slots["requested_slot"] = None
    slots, _, _, _ = conversation.say("appointment", intent="request_appointment")
    assert "appointment_ref" not in slots and request_of(conversation).name == "Sam"
