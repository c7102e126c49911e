"""The call-back offered after an escalation: take a phone number or email, keep it safe.

The details are encrypted in the contact vault; the conversation keeps only a masked copy,
and the practice is told that a call-back was asked for (not the number itself).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from confidant.contact_vault import default_vault, looks_like_contact_attempt, parse_contact
from confidant.notify.outbox import default_outbox
from confidant.notify.payloads import escalation_payload
from confidant.settings import current_settings


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    async def extract_callback_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Read contact details the classifier took for a question.

        The slot's mapping skips questions (`faq`), so that someone who has just been offered a
        call and asks "will you tell my parents?" gets the answer, and the form asks again. A
        phone number can look like a question to the classifier ("12345" reads as an age): a
        message that looks like an attempt at contact details is read as one all the same.
        """
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "")
        if (latest.get("intent") or {}).get("name") == "faq" and looks_like_contact_attempt(text):
            return {"callback_contact": text}
        return {}

    def validate_callback_contact(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        contact = parse_contact(str(slot_value or ""))
        if contact is None:
            dispatcher.utter_message(response="utter_invalid_contact")
            return {"callback_contact": None}
        default_vault().store(tracker.sender_id, contact)
        return {"callback_contact": contact.masked}


class ActionSaveCallback(Action):
    """Tell the practice a call-back was requested, on the conversation's escalation."""

    def name(self) -> str:
        return "action_save_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        settings = current_settings()
        outbox = default_outbox()
        escalation = outbox.open_escalation_for(tracker.sender_id)
        if escalation is None:
            escalation = outbox.record_escalation(
                conversation_id=tracker.sender_id,
                category=tracker.get_slot("risk_category") or "self_harm",
                channel=tracker.get_latest_input_channel(),
                notifiers=[],
                payload_for=lambda opened: {},
            )
        payload = escalation_payload(settings, escalation, kind="callback")
        outbox.queue(
            escalation.id,
            "callback",
            {notifier.name: payload for notifier in settings.escalation.notifiers},
        )
        dispatcher.utter_message(response="utter_callback_saved")
        return [SlotSet("callback_contact", None)]
