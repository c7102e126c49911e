"""A tracker this process saved is handed back for the next turn when the database agrees.

Reading and rebuilding the tracker was the largest part of a turn's database work; when
nothing has been written to the conversation since this process saved it, one query
confirms that and the tracker in hand is used. Anything else means a real read.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import List

import sqlalchemy as sa
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from confidant.rasa_internals.tracker_store import DurableSQLTrackerStore
from confidant.store import tracker_window
from tests.store.test_tracker_window import DOMAIN, WINDOW, new_store, session_start, turn, user_texts
from tests.support.databases import stored_events


def statements_of(store: DurableSQLTrackerStore) -> List[str]:
    """Every SQL statement the store sends from now on."""
    sent: List[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return sent


def add_turn(tracker: DialogueStateTracker, text: str) -> None:
    for event in turn(text):
        tracker.update(event)


async def saved_conversation(store: DurableSQLTrackerStore, sender: str) -> DialogueStateTracker:
    """A session start and one turn, saved: the tracker the store now holds."""
    tracker = DialogueStateTracker.from_events(sender, session_start() + turn("q0"), DOMAIN.slots)
    await store.save(tracker)
    return tracker


def stored_user_texts(store: DurableSQLTrackerStore, sender: str) -> List[str]:
    stored = stored_events(store.engine.url.render_as_string(hide_password=False), sender)
    return [event["text"] for event in stored if event["event"] == "user"]


def test_an_untouched_tracker_is_handed_back_after_one_query(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    sender = "reuse-" + uuid.uuid4().hex

    async def scenario() -> None:
        tracker = await saved_conversation(store, sender)
        sent = statements_of(store)
        again = await store.retrieve(sender)
        assert again is tracker
        assert len(sent) == 1 and "max(events.id)" in sent[0].lower()

    asyncio.run(scenario())


def test_a_turn_written_by_another_instance_is_read(tmp_path: Path) -> None:
    first = new_store(tmp_path)
    second = DurableSQLTrackerStore(
        DOMAIN, host=first.engine.url.render_as_string(hide_password=False), spool_dir=str(tmp_path / "spool")
    )
    sender = "two-" + uuid.uuid4().hex

    async def scenario() -> None:
        tracker = await saved_conversation(first, sender)
        elsewhere = await second.retrieve(sender)
        add_turn(elsewhere, "q1 at the other instance")
        await second.save(elsewhere)
        back = await first.retrieve(sender)
        assert back is not tracker
        assert user_texts(back.events) == ["q0", "q1 at the other instance"]
        add_turn(back, "q2")
        await first.save(back)

    asyncio.run(scenario())
    assert stored_user_texts(first, sender) == ["q0", "q1 at the other instance", "q2"]


def test_a_turn_that_failed_half_way_is_not_carried_into_the_next(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    sender = "half-" + uuid.uuid4().hex

    async def scenario() -> None:
        await saved_conversation(store, sender)
        during = await store.retrieve(sender)
        during.update(UserUttered("never saved", intent={"name": "faq", "confidence": 1.0}))
        after = await store.retrieve(sender)  # the failed turn's tracker is not reused
        assert after is not during
        assert user_texts(after.events) == ["q0"]

    asyncio.run(scenario())


def test_a_long_conversation_is_cut_back_to_the_window(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    sender = "long-" + uuid.uuid4().hex
    longest = 0
    reads = 0

    async def scenario() -> None:
        nonlocal longest, reads
        tracker = DialogueStateTracker.from_events(sender, session_start(), DOMAIN.slots)
        await store.save(tracker)
        previous = tracker
        for number in range(30):
            tracker = await store.retrieve(sender)
            reads += tracker is not previous
            longest = max(longest, tracker_window.turns_in(tracker.events))
            add_turn(tracker, f"q{number}")
            await store.save(tracker)
            previous = tracker

    asyncio.run(scenario())
    assert longest <= 2 * WINDOW + 1
    assert 3 <= reads <= 30 // WINDOW  # a real read every few turns, not every turn
    assert stored_user_texts(store, sender) == [f"q{n}" for n in range(30)]
