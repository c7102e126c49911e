"""Accounts of the people who may review conversations, and the login throttle.

Failed sign-ins are counted per client address, never per account: a clinician who must reach
an open escalation is never locked out because someone elsewhere guessed at their name. An
address gets MAX_FAILURES attempts, then must wait between attempts, FIRST_DELAY after the
fifth failure and twice as long after each further one, up to MAX_DELAY; a successful sign-in
from it clears its count. Every attempt is counted in one transaction *before* its password is
checked, so parallel requests cannot slip past the limit while the (slow) hash is verified.
The throttle does not depend on whether the name exists, so it tells nobody which names are real.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from review.storage.appdb import ACCOUNTS, LOGIN_THROTTLE, SESSIONS, parse_stamp, stamp
from review.storage.passwords import MIN_PASSWORD_CHARS, decoy_hash, hash_password, needs_rehash, verify_password

ROLES = ("admin", "clinician")
MAX_FAILURES = 5
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    created_at: str
    last_login_at: Optional[str]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def delay_after(failures: int) -> Optional[timedelta]:
    """How long an address waits after its `failures`-th failure in a row (None: no wait yet)."""
    if failures < MAX_FAILURES:
        return None
    doublings = min(failures - MAX_FAILURES, 20)
    return min(FIRST_DELAY * (2**doublings), MAX_DELAY)


def throttle_key(address: str) -> str:
    return f"address:{address or 'unknown'}"[:64]


@dataclass(frozen=True)
class LoginResult:
    account: Optional[Account]
    # Set when this address must wait: the attempt was refused without checking the password.
    retry_at: Optional[datetime] = None

    @property
    def ok(self) -> bool:
        return self.account is not None


def _account(row: object) -> Account:
    return Account(row.id, row.name, row.role, row.created_at, row.last_login_at)  # type: ignore[attr-defined]


class AccountStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, name: str, role: str, password: str) -> Account:
        if not NAME_PATTERN.match(name):
            raise AccountError(
                "A name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit."
            )
        if role not in ROLES:
            raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"A password has at least {MIN_PASSWORD_CHARS} characters.")
        with self.engine.begin() as connection:
            if connection.execute(select(ACCOUNTS.c.id).where(ACCOUNTS.c.name == name)).first():
                raise AccountError(f"An account named {name!r} already exists.")
            connection.execute(
                insert(ACCOUNTS).values(name=name, role=role, password_hash=hash_password(password), created_at=stamp())
            )
        account = self.find(name)
        assert account is not None
        return account

    def remove(self, name: str) -> bool:
        """Delete an account and end its sessions; False if there was none."""
        with self.engine.begin() as connection:
            row = connection.execute(select(ACCOUNTS.c.id).where(ACCOUNTS.c.name == name)).first()
            if row is None:
                return False
            connection.execute(delete(SESSIONS).where(SESSIONS.c.account_id == row.id))
            connection.execute(delete(ACCOUNTS).where(ACCOUNTS.c.id == row.id))
            return True

    def set_password(self, name: str, password: str) -> bool:
        """A new password ends the account's sessions."""
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"A password has at least {MIN_PASSWORD_CHARS} characters.")
        with self.engine.begin() as connection:
            result = connection.execute(
                update(ACCOUNTS).where(ACCOUNTS.c.name == name).values(password_hash=hash_password(password))
            )
            account_ids = select(ACCOUNTS.c.id).where(ACCOUNTS.c.name == name).scalar_subquery()
            connection.execute(delete(SESSIONS).where(SESSIONS.c.account_id == account_ids))
            return result.rowcount == 1

    def find(self, name: str) -> Optional[Account]:
        with self.engine.connect() as connection:
            row = connection.execute(select(ACCOUNTS).where(ACCOUNTS.c.name == name)).first()
        return _account(row) if row else None

    def all(self) -> List[Account]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(ACCOUNTS).order_by(ACCOUNTS.c.name)).all()
        return [_account(row) for row in rows]

    def forget_failures(self, address: str) -> None:
        """Clear an address's failed attempts (an admin who knows the address is a colleague's)."""
        with self.engine.begin() as connection:
            connection.execute(delete(LOGIN_THROTTLE).where(LOGIN_THROTTLE.c.name == throttle_key(address)))

    def retry_at(self, address: str, now: Optional[datetime] = None) -> Optional[datetime]:
        """When `address` may try to sign in again, if it must wait."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(LOGIN_THROTTLE).where(LOGIN_THROTTLE.c.name == throttle_key(address))
            ).first()
        until = parse_stamp(row.locked_until) if row else None
        return until if until and until > (now or datetime.now(timezone.utc)) else None

    def authenticate(self, name: str, password: str, address: str = "", now: Optional[datetime] = None) -> LoginResult:
        """Check a login from `address`; the attempt is counted first, and cleared if it succeeds."""
        moment = now or datetime.now(timezone.utc)
        key = throttle_key(address)
        wait_until = self._count_attempt(key, moment)
        if wait_until is not None:
            return LoginResult(None, wait_until)
        with self.engine.connect() as connection:
            row = connection.execute(select(ACCOUNTS).where(ACCOUNTS.c.name == name)).first()
        password_hash = row.password_hash if row else decoy_hash()
        if verify_password(password_hash, password) and row is not None:
            with self.engine.begin() as connection:
                connection.execute(delete(LOGIN_THROTTLE).where(LOGIN_THROTTLE.c.name == key))
                values = {"last_login_at": stamp(moment)}
                if needs_rehash(row.password_hash):
                    values["password_hash"] = hash_password(password)
                connection.execute(update(ACCOUNTS).where(ACCOUNTS.c.id == row.id).values(**values))
            return LoginResult(_account(row))
        return LoginResult(None)

    def _count_attempt(self, key: str, moment: datetime) -> Optional[datetime]:
        """Count one attempt atomically; None if it may go ahead, else when the address may try again.

        The count goes up in the transaction's first statement (a write: SQLite takes its write
        lock, PostgreSQL the row's), so concurrent attempts are counted one after the other.
        """
        for _ in range(5):
            try:
                with self.engine.begin() as connection:
                    return self._count_attempt_in(connection, key, moment)
            except IntegrityError:
                continue  # two first attempts from one address inserted at once: count again
        raise RuntimeError("login throttle: could not count the attempt")

    @staticmethod
    def _count_attempt_in(connection: Connection, key: str, moment: datetime) -> Optional[datetime]:
        row_of_key = LOGIN_THROTTLE.c.name == key
        counted = connection.execute(
            update(LOGIN_THROTTLE)
            .where(row_of_key)
            .where(or_(LOGIN_THROTTLE.c.locked_until.is_(None), LOGIN_THROTTLE.c.locked_until <= stamp(moment)))
            .values(failures=LOGIN_THROTTLE.c.failures + 1)
        ).rowcount
        if not counted:
            waiting = connection.execute(select(LOGIN_THROTTLE.c.locked_until).where(row_of_key)).first()
            if waiting is not None:
                return parse_stamp(waiting.locked_until)
            connection.execute(insert(LOGIN_THROTTLE).values(name=key, failures=1, locked_until=None))
            return None
        failures = connection.execute(select(LOGIN_THROTTLE.c.failures).where(row_of_key)).scalar_one()
        delay = delay_after(int(failures))
        if delay is not None:  # the next attempt waits; this one (already counted) goes ahead
            connection.execute(update(LOGIN_THROTTLE).where(row_of_key).values(locked_until=stamp(moment + delay)))
        return None
