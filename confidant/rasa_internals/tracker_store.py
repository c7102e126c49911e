"""Rasa's SQL tracker store, made loud and lossless when the database fails.

Stock behaviour: a failed save is logged and the conversation carries on in memory; the
events are gone. Here:
- every database call is retried briefly, off the event loop (no blocking of other chats);
- if the database is still down, the turn goes ahead from the last tracker held in memory
  (so a crisis message is still answered), its new events are written to a local spool on
  disk, the store tells the channel that ran the turn (confidant/store/turn_storage.py: REST
  answers 503 with the messages already produced, the web chat gets an error event, SMS logs
  it), and the save raises `TrackerStoreUnavailable`, so the failure is visible, never silent;
- spooled events are written, in order, as soon as the database answers again, before
  that conversation is read, so nothing is lost or reordered; while the spool holds events a
  background retry keeps trying on its own schedule, so a quiet night does not leave them on
  disk until someone writes again.

It also reads only the recent window of a session (`tracker_window`), so that a turn costs
the same at turn 200 as at turn 2; `retrieve_full_tracker` still reads everything. And when
nothing was written to a conversation since this process saved it (one query on the last row
id tells), the tracker it saved is the next turn's read: no rows to parse, no replay.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Text, Tuple, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from confidant.private_files import private_sqlite_url
from confidant.store import tracker_window
from confidant.store.event_spool import DEFAULT_SPOOL_DIR, SPOOL_DIR_ENV_VAR, EventSpool
from confidant.store.events_table import differences_from, event_row
from confidant.store.turn_storage import report_unstored

logger = logging.getLogger(__name__)

RETRY_DELAYS_SECONDS = (0.1, 0.4)
# After an outage spooled events: waits before each attempt to write the spool, the last
# one repeated until the spool is empty (no traffic needed to notice the database is back).
SPOOL_DRAIN_DELAYS_SECONDS = (2.0, 5.0, 15.0, 30.0, 60.0)
RECENT_TRACKERS = 2000
# Turns handed to Rasa in full (0: the whole session). Must cover memoization's max_history.
DEFAULT_WINDOW_TURNS = 10

Result = TypeVar("Result")


class TrackerStoreUnavailable(RasaException):
    """The database did not take this turn's events; they are spooled on disk."""


class EventsTableChangedError(RuntimeError):
    """Rasa declares its events table differently from `events_table.EVENTS` (a Rasa upgrade)."""


# How many of a tracker's events are already in the database (or the spool). Kept on the
# tracker itself: a windowed tracker holds fewer events than the database, so Rasa's way of
# finding new events (count the stored rows) would skip them.
_STORED_EVENTS_ATTRIBUTE = "_confidant_stored_events"


def _mark_stored(tracker: DialogueStateTracker) -> DialogueStateTracker:
    setattr(tracker, _STORED_EVENTS_ATTRIBUTE, len(tracker.events))
    return tracker


def _stored_count(tracker: DialogueStateTracker) -> int:
    """Events of a tracker not read from this store (a new conversation) are all new."""
    return getattr(tracker, _STORED_EVENTS_ATTRIBUTE, 0)


# The id of the conversation's last row in the database when this tracker matched it (None
# once that is not known, e.g. after a spooled save). Also kept on the tracker itself.
_LAST_ROW_ATTRIBUTE = "_confidant_last_row_id"


def _last_row_id(tracker: DialogueStateTracker) -> Optional[int]:
    return getattr(tracker, _LAST_ROW_ATTRIBUTE, None)


def _mark_last_row(tracker: DialogueStateTracker, row_id: Optional[int]) -> DialogueStateTracker:
    setattr(tracker, _LAST_ROW_ATTRIBUTE, row_id)
    return tracker


