"""What a notification says: the minimum a person needs to act, and no client text by default."""

from __future__ import annotations

from typing import Any, Dict, Optional

from confidant.notify.records import Escalation, VolumeAlert
from confidant.settings import PracticeSettings
from confidant.vocabulary import ABUSE, HARM_OTHERS, SELF_HARM

CATEGORY_LABELS = {
    SELF_HARM: "thoughts of suicide or self-harm",
    HARM_OTHERS: "risk of harm to others",
    ABUSE: "abuse disclosure",
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


def unusual_volume_payload(settings: PracticeSettings, count: int) -> Dict[str, Any]:
    """The one alert sent instead of a page per escalation when escalations come in a flood."""
    return {
        "type": "unusual_volume",
        "summary": (
            f"Unusual volume: {count} escalations in the last hour. Further ones this hour are not paged "
            "one by one; every one is in the review tool's escalation queue."
        ),
        "count": count,
        "review_link": f"{settings.escalation.review_url.rstrip('/')}/escalations",
        "practice": settings.practice.name,
    }


def volume_alert(settings: PracticeSettings) -> VolumeAlert:
    """practice.yml's threshold (`escalation.unusual_volume_per_hour`) and its alert."""
    return VolumeAlert(
        settings.escalation.unusual_volume_per_hour,
        lambda count: unusual_volume_payload(settings, count),
    )


def appointment_payload(
    settings: PracticeSettings, request_id: int, conversation_id: str, channel: Optional[str], time: str
) -> Dict[str, Any]:
    """A new appointment request: where to see it, never the client's name, contact or words."""
    return {
        "type": "appointment_request",
        "summary": "A client asked for a first appointment",
        "appointment_id": request_id,
        "conversation_id": conversation_id,
        "channel": channel,
        "time": time,
        "review_link": f"{settings.escalation.review_url.rstrip('/')}/appointments",
        "practice": settings.practice.name,
    }
