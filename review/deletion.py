"""Erasing a conversation everywhere it left a trace, on request or when retention expires.

The satellites go first (call-back details, notes, escalations), the tracker events last:
if anything fails half-way, the conversation is still listed and the next attempt (or the
next retention run, which starts from the events) finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.engine import Engine

from confidant.contact_vault import ContactVault
from confidant.notify.outbox import Outbox
from review.followup import FollowUp
from review.tracker_events import EVENTS


@dataclass(frozen=True)
class Erased:
    conversation_id: str
    events: int
    contacts: int
    notes: int
    escalations: int

    def describe(self) -> str:
        return (
            f"{self.events} events, {self.contacts} call-back details, {self.notes} notes, "
            f"{self.escalations} escalations"
        )


class ConversationEraser:
    """Deletes through the privileged tracker-store URL; the review pages never hold it."""

    def __init__(self, engine: Engine, vault: ContactVault, outbox: Outbox, followup: FollowUp) -> None:
        self.engine = engine
        self.vault = vault
        self.outbox = outbox
        self.followup = followup

    def erase(self, conversation_id: str) -> Erased:
        contacts = self.vault.delete_conversation(conversation_id)
        notes = self.followup.forget_conversation(conversation_id)
        escalations = self.outbox.forget_conversation(conversation_id)
        events = 0
        if inspect(self.engine).has_table(EVENTS.name):
            with self.engine.begin() as connection:
                events = connection.execute(delete(EVENTS).where(EVENTS.c.sender_id == conversation_id)).rowcount
        return Erased(conversation_id, int(events), int(contacts), int(notes), int(escalations))

    def expired(self, retention_days: int, now: Optional[datetime] = None) -> List[str]:
        """Conversations whose last event is older than the retention period."""
        if not inspect(self.engine).has_table(EVENTS.name):
            return []
        cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=retention_days)).timestamp()
        query = (
            select(EVENTS.c.sender_id)
            .group_by(EVENTS.c.sender_id)
            .having(func.max(EVENTS.c.timestamp) < cutoff)
            .order_by(EVENTS.c.sender_id)
        )
        with self.engine.connect() as connection:
            return [row[0] for row in connection.execute(query)]

    def purge_expired(self, retention_days: int, now: Optional[datetime] = None) -> List[Erased]:
        return [self.erase(conversation_id) for conversation_id in self.expired(retention_days, now)]
