"""Call-back details, kept encrypted and apart from the conversation.

A client in crisis who leaves a phone number or email must be reachable by the practice, but
the number must not sit in plain text in the tracker store, the logs or an export. It is
encrypted here with a key from the environment (`CONFIDANT_CONTACT_KEY`, a Fernet key); the
conversation only holds a masked copy. On a machine with no key configured, a key file is
created under var/ so the local set-up needs nothing.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import List, Optional

from cryptography.fernet import Fernet

from confidant.private_files import private_sqlite, read_or_create_secret
from confidant.settings import PROJECT_ROOT

KEY_ENV_VAR = "CONFIDANT_CONTACT_KEY"
VAULT_PATH_ENV_VAR = "CONFIDANT_CONTACT_VAULT_PATH"
DEFAULT_VAULT_PATH = PROJECT_ROOT / "var" / "contacts.sqlite3"
DEFAULT_KEY_PATH = PROJECT_ROOT / "var" / "contact.key"

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[A-Za-z]{2,24}$")
PHONE_ALLOWED = re.compile(r"^\+?[\d\s().\-]{7,24}$")


@dataclass(frozen=True)
class ContactDetails:
    kind: str  # "phone" or "email"
    value: str

    @property
    def masked(self) -> str:
        if self.kind == "email":
            local, _, domain = self.value.partition("@")
            return f"{local[:1]}***@{domain}"
        digits = re.sub(r"\D", "", self.value)
        return f"phone ending {digits[-2:]}"


def looks_like_contact_attempt(text: str) -> bool:
    """True for a message meant as contact details, even a mistyped one (an @, or five digits or more).

    "what if I'm 15?" is a question; "12345" and "me at gmail.com" are attempts to be read.
    """
    return "@" in text or sum(character.isdigit() for character in text) >= 5


def parse_contact(text: str) -> Optional[ContactDetails]:
    """A phone number or email address typed by a client, or None if it is neither."""
    candidate = text.strip().strip(".,;")
    if EMAIL_PATTERN.match(candidate):
        return ContactDetails("email", candidate)
    if PHONE_ALLOWED.match(candidate):
        digits = re.sub(r"\D", "", candidate)
        if 7 <= len(digits) <= 15:
            return ContactDetails("phone", candidate)
    return None


def load_contact_key() -> bytes:
    """The Fernet key for contact details: `CONFIDANT_CONTACT_KEY`, else a local key file."""
    key = os.environ.get(KEY_ENV_VAR)
    if key:
        return key.encode("ascii")
    return read_or_create_secret(DEFAULT_KEY_PATH, Fernet.generate_key)


class ContactVault:
    """Encrypted call-back details, one row per request."""

    def __init__(self, path: Optional[os.PathLike] = None, key: Optional[bytes] = None) -> None:
        self.path = private_sqlite(Path(path or os.environ.get(VAULT_PATH_ENV_VAR) or DEFAULT_VAULT_PATH))
        self._fernet = Fernet(key or load_contact_key())
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA secure_delete = ON")  # a deleted number is overwritten, not left in free pages
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS contacts (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " conversation_id TEXT NOT NULL, kind TEXT NOT NULL, masked TEXT NOT NULL,"
            " secret BLOB NOT NULL, created_at TEXT NOT NULL)"
        )

    def store(self, conversation_id: str, contact: ContactDetails) -> int:
        secret = self._fernet.encrypt(contact.value.encode("utf-8"))
        with self._lock:
            cursor = self._connection.execute(
                "INSERT INTO contacts (conversation_id, kind, masked, secret, created_at) VALUES (?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    contact.kind,
                    contact.masked,
                    secret,
                    datetime.now(timezone.utc).isoformat(),
                ),
            )
            return int(cursor.lastrowid)

    def reveal(self, conversation_id: str) -> List[ContactDetails]:
        """Decrypt a conversation's call-back details; callers audit who asked."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT kind, secret FROM contacts WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            ).fetchall()
        return [ContactDetails(kind, self._fernet.decrypt(secret).decode("utf-8")) for kind, secret in rows]

    def conversations_older_than(self, cutoff: datetime) -> List[str]:
        """Conversations whose newest call-back details were stored before `cutoff` (for retention)."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT conversation_id FROM contacts GROUP BY conversation_id HAVING MAX(created_at) < ?",
                (cutoff.astimezone(timezone.utc).isoformat(),),
            ).fetchall()
        return [row[0] for row in rows]

    def delete_conversation(self, conversation_id: str) -> int:
        with self._lock:
            cursor = self._connection.execute("DELETE FROM contacts WHERE conversation_id = ?", (conversation_id,))
            return cursor.rowcount


@cache
def default_vault() -> ContactVault:
    return ContactVault()
