"""What the outbox holds, as its readers see it: escalations, their notifications, the volume alert.

Kept apart from the store so that the dispatcher, the reconciler and the review app can name
these records without depending on how the outbox keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional


@dataclass(frozen=True)
class Escalation:
    id: str
    conversation_id: str
    category: str
    channel: Optional[str]
    created_at: str
    repeat_count: int
    acknowledged_at: Optional[str]
    acknowledged_by: Optional[str]
    second_contact_at: Optional[str]
    is_new: bool = False
    paged: bool = True  # False: opened during unusual volume, covered by the one volume alert


@dataclass(frozen=True)
class VolumeAlert:
    """Beyond `per_hour` new escalations in an hour, one alert (`payload_for(count)`) instead of pages."""

    per_hour: int
    payload_for: Callable[[int], Dict[str, Any]]


@dataclass(frozen=True)
class Notification:
    id: int
    escalation_id: str
    kind: str
    notifier: str
    payload: Dict[str, Any]
    status: str
    attempts: int
    last_error: Optional[str]
