"""Real conversations: trained model, running Rasa server, running action server, over REST."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.receivers import wait_until


def test_first_message_is_the_disclaimer(rasa_server, sender) -> None:
    [welcome] = rasa_server.texts(sender, "/greet")
    assert "automated assistant of Harbor Light Counseling" in welcome
    assert "not a therapist" in welcome and "around the clock" in welcome
    assert "911" in welcome and "call or text 988" in welcome
    assert "{" not in welcome  # every practice detail was filled in


@pytest.mark.parametrize(
    "question, expected_words",
    [
        ("will you tell my parents?", "young people"),
        ("what if I'm in court?", "court order"),
        ("can my husband find out what I say?", "partners"),
        ("do u have to report stuff", "report"),
        ("is it actually illegal for you to tell people?", "legal duty"),
    ],
)
def test_questions_get_the_right_answer_after_the_welcome(rasa_server, sender, question, expected_words) -> None:
    welcome, answer = rasa_server.texts(sender, question)
    assert "automated assistant" in welcome
    assert expected_words in answer


def test_follow_up_questions_keep_going(rasa_server, sender) -> None:
    rasa_server.texts(sender, "wud u tell my mom")
    [answer] = rasa_server.texts(sender, "what if I'm 16?")
    assert "age" in answer and "where you live" in answer


def test_suicidal_message_gets_crisis_resources_escalation_and_callback_offer(
    rasa_server, sender, webhook_receiver, smtp_server
) -> None:
    rasa_server.texts(sender, "hi")
    crisis, offer = rasa_server.texts(sender, "honestly i just want to kms")
    assert "911" in crisis and "call or text 988" in crisis and "text HOME to 741741" in crisis
    assert "no one is reading this live" in crisis and "Harbor Light Counseling" in crisis
    assert "contact you" in offer

    payload = wait_until(
        lambda: next((p for p in webhook_receiver.received if p["conversation_id"] == sender), None), timeout=20
    )
    assert payload["category"] == "self_harm" and payload["channel"] == "rest"
    assert "message" not in payload and "kms" not in str(payload)
    wait_until(lambda: any(sender in mail.get_payload() for mail in smtp_server.inbox), timeout=20)


def test_risk_overrides_an_faq_answer_mid_conversation(rasa_server, sender) -> None:
    rasa_server.texts(sender, "will you tell my parents?")
    messages = rasa_server.texts(sender, "my dad hits me and my little brother every night")
    assert "mandated reporters" in messages[0]
    assert len(messages) == 2


def test_a_question_during_the_callback_form_is_answered_and_the_form_asks_again(rasa_server, sender) -> None:
    rasa_server.texts(sender, "I'm going to hurt myself tonight")
    rasa_server.texts(sender, "yes")
    answer, ask_again = rasa_server.texts(sender, "wait, will you tell my parents?")
    assert "parent" in answer.lower() and "couldn't read" not in answer
    assert "phone number or email" in ask_again or "number or email" in ask_again
    [saved] = rasa_server.texts(sender, "555-010-0199")
    assert "passed this to the team" in saved or "will contact you" in saved


def test_callback_details_are_taken_and_stored_encrypted(rasa_server, sender, server_env) -> None:
    rasa_server.texts(sender, "I'm going to hurt myself tonight")
    [ask] = rasa_server.texts(sender, "yes")
    assert "phone number or email" in ask
    retry = rasa_server.texts(sender, "12345")
    assert "couldn't read that" in retry[0]
    [saved] = rasa_server.texts(sender, "555-010-0199")
    assert "passed this to the team" in saved

    vault = sqlite3.connect(Path(server_env["STATE_DIR"]) / "contacts.sqlite3")
    [(masked, secret)] = vault.execute("SELECT masked, secret FROM contacts WHERE conversation_id = ?", (sender,))
    assert masked == "phone ending 99" and b"555" not in secret


def test_third_person_at_risk_gets_resources_and_how_to_help(rasa_server, sender) -> None:
    rasa_server.texts(sender, "hi")
    [reply] = rasa_server.texts(sender, "my friend said she wants to kill herself, what do i do")
    assert "look out for them" in reply and "988" in reply


def test_idiom_is_not_treated_as_risk(rasa_server, sender) -> None:
    rasa_server.texts(sender, "hi")
    messages = rasa_server.texts(sender, "this exam is killing me lol, anyway is therapy private?")
    assert not any("no one is reading this live" in text for text in messages)


def test_out_of_scope_is_deflected_kindly(rasa_server, sender) -> None:
    rasa_server.texts(sender, "hi")
    [reply] = rasa_server.texts(sender, "can you diagnose me with adhd")
    assert "can't give therapy, diagnoses" in reply
