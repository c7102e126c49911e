"""Reading the answers only an appointment request asks: a name, a message answer, the read-back."""

from __future__ import annotations

from typing import Optional

import pytest

from confidant.appointment_text import (
    MESSAGE_OK,
    NO_MESSAGE,
    NO_NAME,
    is_nothing_more,
    is_stop,
    read_confirmation,
    read_message_ok,
    read_name,
)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Sam", "Sam"),
        ("call me Sam", "Sam"),
        ("my name is Sam Lee", "Sam Lee"),
        ("hi, I'm Jo", "Jo"),
        ("it's Mary-Jo O'Neil thanks", "Mary-Jo O'Neil"),
        ("J", "J"),
        ("José", "José"),
        ("rather not say", NO_NAME),
        ("no", NO_NAME),
        ("555-010-0199", None),
        ("sam@example.org", None),
        ("why do you need my name?", None),
        ("my name is something I would rather keep to myself for now if that is ok", None),
        ("", None),
    ],
)
def test_what_to_call_the_client(text: str, name: Optional[str]) -> None:
    assert read_name(text) == name


@pytest.mark.parametrize(
    "text, intent, answer",
    [
        ("yes", "affirm", MESSAGE_OK),
        ("that's fine", None, MESSAGE_OK),
        ("/affirm", "affirm", MESSAGE_OK),
        ("no", "deny", NO_MESSAGE),
        ("please don't, my mom reads my texts", None, NO_MESSAGE),
        ("yes but no messages", None, NO_MESSAGE),
        ("hmm", "nlu_fallback", None),
    ],
)
def test_may_a_message_be_left(text: str, intent: Optional[str], answer: Optional[str]) -> None:
    assert read_message_ok(text, intent) == answer


@pytest.mark.parametrize(
    "text, intent, answer",
    [("yes", "affirm", True), ("send it", None, True), ("no", "deny", False), ("wrong number", None, False)],
)
def test_the_read_back_is_confirmed_or_changed(text: str, intent: Optional[str], answer: bool) -> None:
    assert read_confirmation(text, intent) is answer


def test_an_unclear_answer_to_the_read_back_is_neither() -> None:
    assert read_confirmation("what do you mean", "nlu_fallback") is None


@pytest.mark.parametrize("text", ["stop", "Cancel.", "quit"])
def test_stop_on_its_own_stops(text: str) -> None:
    assert is_stop(text)


@pytest.mark.parametrize("text", ["stop telling my parents?", "can I cancel later?"])
def test_stop_inside_a_sentence_is_not_a_stop(text: str) -> None:
    assert not is_stop(text)


@pytest.mark.parametrize("text", ["no", "nothing else", "that's all", "no thanks", "nope."])
def test_nothing_more_to_add(text: str) -> None:
    assert is_nothing_more(text, None)


def test_a_note_is_not_nothing() -> None:
    assert not is_nothing_more("it's for my son, he's 15", "nlu_fallback")
