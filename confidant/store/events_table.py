"""Rasa's `events` table: the one description the tracker store, the reconciler and the review tool share.

Rasa's SQLTrackerStore creates the table (one row per event: its kind, time, intent or action
name, and the whole event as JSON in `data`). The reconciler and the review tool read it, and
the review tool deletes from it, without importing Rasa and its model stack; the tracker store
refuses to start if Rasa's own declaration ever differs from this one
(`differences_from`), so a Rasa upgrade that changes the table is caught at start-up rather
than read wrongly.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

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


def event_row(event: Dict[str, Any]) -> Dict[str, Any]:
    """The columns of one serialised event (`Event.as_dict()`), as Rasa's store writes them (without `sender_id`)."""
    return {
        "type_name": event.get("event"),
        "timestamp": event.get("timestamp"),
        "intent_name": (event.get("parse_data") or {}).get("intent", {}).get("name"),
        "action_name": event.get("name"),
        "data": json.dumps(event),
    }


def differences_from(table: Table) -> List[str]:
    """How another declaration of the events table (Rasa's) differs from `EVENTS`, column by column."""

    def shapes(of: Table) -> Dict[str, str]:
        return {
            column.name: f"{column.type!r}{' primary key' if column.primary_key else ''}"
            f"{'' if column.nullable else ' not null'}"
            for column in of.columns
        }

    ours, theirs = shapes(EVENTS), shapes(table)
    return [
        f"column {name}: {theirs.get(name, 'missing')}, expected {ours.get(name, 'no such column')}"
        for name in sorted({*ours, *theirs})
        if ours.get(name) != theirs.get(name)
    ]
