"""The call-back offered after an escalation: how it is safe to reach the client, where, and when.

The form asks three things (domain.yml `callback_form`): is it safe to call or text (someone else
may see the phone), the phone number or email, and a good time. Every message is read whole
(confidant/callback_text.py), so whatever the client gives, in any order and in any sentence,
is taken, and only what is missing is asked. On SMS the practice already holds the number the
client is texting from: "1" (yes) means "call me on this number", and the form copies it from
the SMS channel's encrypted store.

The number itself goes only to the encrypted contact vault: the slots hold a masked form
("phone ending 99") and the vault's reference, never the number, and nothing here logs it.
The practice is told a call-back was asked for as soon as there is a contact, so a form left
half way loses nothing.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_support import answered_since_latest_message, sms_sender_contact
from confidant.callback_text import (
    ANY_TIME,
    BY_EMAIL,
    CALL_ONLY,
    EMAIL_ONLY,
    TEXT_ONLY,
    Contact,
    is_cancel,
    read_how_answer,
    read_message,
    read_when_answer,
)
from confidant.contact_vault import ContactDetails, default_vault
from confidant.notify.outbox import Escalation, default_outbox
from confidant.notify.payloads import escalation_payload
from confidant.settings import current_settings
from confidant.vocabulary import (
    AFFIRM_INTENT,
    CALLBACK_CONTACT_SLOT,
    CALLBACK_FORM,
    CALLBACK_HOW_SLOT,
    CALLBACK_REF_SLOT,
    CALLBACK_WHEN_SLOT,
    DENY_INTENT,
    FALLBACK_CATEGORY,
    FAQ_INTENT,
    GOODBYE_INTENT,
    INFORM_CONTACT_INTENT,
    NLU_FALLBACK_INTENT,
    OTHER_LANGUAGE_INTENT,
    OUT_OF_SCOPE_INTENT,
    RISK_CATEGORY_SLOT,
    RISK_INTENTS,
)

logger = logging.getLogger(__name__)

FORM = CALLBACK_FORM
HOW, CONTACT, REF, WHEN = CALLBACK_HOW_SLOT, CALLBACK_CONTACT_SLOT, CALLBACK_REF_SLOT, CALLBACK_WHEN_SLOT
REQUESTED = "requested_slot"
# Messages the form steps aside for when they hold nothing for it: rules answer them (a question,
# a "no" that cancels, a goodbye, someone else at risk), then the form asks again.
STEP_ASIDE_INTENTS = frozenset(
    {
        FAQ_INTENT,
        "what_can_you_do",
        "bot_challenge",
        OUT_OF_SCOPE_INTENT,
        OTHER_LANGUAGE_INTENT,
        DENY_INTENT,
        GOODBYE_INTENT,
    }
)
# Intents under which any words are an answer to "when is a good time?" ("no" meaning any time).
FREE_ANSWER_INTENTS = frozenset(
    {None, NLU_FALLBACK_INTENT, AFFIRM_INTENT, DENY_INTENT, INFORM_CONTACT_INTENT, OUT_OF_SCOPE_INTENT}
)
REACH_WORDS = {TEXT_ONLY: "text", CALL_ONLY: "call"}


def escalation_for(tracker: Tracker) -> Escalation:
    """The conversation's open escalation (a call-back without one still reaches the practice)."""
    outbox = default_outbox()
    escalation = outbox.open_escalation_for(tracker.sender_id)
    if escalation is None:
        escalation = outbox.record_escalation(
            conversation_id=tracker.sender_id,
            category=tracker.get_slot(RISK_CATEGORY_SLOT) or FALLBACK_CATEGORY,
            channel=tracker.get_latest_input_channel(),
            notifiers=[],
            payload_for=lambda opened: {},
        )
    return escalation


def notify(tracker: Tracker, kind: str) -> None:
    """Queue a notice (no contact details) to every notifier; once per escalation and kind."""
    settings = current_settings()
    escalation = escalation_for(tracker)
    payload = escalation_payload(settings, escalation, kind=kind)
    default_outbox().queue(escalation.id, kind, {notifier.name: payload for notifier in settings.escalation.notifiers})


def callback_notified(tracker: Tracker) -> bool:
    outbox = default_outbox()
    escalation = outbox.open_escalation_for(tracker.sender_id)
    return escalation is not None and any(
        notification.kind == "callback" for notification in outbox.notifications(escalation.id)
    )


def request_id(tracker: Tracker) -> Optional[int]:
    value = tracker.get_slot(REF)
    try:
        return int(str(value).removeprefix("vault:")) if value else None
    except ValueError:
        return None


