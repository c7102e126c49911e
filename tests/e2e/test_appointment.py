"""Asking for a first appointment in the conversation: trained model, Rasa, action server, over REST.

The request reaches the encrypted vault (a draft until the client agrees to the read-back), the
practice is told through the outbox with no details, and every way of leaving half way says
that nothing was sent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from confidant.contact_vault import ContactVault
from tests.e2e.test_conversations import tracker_events
from tests.support.receivers import wait_until

NUMBER = "555-010-0199"


def vault(server_env) -> ContactVault:
    return ContactVault(
        Path(server_env["STATE_DIR"]) / "contacts.sqlite3", server_env["CONFIDANT_CONTACT_KEY"].encode()
    )


def requests_of(server_env, sender: str) -> list:
    store = vault(server_env)
    rows = store._connection.execute(
        "SELECT id FROM appointment_requests WHERE conversation_id = ? ORDER BY id", (sender,)
    ).fetchall()
    return [store.appointment(row[0]) for row in rows]


def start(rasa_server, sender: str, text: str = "I think I'm ready, can I book a first appointment?") -> str:
    intro, ask_name = rasa_server.texts(sender, text)
    assert "request for a first appointment" in intro and "cancel" in intro
    assert "What should they call you?" in ask_name
    return ask_name


@pytest.mark.parametrize(
    "text",
    [
        "can i book a free call",
        "how do I actually start?",
        "how does my son get an appointment",
        "i wanna book a sesh",
        "looking for somebody my teenage daughter could talk to, do you have room",
    ],
)
def test_people_ask_for_an_appointment_in_their_own_words(rasa_server, sender, text) -> None:
    """Straight to the request or, where the assistant is unsure, one tap on the request it offers."""
    status, body = rasa_server.send(sender, text)
    assert status == 200, body
    if any("request for a first appointment" in (message.get("text") or "") for message in body):
        assert "What should they call you?" in body[-1]["text"]
        return
    offers = [b for m in body for b in m.get("buttons") or [] if b["title"] == "Ask for a first appointment"]
    assert offers, body
    start(rasa_server, sender, offers[0]["payload"])


@pytest.mark.parametrize(
    "text",
    [
        "hey so i want to become a new client, how does that work",
        # A time asked for, a place held, the first step (docs/evaluation.md, "A ninth set").
        "do you have anything on a tuesday evening?",
        "pencil me in for next week please",
        "what do i need to do to start seeing a therapist there",
        "my doctor says i should schedule an intake with you",
        # No booking word at all (docs/evaluation.md, "Asking to start without a booking word").
        "is there any way i could see someone this week",
        "how long is the wait right now",
        "could we start next month",
        "are you guys taking anyone new",
        # DIET's own reading, no booking word and none of the topic words (docs/evaluation.md,
        # "Everyday words, both sides of the line"): a referral, a move, a parent, a switch.
        "our pediatrician gave us your name for my 9 year old, how do we get him seen",
        "my counselor retired last month and i would like to carry on with someone at your place",
        "i'm looking for a counselor for my teenage daughter, could she start with someone there",
    ],
)
def test_a_request_to_start_in_everyday_words_starts_the_request(rasa_server, sender, text) -> None:
    """DIET's reading, or else the words of data/topic_words.yml: no clarifying question first."""
    rasa_server.texts(sender, "hi")
    start(rasa_server, sender, text)


@pytest.mark.parametrize(
    "text",
    [
        "running 10 minutes late for my 4 oclock, sorry",
        "I need to cancel tomorrow's session with my therapist, my kid is sick",
    ],
)
def test_an_existing_client_moving_a_session_is_not_taken_for_a_new_request(rasa_server, sender, text) -> None:
    replies = rasa_server.texts(sender, text)
    assert replies and not any("What should they call you?" in reply for reply in replies), replies


@pytest.mark.parametrize(
    "text", ["how much does a session cost", "do you take my insurance", "what's your phone number"]
)
def test_questions_about_the_practice_are_answered_not_taken_for_a_request(rasa_server, sender, text) -> None:
    replies = rasa_server.texts(sender, text)
    assert replies and not any("What should they call you?" in reply for reply in replies), "no form started"
    assert not any("I can send" in reply for reply in replies)


