"""Reading what a tracker store actually holds, straight from its database."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any, Dict, Iterator, List

import sqlalchemy as sa


def stored_events(url: str, sender: str) -> List[Dict[str, Any]]:
    """Every event row of one conversation, in the order it was written."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            ).fetchall()
    finally:
        engine.dispose()
    return [json.loads(row[0]) for row in rows]


ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextlib.contextmanager
def scratch_postgres_database(prefix: str) -> Iterator[str]:
    """A new database on the local PostgreSQL, dropped afterwards; yields its URL."""
    import pytest

    from confidant.store.ensure_database import ensure_database
    from tests.support.servers import unit_tier_refuses

    unit_tier_refuses("PostgreSQL")
    url = f"postgresql://postgres@127.0.0.1:5432/{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        ensure_database(url)
    except sa.exc.OperationalError:
        pytest.fail("PostgreSQL is not running on 127.0.0.1:5432 (.ci/run starts it)")
    try:
        yield url
    finally:
        name = url.rsplit("/", 1)[1]
        admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
