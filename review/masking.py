"""Phone numbers and email addresses in what clients wrote, hidden until someone asks.

A client leaving a number for a call-back types it into the chat, so it sits in the tracker
store in plain text. Lists, transcripts and exports show it masked the way the contact vault
masks it ("phone ending 42", "j***@example.org"); showing it in full is a separate, audited
request. The practice's own phone and email (in the assistant's answers) are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, List

from confidant.contact_vault import ContactDetails

EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]{1,64}@[A-Za-z0-9.-]{1,255}\.[A-Za-z]{2,24}(?![\w-])")
# A digit run with the separators people type; 7 to 15 digits is checked after matching.
PHONE = re.compile(r"(?<![\w+(])[+(]?\d[\d\s().\-]{4,24}\d(?!\w)")


@dataclass(frozen=True)
class ContactSpan:
    start: int
    end: int
    kind: str  # "phone" or "email"
    value: str

    @property
    def masked(self) -> str:
        return f"[{ContactDetails(self.kind, self.value).masked}]"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def find_contacts(text: str, keep: Iterable[str] = ()) -> List[ContactSpan]:
    """Every phone number and email address in `text`, except those in `keep`."""
    kept = {item.casefold() for item in keep} | {_digits(item) for item in keep if _digits(item)}
    spans: List[ContactSpan] = []
    for match in EMAIL.finditer(text):
        if match.group().casefold() not in kept:
            spans.append(ContactSpan(match.start(), match.end(), "email", match.group()))
    for match in PHONE.finditer(text):
        value = match.group().rstrip(" .-")
        digits = _digits(value)
        if not 7 <= len(digits) <= 15 or digits in kept:
            continue
        start = match.start()
        end = start + len(value)
        if any(span.start < end and start < span.end for span in spans):
            continue
        spans.append(ContactSpan(start, end, "phone", value))
    return sorted(spans, key=lambda span: span.start)


def mask_text(text: str, keep: Iterable[str] = ()) -> str:
    """`text` with each phone number and email address replaced by its masked form."""
    pieces = []
    position = 0
    for span in find_contacts(text, keep):
        pieces.append(text[position : span.start])
        pieces.append(span.masked)
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)