def test_the_call_us_answer_carries_the_request_one_tap_away(rasa_server, sender) -> None:
    """Someone who asks how to reach the practice is often about to start: the button starts the request."""
    status, body = rasa_server.send(sender, "what's the best way to reach you")
    assert status == 200, body
    [button] = [b for m in body for b in m.get("buttons") or []]
    assert (button["title"], button["payload"]) == ("Ask for a first appointment", "/request_appointment")
    start(rasa_server, sender, button["payload"])


OFFER = "If you're ready to start"


@pytest.mark.parametrize(
    ("text", "answer_words"),
    [
        ("I'd like to book a first session. Does the front desk see my notes?", "court order"),
        ("i want to start therapy but can my boss find out?", "work or school"),
        # Read as the request itself, with the fear asked beside it: the fear is answered first.
        ("I think I'm ready to start. Can I book a first session? Will my parents be told what I say?", "parent"),
    ],
)
def test_a_question_beside_a_request_to_book_is_answered_then_the_request_is_one_yes_away(
    rasa_server, sender, text, answer_words
) -> None:
    """The answer first (what the client is afraid of), then the offer; "yes" starts the request."""
    rasa_server.texts(sender, "hi")
    status, body = rasa_server.send(sender, text)
    assert status == 200, body
    replies = [message.get("text") or "" for message in body]
    assert answer_words in " ".join(replies[:-1]), replies
    assert replies[-1].startswith(OFFER), replies
    assert [button["payload"] for button in body[-1]["buttons"]] == ["/request_appointment", "/deny"]
    start(rasa_server, sender, "yes")


def test_not_now_to_the_offer_to_book_says_how_to_ask_later_and_sends_nothing(rasa_server, sender, server_env) -> None:
    rasa_server.texts(sender, "hi")
    replies = rasa_server.texts(sender, "I'd like to book a first session. Does the front desk see my notes?")
    assert replies[-1].startswith(OFFER), replies
    [reply] = rasa_server.texts(sender, "/deny")
    assert "you're ready" in reply and '"appointment"' in reply, reply
    assert requests_of(server_env, sender) == []


def test_a_number_given_with_the_request_starts_it_and_is_not_asked_for_again(rasa_server, sender) -> None:
    """Not "I can't pass on contact details here": the request, its number taken from the same message."""
    rasa_server.texts(sender, "hi")
    intro, ask_name = rasa_server.texts(sender, f"please call me at {NUMBER} to get started with therapy")
    assert "request for a first appointment" in intro and "What should they call you?" in ask_name
    [next_question] = rasa_server.texts(sender, "call me Sam")
    assert "leave a message" in next_question and "phone number or email" not in next_question


def test_a_whole_request_is_read_back_sent_and_the_practice_told_without_details(
    rasa_server, action_server, sender, server_env, webhook_receiver
) -> None:
    start(rasa_server, sender)
    [ask_contact] = rasa_server.texts(sender, "call me Sam")
    assert "phone number or email" in ask_contact and "555-010-0199" in ask_contact
    [ask_message] = rasa_server.texts(sender, f"my number is {NUMBER}")
    assert "leave a message" in ask_message
    [ask_when] = rasa_server.texts(sender, "no, my mom checks my phone")
    assert "good time" in ask_when
    [ask_note] = rasa_server.texts(sender, "after 5pm please")
    assert "anything you want the practice to know" in ask_note
    [read_back] = rasa_server.texts(sender, "it's for my son, he's 15")
    assert "call or text the number ending 99" in read_back and "after 5pm please" in read_back
    assert "not to leave a message" in read_back and NUMBER not in read_back
    [request] = requests_of(server_env, sender)
    assert request.status == "draft", "nothing reaches the practice before the client agrees"

    [saved] = rasa_server.texts(sender, "yes")
    assert "Your request is sent" in saved
    [request] = requests_of(server_env, sender)
    assert (request.status, request.name, request.contact.value, request.message_ok, request.when, request.note) == (
        "new",
        "Sam",
        NUMBER,
        "no",
        "after 5pm please",
        "it's for my son, he's 15",
    )
    notice = wait_until(
        lambda: next(
            (p for p in webhook_receiver.received if p.get("conversation_id") == sender and p["type"] != "escalation"),
            None,
        ),
        timeout=30,
    )
    assert notice["type"] == "appointment_request" and notice["review_link"].endswith("/appointments")
    assert "0199" not in json.dumps(notice) and "Sam" not in json.dumps(notice) and "son" not in json.dumps(notice)
    # The conversation keeps markers and the masked contact, never the name, number or note.
    slots = " ".join(
        json.dumps(json.loads(data).get("value")) for _, data in tracker_events(server_env, sender, "slot")
    )
    assert "phone ending 99" in slots and "0199" not in slots and "Sam" not in slots and "son" not in slots
    for log in (rasa_server.process.log_text(), action_server.log_text()):
        assert "010-0199" not in log


