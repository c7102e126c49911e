"""Rasa's `events` table, and what one stored event means to a reader of the conversation.

The table is declared here, column for column as Rasa's SQLTrackerStore creates it, so the
review tool never imports Rasa (and its model stack) just to read rows. Parsing is forgiving:
an event this tool does not understand is skipped, never an error on a clinician's screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, Optional, Tuple

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

FAQ_INTENT = "faq"
# Slots that say something a reviewer needs to see in a transcript.
SHOWN_SLOTS = ("escalated", "risk_category", "callback_contact")


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


def event_time(timestamp: Optional[float]) -> datetime:
    return datetime.fromtimestamp(float(timestamp or 0.0), tz=timezone.utc)


def topic_of(parse_data: Dict[str, Any]) -> Optional[str]:
    """The FAQ key (`faq/tell_parents`) for an FAQ question, otherwise the intent itself."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent != FAQ_INTENT:
        return intent
    selector = (parse_data.get("response_selector") or {}).get(FAQ_INTENT) or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key")
    if not key:
        ranking = selector.get("ranking") or []
        key = ranking[0].get("intent_response_key") if ranking and isinstance(ranking[0], dict) else None
    return key or intent


def evidence_in(text: str, risk: Dict[str, Any]) -> Tuple[Evidence, ...]:
    """The screen's evidence whose offsets really point into `text`.

    Offsets that do not fit the text (an older screen, an edited message) are re-anchored on
    the evidence's own words when they occur in the text, and dropped otherwise.
    """
    found = []
    for item in (risk.get("screen") or {}).get("evidence") or []:
        if not isinstance(item, dict):
            continue
        quoted = str(item.get("text") or "")
        try:
            start, end = int(item.get("start")), int(item.get("end"))
        except (TypeError, ValueError):
            start, end = -1, -1
        if not (0 <= start < end <= len(text)) or (quoted and text[start:end].casefold() != quoted.casefold()):
            position = text.casefold().find(quoted.casefold()) if quoted else -1
            if position < 0:
                continue
            start, end = position, position + len(quoted)
        found.append(Evidence(start, end, text[start:end], str(item.get("pattern") or "")))
    return tuple(sorted(found, key=lambda evidence: (evidence.start, evidence.end)))


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
        risk = parse_data.get("risk") or {}
        return Message(
            event_id=event_id,
            at=at,
            kind="client",
            text=text,
            intent=(parse_data.get("intent") or {}).get("name"),
            topic=topic_of(parse_data),
            channel=payload.get("input_channel"),
            risk_category=risk.get("category"),
            risk_level=risk.get("level"),
            evidence=evidence_in(text, risk),
        )
    if type_name == "bot":
        text = payload.get("text")
        return Message(event_id=event_id, at=at, kind="assistant", text=str(text)) if text else None
    name = payload.get("name")
    if name not in SHOWN_SLOTS:
        return None
    value = payload.get("value")
    return Message(
        event_id=event_id, at=at, kind="slot", text="" if value is None else str(value), slot=name, slot_value=value
    )
