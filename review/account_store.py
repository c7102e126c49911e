"""Accounts of the people who may review conversations, and the login throttle.

Five failed logins in a row for a name lock it for fifteen minutes, whether or not an
account of that name exists (so the lock does not tell anyone which names are real). While
locked, even the right password is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from review.appdb import ACCOUNTS, LOGIN_THROTTLE, SESSIONS, parse_stamp, stamp
from review.passwords import MIN_PASSWORD_CHARS, decoy_hash, hash_password, needs_rehash, verify_password

ROLES = ("admin", "clinician")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
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


@dataclass(frozen=True)
class LoginResult:
    account: Optional[Account]
    locked_until: Optional[datetime] = None

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
        """A new password ends the account's sessions and lifts a lockout."""
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"A password has at least {MIN_PASSWORD_CHARS} characters.")
        with self.engine.begin() as connection:
            result = connection.execute(
                update(ACCOUNTS).where(ACCOUNTS.c.name == name).values(password_hash=hash_password(password))
            )
            connection.execute(delete(LOGIN_THROTTLE).where(LOGIN_THROTTLE.c.name == name))
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

    def locked_until(self, name: str, now: Optional[datetime] = None) -> Optional[datetime]:
        with self.engine.connect() as connection:
            row = connection.execute(select(LOGIN_THROTTLE).where(LOGIN_THROTTLE.c.name == name[:64])).first()
        until = parse_stamp(row.locked_until) if row else None
        return until if until and until > (now or datetime.now(timezone.utc)) else None

    def authenticate(self, name: str, password: str, now: Optional[datetime] = None) -> LoginResult:
        """Check a login; count the failure (and lock the name on the fifth) if it is wrong."""
        moment = now or datetime.now(timezone.utc)
        key = name[:64]
        with self.engine.connect() as connection:
            throttle = connection.execute(select(LOGIN_THROTTLE).where(LOGIN_THROTTLE.c.name == key)).first()
            row = connection.execute(select(ACCOUNTS).where(ACCOUNTS.c.name == name)).first()
        locked_until = parse_stamp(throttle.locked_until) if throttle else None
        if locked_until and locked_until > moment:
            return LoginResult(None, locked_until)
        password_hash = row.password_hash if row else decoy_hash()
        if verify_password(password_hash, password) and row is not None:
            with self.engine.begin() as connection:
                connection.execute(delete(LOGIN_THROTTLE).where(LOGIN_THROTTLE.c.name == key))
                values = {"last_login_at": stamp(moment)}
                if needs_rehash(row.password_hash):
                    values["password_hash"] = hash_password(password)
                connection.execute(update(ACCOUNTS).where(ACCOUNTS.c.id == row.id).values(**values))
            return LoginResult(_account(row))
        failures = (throttle.failures if throttle and not locked_until else 0) + 1
        new_lock = moment + LOCKOUT if failures >= MAX_FAILURES else None
        with self.engine.begin() as connection:
            connection.execute(delete(LOGIN_THROTTLE).where(LOGIN_THROTTLE.c.name == key))
            connection.execute(
                insert(LOGIN_THROTTLE).values(
                    name=key, failures=0 if new_lock else failures, locked_until=stamp(new_lock) if new_lock else None
                )
            )
        return LoginResult(None, new_lock)