def test_an_unreadable_number_is_asked_again_then_the_practice_phone_is_offered(rasa_server, sender, practice) -> None:
    start(rasa_server, sender)
    rasa_server.texts(sender, "Jo")
    first = " ".join(rasa_server.texts(sender, "555 01"))
    assert "couldn't read that" in first and "555-010-0199" in first
    second = " ".join(rasa_server.texts(sender, "my email is jo@example"))
    assert "still can't read it" in second and practice.practice.phone in second
    [ask_message] = rasa_server.texts(sender, "jo@example.org")
    assert "leave a message" in ask_message


def test_no_to_the_read_back_asks_again_and_reads_back_the_new_contact(rasa_server, sender) -> None:
    start(rasa_server, sender)
    rasa_server.texts(sender, "Jo")
    rasa_server.texts(sender, NUMBER)
    rasa_server.texts(sender, "yes")
    rasa_server.texts(sender, "any time")
    [read_back] = rasa_server.texts(sender, "no")
    assert "number ending 99" in read_back and "Good time: any time" in read_back
    fix = rasa_server.texts(sender, "no, that's wrong")
    assert "let's fix it" in fix[0] and "phone number or email" in fix[-1]
    rasa_server.texts(sender, "jo@example.org")
    rasa_server.texts(sender, "yes")
    [read_back] = rasa_server.texts(sender, "weekends")
    assert "email j***@example.org" in read_back and "weekends" in read_back


@pytest.mark.parametrize("text", ["never mind", "stop", "cancel"])
def test_stopping_half_way_says_nothing_was_sent_and_how_to_start_again(rasa_server, sender, server_env, text) -> None:
    start(rasa_server, sender)
    rasa_server.texts(sender, "Jo")
    rasa_server.texts(sender, NUMBER)
    [stopped] = rasa_server.texts(sender, text)
    assert "Nothing was sent" in stopped and '"appointment"' in stopped
    wait_until(lambda: requests_of(server_env, sender) == [], timeout=10)
    # The form is over: a question gets its answer and nothing else.
    [answer] = rasa_server.texts(sender, "will you tell my parents?")
    assert "parent" in answer.lower()


def test_an_unrelated_question_is_answered_and_the_request_waits_to_carry_on(rasa_server, sender, server_env) -> None:
    start(rasa_server, sender)
    rasa_server.texts(sender, "Jo")
    rasa_server.texts(sender, NUMBER)
    answer, paused = rasa_server.texts(sender, "wait, would my parents find out?")
    assert "parent" in answer.lower() and "nothing was sent yet" in paused
    [request] = requests_of(server_env, sender)
    assert request.status == "draft" and request.contact.value == NUMBER
    # "appointment" carries on where it stopped: the message question is next.
    replies = rasa_server.texts(sender, "appointment")
    assert "leave a message" in replies[-1]


def test_a_risk_message_in_the_middle_gets_the_crisis_reply_first_then_the_form_goes_on(
    rasa_server, sender, practice
) -> None:
    start(rasa_server, sender)
    rasa_server.texts(sender, "Jo")
    messages = rasa_server.texts(sender, "honestly i just want to die")
    first_line = practice.crisis.lines_for("self_at_risk")[0]
    assert first_line.how in messages[0] and "no one reads this chat live" in messages[1]
    assert "phone number or email" in messages[-1]


def test_goodbye_in_the_middle_says_nothing_was_sent(rasa_server, sender) -> None:
    start(rasa_server, sender)
    [left] = rasa_server.texts(sender, "bye")
    assert "nothing was sent" in left
