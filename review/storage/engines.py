"""SQLAlchemy engines for the tracker store and the review database.

The read engine refuses writes at the connection level as well (SQLite `query_only`,
PostgreSQL read-only sessions), in addition to the read-only role on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from confidant.private_files import private_sqlite_url


def normalise_url(url: str) -> str:
    """Accept `postgres://` (what many hosts hand out) as SQLAlchemy's `postgresql://`."""
    if url.startswith("postgres://"):
        return "postgresql://" + url[len("postgres://") :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def make_engine(url: str, read_only: bool = False) -> Engine:
    """An engine for `url`; with `read_only`, every connection it opens refuses to write."""
    url = normalise_url(url)
    if is_sqlite(url):
        private_sqlite_url(url)  # created 0600 before SQLite makes it world-readable
        engine = create_engine(url, future=True, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA secure_delete = ON")  # erased rows are overwritten, not left in free pages
            if read_only:
                cursor.execute("PRAGMA query_only = ON")
            cursor.close()

        return engine

    engine = create_engine(url, future=True, pool_pre_ping=True, pool_size=5, max_overflow=5)
    if read_only and engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _postgres_read_only(connection: Any, _record: Any) -> None:
            connection.readonly = True

    return engine
