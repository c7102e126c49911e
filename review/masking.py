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
# Addresses written to dodge a plain `@`: "jo(at)example.org", "jo [at] example [dot] org", and
# "jo.bloggs at example.org" (a spelled-out " at " only before a domain with a dot and an ending).
_AT_BRACKETED = r"\s*[(\[{<]\s*at\s*[)\]}>]\s*"
_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\.)"
_LABEL = r"[A-Za-z0-9-]{1,63}"
OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.+-])(?P<local>[\w.%+-]{{1,64}})"
    rf"(?:{_AT_BRACKETED}(?P<host>{_LABEL}(?:{_DOT}{_LABEL})*)"
    rf"|\s+at\s+(?P<domain>(?:{_LABEL}{_DOT})+[A-Za-z]{{2,24}}))(?![\w-])",
    re.IGNORECASE,
)
# Dashes people (and phones' keyboards) type between digit groups, besides "-".
_DASHES = "\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
# A digit run with the separators people type ("/" only between two digits: 555/867/5309);
# 7 to 15 digits is checked after matching.
PHONE = re.compile(rf"(?<![\w+(])[+(]?\d(?:[\d\s().\-{_DASHES}]|(?<=\d)/(?=\d)){{4,24}}\d(?!\w)")
# An extension after a number ("x204", "ext. 12", "extension 7", "#33"): masked with it.
EXTENSION = re.compile(r"\s*,?\s*(?:x|ext\.?|extension|#)\s*\d{1,6}(?!\w)", re.IGNORECASE)
# Dates are not numbers to hide: 12/05/2024, 2024-05-12.
DATE = re.compile(r"^(?:\d{1,2}/\d{1,2}/(?:\d{2}|\d{4})|\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class ContactSpan:
    start: int
    end: int
    kind: str  # "phone" or "email"
    value: str

    address: str = ""  # an obfuscated email address, written plainly (for its masked form)

    @property
    def masked(self) -> str:
        return f"[{ContactDetails(self.kind, self.address or self.value).masked}]"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def find_contacts(text: str, keep: Iterable[str] = ()) -> List[ContactSpan]:
    """Every phone number and email address in `text`, except those in `keep`."""
    kept = {item.casefold() for item in keep} | {_digits(item) for item in keep if _digits(item)}
    spans: List[ContactSpan] = []
    for match in EMAIL.finditer(text):
        if match.group().casefold() not in kept:
            spans.append(ContactSpan(match.start(), match.end(), "email", match.group()))
    for match in OBFUSCATED_EMAIL.finditer(text):
        domain = re.sub(_DOT, ".", match.group("host") or match.group("domain"), flags=re.IGNORECASE)
        address = f"{match.group('local')}@{domain}"
        if address.casefold() in kept or any(span.start < match.end() and match.start() < span.end for span in spans):
            continue
        spans.append(ContactSpan(match.start(), match.end(), "email", match.group(), address))
    for match in PHONE.finditer(text):
        value = match.group().rstrip(" .-" + "\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
        digits = _digits(value)
        if not 7 <= len(digits) <= 15 or digits in kept or DATE.match(value):
            continue
        start = match.start()
        end = start + len(value)
        extension = EXTENSION.match(text, end)
        if extension:
            end = extension.end()  # hidden with the number; "ending" still names the number's digits
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
