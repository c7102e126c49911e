"""Call-back and appointment requests, kept encrypted and apart from the conversation.

A client in crisis who leaves a phone number or email must be reachable by the practice, but
the number must not sit in plain text in the tracker store, the logs or an export. It is
encrypted here with a key from the environment (`CONFIDANT_CONTACT_KEY`, a Fernet key); the
conversation only holds a masked copy. On a machine with no key configured, a key file is
created under var/ so the local set-up needs nothing.

A request for a first appointment is kept the same way (name, contact, whether a message may be
left, when, a note), with the status the practice gives it in the review tool. It is a draft
while the client answers and reaches the practice's queue only once they agree to send it.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from cryptography.fernet import Fernet

from confidant.private_files import private_sqlite, read_or_create_secret
from confidant.settings import PROJECT_ROOT

KEY_ENV_VAR = "CONFIDANT_CONTACT_KEY"
VAULT_PATH_ENV_VAR = "CONFIDANT_CONTACT_VAULT_PATH"
DEFAULT_VAULT_PATH = PROJECT_ROOT / "var" / "contacts.sqlite3"
DEFAULT_KEY_PATH = PROJECT_ROOT / "var" / "contact.key"
MAX_NOTES = 20
# An appointment request's life: a draft while the form runs, then the practice's statuses.
DRAFT = "draft"
APPOINTMENT_STATUSES = ("new", "contacted", "booked", "closed")


@dataclass(frozen=True)
class AppointmentRequest:
    """One appointment request; `contact` and the details are decrypted only by `appointment`/`reveal`."""

    id: int
    conversation_id: str
    status: str
    channel: Optional[str]
    masked: Optional[str]  # "phone ending 99", "s***@example.org"
    created_at: str
    submitted_at: Optional[str]
    updated_at: str
    contact: Optional[ContactDetails] = None
    name: Optional[str] = None
    message_ok: Optional[str] = None  # "yes" or "no"
    when: Optional[str] = None
    note: Optional[str] = None


@dataclass(frozen=True)
class ContactDetails:
    kind: str  # "phone" or "email"
    value: str
    # What the client said about reaching them (call_or_text, text_only, call_only, email), when,
    # and anything else they added ("my mom checks my calls").
    how: Optional[str] = None
    when: Optional[str] = None
    notes: Tuple[str, ...] = field(default=())

    @property
    def masked(self) -> str:
        if self.kind == "email":
            local, _, domain = self.value.partition("@")
            return f"{local[:1]}***@{domain}"
        digits = re.sub(r"\D", "", self.value.split(" x")[0])
        return f"phone ending {digits[-2:]}"


def load_contact_key() -> bytes:
    """The Fernet key for contact details: `CONFIDANT_CONTACT_KEY`, else a local key file."""
    key = os.environ.get(KEY_ENV_VAR)
    if key:
        return key.encode("ascii")
    return read_or_create_secret(DEFAULT_KEY_PATH, Fernet.generate_key)


class ContactVault:
    """Encrypted call-back requests: one row per request, its contact and its details encrypted.

    A request is opened as soon as the form reads anything worth keeping, so a form left half
    way still leaves what was said; the contact may be added, corrected or removed later.
    """

    def __init__(self, path: Optional[os.PathLike] = None, key: Optional[bytes] = None) -> None:
        self.path = private_sqlite(Path(path or os.environ.get(VAULT_PATH_ENV_VAR) or DEFAULT_VAULT_PATH))
        self._fernet = Fernet(key or load_contact_key())
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        # A deleted number is overwritten, not left in free pages.
        self._connection.execute("PRAGMA secure_delete = ON")
        with self._lock:
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS callback_requests (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " conversation_id TEXT NOT NULL, kind TEXT, masked TEXT, secret BLOB, details BLOB,"
                " created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
            )
            self._connection.execute(
                "CREATE INDEX IF NOT EXISTS callback_requests_by_conversation ON callback_requests (conversation_id)"
            )
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS appointment_requests (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " conversation_id TEXT NOT NULL, status TEXT NOT NULL, channel TEXT, kind TEXT, masked TEXT,"
                " secret BLOB, details BLOB, created_at TEXT NOT NULL, submitted_at TEXT, updated_at TEXT NOT NULL)"
            )
            self._connection.execute(
                "CREATE INDEX IF NOT EXISTS appointment_requests_by_conversation"
                " ON appointment_requests (conversation_id)"
            )
            self._migrate_contacts_table()

    def _migrate_contacts_table(self) -> None:
        """Rows of the first schema (`contacts`: one contact, no details) become requests."""
        legacy = self._connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'contacts'"
        ).fetchone()
        if not legacy:
            return
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            self._connection.execute(
                "INSERT INTO callback_requests (conversation_id, kind, masked, secret, details, created_at, updated_at)"
                " SELECT conversation_id, kind, masked, secret, NULL, created_at, created_at FROM contacts ORDER BY id"
            )
            self._connection.execute("DROP TABLE contacts")
            self._connection.execute("COMMIT")
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise

    @staticmethod
    def _now() -> str:
        return datetime.now(timezone.utc).isoformat()

    def _encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def _decrypt(self, secret: Optional[bytes]) -> Optional[str]:
        return None if secret is None else self._fernet.decrypt(secret).decode("utf-8")

    def open_request(self, conversation_id: str) -> int:
        """A new, empty request for this conversation; its id is the reference the tracker keeps."""
        now = self._now()
        with self._lock:
            cursor = self._connection.execute(
                "INSERT INTO callback_requests (conversation_id, created_at, updated_at) VALUES (?, ?, ?)",
                (conversation_id, now, now),
            )
            if cursor.lastrowid is None:  # an INSERT always sets it; a type guard, not a case
                raise sqlite3.DatabaseError("the new call-back request has no row id")
            return cursor.lastrowid

    def store(self, conversation_id: str, contact: ContactDetails) -> int:
        """A new request holding `contact` (and its details, if any)."""
        request_id = self.open_request(conversation_id)
        self.set_contact(conversation_id, request_id, contact)
        self.update_details(conversation_id, request_id, how=contact.how, when=contact.when)
        for note in contact.notes:
            self.update_details(conversation_id, request_id, note=note)
        return request_id

    def set_contact(self, conversation_id: str, request_id: int, contact: Optional[ContactDetails]) -> bool:
        """Put (or, with None, take out) the request's contact; False if no such request in this conversation."""
        values = (None, None, None) if contact is None else (contact.kind, contact.masked, self._encrypt(contact.value))
        with self._lock:
            cursor = self._connection.execute(
                "UPDATE callback_requests SET kind = ?, masked = ?, secret = ?, updated_at = ?"
                " WHERE id = ? AND conversation_id = ?",
                (*values, self._now(), request_id, conversation_id),
            )
            return cursor.rowcount == 1

    def _details(self, conversation_id: str, request_id: int) -> Optional[Dict[str, Any]]:
        row = self._connection.execute(
            "SELECT details FROM callback_requests WHERE id = ? AND conversation_id = ?", (request_id, conversation_id)
        ).fetchone()
        if row is None:
            return None
        return json.loads(self._decrypt(row[0]) or "{}")

    def update_details(
        self,
        conversation_id: str,
        request_id: int,
        how: Optional[str] = None,
        when: Optional[str] = None,
        note: Optional[str] = None,
    ) -> bool:
        """Set how and when (None leaves them as they are) and add a note."""
        if how is None and when is None and not note:
            return True
        with self._lock:
            details = self._details(conversation_id, request_id)
            if details is None:
                return False
            if how is not None:
                details["how"] = how
            if when is not None:
                details["when"] = when
            if note:
                details["notes"] = (list(details.get("notes") or []) + [note])[-MAX_NOTES:]
            self._connection.execute(
                "UPDATE callback_requests SET details = ?, updated_at = ? WHERE id = ? AND conversation_id = ?",
                (self._encrypt(json.dumps(details)), self._now(), request_id, conversation_id),
            )
            return True

    def delete_request(self, conversation_id: str, request_id: int) -> bool:
        with self._lock:
            cursor = self._connection.execute(
                "DELETE FROM callback_requests WHERE id = ? AND conversation_id = ?", (request_id, conversation_id)
            )
            return cursor.rowcount == 1

    def reveal(self, conversation_id: str) -> List[ContactDetails]:
        """Decrypt a conversation's call-back contacts with their details; callers audit who asked."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT kind, secret, details FROM callback_requests"
                " WHERE conversation_id = ? AND secret IS NOT NULL ORDER BY id",
                (conversation_id,),
            ).fetchall()
        revealed = []
        for kind, secret, details_secret in rows:
            details = json.loads(self._decrypt(details_secret) or "{}")
            revealed.append(
                ContactDetails(
                    kind,
                    self._decrypt(secret) or "",
                    how=details.get("how"),
                    when=details.get("when"),
                    notes=tuple(details.get("notes") or ()),
                )
            )
        return revealed

    # ---- appointment requests ------------------------------------------------------------

    def open_appointment(self, conversation_id: str, channel: Optional[str]) -> int:
        """A new draft appointment request; its id is the reference the tracker keeps."""
        now = self._now()
        with self._lock:
            cursor = self._connection.execute(
                "INSERT INTO appointment_requests (conversation_id, status, channel, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (conversation_id, DRAFT, channel, now, now),
            )
            if cursor.lastrowid is None:  # an INSERT always sets it; a type guard, not a case
                raise sqlite3.DatabaseError("the new appointment request has no row id")
            return cursor.lastrowid

    def set_appointment_contact(self, conversation_id: str, request_id: int, contact: Optional[ContactDetails]) -> bool:
        """Put (or, with None, take out) the request's contact; False if no such request in this conversation."""
        values = (None, None, None) if contact is None else (contact.kind, contact.masked, self._encrypt(contact.value))
        with self._lock:
            cursor = self._connection.execute(
                "UPDATE appointment_requests SET kind = ?, masked = ?, secret = ?, updated_at = ?"
                " WHERE id = ? AND conversation_id = ?",
                (*values, self._now(), request_id, conversation_id),
            )
            return cursor.rowcount == 1

    def update_appointment(self, conversation_id: str, request_id: int, **fields: Optional[str]) -> bool:
        """Set `name`, `message_ok`, `when` or `note` (a None leaves it as it is)."""
        changes = {key: value for key, value in fields.items() if value is not None}
        unknown = set(changes) - {"name", "message_ok", "when", "note"}
        if unknown:
            raise ValueError(f"not an appointment detail: {sorted(unknown)}")
        with self._lock:
            row = self._connection.execute(
                "SELECT details FROM appointment_requests WHERE id = ? AND conversation_id = ?",
                (request_id, conversation_id),
            ).fetchone()
            if row is None:
                return False
            details = {**json.loads(self._decrypt(row[0]) or "{}"), **changes}
            self._connection.execute(
                "UPDATE appointment_requests SET details = ?, updated_at = ? WHERE id = ?",
                (self._encrypt(json.dumps(details)), self._now(), request_id),
            )
            return True

    def submit_appointment(self, conversation_id: str, request_id: int) -> bool:
        """The client agreed to send it: the draft becomes a new request in the practice's queue."""
        now = self._now()
        with self._lock:
            cursor = self._connection.execute(
                "UPDATE appointment_requests SET status = ?, submitted_at = ?, updated_at = ?"
                " WHERE id = ? AND conversation_id = ? AND status = ? AND secret IS NOT NULL",
                (APPOINTMENT_STATUSES[0], now, now, request_id, conversation_id, DRAFT),
            )
            return cursor.rowcount == 1

    def delete_appointment(self, conversation_id: str, request_id: int) -> bool:
        """Take back a draft the client stopped; a sent request stays with the practice."""
        with self._lock:
            cursor = self._connection.execute(
                "DELETE FROM appointment_requests WHERE id = ? AND conversation_id = ? AND status = ?",
                (request_id, conversation_id, DRAFT),
            )
            return cursor.rowcount == 1

    def stale_drafts(self, cutoff: datetime) -> int:
        """How many drafts were last touched before `cutoff` (what `purge_stale_drafts` would delete)."""
        with self._lock:
            row = self._connection.execute(
                "SELECT COUNT(*) FROM appointment_requests WHERE status = ? AND updated_at < ?",
                (DRAFT, cutoff.astimezone(timezone.utc).isoformat()),
            ).fetchone()
        return int(row[0])

    def purge_stale_drafts(self, cutoff: datetime) -> int:
        """Delete drafts last touched before `cutoff` (forms the client left); how many went.

        A draft the client never agreed to send is not the practice's to keep: only sent
        requests (any other status) stay, until the conversation's own retention.
        """
        with self._lock:
            cursor = self._connection.execute(
                "DELETE FROM appointment_requests WHERE status = ? AND updated_at < ?",
                (DRAFT, cutoff.astimezone(timezone.utc).isoformat()),
            )
            return int(cursor.rowcount)

    def set_appointment_status(self, request_id: int, status: str) -> bool:
        """The practice's progress on a sent request; False for an unknown one or a draft."""
        if status not in APPOINTMENT_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self._lock:
            cursor = self._connection.execute(
                "UPDATE appointment_requests SET status = ?, updated_at = ? WHERE id = ? AND status != ?",
                (status, self._now(), request_id, DRAFT),
            )
            return cursor.rowcount == 1

    def appointment(self, request_id: int, conversation_id: Optional[str] = None) -> Optional[AppointmentRequest]:
        """One request, decrypted (its conversation's, if named); callers in the review tool audit who asked."""
        query = "SELECT * FROM appointment_requests WHERE id = ?"
        args: Tuple[Any, ...] = (request_id,)
        if conversation_id is not None:
            query += " AND conversation_id = ?"
            args += (conversation_id,)
        with self._lock:
            self._connection.row_factory = sqlite3.Row
            try:
                row = self._connection.execute(query, args).fetchone()
            finally:
                self._connection.row_factory = None
        if row is None:
            return None
        details = json.loads(self._decrypt(row["details"]) or "{}")
        contact = None
        if row["secret"] is not None:
            contact = ContactDetails(row["kind"], self._decrypt(row["secret"]) or "")
        return AppointmentRequest(
            **self._appointment_columns(row),
            contact=contact,
            name=details.get("name"),
            message_ok=details.get("message_ok"),
            when=details.get("when"),
            note=details.get("note"),
        )

    def appointment_count(self, status: str) -> int:
        """How many sent requests have this status (the review app's navigation): a count, nothing read."""
        with self._lock:
            row = self._connection.execute(
                "SELECT COUNT(*) FROM appointment_requests WHERE status = ?", (status,)
            ).fetchone()
        return int(row[0])

    def appointments(self, statuses: Tuple[str, ...] = APPOINTMENT_STATUSES) -> List[AppointmentRequest]:
        """Sent requests with these statuses, oldest first, masked (nothing decrypted): the review queue."""
        marks = ", ".join("?" for _ in statuses)
        with self._lock:
            self._connection.row_factory = sqlite3.Row
            try:
                rows = self._connection.execute(
                    f"SELECT * FROM appointment_requests WHERE status IN ({marks}) ORDER BY submitted_at, id",
                    tuple(statuses),
                ).fetchall()
            finally:
                self._connection.row_factory = None
        return [AppointmentRequest(**self._appointment_columns(row)) for row in rows]

    @staticmethod
    def _appointment_columns(row: sqlite3.Row) -> Dict[str, Any]:
        return {
            name: row[name]
            for name in (
                "id",
                "conversation_id",
                "status",
                "channel",
                "masked",
                "created_at",
                "submitted_at",
                "updated_at",
            )
        }

    # ---- retention and erasure -------------------------------------------------------------

    def conversations_older_than(self, cutoff: datetime) -> List[str]:
        """Conversations whose newest call-back or appointment details were stored before `cutoff`."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT conversation_id FROM (SELECT conversation_id, updated_at FROM callback_requests"
                " UNION ALL SELECT conversation_id, updated_at FROM appointment_requests)"
                " GROUP BY conversation_id HAVING MAX(updated_at) < ?",
                (cutoff.astimezone(timezone.utc).isoformat(),),
            ).fetchall()
        return [row[0] for row in rows]

    def delete_conversation(self, conversation_id: str) -> int:
        """Erase a conversation's call-back and appointment requests; how many there were."""
        with self._lock:
            callbacks = self._connection.execute(
                "DELETE FROM callback_requests WHERE conversation_id = ?", (conversation_id,)
            ).rowcount
            appointments = self._connection.execute(
                "DELETE FROM appointment_requests WHERE conversation_id = ?", (conversation_id,)
            ).rowcount
            return callbacks + appointments


@cache
def default_vault() -> ContactVault:
    return ContactVault()
