"""What the SMS channel must remember between messages and across restarts, in one SQLite file.

- the phone number behind each pseudonym, encrypted (Fernet, the contact vault's key), so
  replies can reach the phone while nothing else holds the number;
- opt-outs (STOP) by pseudonym, checked before every send;
- Twilio MessageSids already handled, so a webhook Twilio delivers twice is answered once;
- the buttons last offered in each conversation, so "2" can mean the second choice.

No table holds a phone number in plain text.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from cryptography.fernet import Fernet, InvalidToken

from confidant.contact_vault import load_contact_key
from confidant.private_files import private_sqlite
from confidant.settings import PROJECT_ROOT

STORE_PATH_ENV_VAR = "CONFIDANT_SMS_STORE_PATH"
DEFAULT_STORE_PATH = PROJECT_ROOT / "var" / "sms.sqlite3"
# Twilio retries a webhook within minutes; a week covers any replay worth catching.
SEEN_MESSAGE_RETENTION_SECONDS = 7 * 24 * 3600

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS contacts (pseudonym TEXT PRIMARY KEY, secret BLOB NOT NULL, first_seen REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS opt_outs"
    " (pseudonym TEXT PRIMARY KEY, keyword TEXT NOT NULL, opted_out_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS seen_messages (message_sid TEXT PRIMARY KEY, seen_at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS seen_messages_by_time ON seen_messages (seen_at)",
    "CREATE TABLE IF NOT EXISTS offered_buttons"
    " (pseudonym TEXT PRIMARY KEY, buttons TEXT NOT NULL, offered_at REAL NOT NULL)",
)


class SmsStore:
    """Thread-safe: the webhook handler and the send threads share one connection."""

    def __init__(self, path: Optional[os.PathLike] = None, key: Optional[bytes] = None) -> None:
        self.path = private_sqlite(Path(path or os.environ.get(STORE_PATH_ENV_VAR) or DEFAULT_STORE_PATH))
        self._fernet = Fernet(key or load_contact_key())
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        with self._lock:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA secure_delete = ON")  # a forgotten number is overwritten
            for statement in _SCHEMA:
                self._connection.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    # ---- phone numbers, encrypted -----------------------------------------------------------

    def remember_address(self, pseudonym: str, address: str) -> None:
        with self._lock:
            known = self._connection.execute("SELECT 1 FROM contacts WHERE pseudonym = ?", (pseudonym,)).fetchone()
            if known:
                return
            secret = self._fernet.encrypt(address.encode("utf-8"))
            self._connection.execute(
                "INSERT OR IGNORE INTO contacts (pseudonym, secret, first_seen) VALUES (?, ?, ?)",
                (pseudonym, secret, time.time()),
            )

    def address_for(self, pseudonym: str) -> Optional[str]:
        with self._lock:
            row = self._connection.execute("SELECT secret FROM contacts WHERE pseudonym = ?", (pseudonym,)).fetchone()
        if not row:
            return None
        try:
            return self._fernet.decrypt(row[0]).decode("utf-8")
        except InvalidToken:
            return None

    def forget(self, pseudonym: str) -> None:
        """Remove everything kept for a conversation (for the retention job and deletion requests)."""
        with self._lock:
            for table in ("contacts", "opt_outs", "offered_buttons"):
                self._connection.execute(f"DELETE FROM {table} WHERE pseudonym = ?", (pseudonym,))
            self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # no copy left in the write-ahead log

    def pseudonyms_older_than(self, cutoff: float) -> List[str]:
        """Conversations whose newest record here (number, opt-out, choices) is older than `cutoff` (epoch)."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT pseudonym FROM (SELECT pseudonym, first_seen AS at FROM contacts"
                " UNION ALL SELECT pseudonym, opted_out_at FROM opt_outs"
                " UNION ALL SELECT pseudonym, offered_at FROM offered_buttons)"
                " GROUP BY pseudonym HAVING MAX(at) < ?",
                (cutoff,),
            ).fetchall()
        return [row[0] for row in rows]

    # ---- opt-out ------------------------------------------------------------------------------

    def opt_out(self, pseudonym: str, keyword: str) -> None:
        with self._lock:
            self._connection.execute(
                "INSERT INTO opt_outs (pseudonym, keyword, opted_out_at) VALUES (?, ?, ?)"
                " ON CONFLICT (pseudonym) DO UPDATE"
                " SET keyword = excluded.keyword, opted_out_at = excluded.opted_out_at",
                (pseudonym, keyword, time.time()),
            )

    def opt_in(self, pseudonym: str) -> bool:
        """Opt back in; True if the number had opted out."""
        with self._lock:
            cursor = self._connection.execute("DELETE FROM opt_outs WHERE pseudonym = ?", (pseudonym,))
            return cursor.rowcount > 0

    def is_opted_out(self, pseudonym: str) -> bool:
        with self._lock:
            row = self._connection.execute("SELECT 1 FROM opt_outs WHERE pseudonym = ?", (pseudonym,)).fetchone()
        return row is not None

    # ---- MessageSid de-duplication -------------------------------------------------------------

    def first_sighting(self, message_sid: str) -> bool:
        """Record a MessageSid; True the first time it is seen, False for a repeat."""
        now = time.time()
        with self._lock:
            cursor = self._connection.execute(
                "INSERT OR IGNORE INTO seen_messages (message_sid, seen_at) VALUES (?, ?)", (message_sid, now)
            )
            if cursor.rowcount:
                self._connection.execute(
                    "DELETE FROM seen_messages WHERE seen_at < ?", (now - SEEN_MESSAGE_RETENTION_SECONDS,)
                )
            return cursor.rowcount == 1

    # ---- buttons offered -----------------------------------------------------------------------

    def set_offered_buttons(self, pseudonym: str, buttons: Optional[List[Dict[str, Any]]]) -> None:
        with self._lock:
            if not buttons:
                self._connection.execute("DELETE FROM offered_buttons WHERE pseudonym = ?", (pseudonym,))
                return
            self._connection.execute(
                "INSERT INTO offered_buttons (pseudonym, buttons, offered_at) VALUES (?, ?, ?)"
                " ON CONFLICT (pseudonym) DO UPDATE SET buttons = excluded.buttons, offered_at = excluded.offered_at",
                (pseudonym, json.dumps(buttons), time.time()),
            )

    def offered_buttons(self, pseudonym: str) -> List[Dict[str, Any]]:
        with self._lock:
            row = self._connection.execute(
                "SELECT buttons FROM offered_buttons WHERE pseudonym = ?", (pseudonym,)
            ).fetchone()
        return json.loads(row[0]) if row else []
