"""Reading what a tracker store actually holds, straight from its database."""

from __future__ import annotations

import json
from typing import Any, Dict, List

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