class DurableSQLTrackerStore(SQLTrackerStore):
    """`tracker_store: type: confidant.rasa_internals.tracker_store.DurableSQLTrackerStore`."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        spool_dir: Optional[Text] = None,
        window_turns: int = DEFAULT_WINDOW_TURNS,
        spool_drain_delays: Tuple[float, ...] = SPOOL_DRAIN_DELAYS_SECONDS,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("host", kwargs.pop("url", None))
        private_sqlite_url(kwargs["host"] if "://" in str(kwargs["host"] or "") else None)
        super().__init__(domain, **kwargs)
        changed = differences_from(self.SQLEvent.__table__)
        if changed:
            raise EventsTableChangedError(
                "Rasa's events table is not the one the reconciler and the review tool read "
                f"(confidant/store/events_table.py): {'; '.join(changed)}"
            )
        self.spool = EventSpool(Path(spool_dir or os.environ.get(SPOOL_DIR_ENV_VAR) or DEFAULT_SPOOL_DIR))
        # Last known state of recent conversations, to carry on through an outage.
        self._recent: "collections.OrderedDict[Text, DialogueStateTracker]" = collections.OrderedDict()
        self.window_turns = int(window_turns)
        self._background_flush: Optional[asyncio.Future] = None
        self.spool_drain_delays = tuple(float(delay) for delay in spool_drain_delays)
        self._drainer: Optional[asyncio.Task] = None
        self._spool_may_hold_events = True  # until a first flush has looked
        # Saves spooled by this process so far: the retry stops only if none came in while it looked.
        self._spooled_saves = 0

    # ---- reading ---------------------------------------------------------------------------

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The session's recent window (see `tracker_window`), for the next turn."""
        reusable = self._reusable(sender_id)
        try:
            tracker = await self._with_retries(lambda: self._retrieve_sync(sender_id, False, reusable))
        except sa.exc.SQLAlchemyError as error:
            logger.error("Tracker store unavailable on read (%s): carrying on from memory", type(error).__name__)
            cached = self._recent.get(sender_id)
            return _mark_last_row(_mark_stored(cached.copy()), None) if cached else None
        return tracker

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self._with_retries(lambda: self._retrieve_sync(conversation_id, True))

    def _reusable(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker this process last saved for the conversation, if it can stand for a read.

        It can while nothing was added to it since it matched the database (a turn that failed
        half-way leaves unsaved events: then it is read afresh), and while it is no longer than
        twice the window (so a long conversation is cut back to the window every few turns).
        Whether the database still ends where it did is asked in `_retrieve_sync`.
        """
        tracker = self._recent.get(sender_id)
        if tracker is None or _last_row_id(tracker) is None or len(tracker.events) != _stored_count(tracker):
            return None
        if self.window_turns and tracker_window.turns_in(tracker.events) > 2 * self.window_turns:
            return None
        return tracker

    def _retrieve_sync(
        self, sender_id: Text, all_sessions: bool, reusable: Optional[DialogueStateTracker] = None
    ) -> Optional[DialogueStateTracker]:
        self._flush_spool(sender_id)
        with self.session_scope() as session:
            if reusable is not None and self._last_row_in_database(session, sender_id) == _last_row_id(reusable):
                # Nothing was written to this conversation since this process saved it, by
                # another instance or worker either: the tracker in hand is what a read gives.
                return reusable
            if all_sessions or not self.window_turns:
                events, last_row = self._all_of(self._event_query(session, sender_id, all_sessions))
            else:
                events, last_row = self._windowed_events(session, sender_id)
        if self.domain and events:
            tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
            return _mark_last_row(_mark_stored(tracker), last_row)
        return None

    def _last_row_in_database(self, session: Any, sender_id: Text) -> Optional[int]:
        return session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id).scalar()

    def _windowed_events(self, session: Any, sender_id: Text) -> Tuple[List[Dict[str, Any]], Optional[int]]:
        """The last `window_turns` turns in full, and before them only what set state; the last row id."""
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        listens = query.filter(
            self.SQLEvent.type_name == "action", self.SQLEvent.action_name == tracker_window.LISTEN_ACTION
        )
        window_start = (
            listens.with_entities(self.SQLEvent.id)
            .order_by(None)
            .order_by(self.SQLEvent.id.desc())
            .offset(self.window_turns)
            .limit(1)
            .scalar()
        )
        if window_start is None:  # a short conversation: all of it
            return self._all_of(query)
        sets_state = sa.or_(
            self.SQLEvent.type_name.in_(tracker_window.PREFIX_EVENT_TYPES),
            sa.and_(
                self.SQLEvent.type_name == "action",
                self.SQLEvent.action_name == tracker_window.SESSION_START_ACTION,
            ),
        )
        before_rows = self._event_rows(query.filter(self.SQLEvent.id < window_start, sets_state))
        before = self._rows_to_events(before_rows)
        if tracker_window.rewrites_history(before):
            before = self._applied_before_window(query, window_start, zip(before_rows, before, strict=True))
        recent, last_row = self._all_of(query.filter(self.SQLEvent.id >= window_start))
        carried = tracker_window.carried_state(before)
        if tracker_window.undo_reaches_before(carried, recent):
            return self._all_of(query)
        return carried + recent, last_row

    def _applied_before_window(
        self, query: Any, window_start: int, state_events: Iterable[Tuple[Any, Dict[str, Any]]]
    ) -> List[Dict[str, Any]]:
        """The state events before the window that a restart or undo (a fallback's rewind) left standing.

        Reads the user messages and actions before the window as markers (id, kind, action
        name; not their data), enough to place each undo, instead of the whole session.
        """
        markers = query.filter(
            self.SQLEvent.id < window_start, self.SQLEvent.type_name.in_(tracker_window.TURN_MARKER_EVENT_TYPES)
        ).with_entities(self.SQLEvent.id, self.SQLEvent.type_name, self.SQLEvent.action_name)
        by_id = {row.id: tracker_window.turn_marker(row.type_name, row.action_name) for row in markers.all()}
        by_id.update((row.id, event) for row, event in state_events)
        return tracker_window.applied_state_events([by_id[row_id] for row_id in sorted(by_id)])

    def _all_of(self, query: Any) -> Tuple[List[Dict[str, Any]], Optional[int]]:
        rows = self._event_rows(query)
        return self._rows_to_events(rows), max((row.id for row in rows), default=None)

    def _event_rows(self, query: Any) -> List[Any]:
        """Only the ids and serialised events: building an ORM object per row was wasted work."""
        return query.with_entities(self.SQLEvent.id, self.SQLEvent.data).all()

    @staticmethod
    def _rows_to_events(rows: List[Any]) -> List[Dict[str, Any]]:
        return [json.loads(row.data) for row in rows]

    # ---- writing ---------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        new_events = list(tracker.events)[_stored_count(tracker) :]
        try:
            last_row = await self._with_retries(lambda: self._save_sync(sender_id, new_events))
        except sa.exc.SQLAlchemyError as error:
            self.spool.append(sender_id, [event_row(event.as_dict()) for event in new_events])
            self._spooled_saves += 1
            self._spool_may_hold_events = True
            self._drain_until_empty()
            self._remember(_mark_last_row(tracker, None))  # read afresh once the database is back
            report_unstored()  # Rasa swallows the error below: the channel learns it here
            logger.error(
                "Tracker store unavailable on write (%s): %s events of conversation %s spooled",
                type(error).__name__,
                len(new_events),
                sender_id,
            )
            raise TrackerStoreUnavailable("The conversation store is unavailable; events were kept on disk.") from None
        if last_row is not None:
            _mark_last_row(tracker, last_row)
        self._remember(tracker)
        self._flush_others_in_background()

    def _save_sync(self, sender_id: Text, new_events: List[Event]) -> Optional[int]:
        """Write the new events; the id of the last row written (None if there were none)."""
        self._flush_spool(sender_id)
        if not new_events:
            return None
        with self.session_scope() as session:
            rows = [self.SQLEvent(sender_id=sender_id, **event_row(event.as_dict())) for event in new_events]
            session.add_all(rows)
            session.flush()
            last_row = max(row.id for row in rows)
            session.commit()
        return last_row

    def _remember(self, tracker: DialogueStateTracker) -> None:
        """Keep the tracker (not a copy): the next turn's read if untouched, or to carry on through an outage."""
        _mark_stored(tracker)
        self._recent[tracker.sender_id] = tracker
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > RECENT_TRACKERS:
            self._recent.popitem(last=False)

    # ---- the spool -------------------------------------------------------------------------

    def _flush_spool(self, sender_id: Text) -> None:
        """Write a conversation's spooled events before anything else touches it."""
        # Looked at without the lock first (one stat): nothing can be spooling this
        # conversation right now, since its lock is held for this turn.
        if not self.spool.has(sender_id):
            return
        with self.spool.locked(sender_id):
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
        """Write every spooled conversation; returns how many conversations were written."""
        senders = self.spool.pending_senders()
        for sender_id in senders:
            self._flush_spool(sender_id)
        return len(senders)

    def _flush_others_in_background(self) -> None:
        """Once the database answers again, write the spools of conversations that went quiet.

        A conversation's own spool is written when it next speaks; this catches the ones that
        do not, without holding up the turn that noticed. It looks at the spool directory only
        after this process spooled something (or once after start, for a spool left by a
        restart), not on every turn; each process sharing the directory flushes what it spooled.
        """
        if not self._spool_may_hold_events:
            return
        if self._background_flush is not None and not self._background_flush.done():
            return

        def flush_quietly() -> None:
            try:
                self.flush_all()
            except Exception as error:  # not only the database's: a thread that dies silently loses the spool
                self._spool_may_hold_events = True  # try again after the next good save
                logger.error("Spooled events still waiting for the database (%s)", type(error).__name__)

        self._spool_may_hold_events = False  # cleared first: a spool written meanwhile sets it again

        self._background_flush = asyncio.get_running_loop().run_in_executor(None, flush_quietly)

    def _drain_until_empty(self) -> None:
        """Start (once) the retry that writes the spool when the database is back, traffic or not."""
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        """Retry until the spool directory is empty and no save was spooled while it looked.

        A save spooled during the last look (its file maybe not yet readable) finds this retry
        still running and starts none of its own, so the retry must not stop on that look.
        Any error is retried, not only the database's: a retry that died would leave a quiet
        conversation's events on disk until someone spoke again.
        """
        loop = asyncio.get_running_loop()

        def flush_and_look() -> Tuple[int, bool]:
            """Off the event loop: the spool's files are read and written here."""
            return self.flush_all(), self.spool.is_empty()

        for attempt in itertools.count():
            await asyncio.sleep(self.spool_drain_delays[min(attempt, len(self.spool_drain_delays) - 1)])
            spooled_before = self._spooled_saves
            try:
                written, empty = await loop.run_in_executor(None, flush_and_look)
            except Exception as error:
                logger.error("Spooled events still waiting for the database (%s)", type(error).__name__)
                continue
            if written:
                logger.warning("Spool retry wrote %s conversations", written)
            if empty and self._spooled_saves == spooled_before:
                return

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
