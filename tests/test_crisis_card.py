"""The crisis card read from practice.yml: the numbers to call and text for each situation."""

from __future__ import annotations

import pytest

from confidant.crisis_card import crisis_card_from_settings, dialable
from confidant.settings import current_settings
from tests.support.practice_file import practice_data


@pytest.mark.parametrize(
    "number, expected", [("911", "911"), ("(555) 010-0100", "5550100100"), ("+44 800 1111", "+448001111")]
)
def test_a_number_is_dialable(number, expected) -> None:
    assert dialable(number) == expected


def test_the_practices_card_has_the_shape_of_the_crisis_replies_card() -> None:
    data = practice_data()["crisis"]
    card = crisis_card_from_settings(current_settings(), situation="self_at_risk")
    assert card["situation"] == "self_at_risk"
    assert card["emergency"] == {"name": "Emergency", "call": data["emergency_number"]}
    by_id = {line["id"]: line for line in data["lines"]}
    expected = [by_id[line_id] for line_id in data["situations"]["self_at_risk"]]
    assert [(line["name"], line["call"], line["text"], line["text_body"]) for line in card["lines"]] == [
        (line["name"], line["call"], line["text"], line["text_body"]) for line in expected
    ]
