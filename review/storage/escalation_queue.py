"""The escalation queue: the outbox's escalations with the review tool's notes and resolutions.

An escalation is "open" until a person acknowledges it (which stops the second-contact page),
"acknowledged" until someone marks the follow-up done, then "resolved".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from confidant.notify.outbox import Escalation, Outbox
from review.storage.followup import FollowUp, Note, Resolution

STATUSES = ("open", "acknowledged", "resolved")


@dataclass(frozen=True)
class QueueItem:
    escalation: Escalation
    resolution: Optional[Resolution]
    notes: List[Note] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.resolution is not None:
            return "resolved"
        return "acknowledged" if self.escalation.acknowledged_at else "open"


class EscalationQueue:
    def __init__(self, outbox: Outbox, followup: FollowUp) -> None:
        self.outbox = outbox
        self.followup = followup

    def items(self, status: Optional[str] = None, conversation_id: Optional[str] = None) -> List[QueueItem]:
        """Escalations newest first, optionally only those with `status` or of one conversation."""
        escalations = self.outbox.escalations(conversation_id)
        resolutions = self.followup.resolutions()
        notes = self.followup.notes({item.conversation_id for item in escalations})
        items = []
        for escalation in escalations:
            own_notes = [
                note for note in notes.get(escalation.conversation_id, []) if note.escalation_id == escalation.id
            ]
            items.append(QueueItem(escalation, resolutions.get(escalation.id), own_notes))
        return [item for item in items if status is None or item.status == status]

    def categories_by_conversation(self) -> Dict[str, List[str]]:
        """Which conversations the outbox escalated, with the categories, for the list's filters."""
        grouped: Dict[str, List[str]] = {}
        for escalation in self.outbox.escalations():
            grouped.setdefault(escalation.conversation_id, []).append(escalation.category)
        return grouped

    def status_by_conversation(self) -> Dict[str, str]:
        """The least settled status of each escalated conversation: open, then acknowledged, then resolved."""
        worst: Dict[str, str] = {}
        for item in self.items():
            current = worst.get(item.escalation.conversation_id)
            if current is None or STATUSES.index(item.status) < STATUSES.index(current):
                worst[item.escalation.conversation_id] = item.status
        return worst
