"""Reading call-back details from what clients type: numbers in sentences, emails, how, when."""

from __future__ import annotations

import pytest

from confidant.callback_text import (
    ANY_TIME,
    CALL_ONLY,
    CALL_OR_TEXT,
    EMAIL_ONLY,
    TEXT_ONLY,
    find_phones,
    is_cancel,
    looks_like_contact_attempt,
    read_how_answer,
    read_message,
    read_when_answer,
)


@pytest.mark.parametrize(
    "text, number",
    [
        ("my number is 555 010 0199", "555 010 0199"),
        ("call me at 555-010-0199", "555-010-0199"),
        ("555-010-0199", "555-010-0199"),
        ("(555) 010-0199", "(555) 010-0199"),
        ("555.010.0199 thanks", "555.010.0199"),
        ("5550100199", "5550100199"),
        ("+1 555 010 0199", "+1 555 010 0199"),
        ("1-555-010-0199", "1-555-010-0199"),
        ("yes, text me on +44 7700 900123 please", "+44 7700 900123"),
        ("ok it's 555-010-0199, after 5pm please", "555-010-0199"),
    ],
)
def test_a_phone_number_is_read_from_anywhere_in_a_sentence(text: str, number: str) -> None:
    reading = read_message(text)
    assert reading.contact is not None and reading.contact.kind == "phone"
    assert reading.contact.value == number
    assert not reading.unreadable_contact


@pytest.mark.parametrize(
    "text, number",
    [
        ("555-010-0199 ext 23", "555-010-0199 x23"),
        ("(555) 010-0199 x4", "(555) 010-0199 x4"),
        ("my work number is 555 010 0199 extension 812, after 6", "555 010 0199 x812"),
        ("555.010.0199, ext. 7", "555.010.0199 x7"),
    ],
)
def test_an_extension_is_kept_with_the_number(text: str, number: str) -> None:
    reading = read_message(text)
    assert reading.contact is not None and reading.contact.value == number


@pytest.mark.parametrize(
    "text, address",
    [
        ("sam@example.org", "sam@example.org"),
        ("my email is alex.lee+help@example.co.uk thanks", "alex.lee+help@example.co.uk"),
        ("yes, email me at jo@example.com, not my phone", "jo@example.com"),
    ],
)
def test_an_email_address_is_read_from_a_sentence(text: str, address: str) -> None:
    reading = read_message(text)
    assert reading.contact is not None and (reading.contact.kind, reading.contact.value) == ("email", address)


@pytest.mark.parametrize("text", ["12345", "15", "0199", "555 01", "my number is 555", "me at someone@example"])
def test_a_bare_or_short_number_is_an_unreadable_contact_never_a_question(text: str) -> None:
    reading = read_message(text)
    assert reading.contact is None and reading.unreadable_contact
    assert looks_like_contact_attempt(text)


@pytest.mark.parametrize("text", ["what if I'm 15?", "I'm 15 and my mum is 40", "will you tell my parents?", "yes"])
def test_a_question_or_a_yes_is_not_a_contact_attempt(text: str) -> None:
    reading = read_message(text)
    assert reading.contact is None and not reading.unreadable_contact


def test_times_and_dates_are_not_phone_numbers() -> None:
    assert find_phones("between 2 and 4, or after 5:30pm on 12/05") == []
    assert find_phones("I'm 15, my sister is 17") == []


@pytest.mark.parametrize(
    "text, when",
    [
        ("555-010-0199 after 5pm please", "after 5pm please"),
        ("after 5pm please", "after 5pm please"),
        ("call me at 555 010 0199, weekday mornings are best", "weekday mornings are best"),
        ("yes 555-010-0199 but only after school", "only after school"),
        ("any time", ANY_TIME),
    ],
)
def test_a_good_time_is_read_with_or_without_a_number(text: str, when: str) -> None:
    assert read_message(text).when == when


@pytest.mark.parametrize(
    "text, how",
    [
        ("text only, my mom checks my calls", TEXT_ONLY),
        ("555 010 0199, please don't call", TEXT_ONLY),
        ("calls only, no texts", CALL_ONLY),
        ("don't call or text, email is safer", EMAIL_ONLY),
        ("call me at 555-010-0199", None),  # a way to introduce the number, not a preference
    ],
)
def test_how_to_reach_is_read_only_when_said_outright(text: str, how) -> None:
    assert read_message(text).how == how


def test_the_rest_of_the_message_is_kept_as_a_note() -> None:
    assert read_message("text only, my mom checks my calls").note == "text only, my mom checks my calls"
    reading = read_message("my number is 555 010 0199, my mom checks my calls")
    assert reading.note == "my mom checks my calls" and "555" not in reading.note
    assert read_message("yes please 555-010-0199").note is None  # nothing but filler
    assert read_message("Call or text is fine").note is None  # a plain answer


@pytest.mark.parametrize(
    "text, intent, how",
    [
        ("yes", "affirm", CALL_OR_TEXT),
        ("Call or text is fine", None, CALL_OR_TEXT),
        ("no", "deny", EMAIL_ONLY),
        ("it's not safe", None, EMAIL_ONLY),
        ("Text only", None, TEXT_ONLY),
        ("texting is better", None, TEXT_ONLY),
        ("Call only", None, CALL_ONLY),
        ("Email me instead", None, EMAIL_ONLY),
        ("hmm", "nlu_fallback", None),
    ],
)
def test_the_answer_to_is_it_safe_to_call_or_text(text: str, intent, how) -> None:
    assert read_how_answer(text, intent) == how


@pytest.mark.parametrize(
    "text, when",
    [
        ("no", ANY_TIME),
        ("idk", ANY_TIME),
        ("any time", ANY_TIME),
        ("after school", "after school"),
        ("when my mom is out", "when my mom is out"),
    ],
)
def test_the_answer_to_when_is_a_good_time(text: str, when: str) -> None:
    assert read_when_answer(text) == when


@pytest.mark.parametrize("text", ["forget it", "never mind", "no thanks", "I don't want a call anymore"])
def test_a_change_of_mind_is_recognised(text: str) -> None:
    assert is_cancel(text)


@pytest.mark.parametrize("text", ["no", "text only", "555-010-0199", "after 5pm"])
def test_an_answer_is_not_a_change_of_mind(text: str) -> None:
    assert not is_cancel(text)
