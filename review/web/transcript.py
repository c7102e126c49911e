"""A conversation laid out for the transcript page: each message as display segments.

What the client and the assistant said is the transcript. The machinery (slots being set, the
chat's opening `/greet`, intent names) is kept for the "details" view; a button the client
pressed reads as the button's own words ("Yes, please contact me"), not as `/affirm`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from confidant.vocabulary import (
    CALLBACK_CONTACT_SLOT,
    CALLBACK_HOW_SLOT,
    CALLBACK_WHEN_SLOT,
    ESCALATED_SLOT,
    RISK_CATEGORY_SLOT,
)
from review.labels import callback_how_label, category_label, topic_label
from review.masking import find_contacts, mask_text
from review.storage.tracker_events import Message
from review.web.segments import Segment, segments

SLOT_NAMES = {
    ESCALATED_SLOT: "escalation flag",
    RISK_CATEGORY_SLOT: "risk category",
    CALLBACK_CONTACT_SLOT: "call-back contact",
    CALLBACK_HOW_SLOT: "call-back: how",
    CALLBACK_WHEN_SLOT: "call-back: good time",
}


@dataclass(frozen=True)
class TranscriptLine:
    message: Message
    pieces: List[Segment]
    label: str = ""
    internal: bool = False  # shown only in the details view
    pressed: Optional[str] = None  # the title of the button the client pressed

    @property
    def kind(self) -> str:
        return self.message.kind


def slot_text(message: Message, keep: Sequence[str], reveal: bool) -> str:
    if message.slot == ESCALATED_SLOT:
        return "set" if message.slot_value is True else "cleared"
    if message.slot == RISK_CATEGORY_SLOT:
        return category_label(message.text)
    if message.slot == CALLBACK_HOW_SLOT:
        return callback_how_label(message.text) or "cleared"
    if not message.text:
        return "cleared"
    return message.text if reveal else mask_text(message.text, keep)


def slot_name(message: Message) -> str:
    return SLOT_NAMES.get(message.slot or "", (message.slot or "").replace("_", " "))


def transcript_lines(messages: Sequence[Message], keep: Sequence[str], reveal: bool = False) -> List[TranscriptLine]:
    """Every message with evidence marked and, unless `reveal`, contact details masked."""
    lines = []
    buttons: Dict[str, str] = {}
    for message in messages:
        if message.kind == "slot":
            pieces = [Segment(slot_text(message, keep, reveal))]
            lines.append(TranscriptLine(message, pieces, slot_name(message), internal=True))
            continue
        if message.kind == "assistant":
            buttons = {payload: title for title, payload in message.buttons}
            lines.append(TranscriptLine(message, segments(message.text, (), find_contacts(message.text, keep), reveal)))
            continue
        if message.is_payload:
            title = buttons.get(message.text)
            label = topic_label(message.topic)
            if title:
                lines.append(TranscriptLine(message, [Segment(title)], label, pressed=title))
            else:
                lines.append(TranscriptLine(message, [Segment(message.text)], label, internal=True))
            continue
        pieces = segments(message.text, message.evidence, find_contacts(message.text, keep), reveal)
        lines.append(TranscriptLine(message, pieces, topic_label(message.topic)))
    return lines
