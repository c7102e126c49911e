"""Whether a text gives away a phone number, in any of the ways it could be written.

A bare fragment ("010") is no test: a random escalation id ('618aaa2b9a83499dac22abdd755010a6')
holds it by chance about one run in a hundred and fifty.
"""

from __future__ import annotations

import re


def gives_away_number(text: str, number: str) -> bool:
    """True if `text` holds the number's last seven digits, with or without separators."""
    digits = re.sub(r"\D", "", number)[-7:]
    pattern = r"[\s.\-()]?".join(re.escape(digit) for digit in digits)
    return re.search(pattern, text) is not None
