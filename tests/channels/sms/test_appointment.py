"""Asking for a first appointment by SMS: "1" means "contact me on this number", read from the SMS
store into the vault, never into the conversation; Twilio-signed webhooks into a real Rasa with
the trained model and the action server."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from confidant.contact_vault import ContactVault
from tests.channels.conftest import new_phone, twilio_form
from tests.channels.sms.test_e2e import pseudonym, wait_for_text


def test_an_appointment_by_sms_on_the_number_it_comes_from(sms_server, sms_twilio, server_env) -> None:
    phone = new_phone()
    sms_server.post(twilio_form(phone, "hi can i book a first appointment"))
    texts = wait_for_text(sms_twilio, phone, "request for a first appointment", "What should they call you?")
    assert all(len(part) <= 300 for part in sms_twilio.to(phone))
    assert "Reply cancel to stop" in " ".join(texts)
    sms_server.post(twilio_form(phone, "Sam"))
    *_, ask_contact = wait_for_text(sms_twilio, phone, "Reply 1 to be contacted on this number")
    assert "/affirm" not in ask_contact
    sms_server.post(twilio_form(phone, "1"))  # the practice holds the number: none is typed
    wait_for_text(sms_twilio, phone, "Reply 1 for yes, 2 for no")
    sms_server.post(twilio_form(phone, "2"))
    wait_for_text(sms_twilio, phone, "good time")
    sms_server.post(twilio_form(phone, "1"))
    wait_for_text(sms_twilio, phone, "Anything you want the practice to know")
    sms_server.post(twilio_form(phone, "1"))
    *_, read_back = wait_for_text(sms_twilio, phone, "To check")
    assert f"the number ending {phone[-2:]}" in read_back and "No messages" in read_back
    assert phone[2:] not in read_back and "Reply 1 to send" in read_back
    sms_server.post(twilio_form(phone, "1"))
    wait_for_text(sms_twilio, phone, "Your request is sent")

    vault = ContactVault(
        Path(server_env["STATE_DIR"]) / "contacts.sqlite3", server_env["CONFIDANT_CONTACT_KEY"].encode()
    )
    [listed] = [item for item in vault.appointments() if item.conversation_id == pseudonym(phone)]
    request = vault.appointment(listed.id)
    assert (request.status, request.channel, request.name, request.contact.value, request.message_ok, request.when) == (
        "new",
        "sms",
        "Sam",
        phone,
        "no",
        "any time",
    )
    db = sqlite3.connect(sms_server.tracker_db)
    try:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name IN ('slot', 'bot')", (pseudonym(phone),)
        ).fetchall()
    finally:
        db.close()
    events = [json.loads(data) for (data,) in rows]
    slots = {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
    assert slots["appointment_contact"] is None, "cleared once sent"
    said = json.dumps([(event.get("value"), event.get("text")) for event in events])
    assert phone[2:] not in said and "Sam" not in said, "the number and the name are in no slot and no reply"
    assert '"given"' in said and f"phone ending {phone[-2:]}" in said


def test_an_appointment_by_sms_stopped_half_way_says_nothing_was_sent(sms_server, sms_twilio, practice) -> None:
    phone = new_phone()
    sms_server.post(twilio_form(phone, "i want to book an appointment"))
    wait_for_text(sms_twilio, phone, "What should they call you?")
    sms_server.post(twilio_form(phone, "never mind"))
    *_, stopped = wait_for_text(sms_twilio, phone, "Nothing was sent")
    assert "text appointment" in stopped and practice.practice.phone in stopped
