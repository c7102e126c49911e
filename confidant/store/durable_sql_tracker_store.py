"""Rasa's SQL tracker store, made loud and lossless when the database fails.

Stock behaviour: a failed save is logged and the conversation carries on in memory; the
events are gone. Here:
- every database call is retried briefly, off the event loop (no blocking of other chats);
- if the database is still down, the turn goes ahead from the last tracker held in memory
  (so a crisis message is still answered), its new events are written to a local spool on
  disk, and the save raises `TrackerStoreUnavailable`: the channel answers 503 with the
  messages already produced, so the failure is visible, never silent;
- spooled events are written, in order, as soon as the database answers again, before
  that conversation is read, so nothing is lost or reordered.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Text, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from confidant.settings import PROJECT_ROOT
from confidant.store.event_spool import EventSpool

logger = logging.getLogger(__name__)

SPOOL_DIR_ENV_VAR = "CONFIDANT_EVENT_SPOOL_DIR"
DEFAULT_SPOOL_DIR = PROJECT_ROOT / "var" / "event-spool"
RETRY_DELAYS_SECONDS = (0.1, 0.4)
RECENT_TRACKERS = 2000

Result = TypeVar("Result")


class TrackerStoreUnavailable(RasaException):
    """The database did not take this turn's events; they are spooled on disk."""


# Rasa wraps every tracker store in a FailSafeTrackerStore that swallows save errors, so the
# channels ask here whether a conversation's last turn could not be stored.
_UNSTORED_TURNS: set = set()


def last_turn_unstored(sender_id: Text) -> bool:
    """True (once) if the conversation's last turn went to the spool instead of the database."""
    if sender_id in _UNSTORED_TURNS:
        _UNSTORED_TURNS.discard(sender_id)
        return True
    return False


class DurableSQLTrackerStore(SQLTrackerStore):
    """`tracker_store: type: confidant.store.durable_sql_tracker_store.DurableSQLTrackerStore`."""

    def __init__(self, domain: Optional[Domain] = None, spool_dir: Optional[Text] = None, **kwargs: Any) -> None:
        kwargs.setdefault("host", kwargs.pop("url", None))
        super().__init__(domain, **kwargs)
        self.spool = EventSpool(Path(spool_dir or os.environ.get(SPOOL_DIR_ENV_VAR) or DEFAULT_SPOOL_DIR))
        # Last known state of recent conversations, to carry on through an outage.
        self._recent: "collections.OrderedDict[Text, DialogueStateTracker]" = collections.OrderedDict()
        self._stored_counts: Dict[Text, int] = {}

    # ---- reading ---------------------------------------------------------------------------

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        try:
            tracker = await self._with_retries(lambda: self._retrieve_sync(sender_id, False))
        except sa.exc.SQLAlchemyError as error:
            logger.error("Tracker store unavailable on read (%s): carrying on from memory", type(error).__name__)
            cached = self._recent.get(sender_id)
            return cached.copy() if cached else None
        if tracker is not None:
            self._stored_counts[sender_id] = len(tracker.events)
        return tracker

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self._with_retries(lambda: self._retrieve_sync(conversation_id, True))

    def _retrieve_sync(self, sender_id: Text, all_sessions: bool) -> Optional[DialogueStateTracker]:
        self._flush_spool(sender_id)
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=all_sessions).all()
            events = [json.loads(row.data) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    # ---- writing ---------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        known = self._stored_counts.get(sender_id)
        new_events = list(tracker.events)[known:] if known is not None else None
        try:
            await self._with_retries(lambda: self._save_sync(tracker))
        except sa.exc.SQLAlchemyError as error:
            if new_events is None:
                new_events = list(tracker.events)
            self.spool.append(sender_id, [self._row(event.as_dict()) for event in new_events])
            self._remember(tracker)
            _UNSTORED_TURNS.add(sender_id)
            logger.error(
                "Tracker store unavailable on write (%s): %s events of conversation %s spooled",
                type(error).__name__,
                len(new_events),
                sender_id,
            )
            raise TrackerStoreUnavailable("The conversation store is unavailable; events were kept on disk.") from None
        self._remember(tracker)

    def _save_sync(self, tracker: DialogueStateTracker) -> None:
        self._flush_spool(tracker.sender_id)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                session.add(self.SQLEvent(sender_id=tracker.sender_id, **self._row(event.as_dict())))
            session.commit()
        self._stored_counts[tracker.sender_id] = len(tracker.events)

    def _remember(self, tracker: DialogueStateTracker) -> None:
        self._recent[tracker.sender_id] = tracker.copy()
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > RECENT_TRACKERS:
            evicted, _ = self._recent.popitem(last=False)
            self._stored_counts.pop(evicted, None)
        self._stored_counts[tracker.sender_id] = len(tracker.events)

    @staticmethod
    def _row(data: Dict[str, Any]) -> Dict[str, Any]:
        return {
            "type_name": data.get("event"),
            "timestamp": data.get("timestamp"),
            "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    # ---- the spool -------------------------------------------------------------------------

    def _flush_spool(self, sender_id: Text) -> None:
        """Write a conversation's spooled events before anything else touches it."""
        path, rows = self.spool.read_for(sender_id)
        if not rows:
            return
        with self.session_scope() as session:
            for row in rows:
                session.add(self.SQLEvent(**row))
            session.commit()
        self.spool.remove(path)
        logger.warning("Wrote %s spooled events of conversation %s", len(rows), sender_id)

    def flush_all(self) -> int:
        """Write every spooled conversation; returns how many events were written."""
        written = 0
        for path, rows in self.spool.pending():
            if rows:
                self._flush_spool(rows[0]["sender_id"])
                written += len(rows)
            else:
                self.spool.remove(path)
        return written

    async def _with_retries(self, call: Callable[[], Result]) -> Result:
        loop = asyncio.get_running_loop()
        for delay in (*RETRY_DELAYS_SECONDS, None):
            try:
                return await loop.run_in_executor(None, call)
            except sa.exc.SQLAlchemyError:
                if delay is None:
                    raise
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
