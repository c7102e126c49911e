"""One description of Rasa's events table: Rasa's own store writes exactly what it describes."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from unittest import mock

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from confidant.rasa_internals import tracker_store
from confidant.store.events_table import EVENTS, differences_from, event_row


def test_rasas_declaration_of_the_table_is_ours() -> None:
    assert differences_from(SQLTrackerStore.SQLEvent.__table__) == []


def test_a_changed_declaration_is_reported_column_by_column() -> None:
    changed = sa.Table(
        "events",
        sa.MetaData(),
        *(
            sa.Column(column.name, column.type, primary_key=column.primary_key, nullable=column.nullable)
            for column in EVENTS.columns
            if column.name not in ("data", "sender_id")
        ),
        sa.Column("sender_id", sa.Text, nullable=False),
        sa.Column("metadata", sa.Text),
    )
    found = differences_from(changed)
    assert [line.split(":")[0] for line in found] == ["column data", "column metadata", "column sender_id"]
    assert "missing" in found[0] and "Text() not null, expected String(length=255) not null" in found[2]


def test_rows_read_through_it_are_what_rasas_store_wrote(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.sqlite3'}"
    events = [
        ActionExecuted("action_listen", timestamp=time.time()),
        UserUttered("hello", intent={"name": "greet", "confidence": 1.0}, timestamp=time.time()),
        SlotSet("escalated", True, timestamp=time.time()),
    ]
    asyncio.run(SQLTrackerStore(Domain.empty(), host=url).save(DialogueStateTracker.from_events("conv", events)))
    with sa.create_engine(url).connect() as connection:
        rows = connection.execute(sa.select(EVENTS).order_by(EVENTS.c.id)).mappings().all()
    assert [row["sender_id"] for row in rows] == ["conv"] * 3
    written = [{key: row[key] for key in row.keys() if key not in ("id", "sender_id")} for row in rows]
    expected = [event_row(event.as_dict()) for event in events]
    assert [{**row, "data": json.loads(row["data"])} for row in written] == [
        {**row, "data": json.loads(row["data"])} for row in expected
    ]


def test_the_tracker_store_refuses_to_start_on_a_table_it_does_not_know(tmp_path: Path) -> None:
    changed = ["column data: missing, expected Text()"]
    with mock.patch.object(tracker_store, "differences_from", return_value=changed):
        with pytest.raises(tracker_store.EventsTableChangedError, match="column data: missing"):
            tracker_store.DurableSQLTrackerStore(
                Domain.empty(), host=f"sqlite:///{tmp_path / 'events.sqlite3'}", spool_dir=str(tmp_path / "spool")
            )
