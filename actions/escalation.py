"""Escalate a risk message to a person at the practice.

The crisis resources have already been sent by a rule before this action runs; this action
does the work: it records the escalation and its evidence, and queues notifications in the
durable outbox, which the action server delivers in the background.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from confidant.notify.outbox import default_outbox
from confidant.notify.payloads import escalation_payload, volume_alert
from confidant.settings import current_settings
from confidant.vocabulary import (
    CATEGORY_FOR_INTENT,
    ESCALATED_SLOT,
    FALLBACK_CATEGORY,
    RISK_CATEGORY_SLOT,
    RISK_EVIDENCE_SLOT,
    RISK_PROPERTY,
    intent_of,
)


def risk_of_latest_message(tracker: Tracker) -> Dict[str, Any]:
    """The risk decision the NLU pipeline attached to the message being handled."""
    message = tracker.latest_message or {}
    risk = dict(message.get(RISK_PROPERTY) or {})
    if not risk.get("category"):
        risk["category"] = CATEGORY_FOR_INTENT.get(intent_of(message) or "")
    return risk


class ActionEscalate(Action):
    def name(self) -> str:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        settings = current_settings()
        risk = risk_of_latest_message(tracker)
        # Err towards escalation: a risk intent with no category still pages someone.
        category = risk.get("category") or FALLBACK_CATEGORY
        message_text = (tracker.latest_message or {}).get("text")
        escalation = default_outbox().record_escalation(
            conversation_id=tracker.sender_id,
            category=category,
            channel=tracker.get_latest_input_channel(),
            notifiers=[notifier.name for notifier in settings.escalation.notifiers],
            payload_for=lambda opened: escalation_payload(settings, opened, message_text=message_text),
            volume=volume_alert(settings),
        )
        evidence = {
            "escalation_id": escalation.id,
            "category": category,
            "layers": risk.get("layers", []),
            "writer": risk.get("writer"),
            "writer_reason": risk.get("writer_reason"),
            "evidence": (risk.get("screen") or {}).get("evidence", []),
            "classifier": risk.get("classifier"),
        }
        return [
            SlotSet(ESCALATED_SLOT, True),
            SlotSet(RISK_CATEGORY_SLOT, category),
            SlotSet(RISK_EVIDENCE_SLOT, evidence),
        ]
