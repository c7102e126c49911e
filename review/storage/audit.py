"""The audit log: who looked at, exported, acknowledged, noted, revealed or deleted what, and when.

Append-only from the app's point of view: there is no route that edits or removes entries.
It never holds a client identifier or client text in clear: a conversation is named by a keyed
reference (`conv:<hmac>`), search terms and free-text reasons by a keyed fingerprint
(`#<hmac>`), so the log outlives a deleted conversation without pointing back to it, while
whoever holds the key can still answer "who looked at conversation X?". Exports record which
conversations left (table audit_exported), so a deletion can say where copies went.

Tamper-evident: every entry carries a keyed hash over its content and the previous entry's
hash; `python -m review.storage.audit verify` recomputes the chain and names the first entry that was
changed, removed or inserted, and a cut-off tail. The key is `CONFIDANT_REVIEW_AUDIT_KEY`, else
a key file made under var/ (keep it: without it the chain cannot be checked).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import secrets
import sys
from dataclasses import dataclass, field
from functools import cache
from typing import Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from confidant.private_files import read_or_create_secret
from confidant.settings import PROJECT_ROOT
from review.storage.appdb import AUDIT_CHAIN, AUDIT_EXPORTED, AUDIT_LOG, stamp

AUDIT_KEY_ENV_VAR = "CONFIDANT_REVIEW_AUDIT_KEY"
DEFAULT_AUDIT_KEY_PATH = PROJECT_ROOT / "var" / "audit.key"

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_LOCKED = "login_locked"
LOGOUT = "logout"
VIEW_LIST = "view_list"
VIEW_TRANSCRIPT = "view_transcript"
VIEW_QUEUE = "view_queue"
EXPORT = "export"
ACKNOWLEDGE = "acknowledge"
NOTE = "note"
RESOLVE = "resolve"
REOPEN = "reopen"
DELETE = "delete"
RETENTION = "retention_purge"
REVEAL = "reveal"
REVEAL_CALLBACK = "reveal_callback"
ACCOUNT_CREATED = "account_created"
ACCOUNT_REMOVED = "account_removed"
ACCOUNT_PASSWORD = "account_password"
THROTTLE_CLEARED = "throttle_cleared"
VIEW_INSIGHTS = "view_insights"
VIEW_ADMIN = "view_admin"
REFUSED = "refused"
VIEW_APPOINTMENTS = "view_appointments"
REVEAL_APPOINTMENT = "reveal_appointment"
APPOINTMENT_STATUS = "appointment_status"
ACTIONS = (
    LOGIN,
    LOGIN_FAILED,
    LOGIN_LOCKED,
    LOGOUT,
    VIEW_LIST,
    VIEW_TRANSCRIPT,
    VIEW_QUEUE,
    EXPORT,
    ACKNOWLEDGE,
    NOTE,
    RESOLVE,
    REOPEN,
    DELETE,
    RETENTION,
    REVEAL,
    REVEAL_CALLBACK,
    ACCOUNT_CREATED,
    ACCOUNT_REMOVED,
    ACCOUNT_PASSWORD,
    THROTTLE_CLEARED,
    VIEW_INSIGHTS,
    VIEW_ADMIN,
    REFUSED,
    VIEW_APPOINTMENTS,
    REVEAL_APPOINTMENT,
    APPOINTMENT_STATUS,
)
# Actions whose target is one conversation (stored as its keyed reference), unless the target
# is one of the collections below.
CONVERSATION_ACTIONS = frozenset(
    (
        VIEW_TRANSCRIPT,
        EXPORT,
        ACKNOWLEDGE,
        NOTE,
        RESOLVE,
        DELETE,
        RETENTION,
        REVEAL,
        REVEAL_CALLBACK,
        REVEAL_APPOINTMENT,
        APPOINTMENT_STATUS,
    )
)
COLLECTIONS = frozenset(("conversations", "escalations", "appointments"))
CHAIN_ROW = 1


def load_audit_key() -> bytes:
    """The audit key: `CONFIDANT_REVIEW_AUDIT_KEY`, else var/audit.key (made once, 0600)."""
    key = os.environ.get(AUDIT_KEY_ENV_VAR)
    if key:
        return key.encode("utf-8")
    return read_or_create_secret(DEFAULT_AUDIT_KEY_PATH, lambda: secrets.token_hex(32).encode("ascii"))


def _mac(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


@cache
def _process_key() -> bytes:
    return load_audit_key()


def conversation_ref(conversation_id: str, key: bytes) -> str:
    """How the log names a conversation: a keyed reference, never its id."""
    return "conv:" + _mac(key, "conversation", conversation_id)[:24]


def fingerprint(text: str, key: Optional[bytes] = None) -> str:
    """A keyed fingerprint of free text (a search term, a reason): comparable, not readable."""
    return "#" + _mac(key or _process_key(), "text", " ".join(text.casefold().split()))[:16]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: str
    address: str


class AuditLog:
    def __init__(self, engine: Engine, key: Optional[bytes] = None) -> None:
        self.engine = engine
        self.key = key or load_audit_key()

    def conversation_ref(self, conversation_id: str) -> str:
        return conversation_ref(conversation_id, self.key)

    def fingerprint(self, text: str) -> str:
        return fingerprint(text, self.key)

    def stored_target(self, action: str, target: str) -> str:
        if action in CONVERSATION_ACTIONS and target and target not in COLLECTIONS:
            return self.conversation_ref(target)
        return target

    def record(
        self,
        actor: str,
        action: str,
        target: str = "",
        detail: str = "",
        address: str = "",
        exported: Sequence[str] = (),
    ) -> int:
        """Append one entry (chained to the one before); `exported`: the conversations an export sent out."""
        values = {
            "at": stamp(),
            "actor": actor[:64],
            "action": action,
            "target": self.stored_target(action, target)[:255],
            "detail": detail[:2000],
            "address": address[:64],
        }
        for _ in range(5):
            try:
                with self.engine.begin() as connection:
                    entry_id = self._append(connection, values)
                    refs = sorted({self.conversation_ref(conversation_id) for conversation_id in exported})
                    if refs:
                        connection.execute(
                            insert(AUDIT_EXPORTED), [{"entry_id": entry_id, "conversation_ref": ref} for ref in refs]
                        )
                    return entry_id
            except IntegrityError:
                continue  # the chain's row was created by another process at the same moment
        raise RuntimeError("audit log: could not append")

    def _append(self, connection: Connection, values: dict) -> int:
        # First statement a write on the chain row: appends are serialised from here on.
        bumped = connection.execute(
            update(AUDIT_CHAIN).where(AUDIT_CHAIN.c.id == CHAIN_ROW).values(entries=AUDIT_CHAIN.c.entries + 1)
        ).rowcount
        if not bumped:
            connection.execute(insert(AUDIT_CHAIN).values(id=CHAIN_ROW, entries=1, last_hash=None))
        previous = connection.execute(select(AUDIT_CHAIN.c.last_hash).where(AUDIT_CHAIN.c.id == CHAIN_ROW)).scalar()
        entry_id = int(connection.execute(insert(AUDIT_LOG).values(**values)).inserted_primary_key[0])
        entry_hash = entry_mac(self.key, previous or "", entry_id, values)
        connection.execute(
            update(AUDIT_LOG).where(AUDIT_LOG.c.id == entry_id).values(prev_hash=previous, entry_hash=entry_hash)
        )
        connection.execute(update(AUDIT_CHAIN).where(AUDIT_CHAIN.c.id == CHAIN_ROW).values(last_hash=entry_hash))
        return entry_id

    def exports_of(self, conversation_id: str) -> List[AuditEntry]:
        """The export entries that sent this conversation out of the app (copies deletion cannot reach)."""
        ref = self.conversation_ref(conversation_id)
        query = (
            select(AUDIT_LOG)
            .join(AUDIT_EXPORTED, AUDIT_EXPORTED.c.entry_id == AUDIT_LOG.c.id)
            .where(AUDIT_EXPORTED.c.conversation_ref == ref)
            .order_by(AUDIT_LOG.c.id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [_entry(row) for row in rows]

    def entries(
        self,
        limit: int = 100,
        offset: int = 0,
        actor: Optional[str] = None,
        action: Optional[str] = None,
        target: Optional[str] = None,
    ) -> Tuple[List[AuditEntry], int]:
        """Newest first, with the total count for paging; `target` may be a conversation id."""
        conditions = []
        if actor:
            conditions.append(AUDIT_LOG.c.actor == actor)
        if action:
            conditions.append(AUDIT_LOG.c.action == action)
        if target:
            conditions.append(or_(AUDIT_LOG.c.target == target, AUDIT_LOG.c.target == self.conversation_ref(target)))
        query = select(AUDIT_LOG).where(*conditions).order_by(AUDIT_LOG.c.id.desc()).limit(limit).offset(offset)
        count = select(func.count()).select_from(AUDIT_LOG).where(*conditions)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            total = connection.execute(count).scalar_one()
        return [_entry(row) for row in rows], int(total)


def _entry(row: object) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.actor, row.action, row.target, row.detail, row.address)  # type: ignore[attr-defined]


def entry_mac(key: bytes, previous: str, entry_id: int, values: dict) -> str:
    """The keyed hash of one entry: its id and every field, after the previous entry's hash."""
    fields = (str(values[name] or "") for name in ("at", "actor", "action", "target", "detail", "address"))
    return _mac(key, "entry", previous, str(entry_id), *fields)