class ValidateCallbackForm(Action):
    """Reads every message the form sees and decides what it gave; the form asks what is missing.

    Returning no event rejects the message for the form, so the rules answer it: a risk message
    first of all (the crisis reply), then the form runs again and takes any number it held.
    """

    def name(self) -> str:
        return "validate_callback_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "")
        intent = (latest.get("intent") or {}).get("name")
        requested = tracker.get_slot(REQUESTED)
        activating = requested is None
        reading = read_message(text)

        if answered_since_latest_message(tracker, FORM):
            # A rule has replied (crisis text, an answer): only a number the message held is still taken.
            taken = self._take_contact(tracker, reading.contact, {}) if reading.contact else {}
            return [SlotSet(name, value) for name, value in taken.items()]
        if intent in RISK_INTENTS:
            return []  # the crisis reply comes first; the form runs again after it
        if is_cancel(text) and reading.contact is None:
            return []  # "forget it": the rule for a "no" in the form cancels it

        slots: Dict[str, Any] = {}
        contact = reading.contact
        if contact is None and activating and not reading.unreadable_contact:
            contact = sms_sender_contact(tracker)  # SMS: "yes" means "call me on this number"
        if contact is not None:
            slots = self._take_contact(tracker, contact, slots)

        how = reading.how
        if how is None and requested == HOW and contact is None:
            how = read_how_answer(text, intent)
        if how is not None and self._current(tracker, slots, CONTACT, "").find("@") < 0:
            slots = self._take_how(tracker, how, slots)

        when = reading.when
        if when is None and requested == WHEN and contact is None and how is None and not reading.unreadable_contact:
            if intent in FREE_ANSWER_INTENTS:
                when = read_when_answer(text)
        if when is not None:
            slots[WHEN] = when

        if slots:
            # The rest of a message that answered something is kept as the client's note.
            self._keep_details(tracker, slots, reading.note)
        if reading.unreadable_contact and contact is None:
            dispatcher.utter_message(response="utter_invalid_contact")
            return [SlotSet(CONTACT, None), SlotSet(REQUESTED, CONTACT)]
        if slots:
            return [SlotSet(name, value) for name, value in slots.items()]
        if intent in STEP_ASIDE_INTENTS and not activating:
            return []  # answered by its rule, then the form asks again
        # Nothing for the form ("ok", "hmm"): it asks its question again.
        return [SlotSet(requested or HOW, tracker.get_slot(requested or HOW))]

    @staticmethod
    def _current(tracker: Tracker, slots: Dict[str, Any], name: str, default: Any = None) -> Any:
        value = slots[name] if name in slots else tracker.get_slot(name)
        return default if value is None else value

    def _ensure_request(self, tracker: Tracker, slots: Dict[str, Any]) -> int:
        existing = request_id(tracker) if REF not in slots else (int(slots[REF]) if slots[REF] else None)
        if existing is not None:
            return existing
        new_id = default_vault().open_request(tracker.sender_id)
        slots[REF] = str(new_id)
        return new_id

    def _take_contact(self, tracker: Tracker, contact: Contact, slots: Dict[str, Any]) -> Dict[str, Any]:
        """Put the contact in the vault; the conversation keeps only its masked form and the reference."""
        details = ContactDetails(contact.kind, contact.value)
        request = self._ensure_request(tracker, slots)
        if not default_vault().set_contact(tracker.sender_id, request, details):
            request = default_vault().store(tracker.sender_id, details)
            slots[REF] = str(request)
        slots[CONTACT] = details.masked
        if contact.kind == "email":
            slots[HOW] = BY_EMAIL
            default_vault().update_details(tracker.sender_id, request, how=BY_EMAIL)
        elif self._current(tracker, slots, HOW) in (EMAIL_ONLY, BY_EMAIL):
            slots[HOW] = None  # a number after "email only": ask again whether calls or texts are safe
        if not callback_notified(tracker):
            notify(tracker, "callback")
        return slots

    def _take_how(self, tracker: Tracker, how: str, slots: Dict[str, Any]) -> Dict[str, Any]:
        slots[HOW] = how
        contact = self._current(tracker, slots, CONTACT)
        if how == EMAIL_ONLY and contact and "@" not in contact:
            # Calls and texts are not safe: the number is taken out again and an email asked for.
            request = request_id(tracker) if REF not in slots else int(slots[REF])
            if request is not None:
                default_vault().set_contact(tracker.sender_id, request, None)
            slots[CONTACT] = None
        return slots

    def _keep_details(self, tracker: Tracker, slots: Dict[str, Any], note: Optional[str]) -> None:
        """How, when and the client's note go to the vault, with the request they belong to."""
        request = self._ensure_request(tracker, slots)
        default_vault().update_details(tracker.sender_id, request, how=slots.get(HOW), when=slots.get(WHEN), note=note)


def reach_words(how: Optional[str]) -> str:
    return REACH_WORDS.get(how or "", "call or text")


class ActionSaveCallback(Action):
    """Confirm the call-back, reading back the masked contact; the practice has been told already."""

    def name(self) -> str:
        return "action_save_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        masked = str(tracker.get_slot(CONTACT) or "")
        when = tracker.get_slot(WHEN) or ANY_TIME
        good_time = "any time" if when == ANY_TIME else when
        if masked:
            notify(tracker, "callback")  # queued at the contact already; a repeat is ignored
        if "@" in masked:
            dispatcher.utter_message(response="utter_callback_saved_email", contact_masked=masked, good_time=good_time)
        elif masked:
            dispatcher.utter_message(
                response="utter_callback_saved",
                reach_how=reach_words(tracker.get_slot(HOW)),
                contact_ending=masked[-2:],
                good_time=good_time,
            )
        else:
            dispatcher.utter_message(response="utter_callback_unavailable")
        # Ready for another call-back later in the conversation; the vault keeps this one.
        return [SlotSet(HOW, None), SlotSet(CONTACT, None), SlotSet(REF, None), SlotSet(WHEN, None)]


class ActionWithdrawCallback(Action):
    """The client said no half way: the details left so far are removed and the practice told."""

    def name(self) -> str:
        return "action_withdraw_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        request = request_id(tracker)
        if request is not None:
            default_vault().delete_request(tracker.sender_id, request)
            if callback_notified(tracker):
                notify(tracker, "callback_withdrawn")
        return [SlotSet(HOW, None), SlotSet(CONTACT, None), SlotSet(REF, None), SlotSet(WHEN, None)]
