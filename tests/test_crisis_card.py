"""The crisis card read from practice.yml: the numbers to call and text, from a line's words."""

from __future__ import annotations

import pytest

from confidant.crisis_card import crisis_card_from_settings, dialable, read_how
from confidant.settings import current_settings


@pytest.mark.parametrize(
    "how, expected",
    [
        ("call or text 988", {"call": "988", "text": "988", "text_body": None}),
        ("text HOME to 741741", {"call": None, "text": "741741", "text_body": "HOME"}),
        ("Text home to 741741", {"call": None, "text": "741741", "text_body": "HOME"}),
        ("call 1-800-799-7233", {"call": "1-800-799-7233", "text": None, "text_body": None}),
        (
            "call 1-800-799-7233 or text START to 88788",
            {"call": "1-800-799-7233", "text": "88788", "text_body": "START"},
        ),
        ("call 0800 1111", {"call": "0800 1111", "text": None, "text_body": None}),
        ("text 85258", {"call": None, "text": "85258", "text_body": None}),
        ("ask at the front desk", {"call": None, "text": None, "text_body": None}),
    ],
)
def test_the_numbers_are_read_from_a_lines_words(how, expected) -> None:
    assert read_how(how) == expected


@pytest.mark.parametrize(
    "number, expected", [("911", "911"), ("(555) 010-0100", "5550100100"), ("+44 800 1111", "+448001111")]
)
def test_a_number_is_dialable(number, expected) -> None:
    assert dialable(number) == expected


def test_the_demo_practices_card_has_the_shape_of_the_crisis_replies_card() -> None:
    card = crisis_card_from_settings(current_settings(), situation="self_at_risk")
    assert card["situation"] == "self_at_risk"
    assert card["emergency"] == {"name": "Emergency", "call": "911"}
    assert [(line["name"], line["call"], line["text"], line["text_body"]) for line in card["lines"]] == [
        ("988 Suicide & Crisis Lifeline", "988", "988", None),
        ("Crisis Text Line", None, "741741", "HOME"),
    ]
