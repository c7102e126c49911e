"""Server-side login sessions behind a random cookie token.

Only a SHA-256 of each token is stored, so a copy of the review database does not let anyone
sign in. Each session carries its own CSRF token for the forms it renders. A session ends
after `idle` without a request, or `lifetime` after login, whichever comes first.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, Tuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from review.storage.account_store import Account
from review.storage.appdb import ACCOUNTS, SESSIONS, parse_stamp, stamp

COOKIE_NAME = "review_session"
TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    token_hash: str
    account: Account
    csrf_token: str


class SessionStore:
    def __init__(self, engine: Engine, idle: timedelta, lifetime: timedelta) -> None:
        self.engine = engine
        self.idle = idle
        self.lifetime = lifetime

    def start(self, account: Account) -> Tuple[str, Session]:
        """A new session for `account`; returns the cookie token (never stored) and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = stamp()
        with self.engine.begin() as connection:
            connection.execute(
                insert(SESSIONS).values(
                    token_hash=token_hash(token),
                    account_id=account.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                )
            )
        return token, Session(token_hash(token), account, csrf)

    def find(self, token: Optional[str], now: Optional[datetime] = None) -> Optional[Session]:
        """The live session behind a cookie token, or None (an expired one is removed)."""
        if not token or len(token) > 128:
            return None
        moment = now or datetime.now(timezone.utc)
        hashed = token_hash(token)
        query = (
            select(
                SESSIONS,
                ACCOUNTS.c.name,
                ACCOUNTS.c.role,
                ACCOUNTS.c.created_at.label("account_created_at"),
                ACCOUNTS.c.last_login_at,
            )
            .join(ACCOUNTS, ACCOUNTS.c.id == SESSIONS.c.account_id)
            .where(SESSIONS.c.token_hash == hashed)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        created, seen = parse_stamp(row.created_at), parse_stamp(row.last_seen_at)
        if created is None or seen is None or moment - seen > self.idle or moment - created > self.lifetime:
            self.end(token)
            return None
        if moment - seen > TOUCH_EVERY:
            with self.engine.begin() as connection:
                connection.execute(
                    update(SESSIONS).where(SESSIONS.c.token_hash == hashed).values(last_seen_at=stamp(moment))
                )
        account = Account(row.account_id, row.name, row.role, row.account_created_at, row.last_login_at)
        return Session(hashed, account, row.csrf_token)

    def end(self, token: Optional[str]) -> None:
        if token:
            with self.engine.begin() as connection:
                connection.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == token_hash(token)))