@dataclass
class Verification:
    entries: int = 0
    before_chain: int = 0  # entries written before this version kept a chain (not checkable)
    problems: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(engine: Engine, key: bytes) -> Verification:
    """Recompute the chain; every changed, removed, inserted or cut-off entry is a problem."""
    result = Verification()
    previous = ""
    chained = False
    with engine.connect() as connection:
        rows: Iterable = connection.execute(select(AUDIT_LOG).order_by(AUDIT_LOG.c.id))
        for row in rows:
            result.entries += 1
            if row.entry_hash is None and not chained:
                result.before_chain += 1
                continue
            values = {name: getattr(row, name) for name in ("at", "actor", "action", "target", "detail", "address")}
            if (row.prev_hash or "") != previous:
                result.problems.append(f"entry {row.id}: does not follow the entry before it (one removed or inserted)")
            elif not hmac.compare_digest(row.entry_hash or "", entry_mac(key, previous, row.id, values)):
                result.problems.append(f"entry {row.id}: its content or hash was changed")
            chained = True
            previous = row.entry_hash or ""
            if len(result.problems) >= 20:
                break
        head = connection.execute(select(AUDIT_CHAIN.c.last_hash).where(AUDIT_CHAIN.c.id == CHAIN_ROW)).scalar()
    if not result.problems and (head or "") != previous:
        result.problems.append("the newest entries are missing (the chain's head names a later entry)")
    return result


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="The review app's audit log.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("verify", help="check the hash chain: exit 1 if any entry was changed or removed")
    parser.parse_args(argv)
    from review.config import ReviewConfig
    from review.storage.appdb import open_review_db

    result = verify(open_review_db(ReviewConfig.from_env().review_db_url), load_audit_key())
    for problem in result.problems:
        print(f"TAMPERED {problem}")
    before = f" ({result.before_chain} older entries from before the chain)" if result.before_chain else ""
    if result.ok:
        print(f"audit log intact: {result.entries} entries{before}")
        return 0
    print(f"audit log NOT intact: {len(result.problems)} problem(s) in {result.entries} entries{before}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
