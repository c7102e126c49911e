"""Real conversations: trained model, running Rasa server, running action server, over REST."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.support.leaks import gives_away_number
from tests.support.receivers import wait_until


def test_first_message_is_the_disclaimer(rasa_server, sender, practice) -> None:
    [welcome] = rasa_server.texts(sender, "/greet")
    assert f"automated assistant of {practice.practice.name}" in welcome
    assert "not a therapist" in welcome and "no one reads this chat live" in welcome
    assert f"Call {practice.crisis.emergency_number} or {practice.crisis_line}" in welcome
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


def test_a_question_in_spanish_gets_the_welcome_and_its_answer_in_spanish(rasa_server, sender, practice) -> None:
    welcome, answer = rasa_server.texts(sender, "Buenas noches. ¿Un juez puede pedirle a la terapeuta mis notas?")
    assert "nadie lee este chat en vivo" in welcome and practice.crisis.emergency_number in welcome
    assert "orden judicial" in answer and "{" not in answer  # faq/limit_court, every detail filled in
    # A Spanish message naming no topic it knows gets the note, with the practice's phone.
    [note] = rasa_server.texts(sender, "gracias, y cómo es todo esto?")
    assert "español" in note and practice.practice.phone in note


# Written for these tests: the message of issue 13, two questions on two topics.
TWO_QUESTIONS = (
    "Can my wife find out what I say in sessions? And if I get subpoenaed in the divorce, can her lawyer get my file?"
)


def test_a_message_of_two_questions_gets_both_answers(rasa_server, sender) -> None:
    rasa_server.texts(sender, "hi")
    first, bridge, second = rasa_server.texts(sender, TWO_QUESTIONS)
    assert "You also asked about something else" in bridge
    answers = first + " " + second
    assert "testimony" in answers and "partners" in answers  # faq/limit_court and faq/tell_others


def test_a_first_message_of_two_questions_gets_the_welcome_then_both_answers(rasa_server, sender) -> None:
    welcome, first, bridge, second = rasa_server.texts(sender, TWO_QUESTIONS)
    assert "automated assistant" in welcome and "You also asked" in bridge
    assert "testimony" in first + second and "partners" in first + second


def test_a_message_of_one_question_gets_one_answer(rasa_server, sender) -> None:
    rasa_server.texts(sender, "hi")
    assert len(rasa_server.texts(sender, "Can my wife find out what I say in sessions? I worry about it a lot.")) == 1


def test_follow_up_questions_keep_going(rasa_server, sender) -> None:
    rasa_server.texts(sender, "wud u tell my mom")
    [answer] = rasa_server.texts(sender, "what if I'm 16?")
    assert "age" in answer and "where you live" in answer


def test_suicidal_message_gets_crisis_resources_escalation_and_callback_offer(
    rasa_server, sender, webhook_receiver, smtp_server, practice
) -> None:
    rasa_server.texts(sender, "hi")
    crisis, more, offer = rasa_server.texts(sender, "honestly i just want to kms")
    # The numbers first, in a short message; then who reads this and when; then the offer.
    first_line = practice.crisis.lines_for("self_at_risk")[0]
    assert practice.crisis.emergency_number in crisis and first_line.how in crisis and len(crisis.split()) <= 30
    assert "no one reads this chat live" in more and practice.practice.name in more
    assert "contact you" in offer

    payload = wait_until(
        lambda: next((p for p in webhook_receiver.received if p["conversation_id"] == sender), None), timeout=20
    )
    assert payload["category"] == "self_harm" and payload["channel"] == "rest"
    assert "message" not in payload and "kms" not in str(payload)
    wait_until(lambda: any(sender in mail.get_payload() for mail in smtp_server.inbox), timeout=20)


def test_a_risk_message_that_asks_about_the_rules_gets_the_crisis_reply_then_its_answer(
    rasa_server, sender, practice
) -> None:
    """The answer comes after the crisis reply, the escalation and the offer, never instead of them."""
    rasa_server.texts(sender, "hi")
    messages = rasa_server.texts(sender, "i keep thinking about killing myself. can my parents see what i write here?")
    first_line = practice.crisis.lines_for("self_at_risk")[0]
    assert practice.crisis.emergency_number in messages[0] and first_line.how in messages[0]
    answer = next(i for i, text in enumerate(messages) if "young people and their parents" in text)
    assert answer >= 2 and "no one reads this chat live" in " ".join(messages[:answer])


def test_risk_overrides_an_faq_answer_mid_conversation(rasa_server, sender, practice) -> None:
    rasa_server.texts(sender, "will you tell my parents?")
    messages = rasa_server.texts(sender, "my dad hits me and my little brother every night")
    # A child: the child line first, then plain words and the duty to keep kids safe.
    child_line = practice.crisis.lines_for("child_victim")[0]
    assert child_line.how in messages[0] and practice.crisis.emergency_number in messages[0]
    assert "not in trouble" in messages[1] and "keep kids safe" in messages[1]
    assert len(messages) == 3


def tracker_events(server_env, sender: str, *types: str) -> list:
    """The stored events of a conversation, of the given types ("slot", "bot", "user")."""
    store = sqlite3.connect(Path(server_env["STATE_DIR"]) / "conversations.sqlite3")
    try:
        rows = store.execute(
            f"SELECT type_name, data FROM events WHERE sender_id = ? AND type_name IN ({','.join('?' * len(types))})",
            (sender, *types),
        ).fetchall()
    finally:
        store.close()
    return rows


def vault_rows(server_env, sender: str) -> list:
    vault = sqlite3.connect(Path(server_env["STATE_DIR"]) / "contacts.sqlite3")
    try:
        return vault.execute(
            "SELECT masked, secret FROM callback_requests WHERE conversation_id = ? AND secret IS NOT NULL", (sender,)
        ).fetchall()
    finally:
        vault.close()


def test_a_question_during_the_callback_form_is_answered_and_the_form_asks_again(rasa_server, sender) -> None:
    rasa_server.texts(sender, "I'm going to hurt myself tonight")
    [ask_how] = rasa_server.texts(sender, "yes")
    assert "safe" in ask_how and "call or text" in ask_how
    answer, ask_again = rasa_server.texts(sender, "wait, will you tell my parents?")
    assert "parent" in answer.lower() and "couldn't read" not in answer
    assert "safe" in ask_again and "call or text" in ask_again
    [ask_contact] = rasa_server.texts(sender, "Text only")
    assert "phone number or email" in ask_contact
    [ask_when] = rasa_server.texts(sender, "555-010-0199")
    assert "good time" in ask_when
    [saved] = rasa_server.texts(sender, "any time")
    assert "text the number ending 99" in saved


def test_two_questions_during_the_callback_form_get_the_first_answer_and_the_form_asks_again(
    rasa_server, sender
) -> None:
    """Inside a form its own rules answer (one answer), not the two-questions rule."""
    rasa_server.texts(sender, "I'm going to hurt myself tonight")
    rasa_server.texts(sender, "yes")
    answer, ask_again = rasa_server.texts(sender, TWO_QUESTIONS)
    assert "testimony" in answer or "partners" in answer
    assert "safe" in ask_again and "call or text" in ask_again


def test_a_number_in_a_sentence_right_after_the_offer_starts_the_form_and_is_read_back(
    rasa_server, sender, server_env
) -> None:
    rasa_server.texts(sender, "I'm going to hurt myself tonight")
    # No "yes" first: the number answers the offer, and the time in the same sentence is kept.
    [ask_how] = rasa_server.texts(sender, "my number is 555 010 0199, after 5pm please")
    assert "safe" in ask_how and "call or text" in ask_how
    [saved] = rasa_server.texts(sender, "text only, my mom checks my calls")
    assert "text the number ending 99" in saved and "after 5pm please" in saved
    [(masked, secret)] = vault_rows(server_env, sender)
    assert masked == "phone ending 99" and b"0199" not in secret


@pytest.mark.parametrize("text", ["call me at 555-010-0199", "555 010 0199"])
def test_a_number_typed_after_yes_is_taken_whatever_the_sentence(rasa_server, sender, text) -> None:
    rasa_server.texts(sender, "I'm going to hurt myself tonight")
    rasa_server.texts(sender, "yes")
    rasa_server.texts(sender, "Call or text is fine")
    [ask_when] = rasa_server.texts(sender, text)
    assert "good time" in ask_when and "couldn't read" not in ask_when


def test_callback_number_reaches_only_the_vault_never_a_slot_a_reply_or_a_log(
    rasa_server, action_server, sender, server_env
) -> None:
    rasa_server.texts(sender, "I'm going to hurt myself tonight")
    [ask] = rasa_server.texts(sender, "yes")
    retry = rasa_server.texts(sender, "12345")  # a bare number: asked again, never read as a question
    assert "couldn't read that" in retry[0]
    rasa_server.texts(sender, "(555) 010-0199 ext 12")
    rasa_server.texts(sender, "Call only")
    [saved] = rasa_server.texts(sender, "weekday mornings")
    assert "call the number ending 99" in saved and "weekday mornings" in saved

    [(masked, secret)] = vault_rows(server_env, sender)
    assert masked == "phone ending 99" and b"555" not in secret
    # What the events say (slot values, reply texts and buttons), not their timestamps, which
    # can hold any run of digits.
    said = [json.loads(data) for _, data in tracker_events(server_env, sender, "slot", "bot")]
    slots_and_replies = " ".join(
        json.dumps([event.get("value"), event.get("text"), (event.get("data") or {}).get("buttons")]) for event in said
    )
    assert not gives_away_number(slots_and_replies, "(555) 010-0199")
    assert "phone ending 99" in slots_and_replies  # the masked form and the vault reference are kept
    for log in (rasa_server.process.log_text(), action_server.log_text()):
        assert not gives_away_number(log, "(555) 010-0199")


def test_an_email_instead_when_calls_and_texts_are_not_safe(rasa_server, sender, server_env) -> None:
    rasa_server.texts(sender, "I'm going to hurt myself tonight")
    rasa_server.texts(sender, "yes")
    [ask_email] = rasa_server.texts(sender, "no")
    assert "email" in ask_email and "safer" in ask_email
    [unreadable] = rasa_server.texts(sender, "sam@example")[:1]
    assert "couldn't read" in unreadable
    [ask_when] = rasa_server.texts(sender, "my email is sam@example.org")
    assert "good time" in ask_when
    [saved] = rasa_server.texts(sender, "any time")
    assert "s***@example.org" in saved
    [(masked, _)] = vault_rows(server_env, sender)
    assert masked == "s***@example.org"


def test_a_risk_message_in_the_form_gets_the_crisis_reply_first_then_the_form_goes_on(
    rasa_server, sender, practice
) -> None:
    rasa_server.texts(sender, "I'm going to hurt myself tonight")
    rasa_server.texts(sender, "yes")
    messages = rasa_server.texts(sender, "i just want to die, call me 555-010-0199")
    assert practice.crisis.lines_for("self_at_risk")[0].how in messages[0]
    assert "no one reads this chat live" in messages[1]
    # The number the message held was still taken: the form goes on to what is missing.
    assert "safe" in messages[-1] and "call or text" in messages[-1]


def test_a_no_half_way_ends_the_form_and_removes_what_was_left(rasa_server, sender, server_env) -> None:
    rasa_server.texts(sender, "I'm going to hurt myself tonight")
    rasa_server.texts(sender, "yes, 555-010-0199")
    [declined] = rasa_server.texts(sender, "forget it")
    assert "That's okay" in declined
    wait_until(lambda: vault_rows(server_env, sender) == [], timeout=10)
    # The form is over: a question gets its answer and nothing else.
    [answer] = rasa_server.texts(sender, "will you tell my parents?")
    assert "parent" in answer.lower()


def test_third_person_at_risk_gets_resources_and_how_to_help(rasa_server, sender, practice) -> None:
    rasa_server.texts(sender, "hi")
    messages = rasa_server.texts(sender, "my friend said she wants to kill herself, what do i do")
    # Someone else at risk now: the numbers for helping them, how to help, and a person is told.
    first_line = practice.crisis.lines_for("concern_self_harm")[0]
    assert "If they might be in danger" in messages[0] and first_line.how in messages[0]
    assert "look out for them" in messages[1] and practice.practice.name in messages[1]


def test_despair_beside_harm_the_writer_did_gets_the_reply_for_the_one_who_hurts(rasa_server, sender) -> None:
    rasa_server.texts(sender, "hi")
    messages = rasa_server.texts(sender, "i cant take it anymore, the twins screamed all night and i shook her hard")
    # Never the reply for someone at risk alone, or victim wording: space from the child, a duty to act.
    assert "If someone could be hurt soon" in messages[0]
    assert "put space between you" in messages[1] and "duty to act" in messages[1]
    assert not any("not your fault" in message for message in messages)


def test_idiom_is_not_treated_as_risk(rasa_server, sender) -> None:
    rasa_server.texts(sender, "hi")
    messages = rasa_server.texts(sender, "this exam is killing me lol, anyway is therapy private?")
    assert not any("no one reads this" in text for text in messages)


@pytest.mark.parametrize(
    ("text", "escalated"),
    [
        ("my dad will kill me if i tell anyone what he does to me", True),
        ("mom will kill me if i tell anyone about the bruises lol", True),
        ("my mom will kill me if i tell her i crashed the car", False),
    ],
)
def test_a_threat_for_telling_is_never_taken_for_the_everyday_idiom(
    rasa_server, sender, practice, text: str, escalated: bool
) -> None:
    rasa_server.texts(sender, "hi")
    messages = rasa_server.texts(sender, text)
    crisis = any(practice.crisis.emergency_number in message for message in messages)
    assert crisis is escalated, messages


def test_a_wish_to_follow_someone_who_died_gets_the_reply_for_the_one_at_risk(rasa_server, sender, practice) -> None:
    rasa_server.texts(sender, "hi")
    messages = rasa_server.texts(sender, "my wife died in april. most nights i just want to go be with her")
    first_line = practice.crisis.lines_for("self_at_risk")[0]
    assert practice.crisis.emergency_number in messages[0] and first_line.how in messages[0]
    assert not any("look out for them" in message for message in messages)


def test_a_suicide_in_the_family_told_with_a_question_gets_the_answer(rasa_server, sender, practice) -> None:
    """Someone who died is not someone at risk now: no crisis reply; and the short message's
    question, read alone where the whole would be asked again, is answered."""
    rasa_server.texts(sender, "hi")
    text = "we lost my uncle to suicide two years ago. will my therapist tell my parents what i say?"
    messages = rasa_server.texts(sender, text)
    assert not any(practice.crisis.emergency_number in message for message in messages), messages
    assert any("young people and their parents" in message for message in messages), messages


def test_out_of_scope_is_deflected_kindly(rasa_server, sender, practice) -> None:
    rasa_server.texts(sender, "hi")
    [reply] = rasa_server.texts(sender, "can you diagnose me with adhd")
    assert "can't give therapy, a diagnosis" in reply and practice.practice.phone in reply


def test_a_topic_beyond_the_policy_named_in_plain_words_gets_its_answer_not_a_clarifying_question(
    rasa_server, sender, practice
) -> None:
    """Too short for the classifiers to place; "insurance" alone names the topic (data/topic_words.yml)."""
    rasa_server.texts(sender, "hi")
    [reply] = rasa_server.texts(sender, "what about my insurance")
    assert "does not cover insurance" in reply and practice.practice.phone in reply
