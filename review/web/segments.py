"""A message cut into pieces for display: risk evidence marked, contact details masked.

Templates render each piece as escaped text inside a `<mark>` or `<span>`; nothing in a
message ever reaches the page as markup. Offsets are those of the risk screen (characters of
the original text), so masking is applied here, after the evidence is located, not before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence, Tuple

from review.masking import ContactSpan
from review.storage.tracker_events import Evidence


@dataclass(frozen=True)
class Segment:
    text: str
    evidence: bool = False
    masked: bool = False
    contact: bool = False
    patterns: Tuple[str, ...] = ()


def _overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    return start < other_end and other_start < end


def segments(
    text: str, evidence: Sequence[Evidence], contacts: Sequence[ContactSpan], reveal: bool = False
) -> List[Segment]:
    """Pieces of `text` in order; masked contacts become one piece each, flagged as evidence if any part is."""
    bounds = {0, len(text)}
    for item in evidence:
        bounds.update((item.start, item.end))
    for span in contacts:
        bounds.update((span.start, span.end))
    cuts = sorted(bound for bound in bounds if 0 <= bound <= len(text))
    pieces: List[Segment] = []
    done_contacts = set()
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start == end:
            continue
        contact = next((span for span in contacts if span.start <= start and end <= span.end), None)
        if contact is not None and not reveal:
            if contact in done_contacts:
                continue
            done_contacts.add(contact)
            hits = [item for item in evidence if _overlaps(contact.start, contact.end, item.start, item.end)]
            pieces.append(Segment(contact.masked, evidence=bool(hits), masked=True, patterns=_patterns(hits)))
            continue
        hits = [item for item in evidence if item.start <= start and end <= item.end]
        piece = Segment(text[start:end], evidence=bool(hits), contact=contact is not None, patterns=_patterns(hits))
        if pieces and _same_kind(pieces[-1], piece):
            last = pieces.pop()
            piece = Segment(last.text + piece.text, piece.evidence, False, piece.contact, piece.patterns)
        pieces.append(piece)
    return pieces


def _patterns(hits: Sequence[Evidence]) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(item.pattern for item in hits if item.pattern))


def _same_kind(left: Segment, right: Segment) -> bool:
    return (
        not left.masked
        and not right.masked
        and (left.evidence, left.contact, left.patterns) == (right.evidence, right.contact, right.patterns)
    )
