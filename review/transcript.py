"""A conversation laid out for the transcript page: each message as display segments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence

from review.labels import category_label
from review.masking import find_contacts, mask_text
from review.segments import Segment, segments
from review.tracker_events import Message


@dataclass(frozen=True)
class TranscriptLine:
    message: Message
    pieces: List[Segment]

    @property
    def kind(self) -> str:
        return self.message.kind


def slot_text(message: Message, keep: Sequence[str], reveal: bool) -> str:
    if message.slot == "escalated":
        return "escalated" if message.slot_value is True else "not escalated"
    if message.slot == "risk_category":
        return category_label(message.text)
    return message.text if reveal else mask_text(message.text, keep)


def transcript_lines(messages: Sequence[Message], keep: Sequence[str], reveal: bool = False) -> List[TranscriptLine]:
    """Every message with evidence marked and, unless `reveal`, contact details masked."""
    lines = []
    for message in messages:
        if message.kind == "slot":
            pieces = [Segment(slot_text(message, keep, reveal))]
        else:
            evidence = message.evidence if message.kind == "client" else ()
            pieces = segments(message.text, evidence, find_contacts(message.text, keep), reveal)
        lines.append(TranscriptLine(message, pieces))
    return lines
