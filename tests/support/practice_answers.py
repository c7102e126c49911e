"""A practice that has answered the insurance question itself: the README's worked example."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import yaml

from tests.support.practice_file import practice_data

INSURANCE_SECTION = """\
## insurance-billing: Insurance and billing
We bill your insurance only if you ask us to. To pay a claim, an insurer is told the dates of
your visits and a diagnosis code. We never send session notes. If you pay for sessions
yourself, your insurer is told nothing.
"""
INSURANCE_ANSWER = {
    "sources": ["insurance-billing", "definition", "contact"],
    "web": (
        "We bill your insurance only if you ask us to. Your insurer is then told the dates of your visits "
        "and a diagnosis code, but not what you talk about. If you pay for sessions yourself, your insurer "
        "is told nothing. Questions? Call us at {practice_phone} ({practice_hours})."
    ),
    "sms": (
        "We bill insurance only if you ask. Your insurer then gets visit dates and a diagnosis code, not "
        "what you talk about. If you pay yourself, they get nothing. Questions? Call {practice_phone} "
        "({practice_hours})."
    ),
}


def write_practice(
    folder: Path,
    answers: Optional[Dict[str, Any]] = None,
    addendum: str = "# Addendum\n\n" + INSURANCE_SECTION,
    settings: Optional[Dict[str, Any]] = None,
) -> Path:
    """The fixture practice's settings, with `answers`, and its addendum.md in `folder`; the settings path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "addendum.md").write_text(addendum, encoding="utf-8")
    data = settings if settings is not None else practice_data()
    written = {"insurance": INSURANCE_ANSWER} if answers is None else answers
    data["addendum"] = {"file": str(folder / "addendum.md"), "answers": written}
    path = folder / "practice.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
