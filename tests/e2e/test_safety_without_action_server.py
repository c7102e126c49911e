"""The crisis message is a domain response: it reaches the client with the action server down.

So does the first answer to a message of two questions: only the second one waits.
"""

from __future__ import annotations

from tests.support.receivers import wait_until


def test_crisis_resources_reach_the_client_when_the_action_server_is_down(
    rasa_server, action_server, sender, webhook_receiver, practice
) -> None:
    action_server.stop()
    try:
        messages = rasa_server.texts(sender, "i'm going to end it all tonight")
        crisis, more = messages[0], messages[1]
        assert practice.crisis.lines_for("self_at_risk")[0].how in crisis
        assert practice.crisis.emergency_number in crisis
        # Both parts come from the domain, filled in inside Rasa: no action server needed.
        assert practice.practice.name in more and "no one reads this chat live" in more
        assert "{" not in crisis + more  # practice details filled in without the session-start action
    finally:
        action_server.start()
    # Once the action server is back, the escalation it missed reaches the practice.
    payload = wait_until(
        lambda: next((p for p in webhook_receiver.received if p["conversation_id"] == sender), None), timeout=30
    )
    assert payload["category"] == "self_harm"
    # And Rasa answers normally again.
    assert rasa_server.texts(sender, "will you tell my parents?")


def test_in_the_call_back_form_a_risk_message_and_a_question_are_answered_with_the_action_server_down(
    rasa_server, action_server, sender, practice
) -> None:
    rasa_server.texts(sender, "i want to kill myself")
    assert "call or text" in " ".join(rasa_server.texts(sender, "yes please"))
    action_server.stop()
    try:
        # The form would call its validation action first; unreachable, it steps aside.
        crisis = " ".join(rasa_server.texts(sender, "i'm going to end it all tonight"))
        assert practice.crisis.lines_for("self_at_risk")[0].how in crisis
        assert practice.crisis.emergency_number in crisis
        answer = " ".join(rasa_server.texts(sender, "will you tell my parents?"))
        assert "parent" in answer.lower()
    finally:
        action_server.start()
    # Back up, the form carries on where it was.
    ask_when = " ".join(rasa_server.texts(sender, "text only, 555-010-0199"))
    assert "good time" in ask_when


def test_a_number_the_form_cannot_save_gets_a_clear_reply_and_can_be_given_again(
    rasa_server, action_server, sender, practice
) -> None:
    rasa_server.texts(sender, "i want to kill myself")
    rasa_server.texts(sender, "yes please")
    action_server.stop()
    try:
        reply = " ".join(rasa_server.texts(sender, "my number is 555 010 0199"))
        assert "can't save contact details right now" in reply and practice.practice.phone in reply
        assert "0199" not in reply
    finally:
        action_server.start()
    # The form is still open: the same number, given again, is taken.
    ask = " ".join(rasa_server.texts(sender, "my number is 555 010 0199"))
    assert "safe" in ask and "call or text" in ask


def test_a_yes_to_the_call_back_with_the_action_server_down_gets_a_clear_reply_and_the_form_waits(
    rasa_server, action_server, sender, practice
) -> None:
    rasa_server.texts(sender, "i want to kill myself")
    action_server.stop()
    try:
        reply = " ".join(rasa_server.texts(sender, "yes please"))
        assert "can't save contact details right now" in reply and practice.practice.phone in reply
    finally:
        action_server.start()
    # Back up, the form is open and takes the answer.
    ask = " ".join(rasa_server.texts(sender, "Text only"))
    assert "phone number or email" in ask


def test_an_appointment_request_with_the_action_server_down_gets_a_clear_reply_and_the_form_waits(
    rasa_server, action_server, sender, practice
) -> None:
    action_server.stop()
    try:
        reply = " ".join(rasa_server.texts(sender, "can I book a first appointment?"))
        assert "can't take appointment requests right now" in reply and "nothing was sent" in reply
        assert practice.practice.phone in reply
        crisis = " ".join(rasa_server.texts(sender, "i'm going to end it all tonight"))
        first_line = practice.crisis.lines_for("self_at_risk")[0]
        assert first_line.how in crisis and practice.crisis.emergency_number in crisis
    finally:
        action_server.start()
    # Back up, the request carries on where it was.
    replies = rasa_server.texts(sender, "call me Jo")
    assert "phone number or email" in replies[-1], replies


def test_a_message_of_two_questions_gets_its_first_answer_and_no_error_with_the_action_server_down(
    rasa_server, action_server, sender
) -> None:
    from tests.e2e.test_conversations import TWO_QUESTIONS

    rasa_server.texts(sender, "hi")
    logged = len(rasa_server.process.log_text())
    action_server.stop()
    try:
        [answer] = rasa_server.texts(sender, TWO_QUESTIONS)
        assert "testimony" in answer or "partners" in answer
        new_log = rasa_server.process.log_text()[logged:]
        assert "action_answer_also_asked could not be run" in new_log
        assert "Traceback" not in new_log and "Encountered an exception" not in new_log
    finally:
        action_server.start()
    # Back up, both answers again.
    assert len(rasa_server.texts(sender, TWO_QUESTIONS)) == 3
