"""What one stored event means to a reader of the conversation.

Rows come from Rasa's `events` table (confidant/store/events_table.py, which needs no Rasa
import). Parsing is forgiving: an event this tool does not understand is skipped, never an
error on a clinician's screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Tuple

from confidant.vocabulary import (
    CALLBACK_CONTACT_SLOT,
    CALLBACK_HOW_SLOT,
    CALLBACK_WHEN_SLOT,
    ESCALATED_SLOT,
    INFORM_CONTACT_INTENT,
    RISK_CATEGORY_SLOT,
    RISK_PROPERTY,
    answer_key,
)
from review.masking import find_contacts

# The topic of a message that gives contact details (a call-back number), whatever the
# classifier made of it: "07700 900123" is not a question about the age of consent.
CONTACT_TOPIC = INFORM_CONTACT_INTENT
# Slots that say something a reviewer needs to know: in the transcript's details view, and the
# call-back (masked contact, how and when) in the escalation queue.
SHOWN_SLOTS = (ESCALATED_SLOT, RISK_CATEGORY_SLOT, CALLBACK_CONTACT_SLOT, CALLBACK_HOW_SLOT, CALLBACK_WHEN_SLOT)


@dataclass(frozen=True)
class Evidence:
    """Where the risk screen matched, as offsets into the message text."""

    start: int
    end: int
    text: str
    pattern: str


@dataclass(frozen=True)
class Message:
    event_id: int
    at: datetime
    kind: str  # "client", "assistant" or "slot"
    text: str
    intent: Optional[str] = None
    topic: Optional[str] = None
    channel: Optional[str] = None
    risk_category: Optional[str] = None
    risk_level: Optional[str] = None
    evidence: Tuple[Evidence, ...] = ()
    slot: Optional[str] = None
    slot_value: Any = None
    # Who is writing, as the risk component decided, and why (`risk.writer`, `risk.writer_reason`).
    risk_writer: Optional[str] = None
    risk_writer_reason: Optional[str] = None
    # An assistant message's quick replies as (title, payload), to name the button a client pressed.
    buttons: Tuple[Tuple[str, str], ...] = ()

    @property
    def is_payload(self) -> bool:
        """A button press or the chat's opening payload (`/greet`), not words the client typed."""
        return self.kind == "client" and self.text.startswith("/")


def event_time(timestamp: Optional[float]) -> datetime:
    return datetime.fromtimestamp(float(timestamp or 0.0), tz=timezone.utc)


def topic_of(parse_data: Dict[str, Any]) -> Optional[str]:
    """The FAQ key (`faq/tell_parents`) for an FAQ question, otherwise the intent itself."""
    return answer_key(parse_data)


def to_word_bounds(text: str, start: int, end: int) -> Tuple[int, int]:
    """Widen `start:end` to whole words, so a highlight never starts or ends inside a word."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


def evidence_in(text: str, risk: Dict[str, Any]) -> Tuple[Evidence, ...]:
    """The screen's evidence whose offsets really point into `text`, widened to whole words.

    Offsets that do not fit the text (an older screen, an edited message) are re-anchored on
    the evidence's own words when they occur in the text, and dropped otherwise.
    """
    found = []
    for item in (risk.get("screen") or {}).get("evidence") or []:
        if not isinstance(item, dict):
            continue
        quoted = str(item.get("text") or "")
        try:
            start, end = int(item["start"]), int(item["end"])
        except (KeyError, TypeError, ValueError):
            start, end = -1, -1
        if not (0 <= start < end <= len(text)) or (quoted and text[start:end].casefold() != quoted.casefold()):
            position = text.casefold().find(quoted.casefold()) if quoted else -1
            if position < 0:
                continue
            start, end = position, position + len(quoted)
        start, end = to_word_bounds(text, start, end)
        found.append(Evidence(start, end, text[start:end], str(item.get("pattern") or "")))
    return tuple(sorted(found, key=lambda evidence: (evidence.start, evidence.end)))


def gives_contact_details(text: str) -> bool:
    """A message that is there to leave a number or address, not to ask something: it holds
    one, and what is left is a few words or no question ("my number is 07700 900123")."""
    spans = find_contacts(text)
    if not spans:
        return False
    rest = text
    for span in reversed(spans):
        rest = rest[: span.start] + " " + rest[span.end :]
    return len(rest.split()) <= 6 or "?" not in rest


def _text_or_none(value: Any) -> Optional[str]:
    return str(value) if value else None


def _buttons(raw: Any) -> Tuple[Tuple[str, str], ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        (str(item.get("title") or ""), str(item.get("payload") or ""))
        for item in raw
        if isinstance(item, dict) and item.get("payload")
    )


def parse_event(event_id: int, type_name: str, timestamp: Optional[float], data: Optional[str]) -> Optional[Message]:
    """A row of `events` as a message a reviewer reads, or None for bookkeeping events."""
    if type_name not in ("user", "bot", "slot"):
        return None
    try:
        payload = json.loads(data or "{}")
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    at = event_time(timestamp if timestamp is not None else payload.get("timestamp"))
    if type_name == "user":
        text = str(payload.get("text") or "")
        parse_data = payload.get("parse_data") or {}
        risk = parse_data.get(RISK_PROPERTY) or {}
        return Message(
            event_id=event_id,
            at=at,
            kind="client",
            text=text,
            intent=(parse_data.get("intent") or {}).get("name"),
            topic=CONTACT_TOPIC if gives_contact_details(text) and not risk.get("category") else topic_of(parse_data),
            channel=payload.get("input_channel"),
            risk_category=risk.get("category"),
            risk_level=risk.get("level"),
            evidence=evidence_in(text, risk),
            risk_writer=_text_or_none(risk.get("writer")),
            risk_writer_reason=_text_or_none(risk.get("writer_reason")),
        )
    if type_name == "bot":
        said = payload.get("text")
        buttons = _buttons((payload.get("data") or {}).get("buttons"))
        return Message(event_id=event_id, at=at, kind="assistant", text=str(said), buttons=buttons) if said else None
    name = payload.get("name")
    if name not in SHOWN_SLOTS:
        return None
    value = payload.get("value")
    return Message(
        event_id=event_id, at=at, kind="slot", text="" if value is None else str(value), slot=name, slot_value=value
    )
