"""What a notification says: the minimum a person needs to act, and no client text by default."""

from __future__ import annotations

from typing import Any, Dict, Optional

from confidant.notify.outbox import Escalation
from confidant.settings import PracticeSettings

CATEGORY_LABELS = {
    "self_harm": "thoughts of suicide or self-harm",
    "harm_others": "risk of harm to others",
    "abuse": "abuse disclosure",
}
SUMMARY_FOR_KIND = {
    "escalation": "Escalation: {what}",
    "callback": "Call-back requested after {what}",
    "second_contact": "NOT YET ACKNOWLEDGED: {what}",
}


def review_link(settings: PracticeSettings, conversation_id: str) -> str:
    return f"{settings.escalation.review_url.rstrip('/')}/conversations/{conversation_id}"


def escalation_payload(
    settings: PracticeSettings,
    escalation: Escalation,
    kind: str = "escalation",
    message_text: Optional[str] = None,
) -> Dict[str, Any]:
    """The JSON body of a webhook and the facts of an email about one escalation."""
    what = CATEGORY_LABELS.get(escalation.category, "risk")
    payload: Dict[str, Any] = {
        "type": kind,
        "summary": SUMMARY_FOR_KIND.get(kind, "Escalation: {what}").format(what=what),
        "escalation_id": escalation.id,
        "conversation_id": escalation.conversation_id,
        "category": escalation.category,
        "channel": escalation.channel,
        "time": escalation.created_at,
        "review_link": review_link(settings, escalation.conversation_id),
        "practice": settings.practice.name,
    }
    if settings.escalation.include_message_text and message_text:
        payload["message"] = message_text
    return payload
