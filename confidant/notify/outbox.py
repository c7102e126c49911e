"""A durable outbox for escalations and the notifications they cause.

An escalation is written here first, in the same call that handles the risk message, and
only then delivered. If a webhook or mail server is down, or the action server restarts, the
notification is still here and is retried until it is delivered: nothing about a client at
risk may be lost between "the assistant noticed" and "a person was told".

SQLite keeps this working with nothing to install; each write is its own transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

from confidant.notify.records import Escalation, Notification, VolumeAlert
from confidant.private_files import private_sqlite
from confidant.settings import PROJECT_ROOT

OUTBOX_PATH_ENV_VAR = "CONFIDANT_OUTBOX_PATH"
DEFAULT_OUTBOX_PATH = PROJECT_ROOT / "var" / "outbox.sqlite3"
MAX_BACKOFF_SECONDS = 300

SCHEMA = """
CREATE TABLE IF NOT EXISTS escalations (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    category TEXT NOT NULL,
    channel TEXT,
    created_at TEXT NOT NULL,
    repeat_count INTEGER NOT NULL DEFAULT 0,
    last_seen_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    second_contact_at TEXT
);
CREATE INDEX IF NOT EXISTS escalations_open
    ON escalations (conversation_id) WHERE acknowledged_at IS NULL;
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    escalation_id TEXT NOT NULL REFERENCES escalations(id),
    kind TEXT NOT NULL,
    notifier TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (escalation_id, kind, notifier)
);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Added after the first release: an outbox made before it gets the column on opening.
PAGED_COLUMN = "paged INTEGER NOT NULL DEFAULT 1"
# A notice about something other than an escalation (an appointment request) names its subject
# in `escalation_id` ("appointment:12") and its conversation here, so erasure finds it.
NOTICE_CONVERSATION_COLUMN = "conversation_id TEXT"
UNUSUAL_VOLUME_STATE_KEY = "unusual_volume.alerted_at"
VOLUME_WINDOW = timedelta(hours=1)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _parse(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Outbox:
    """Escalations and pending notifications, safe to share between threads of one process."""

    def __init__(self, path: Optional[os.PathLike] = None) -> None:
        self.path = private_sqlite(Path(path or os.environ.get(OUTBOX_PATH_ENV_VAR) or DEFAULT_OUTBOX_PATH))
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute("PRAGMA secure_delete = ON")  # erased rows are overwritten, not left in free pages
        self._create_or_upgrade_schema()

    def _create_or_upgrade_schema(self) -> None:
        """Creates the tables and adds later releases' columns, one process at a time.

        On a first `make run` the action server and the review app open the new outbox at the
        same moment; without the write lock both saw a column missing and one failed adding it.
        """
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            columns = {row["name"] for row in connection.execute("PRAGMA table_info(escalations)")}
            if "paged" not in columns:
                connection.execute(f"ALTER TABLE escalations ADD COLUMN {PAGED_COLUMN}")
            notice_columns = {row["name"] for row in connection.execute("PRAGMA table_info(notifications)")}
            if "conversation_id" not in notice_columns:
                connection.execute(f"ALTER TABLE notifications ADD COLUMN {NOTICE_CONVERSATION_COLUMN}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._connection.close()

    def _transaction(self) -> "_Transaction":
        return _Transaction(self._connection, self._lock)

    # ---- escalations ---------------------------------------------------------------------

    def record_escalation(
        self,
        conversation_id: str,
        category: str,
        channel: Optional[str],
        notifiers: List[str],
        payload_for: Callable[[Escalation], Dict[str, Any]],
        now: Optional[datetime] = None,
        seen_at: Optional[str] = None,
        volume: Optional[VolumeAlert] = None,
    ) -> Escalation:
        """Open an escalation and queue one notification per notifier, atomically.

        A conversation with an escalation nobody has acknowledged yet does not page the
        practice again for every further message: the open escalation counts the repeat.
        With `volume`, an escalation beyond `volume.per_hour` new ones in the last hour is
        recorded (for the review queue) without paging; the first such one in an hour queues
        ONE "unusual_volume" alert instead, so a flood cannot bury the practice in pages.
        """
        moment_at = now or utc_now()
        moment = _iso(moment_at)
        seen = seen_at or moment
        with self._transaction() as cursor:
            row = cursor.execute(
                "SELECT * FROM escalations WHERE conversation_id = ? AND acknowledged_at IS NULL"
                " ORDER BY created_at DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
            if row is not None:
                cursor.execute(
                    "UPDATE escalations SET repeat_count = repeat_count + 1,"
                    " last_seen_at = MAX(last_seen_at, ?) WHERE id = ?",
                    (seen, row["id"]),
                )
                return self._escalation(cursor, row["id"])
            hour_ago = _iso(moment_at - VOLUME_WINDOW)
            recent = 0
            if volume is not None:
                recent = cursor.execute(
                    "SELECT COUNT(*) FROM escalations WHERE created_at > ?", (hour_ago,)
                ).fetchone()[0]
            paged = volume is None or recent < volume.per_hour
            escalation_id = uuid.uuid4().hex
            cursor.execute(
                "INSERT INTO escalations (id, conversation_id, category, channel, created_at,"
                " last_seen_at, paged) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (escalation_id, conversation_id, category, channel, moment, seen, int(paged)),
            )
            escalation = self._escalation(cursor, escalation_id, is_new=True)
            if paged:
                payload = payload_for(escalation)
                for notifier in notifiers:
                    self._queue(cursor, escalation_id, "escalation", notifier, payload, moment)
                return escalation
            alerted = cursor.execute("SELECT value FROM state WHERE key = ?", (UNUSUAL_VOLUME_STATE_KEY,)).fetchone()
            if volume is not None and (alerted is None or alerted["value"] <= hour_ago):
                alert = volume.payload_for(recent + 1)
                for notifier in notifiers:
                    self._queue(cursor, escalation_id, "unusual_volume", notifier, alert, moment)
                cursor.execute(
                    "INSERT INTO state (key, value) VALUES (?, ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (UNUSUAL_VOLUME_STATE_KEY, moment),
                )
            return escalation

    def queue(self, escalation_id: str, kind: str, payloads: Dict[str, Dict[str, Any]]) -> None:
        """Queue further notifications about an escalation (call-back left, second contact)."""
        moment = _iso(utc_now())
        with self._transaction() as cursor:
            for notifier, payload in payloads.items():
                self._queue(cursor, escalation_id, kind, notifier, payload, moment)

    def queue_notice(self, subject: str, conversation_id: str, kind: str, payloads: Dict[str, Dict[str, Any]]) -> None:
        """Queue notifications about something that is not an escalation (once per subject, kind and notifier).

        Delivered and retried like any other; `subject` (e.g. "appointment:12") stands where an
        escalation's id would, and the conversation is recorded so that erasure removes them.
        """
        moment = _iso(utc_now())
        with self._transaction() as cursor:
            for notifier, payload in payloads.items():
                self._queue(cursor, subject, kind, notifier, payload, moment)
                cursor.execute(
                    "UPDATE notifications SET conversation_id = ?"
                    " WHERE escalation_id = ? AND kind = ? AND notifier = ?",
                    (conversation_id, subject, kind, notifier),
                )

    @staticmethod
    def _queue(
        cursor: sqlite3.Cursor,
        escalation_id: str,
        kind: str,
        notifier: str,
        payload: Dict[str, Any],
        moment: str,
    ) -> None:
        cursor.execute(
            "INSERT OR IGNORE INTO notifications (escalation_id, kind, notifier, payload,"
            " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (escalation_id, kind, notifier, json.dumps(payload, sort_keys=True), moment, moment),
        )

    def covered(self, conversation_id: str, seen_at: str) -> bool:
        """Whether an escalation of this conversation already accounts for a risk message."""
        with self._transaction() as cursor:
            row = cursor.execute(
                "SELECT 1 FROM escalations WHERE conversation_id = ? AND last_seen_at >= ? LIMIT 1",
                (conversation_id, seen_at),
            ).fetchone()
            return row is not None

    def get_state(self, key: str) -> Optional[str]:
        with self._transaction() as cursor:
            row = cursor.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
            return row["value"] if row else None

    def set_state(self, key: str, value: str) -> None:
        with self._transaction() as cursor:
            cursor.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def acknowledge(self, escalation_id: str, by: str) -> bool:
        """Mark an escalation as seen by a person; False if it was unknown or already done."""
        with self._transaction() as cursor:
            result = cursor.execute(
                "UPDATE escalations SET acknowledged_at = ?, acknowledged_by = ?"
                " WHERE id = ? AND acknowledged_at IS NULL",
                (_iso(utc_now()), by, escalation_id),
            )
            return result.rowcount == 1

    def escalation(self, escalation_id: str) -> Optional[Escalation]:
        """One escalation, or None if there is no such id."""
        with self._transaction() as cursor:
            if cursor.execute("SELECT 1 FROM escalations WHERE id = ?", (escalation_id,)).fetchone() is None:
                return None
            return self._escalation(cursor, escalation_id)

    def open_escalation_for(self, conversation_id: str) -> Optional[Escalation]:
        with self._transaction() as cursor:
            row = cursor.execute(
                "SELECT id FROM escalations WHERE conversation_id = ? AND acknowledged_at IS NULL"
                " ORDER BY created_at DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
            return self._escalation(cursor, row["id"]) if row else None

    def escalations(self, conversation_id: Optional[str] = None) -> List[Escalation]:
        """Escalations, newest first: the review tool's queue (or one conversation's)."""
        query = "SELECT id FROM escalations"
        args: tuple = ()
        if conversation_id is not None:
            query += " WHERE conversation_id = ?"
            args = (conversation_id,)
        with self._transaction() as cursor:
            rows = cursor.execute(query + " ORDER BY created_at DESC, id", args).fetchall()
            return [self._escalation(cursor, row["id"]) for row in rows]

    def forget_conversation(self, conversation_id: str) -> int:
        """Delete a conversation's escalations and their notifications (erasure, retention).

        Returns how many escalations were deleted. Pending notifications about them go too:
        nothing about a deleted conversation may be sent afterwards.
        """
        with self._transaction() as cursor:
            cursor.execute(
                "DELETE FROM notifications WHERE conversation_id = ? OR escalation_id IN"
                " (SELECT id FROM escalations WHERE conversation_id = ?)",
                (conversation_id, conversation_id),
            )
            deleted = cursor.execute("DELETE FROM escalations WHERE conversation_id = ?", (conversation_id,)).rowcount
        self._truncate_log()
        return deleted

    def _truncate_log(self) -> None:
        """Fold the write-ahead log into the database and empty it: no copy of erased rows stays in it."""
        with self._lock:
            self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def conversations_older_than(self, cutoff: datetime) -> List[str]:
        """Conversations whose newest escalation is older than `cutoff` (for retention)."""
        with self._transaction() as cursor:
            rows = cursor.execute(
                "SELECT conversation_id FROM escalations GROUP BY conversation_id HAVING MAX(last_seen_at) < ?",
                (_iso(cutoff),),
            ).fetchall()
        return [row[0] for row in rows]

    def overdue_escalations(
        self, ack_timeout: Union[timedelta, Callable[[datetime], datetime]], now: Optional[datetime] = None
    ) -> List[Escalation]:
        """Unacknowledged escalations past their deadline whose second contact is not told.

        `ack_timeout` is a fixed timeout, or a function from an escalation's creation time to its
        deadline (office time: confidant.office_hours).
        """
        moment = now or utc_now()
        deadline_for = ack_timeout if callable(ack_timeout) else (lambda created: created + ack_timeout)
        with self._transaction() as cursor:
            rows = cursor.execute(
                "SELECT id, created_at FROM escalations WHERE acknowledged_at IS NULL"
                " AND second_contact_at IS NULL AND paged = 1 AND created_at <= ? ORDER BY created_at",
                (_iso(moment),),
            ).fetchall()
            return [
                self._escalation(cursor, row["id"]) for row in rows if deadline_for(_parse(row["created_at"])) <= moment
            ]

    def mark_second_contact(self, escalation_id: str, payloads: Dict[str, Dict[str, Any]]) -> None:
        moment = _iso(utc_now())
        with self._transaction() as cursor:
            cursor.execute(
                "UPDATE escalations SET second_contact_at = ? WHERE id = ?",
                (moment, escalation_id),
            )
            for notifier, payload in payloads.items():
                self._queue(cursor, escalation_id, "second_contact", notifier, payload, moment)

    @staticmethod
    def _escalation(cursor: sqlite3.Cursor, escalation_id: str, is_new: bool = False) -> Escalation:
        row = cursor.execute("SELECT * FROM escalations WHERE id = ?", (escalation_id,)).fetchone()
        return Escalation(
            id=row["id"],
            conversation_id=row["conversation_id"],
            category=row["category"],
            channel=row["channel"],
            created_at=row["created_at"],
            repeat_count=row["repeat_count"],
            acknowledged_at=row["acknowledged_at"],
            acknowledged_by=row["acknowledged_by"],
            second_contact_at=row["second_contact_at"],
            is_new=is_new,
            paged=bool(row["paged"]),
        )

    # ---- notifications -------------------------------------------------------------------

    def due(self, now: Optional[datetime] = None, limit: int = 50) -> List[Notification]:
        with self._transaction() as cursor:
            rows = cursor.execute(
                "SELECT * FROM notifications WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                (_iso(now or utc_now()), limit),
            ).fetchall()
        return [self._notification(row) for row in rows]

    def notifications(self, escalation_id: Optional[str] = None) -> List[Notification]:
        query = "SELECT * FROM notifications"
        args: tuple = ()
        if escalation_id:
            query += " WHERE escalation_id = ?"
            args = (escalation_id,)
        with self._transaction() as cursor:
            rows = cursor.execute(query + " ORDER BY id", args).fetchall()
        return [self._notification(row) for row in rows]

    def mark_sent(self, notification_id: int) -> None:
        with self._transaction() as cursor:
            cursor.execute(
                "UPDATE notifications SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                " last_error = NULL WHERE id = ?",
                (_iso(utc_now()), notification_id),
            )

    def mark_failed_attempt(self, notification_id: int, error: str) -> None:
        """Keep the notification pending and back off: it is retried until it gets through."""
        with self._transaction() as cursor:
            row = cursor.execute("SELECT attempts FROM notifications WHERE id = ?", (notification_id,)).fetchone()
            attempts = (row["attempts"] if row else 0) + 1
            delay = min(2**attempts, MAX_BACKOFF_SECONDS)
            cursor.execute(
                "UPDATE notifications SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                (attempts, error[:500], _iso(utc_now() + timedelta(seconds=delay)), notification_id),
            )

    @staticmethod
    def _notification(row: sqlite3.Row) -> Notification:
        return Notification(
            id=row["id"],
            escalation_id=row["escalation_id"],
            kind=row["kind"],
            notifier=row["notifier"],
            payload=json.loads(row["payload"]),
            status=row["status"],
            attempts=row["attempts"],
            last_error=row["last_error"],
        )


class _Transaction:
    """One lock-protected, immediate SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection, lock: threading.Lock) -> None:
        self._connection = connection
        self._lock = lock

    def __enter__(self) -> sqlite3.Cursor:
        self._lock.acquire()
        self._cursor = self._connection.cursor()
        self._cursor.execute("BEGIN IMMEDIATE")
        return self._cursor

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        try:
            self._cursor.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()


@cache
def default_outbox() -> Outbox:
    """The outbox of this process, at the path the environment names (or var/)."""
    return Outbox()
