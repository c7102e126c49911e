"""Escalate risk messages that reached the conversation but never reached the outbox.

The crisis response is sent by Rasa itself, so a client at risk is answered even when the
action server is down; but then `action_escalate` never ran and no person was told. This
reconciler reads the tracker store for risk messages since its last pass and opens an
escalation for any that no escalation covers. It runs in the action server's background loop,
so escalations missed during an outage are delivered once the action server is back.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional

import sqlalchemy as sa

from confidant.notify.outbox import Escalation, Outbox, VolumeAlert
from confidant.vocabulary import CATEGORY_FOR_INTENT

logger = logging.getLogger(__name__)

DATABASE_URL_ENV_VAR = "CONFIDANT_DATABASE_URL"
WATERMARK_KEY = "reconciler.last_event_id"


class EscalationReconciler:
    """Finds risk messages in the tracker store that have no escalation yet."""

    def __init__(
        self,
        outbox: Outbox,
        notifiers: List[str],
        payload_for: Callable[[Escalation], Dict[str, Any]],
        database_url: Optional[str] = None,
        volume: Optional[VolumeAlert] = None,
    ) -> None:
        self.outbox = outbox
        self.volume = volume
        self.notifiers = notifiers
        self.payload_for = payload_for
        url = database_url or os.environ.get(DATABASE_URL_ENV_VAR)
        self.engine = sa.create_engine(url, pool_pre_ping=True) if url else None

    def run_once(self) -> int:
        """One pass; returns how many escalations it had to open."""
        if self.engine is None:
            return 0
        since = int(self.outbox.get_state(WATERMARK_KEY) or 0)
        try:
            with self.engine.connect() as connection:
                if not sa.inspect(connection).has_table("events"):
                    return 0
                rows = connection.execute(
                    sa.text(
                        "SELECT id, sender_id, timestamp, intent_name, data FROM events"
                        " WHERE type_name = 'user' AND id > :since ORDER BY id"
                    ),
                    {"since": since},
                ).fetchall()
        except sa.exc.SQLAlchemyError as error:
            logger.warning("Reconciler could not read the tracker store: %s", type(error).__name__)
            return 0
        opened = 0
        for row in rows:
            category = CATEGORY_FOR_INTENT.get(row.intent_name or "")
            if category and not self.outbox.covered(row.sender_id, _as_iso(row.timestamp)):
                channel = (json.loads(row.data or "{}") or {}).get("input_channel")
                escalation = self.outbox.record_escalation(
                    row.sender_id,
                    category,
                    channel,
                    self.notifiers,
                    self.payload_for,
                    seen_at=_as_iso(row.timestamp),
                    volume=self.volume,
                )
                opened += int(escalation.is_new)
                logger.warning("Escalation %s opened late: the action server missed it", escalation.id)
            self.outbox.set_state(WATERMARK_KEY, str(row.id))
        return opened


def _as_iso(timestamp: float) -> str:
    return datetime.fromtimestamp(float(timestamp), timezone.utc).isoformat(timespec="microseconds")
