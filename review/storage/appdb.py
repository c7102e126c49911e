"""The review tool's own database: accounts, sessions, login throttling, audit log, follow-up.

Kept apart from the tracker store (which Rasa owns) and from the outbox (which the action
server owns). Times are ISO 8601 strings in UTC, as in the outbox, so they sort as text.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table, Text, inspect
from sqlalchemy.engine import Engine

from review.storage.engines import make_engine

METADATA = MetaData()

ACCOUNTS = Table(
    "accounts",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("last_login_at", String(40)),
)

LOGIN_THROTTLE = Table(
    "login_throttle",
    METADATA,
    Column("name", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", String(40)),
)

SESSIONS = Table(
    "sessions",
    METADATA,
    Column("token_hash", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("last_seen_at", String(40), nullable=False),
)

AUDIT_LOG = Table(
    "audit_log",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("at", String(40), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(255), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Column("address", String(64), nullable=False, default=""),
    # The hash chain (review/storage/audit.py): each entry's keyed hash covers the one before it.
    Column("prev_hash", String(64)),
    Column("entry_hash", String(64)),
    Index("audit_log_at", "at"),
)

# One row: the newest entry's hash. Updated first in every audit transaction, which serialises
# appends (SQLite's write lock, PostgreSQL's row lock) and lets `verify` notice a cut-off tail.
AUDIT_CHAIN = Table(
    "audit_chain",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("entries", Integer, nullable=False),
    Column("last_hash", String(64)),
)

# Which conversations left the app in each export (keyed references, never the ids).
AUDIT_EXPORTED = Table(
    "audit_exported",
    METADATA,
    Column("entry_id", Integer, ForeignKey("audit_log.id"), nullable=False, index=True),
    Column("conversation_ref", String(64), nullable=False, index=True),
)

NOTES = Table(
    "notes",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("escalation_id", String(64)),
    Column("author", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

RESOLUTIONS = Table(
    "resolutions",
    METADATA,
    Column("escalation_id", String(64), primary_key=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("resolved_by", String(64), nullable=False),
    Column("resolved_at", String(40), nullable=False),
)


def stamp(moment: Optional[datetime] = None) -> str:
    """A moment as stored here: ISO 8601, UTC, microseconds."""
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_stamp(value: Optional[str]) -> Optional[datetime]:
    return datetime.fromisoformat(value) if value else None


# Columns added after a table was first released: (table, column, SQL type), added if missing.
ADDED_COLUMNS = (("audit_log", "prev_hash", "VARCHAR(64)"), ("audit_log", "entry_hash", "VARCHAR(64)"))


def open_review_db(url: str) -> Engine:
    """An engine on the review database, with its tables (and columns added since) created if missing."""
    engine = make_engine(url)
    METADATA.create_all(engine)
    with engine.begin() as connection:
        inspector = inspect(connection)
        for table, column, sql_type in ADDED_COLUMNS:
            if column not in {existing["name"] for existing in inspector.get_columns(table)}:
                connection.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")
    return engine
