"""Phone numbers become keyed pseudonyms before Rasa sees anything."""

from __future__ import annotations

import re

import pytest

from confidant.channels.rest import SENDER_PATTERN
from confidant.channels.sms.pseudonyms import (
    PSEUDONYM_KEY_ENV_VAR,
    PseudonymKeyError,
    is_pseudonym,
    load_pseudonym_key,
    pseudonym_for,
)

KEY = b"k" * 32
PHONE = "+14155550142"


def test_the_pseudonym_is_stable() -> None:
    assert pseudonym_for(PHONE, KEY) == pseudonym_for(PHONE, KEY) == pseudonym_for(" +1 415 555 0142 ", KEY)


def test_the_pseudonym_depends_on_the_key_and_the_number() -> None:
    assert pseudonym_for(PHONE, KEY) != pseudonym_for(PHONE, b"j" * 32)
    assert pseudonym_for(PHONE, KEY) != pseudonym_for("+14155550143", KEY)


def test_the_pseudonym_shows_nothing_of_the_number() -> None:
    pseudonym = pseudonym_for(PHONE, KEY)
    assert is_pseudonym(pseudonym) and pseudonym.startswith("sms-")
    digits = re.sub(r"\D", "", PHONE)
    for length in range(4, len(digits) + 1):  # no run of 4 or more of the number's digits
        for start in range(len(digits) - length + 1):
            assert digits[start : start + length] not in pseudonym
    # ...and it is a valid conversation id for the REST channel's rules too.
    assert SENDER_PATTERN.match(pseudonym)


def test_the_key_comes_from_the_environment_and_must_be_long_enough() -> None:
    assert load_pseudonym_key({PSEUDONYM_KEY_ENV_VAR: "x" * 40}) == b"x" * 40
    with pytest.raises(PseudonymKeyError, match=PSEUDONYM_KEY_ENV_VAR):
        load_pseudonym_key({})
    with pytest.raises(PseudonymKeyError, match="at least 32"):
        load_pseudonym_key({PSEUDONYM_KEY_ENV_VAR: "short"})
