"""Erasing a conversation everywhere it left a trace, on request or when retention expires.

Every copy: call-back details, notes and resolutions, escalations and their notifications,
the SMS number store (encrypted number, opt-out, offered choices), events spooled on disk
while the database was down (else they would bring the conversation back when it returns),
and the tracker events. The audit log holds only keyed references, so it keeps no identifier;
exports that already left cannot be recalled, so the result says how many there were.

The satellites go first, the tracker events last: if anything fails half-way, the
conversation is still listed and the next attempt (or the next retention run, which starts
from the events and from leftovers in every satellite) finishes the job. SQLite stores are
opened with secure_delete and their write-ahead logs emptied, so erased rows are overwritten.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, List, Optional

from sqlalchemy import delete, func, inspect, select
from sqlalchemy.engine import Engine

from confidant.channels.sms.store import STORE_PATH_ENV_VAR, SmsStore
from confidant.contact_vault import ContactVault
from confidant.notify.outbox import Outbox
from confidant.store.event_spool import DEFAULT_SPOOL_DIR, SPOOL_DIR_ENV_VAR, EventSpool
from confidant.store.events_table import EVENTS
from review.storage.audit import AuditLog
from review.storage.followup import FollowUp


@dataclass(frozen=True)
class Erased:
    conversation_id: str
    events: int
    contacts: int
    notes: int
    escalations: int
    spooled_events: int = 0
    sms_records: bool = False
    exports: int = 0  # exports that had already taken a copy out of the app

    def describe(self) -> str:
        text = (
            f"{self.events} events, {self.spooled_events} spooled events, {self.contacts} call-back details, "
            f"{self.notes} notes, {self.escalations} escalations" + (", SMS number store" if self.sms_records else "")
        )
        if self.exports:
            text += f"; had left in {self.exports} export(s), which deletion cannot reach"
        return text


def default_sms_store_path() -> Path:
    from confidant.channels.sms.store import DEFAULT_STORE_PATH

    return Path(os.environ.get(STORE_PATH_ENV_VAR) or DEFAULT_STORE_PATH)


def default_spool_dir() -> Path:
    return Path(os.environ.get(SPOOL_DIR_ENV_VAR) or DEFAULT_SPOOL_DIR)


class ConversationEraser:
    """Deletes through the privileged tracker-store URL; the review pages never hold it."""

    def __init__(
        self,
        engine: Engine,
        vault: ContactVault,
        outbox: Outbox,
        followup: FollowUp,
        audit: Optional[AuditLog] = None,
        sms_store_path: Optional[Path] = None,
        spool_dir: Optional[Path] = None,
        sms_key: Optional[Callable[[], bytes]] = None,
    ) -> None:
        self.engine = engine
        self.vault = vault
        self.outbox = outbox
        self.followup = followup
        self.audit = audit
        self.sms_store_path = sms_store_path or default_sms_store_path()
        self.spool_dir = spool_dir or default_spool_dir()
        self._sms_key = sms_key
        self._sms: Optional[SmsStore] = None

    def _sms_store(self) -> Optional[SmsStore]:
        """The SMS number store, if this practice has one (opened on first use, never created)."""
        if self._sms is None and self.sms_store_path.exists():
            self._sms = SmsStore(self.sms_store_path, key=self._sms_key() if self._sms_key else None)
        return self._sms

    def _spool(self) -> Optional[EventSpool]:
        return EventSpool(self.spool_dir) if self.spool_dir.exists() else None

    def erase(self, conversation_id: str) -> Erased:
        contacts = self.vault.delete_conversation(conversation_id)
        notes = self.followup.forget_conversation(conversation_id)
        escalations = self.outbox.forget_conversation(conversation_id)
        sms = self._sms_store()
        sms_records = False
        if sms is not None:
            sms_records = bool(sms.address_for(conversation_id)) or sms.is_opted_out(conversation_id)
            sms.forget(conversation_id)
        spool = self._spool()
        spooled = spool.forget(conversation_id) if spool is not None else 0
        events = 0
        if inspect(self.engine).has_table(EVENTS.name):
            with self.engine.begin() as connection:
                events = connection.execute(delete(EVENTS).where(EVENTS.c.sender_id == conversation_id)).rowcount
        exports = len(self.audit.exports_of(conversation_id)) if self.audit is not None else 0
        return Erased(
            conversation_id, int(events), int(contacts), int(notes), int(escalations), spooled, sms_records, exports
        )

    def expired(self, retention_days: int, now: Optional[datetime] = None) -> List[str]:
        """Conversations past the retention period: by their last event, and leftovers without events.

        A leftover is a conversation that only a satellite still remembers (an escalation, call-back
        details, an SMS number, spooled events), last touched before the cutoff: e.g. events
        purged by an older version that left the number store alone, or spooled and never written.
        """
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=retention_days)
        expired = set()
        with_events = set()
        if inspect(self.engine).has_table(EVENTS.name):
            by_last_event = select(EVENTS.c.sender_id, func.max(EVENTS.c.timestamp)).group_by(EVENTS.c.sender_id)
            with self.engine.connect() as connection:
                for sender_id, last in connection.execute(by_last_event):
                    with_events.add(sender_id)
                    if last < cutoff.timestamp():
                        expired.add(sender_id)
        leftovers = set(self.vault.conversations_older_than(cutoff))
        leftovers |= set(self.outbox.conversations_older_than(cutoff))
        sms = self._sms_store()
        if sms is not None:
            leftovers |= set(sms.pseudonyms_older_than(cutoff.timestamp()))
        spool = self._spool()
        if spool is not None:
            leftovers |= set(spool.senders_older_than(cutoff.timestamp()))
        return sorted(expired | (leftovers - with_events))

    def purge_expired(self, retention_days: int, now: Optional[datetime] = None) -> List[Erased]:
        return [self.erase(conversation_id) for conversation_id in self.expired(retention_days, now)]
