"""Whether a turn's events reached the database: the tracker store's signal to the channel that ran the turn.

Rasa wraps every tracker store in a FailSafeTrackerStore that swallows a failed save, so the
channel cannot see one in what `on_new_message` returns or raises. The channel opens a watch
around the turn (`watching_storage`); the store, running inside that turn, marks it
(`report_unstored`) when it had to spool the events instead. The watch belongs to that one turn
(a context variable), so nothing is left behind for a later turn or another conversation, and a
turn run without a watch (a tool, a test) is simply not reported.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator, Optional


@dataclass
class TurnStorage:
    """What the tracker store did with one turn's events."""

    unstored: bool = False  # kept in the spool on disk, not (yet) in the database


_current: ContextVar[Optional[TurnStorage]] = ContextVar("confidant_turn_storage", default=None)


@contextmanager
def watching_storage() -> Iterator[TurnStorage]:
    """Around one turn (`await on_new_message(...)`): what became of its events, once it is done."""
    storage = TurnStorage()
    token = _current.set(storage)
    try:
        yield storage
    finally:
        _current.reset(token)


def report_unstored() -> None:
    """Called by the tracker store: this turn's events went to the spool, not the database."""
    storage = _current.get()
    if storage is not None:
        storage.unstored = True
