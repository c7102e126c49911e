"""SMS end to end: Twilio-signed webhooks into a real Rasa (trained model, action server, SQLite
tracker store), replies out through the real Twilio client to a Twilio API stand-in.

The Rasa server runs with `--debug` (the most it ever logs) and believes it is reached at
PUBLIC_URL through a proxy, as in production.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from confidant.channels.sms.pseudonyms import pseudonym_for
from confidant.contact_vault import ContactVault
from tests.channels.conftest import (
    PSEUDONYM_KEY,
    PUBLIC_URL,
    TWILIO_NUMBER,
    new_phone,
    sign,
    twilio_form,
)
from tests.support.receivers import wait_until

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
PART_NUMBER = re.compile(r"^\(\d+/\d+\) ")


def pseudonym(phone: str) -> str:
    return pseudonym_for(phone, PSEUDONYM_KEY.encode())


def texts_for(twilio, phone: str) -> list:
    """What reached the phone, with numbered parts joined back into whole replies."""
    whole = []
    for body in twilio.to(phone):
        match = re.match(r"^\((\d+)/(\d+)\) ", body)
        if match and match.group(1) != "1":
            whole[-1] += " " + PART_NUMBER.sub("", body)
        else:
            whole.append(PART_NUMBER.sub("", body))
    return whole


def wait_for_text(twilio, phone: str, *needles: str, timeout: float = 45) -> list:
    wait_until(lambda: all(any(n in t for t in texts_for(twilio, phone)) for n in needles), timeout=timeout)
    return texts_for(twilio, phone)


def wait_for_text_and_the_next(twilio, phone: str, needle: str, timeout: float = 45) -> tuple:
    """The first text holding `needle` and the one after it (the intro and its first question
    arrive as two texts; the needle alone would return between them)."""

    def pair() -> tuple:
        texts = texts_for(twilio, phone)
        found = next((i for i, text in enumerate(texts) if needle in text), None)
        return (texts[found], texts[found + 1]) if found is not None and found + 1 < len(texts) else ()

    wait_until(lambda: bool(pair()), timeout=timeout)
    return pair()


def delivery_records(server, phone: str) -> list:
    db = sqlite3.connect(server.tracker_db)
    try:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'bot' ORDER BY id", (pseudonym(phone),)
        ).fetchall()
    finally:
        db.close()
    return [
        json.loads(data)["metadata"]["sms_delivery"]
        for (data,) in rows
        if "sms_delivery" in (json.loads(data).get("metadata") or {})
    ]


def test_the_welcome_and_the_answer_arrive_as_sms_variants(sms_server, sms_twilio, practice) -> None:
    phone = new_phone()
    status, body = sms_server.post(twilio_form(phone, "will you tell my parents?"))
    assert (status, body) == (200, EMPTY_TWIML)

    welcome, answer = wait_for_text(sms_twilio, phone, "automated assistant", "young people")
    assert all(len(part) <= 300 for part in sms_twilio.to(phone))
    assert all(message.from_ == TWILIO_NUMBER for message in sms_twilio.sent if message.to == phone)
    # The SMS variants, with the practice's details filled in.
    assert "No one reads this live" in welcome and practice.practice.name in welcome
    assert practice.crisis.emergency_number in welcome
    assert "ask your therapist at the start" in answer and practice.practice.phone in answer
    assert not any("{" in text or "/" in text.replace("24/7", "") for text in (welcome, answer))


def test_the_contact_answer_by_sms_offers_the_appointment_request_and_the_word_starts_it(
    sms_server, sms_twilio, practice
) -> None:
    """SMS has no buttons: the contact answer names the word to reply, and that word starts the request."""
    phone = new_phone()
    sms_server.post(twilio_form(phone, "whats your phone number"))
    *_, contact = wait_for_text(sms_twilio, phone, "reply APPOINTMENT")
    assert practice.practice.phone in contact and len(contact) <= 300
    sms_server.post(twilio_form(phone, "APPOINTMENT"))
    intro, ask_name = wait_for_text_and_the_next(sms_twilio, phone, "Reply cancel")
    assert "request for a first appointment" in intro and "?" in ask_name


def test_a_question_beside_a_request_to_book_by_sms_is_answered_then_1_starts_the_request(
    sms_server, sms_twilio
) -> None:
    phone = new_phone()
    sms_server.post(twilio_form(phone, "I'd like to book a first session. Does the front desk see my notes?"))
    *_, answer, offer = wait_for_text(sms_twilio, phone, "court order", "If you're ready to start")
    assert 'Reply 1 for "Yes" or 2 for "Not now".' in offer and "/request_appointment" not in offer
    assert len(offer) <= 300
    sms_server.post(twilio_form(phone, "1"))
    intro, ask_name = wait_for_text_and_the_next(sms_twilio, phone, "Reply cancel")
    assert "?" in ask_name


def test_a_risk_message_gets_the_crisis_resources_and_a_numbered_choice(
    sms_server, sms_twilio, webhook_receiver, practice
) -> None:
    phone = new_phone()
    first_line = practice.crisis.lines_for("self_at_risk")[0]
    sms_server.post(twilio_form(phone, "i want to kill myself"))
    crisis, more, offer = wait_for_text(sms_twilio, phone, first_line.how, "no one reads this live", "Reply 1")
    # The numbers first, in a short text; then who reads it and when (SMS variants).
    assert practice.crisis.emergency_number in crisis and first_line.how in crisis and len(crisis) <= 160
    assert "no one reads this live" in more and practice.practice.name in more
    assert offer.count("Reply 1") == 1 and "/affirm" not in offer

    # The practice is told, under the pseudonym, on the SMS channel.
    notice = wait_until(
        lambda: next((p for p in webhook_receiver.received if p["conversation_id"] == pseudonym(phone)), None),
        timeout=30,
    )
    assert notice["channel"] == "sms" and phone[2:] not in json.dumps(notice)

    # "2" is the second button: no, thank you.
    sms_server.post(twilio_form(phone, "2"))
    *_, declined = wait_for_text(sms_twilio, phone, "That's okay")
    assert practice.crisis_line in declined


def test_reply_1_after_the_offer_means_call_this_number_and_it_reaches_only_the_vault(
    sms_server, sms_twilio, server_env
) -> None:
    phone = new_phone()
    sms_server.post(twilio_form(phone, "i want to kill myself"))
    *_, offer = wait_for_text(sms_twilio, phone, "Reply 1 to be called on this number")
    assert "/affirm" not in offer
    sms_server.post(twilio_form(phone, "1"))  # the practice holds the number: none is asked for
    *_, ask_how = wait_for_text(sms_twilio, phone, "Is it safe")
    assert "this number" in ask_how and "2 for text only" in ask_how
    sms_server.post(twilio_form(phone, "2"))
    *_, ask_when = wait_for_text(sms_twilio, phone, "good time")
    sms_server.post(twilio_form(phone, "1"))
    *_, saved = wait_for_text(sms_twilio, phone, "the number ending")
    assert f"text the number ending {phone[-2:]}" in saved and phone[2:] not in saved

    key = server_env["CONFIDANT_CONTACT_KEY"].encode()
    vault = ContactVault(Path(server_env["STATE_DIR"]) / "contacts.sqlite3", key)
    [contact] = vault.reveal(pseudonym(phone))
    assert (contact.value, contact.how, contact.when) == (phone, "text_only", "any time")


def test_help_is_answered_at_once_without_rasa(sms_server, sms_twilio, practice) -> None:
    phone = new_phone()
    status, body = sms_server.post(twilio_form(phone, "HELP"))
    assert status == 200 and practice.practice.phone in body and practice.practice.website in body
    assert practice.practice.name in body


def test_a_message_sid_delivered_twice_is_answered_once(sms_server, sms_twilio) -> None:
    phone = new_phone()
    form = twilio_form(phone, "what if I'm in court?")
    assert sms_server.post(form) == (200, EMPTY_TWIML)
    assert sms_server.post(form) == (200, EMPTY_TWIML)
    # Replies to one phone go out in order, so once the next answer is there, any duplicate would be too.
    sms_server.post(twilio_form(phone, "thanks"))
    texts = wait_for_text(sms_twilio, phone, "court order", "You're welcome")
    assert sum("court order" in text for text in texts) == 1
    db = sqlite3.connect(sms_server.tracker_db)
    [(user_messages,)] = db.execute(
        "SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'", (pseudonym(phone),)
    ).fetchall()
    db.close()
    assert user_messages == 2


@pytest.mark.parametrize("how", ["forged", "unsigned", "signed_for_another_url"])
def test_a_forged_request_gets_403_and_leaves_no_trace(sms_server, sms_twilio, how) -> None:
    phone = new_phone()
    form = twilio_form(phone, "i want to kill myself")
    signature = {
        "forged": sign(PUBLIC_URL + "/webhooks/sms/webhook", form, auth_token="guessed-" + uuid.uuid4().hex),
        "unsigned": "",
        "signed_for_another_url": sign(sms_server.url + "/webhooks/sms/webhook", form),
    }[how]
    status, _ = sms_server.post(form, signature=signature)
    assert status == 403
    time.sleep(1.0)
    db = sqlite3.connect(sms_server.tracker_db)
    [(events,)] = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (pseudonym(phone),)).fetchall()
    db.close()
    assert events == 0 and sms_twilio.to(phone) == []


def test_after_stop_nothing_is_sent_and_the_held_reply_is_recorded(sms_server, sms_twilio) -> None:
    phone = new_phone()
    sms_server.post(twilio_form(phone, "hi"))
    wait_for_text(sms_twilio, phone, "automated assistant")
    assert sms_server.post(twilio_form(phone, "STOP")) == (200, EMPTY_TWIML)
    sms_server.post(twilio_form(phone, "who can read this chat?"))
    wait_until(lambda: delivery_records(sms_server, phone), timeout=30)
    [held] = delivery_records(sms_server, phone)
    assert held["status"] == "suppressed" and held["reason"] == "opted_out"
    assert len(sms_twilio.to(phone)) == 1

    assert sms_server.post(twilio_form(phone, "START")) == (200, EMPTY_TWIML)
    sms_server.post(twilio_form(phone, "thanks"))
    wait_for_text(sms_twilio, phone, "You're welcome")


def test_a_send_that_keeps_failing_is_retried_and_recorded_in_the_conversation(sms_server, sms_twilio) -> None:
    phone = new_phone()
    sms_twilio.fail_to[phone] = (500, 20500)
    sms_server.post(twilio_form(phone, "hi"))
    wait_until(lambda: delivery_records(sms_server, phone), timeout=30)
    [failed] = delivery_records(sms_server, phone)
    assert failed["status"] == "failed" and failed["reason"] == "http_500" and failed["attempts"] == 4
    assert failed["response"] == "utter_welcome"
    assert len([a for a in sms_twilio.attempts if a["To"] == phone]) == 4
    wait_until(lambda: "SMS reply not delivered" in sms_server.process.log_text(), timeout=5)


def test_no_phone_number_in_the_tracker_store_the_logs_or_the_sms_store(sms_server, sms_twilio, action_server) -> None:
    # Its own conversations, through every path that handles the number: a question, a risk message
    # with a call-back on "this number" (the vault, the notification), a reply that cannot be sent
    # (logged), and the keywords answered without Rasa. Then every number the server has seen.
    asked, at_risk, unreachable, keywords = (new_phone() for _ in range(4))
    sms_server.post(twilio_form(asked, "will you tell my parents?"))
    sms_server.post(twilio_form(at_risk, "i want to kill myself"))
    wait_for_text(sms_twilio, at_risk, "Reply 1 to be called on this number")
    for reply, expected in (("1", "Is it safe"), ("2", "good time"), ("1", "the number ending")):
        sms_server.post(twilio_form(at_risk, reply))
        wait_for_text(sms_twilio, at_risk, expected)
    sms_twilio.fail_to[unreachable] = (500, 20500)
    sms_server.post(twilio_form(unreachable, "hi"))
    sms_server.post(twilio_form(keywords, "HELP"))
    sms_server.post(twilio_form(keywords, "STOP"))
    wait_for_text(sms_twilio, asked, "young people")
    wait_until(lambda: delivery_records(sms_server, unreachable), timeout=30)

    phones = {phone for phone in sms_server.phones if phone}
    assert {asked, at_risk, unreachable, keywords} <= phones
    tracker_bytes = b"".join(p.read_bytes() for p in sms_server.tracker_db.parent.glob("conversations.sqlite3*"))
    store_bytes = b"".join(p.read_bytes() for p in sms_server.sms_db.parent.glob("sms.sqlite3*"))
    assert tracker_bytes and store_bytes
    logs = sms_server.process.log_text() + action_server.log_text()
    assert "processor.message.parse" in logs  # the debug log really was written
    for phone in phones:
        national = phone[2:]  # +1 4155550123 -> 4155550123
        for form in (phone, phone[1:], national, f"{national[:3]}-{national[3:6]}-{national[6:]}"):
            assert form.encode() not in tracker_bytes, form
            assert form.encode() not in store_bytes, form
            assert form not in logs, form
    # ...while the conversations themselves are there, under their pseudonyms.
    assert all(pseudonym(phone).encode() in tracker_bytes for phone in (asked, at_risk, unreachable))


def test_a_request_to_book_in_spanish_is_told_in_spanish_how_to_book(sms_server, sms_twilio, practice) -> None:
    """The booking form is in English; a Spanish request to book is told where to ask, in Spanish."""
    phone = new_phone()
    sms_server.post(twilio_form(phone, "Hola, quisiera pedir una cita para mi hija de 14 años"))
    *_, reply = wait_for_text(sms_twilio, phone, "español")
    assert "cita" in reply and practice.practice.phone in reply and practice.crisis.emergency_number in reply
    assert len(reply) <= 300


def test_a_question_in_spanish_is_answered_in_spanish_by_sms(sms_server, sms_twilio, practice) -> None:
    phone = new_phone()
    sms_server.post(twilio_form(phone, "hola, si voy a terapia le van a decir a mi mamá lo que hablo?"))
    texts = wait_for_text(sms_twilio, phone, "jóvenes")  # the answer about young people and parents
    welcome, answer = texts[0], next(text for text in texts if "jóvenes" in text)
    assert "Nadie lee esto en vivo" in welcome  # the welcome too is in Spanish
    assert practice.practice.phone in answer and len(answer) <= 300
