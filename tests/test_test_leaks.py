"""The check that a text gives away a phone number (tests/support/leaks.py)."""

from __future__ import annotations

import pytest

from tests.support.leaks import gives_away_number

NUMBER = "(555) 010-0199"


@pytest.mark.parametrize(
    "text", ["call 555-010-0199 after 5", '{"value": "5550100199"}', "010 0199", "555.010.0199", "0100199"]
)
def test_the_number_written_any_way_is_found(text: str) -> None:
    assert gives_away_number(text, NUMBER)


@pytest.mark.parametrize(
    "text",
    [
        "phone ending 99",
        '{"escalation_id": "618aaa2b9a83499dac22abdd755010a6"}',  # "010" by chance in a random id
        "555-010-0100",  # another number of the same exchange
        "",
    ],
)
def test_a_fragment_or_the_masked_form_is_not_the_number(text: str) -> None:
    assert not gives_away_number(text, NUMBER)
