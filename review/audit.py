"""The audit log: who looked at, exported, acknowledged, noted, revealed or deleted what, and when.

Append-only from the app's point of view: there is no route that edits or removes entries.
Entries name conversations by id and never quote what a client wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from review.appdb import AUDIT_LOG, stamp

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
)


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
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, actor: str, action: str, target: str = "", detail: str = "", address: str = "") -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(AUDIT_LOG).values(
                    at=stamp(),
                    actor=actor[:64],
                    action=action,
                    target=target[:255],
                    detail=detail[:2000],
                    address=address[:64],
                )
            )

    def entries(
        self,
        limit: int = 100,
        offset: int = 0,
        actor: Optional[str] = None,
        action: Optional[str] = None,
        target: Optional[str] = None,
    ) -> Tuple[List[AuditEntry], int]:
        """Newest first, with the total count for paging."""
        conditions = []
        if actor:
            conditions.append(AUDIT_LOG.c.actor == actor)
        if action:
            conditions.append(AUDIT_LOG.c.action == action)
        if target:
            conditions.append(AUDIT_LOG.c.target == target)
        query = select(AUDIT_LOG).where(*conditions).order_by(AUDIT_LOG.c.id.desc()).limit(limit).offset(offset)
        count = select(func.count()).select_from(AUDIT_LOG).where(*conditions)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            total = connection.execute(count).scalar_one()
        return [AuditEntry(r.id, r.at, r.actor, r.action, r.target, r.detail, r.address) for r in rows], int(total)
