"""The escalation queue as the app reads it now: rows for the pages and the open-alert count.

Also the other count the navigation shows: appointment requests nobody has looked at (status new).

Joins the stores (outbox, follow-up, tracker) with the practice's office week and
`escalation.ack_timeout_minutes`, then hands the pure work to review.web.queue_view.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Sequence

from confidant.contact_vault import APPOINTMENT_STATUSES
from review.storage.escalation_queue import QueueItem
from review.web.queue_view import QueueCounts, QueueRow, queue_counts, queue_rows


def ack_timeout(services: Any) -> timedelta:
    return timedelta(minutes=services.settings.escalation.ack_timeout_minutes)


def rows_for(services: Any, items: Sequence[QueueItem], now: Optional[datetime] = None) -> List[QueueRow]:
    """Queue rows for `items`, with their conversations' messages and call-back notices."""
    conversation_ids = sorted({item.escalation.conversation_id for item in items})
    messages = services.conversations.messages_for(conversation_ids)
    notices: Dict[str, list] = {}
    for notification in services.outbox.notifications():
        notices.setdefault(notification.escalation_id, []).append(notification)
    return queue_rows(
        items,
        messages,
        notices,
        services.settings.practice.week,
        ack_timeout(services),
        now or datetime.now(timezone.utc),
        services.practice_contacts,
    )


def counts(services: Any, now: Optional[datetime] = None, items: Optional[Sequence[QueueItem]] = None) -> QueueCounts:
    """Open (unacknowledged) escalations and how many of them are past their deadline."""
    return queue_counts(
        services.queue.items() if items is None else items,
        services.settings.practice.week,
        ack_timeout(services),
        now or datetime.now(timezone.utc),
    )


def new_appointments(services: Any) -> int:
    """Appointment requests sent and still new (nobody has marked them contacted, booked or closed)."""
    return int(services.vault.appointment_count(APPOINTMENT_STATUSES[0]))


def version(items: Sequence[QueueItem]) -> str:
    """Changes whenever an escalation is opened, acknowledged, noted, resolved or reopened."""
    state = "|".join(f"{item.escalation.id}:{item.status}:{len(item.notes)}" for item in items)
    return hashlib.sha256(state.encode("utf-8")).hexdigest()[:16]
