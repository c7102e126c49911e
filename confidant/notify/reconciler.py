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
from confidant.store.events_table import EVENTS
from confidant.vocabulary import CATEGORY_FOR_INTENT, RISK_INTENTS

logger = logging.getLogger(__name__)

DATABASE_URL_ENV_VAR = "CONFIDANT_DATABASE_URL"
WATERMARK_KEY = "reconciler.last_event_id"
# User messages read at a time.
PAGE_SIZE = 500


class EscalationReconciler:
    """Finds risk messages in the tracker store that have no escalation yet."""

    def __init__(
        self,
        outbox: Outbox,
        notifiers: List[str],
        payload_for: Callable[[Escalation], Dict[str, Any]],
        database_url: Optional[str] = None,
        volume: Optional[VolumeAlert] = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.outbox = outbox
        self.volume = volume
        self.notifiers = notifiers
        self.payload_for = payload_for
        url = database_url or os.environ.get(DATABASE_URL_ENV_VAR)
        self.engine = sa.create_engine(url, pool_pre_ping=True) if url else None
        self.page_size = page_size

    def run_once(self) -> int:
        """One pass over the user messages since the last; returns how many escalations it had to open.

        Read a page at a time, ids and intents only; the stored event itself (for its channel)
        only for a risk message, so a first pass over a long history holds one page in memory.
        """
        if self.engine is None:
            return 0
        since = int(self.outbox.get_state(WATERMARK_KEY) or 0)
        opened = 0
        try:
            with self.engine.connect() as connection:
                if not sa.inspect(connection).has_table(EVENTS.name):
                    return 0
                while page := connection.execute(self._page_after(since)).fetchall():
                    for row in page:
                        if row.intent_name in RISK_INTENTS:
                            opened += self._escalate_if_missed(connection, row)
                    since = page[-1].id
                    self.outbox.set_state(WATERMARK_KEY, str(since))
        except sa.exc.SQLAlchemyError as error:
            logger.warning("Reconciler could not read the tracker store: %s", type(error).__name__)
        return opened

    def _page_after(self, since: int) -> Any:
        columns = (EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.intent_name)
        return (
            sa.select(*columns)
            .where(EVENTS.c.type_name == "user", EVENTS.c.id > since)
            .order_by(EVENTS.c.id)
            .limit(self.page_size)
        )

    def _escalate_if_missed(self, connection: Any, row: Any) -> int:
        """Open an escalation for a risk message no escalation covers; 1 if a new one was opened."""
        seen_at = _as_iso(row.timestamp)
        if self.outbox.covered(row.sender_id, seen_at):
            return 0
        data = connection.execute(sa.select(EVENTS.c.data).where(EVENTS.c.id == row.id)).scalar()
        channel = (json.loads(data or "{}") or {}).get("input_channel")
        escalation = self.outbox.record_escalation(
            row.sender_id,
            CATEGORY_FOR_INTENT[row.intent_name],
            channel,
            self.notifiers,
            self.payload_for,
            seen_at=seen_at,
            volume=self.volume,
        )
        logger.warning("Escalation %s opened late: the action server missed it", escalation.id)
        return int(escalation.is_new)


def _as_iso(timestamp: float) -> str:
    return datetime.fromtimestamp(float(timestamp), timezone.utc).isoformat(timespec="microseconds")
