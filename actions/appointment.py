"""A first appointment or a call to talk it over: the next step after the answers.

The form (domain.yml `appointment_form`) asks what to call the client, how to reach them, whether
a message may be left there, a good time and anything the practice should know, then reads the
request back ("the number ending 99") and sends it only once the client agrees. Every message is
read whole, as for the call-back (confidant/callback_text.py): "I'm Sam, call me at 555-010-0199
after 5pm" gives what it holds and only what is missing is asked. On SMS "1" means "contact me
on this number", copied from the SMS channel's encrypted store.

The name, the contact and the note go only to the encrypted contact vault, as a draft; the
conversation keeps "given", the masked contact and the vault's reference. Stopping half way
("never mind", "stop") deletes the draft: nothing reaches the practice. A question in the middle
is answered and the draft waits (data/rules/appointment.yml). Once sent, the practice is told
through the outbox (no details) and the request waits in the review tool's appointment queue.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_support import answered_since_latest_message, sms_sender_contact
from confidant.appointment_text import (
    MESSAGE_OK,
    NAME_GIVEN,
    NO_NAME,
    NO_NOTE,
    NOTE_GIVEN,
    is_nothing_more,
    is_stop,
    read_confirmation,
    read_message_ok,
    read_name,
)
from confidant.callback_text import ANY_TIME, MAX_NOTE_CHARS, Contact, is_cancel, read_message, read_when_answer
from confidant.contact_vault import ContactDetails, default_vault
from confidant.notify.outbox import default_outbox
from confidant.notify.payloads import appointment_payload
from confidant.settings import current_settings
from confidant.vocabulary import REQUEST_APPOINTMENT_INTENT, RISK_INTENTS

FORM = "appointment_form"
NAME, CONTACT, REF = "appointment_name", "appointment_contact", "appointment_ref"
MESSAGE, WHEN, NOTE = "appointment_message_ok", "appointment_when", "appointment_note"
CONFIRMED, TRIES = "appointment_confirmed", "appointment_contact_tries"
REQUESTED = "requested_slot"
FORM_SLOTS = (NAME, CONTACT, REF, MESSAGE, WHEN, NOTE, CONFIRMED)
REQUIRED_SLOTS = (NAME, CONTACT, MESSAGE, WHEN, NOTE, CONFIRMED)  # domain.yml, in the order asked
REQUEST_INTENT = REQUEST_APPOINTMENT_INTENT
# After this many numbers or emails it could not read, the practice's phone is offered instead.
TRIES_BEFORE_PHONE = 2
# Messages the form steps aside for when they hold nothing for it: their rules answer them.
STEP_ASIDE_INTENTS = frozenset(
    {"faq", "what_can_you_do", "bot_challenge", "out_of_scope", "other_language", "deny", "goodbye"}
)
# Under these intents the words of a free answer (a time, a note) are still the answer.
FREE_ANSWER_INTENTS = frozenset(
    {None, "nlu_fallback", "affirm", "deny", "inform_contact", "out_of_scope", "share_feelings", "thanks", "greet"}
)
# A name is not taken from a greeting, a thank-you or a yes unless it says it is one ("hi, I'm Sam").
NOT_A_NAME_INTENTS = frozenset({"greet", "thanks", "affirm"})
SAYS_A_NAME = re.compile(r"\b(?:my name|name'?s|call me|i'?m|i am)\b", re.I)
# A note is taken whatever it asks, except what its own rule answers.
NOT_A_NOTE_INTENTS = frozenset({"goodbye", "what_can_you_do", "bot_challenge", "other_language"})
PLAIN_NO = re.compile(r"^\s*(?:no|nope|nah)\b", re.I)


def request_id(tracker: Tracker) -> Optional[int]:
    value = tracker.get_slot(REF)
    try:
        return int(str(value)) if value else None
    except ValueError:
        return None


def wants_to_stop(text: str) -> bool:
    """ "Stop", "cancel", "never mind", "forget it"; a plain "no thanks" answers the question asked."""
    return is_stop(text) or (is_cancel(text) and not PLAIN_NO.match(text))


def cleared() -> List[EventType]:
    """The form's slots emptied, ready for another request later in the conversation."""
    return [SlotSet(name, None) for name in FORM_SLOTS] + [SlotSet(TRIES, 0.0)]


class ValidateAppointmentForm(Action):
    """Reads every message the form sees and decides what it gave; the form asks what is missing.

    Returning no event rejects the message for the form, so the rules answer it: a risk message
    first of all (the crisis reply), then the form runs again and asks its question again.
    """

    def name(self) -> str:
        return "validate_appointment_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        latest = tracker.latest_message or {}
        text = str(latest.get("text") or "")
        intent = (latest.get("intent") or {}).get("name")
        requested = tracker.get_slot(REQUESTED)
        if requested is None and intent != REQUEST_INTENT:
            # Open but never asked (it opened while the action server was down): the message
            # answers the first question still open.
            requested = next((name for name in REQUIRED_SLOTS if tracker.get_slot(name) is None), None)
        activating = requested is None
        if activating and self._draft_gone(tracker):
            # Resumed after the draft was deleted (retention of unsent drafts, erasure): what
            # the slots say was given is no longer anywhere, so the request starts over.
            return cleared()
        reading = read_message(text)
        slots: Dict[str, Any] = {}

        if answered_since_latest_message(tracker, FORM):
            # A rule has replied (the crisis text): only a number the message held is still taken.
            if reading.contact:
                self._take_contact(tracker, reading.contact, slots)
            return self._events(tracker, slots)
        if intent in RISK_INTENTS:
            return []  # the crisis reply comes first; the form runs again after it
        if wants_to_stop(text) and reading.contact is None:
            return self._stop(dispatcher, tracker)

        contact = reading.contact
        if contact is None and requested == CONTACT and not reading.unreadable_contact:
            if intent == "affirm" or text.strip() == "1":
                contact = sms_sender_contact(tracker)  # SMS: "1" means "contact me on this number"
        if contact is not None:
            self._take_contact(tracker, contact, slots)
            if requested == CONFIRMED:
                slots[CONFIRMED] = None  # a new contact is read back again
        if reading.when and requested in (NAME, CONTACT, MESSAGE, WHEN):
            slots[WHEN] = reading.when  # "call me at ... after 5pm": the time is taken wherever it comes

        if requested == NAME:
            self._read_name(text, intent, reading.contact is not None, slots)
        elif requested == MESSAGE and contact is None:
            answer = read_message_ok(text, intent)
            if answer:
                slots[MESSAGE] = answer
        elif requested == WHEN and contact is None and WHEN not in slots and intent in FREE_ANSWER_INTENTS:
            slots[WHEN] = read_when_answer(text)
        elif requested == NOTE and contact is None and intent not in NOT_A_NOTE_INTENTS:
            slots[NOTE] = NO_NOTE if is_nothing_more(text, intent) else text.strip()[:MAX_NOTE_CHARS]
        elif requested == CONFIRMED and contact is None:
            confirmed = read_confirmation(text, intent)
            if confirmed is True:
                slots[CONFIRMED] = MESSAGE_OK
            elif confirmed is False:
                return self._change(dispatcher, tracker)

        if reading.unreadable_contact and contact is None and requested in (CONTACT, CONFIRMED, None):
            return self._unreadable(dispatcher, tracker, slots)
        if slots:
            return self._events(tracker, slots)
        if intent in STEP_ASIDE_INTENTS and not activating:
            return []  # answered by its rule (a question, "no", goodbye), then the form decides
        # Nothing for the form ("ok", "hmm"): it asks its question again.
        return [SlotSet(requested or NAME, tracker.get_slot(requested or NAME))]

    @staticmethod
    def _draft_gone(tracker: Tracker) -> bool:
        """True when the conversation refers to a draft the vault no longer has."""
        request = request_id(tracker)
        return request is not None and default_vault().appointment(request, tracker.sender_id) is None

    # ---- what a message gave ----------------------------------------------------------------

    @staticmethod
    def _read_name(text: str, intent: Optional[str], had_contact: bool, slots: Dict[str, Any]) -> None:
        if had_contact:
            return
        if intent in STEP_ASIDE_INTENTS - {"out_of_scope", "deny"} and not SAYS_A_NAME.search(text):
            return  # a question or a goodbye, unless it says it is a name ("call me Jo" can read as a question)
        if intent in NOT_A_NAME_INTENTS and not SAYS_A_NAME.search(text):
            return
        name = read_name(text)
        if name is not None:
            slots[NAME] = name

    def _ensure_request(self, tracker: Tracker, slots: Dict[str, Any]) -> int:
        existing = int(slots[REF]) if slots.get(REF) else request_id(tracker)
        if existing is not None and default_vault().appointment(existing, tracker.sender_id) is not None:
            return existing
        new_id = default_vault().open_appointment(tracker.sender_id, tracker.get_latest_input_channel())
        slots[REF] = str(new_id)
        return new_id

    def _take_contact(self, tracker: Tracker, contact: Contact, slots: Dict[str, Any]) -> None:
        """Put the contact in the vault; the conversation keeps only its masked form and the reference."""
        details = ContactDetails(contact.kind, contact.value)
        request = self._ensure_request(tracker, slots)
        default_vault().set_appointment_contact(tracker.sender_id, request, details)
        slots[CONTACT] = details.masked
        slots[TRIES] = 0.0

    def _events(self, tracker: Tracker, slots: Dict[str, Any]) -> List[EventType]:
        """Save what was given to the draft in the vault; the slots keep only markers."""
        details: Dict[str, Optional[str]] = {}
        if slots.get(NAME):
            details["name"] = None if slots[NAME] == NO_NAME else slots[NAME]
            slots[NAME] = NO_NAME if slots[NAME] == NO_NAME else NAME_GIVEN
        if slots.get(NOTE):
            details["note"] = None if slots[NOTE] == NO_NOTE else slots[NOTE]
            slots[NOTE] = NO_NOTE if slots[NOTE] == NO_NOTE else NOTE_GIVEN
        if slots.get(MESSAGE):
            details["message_ok"] = slots[MESSAGE]
        if slots.get(WHEN):
            details["when"] = slots[WHEN]
        if any(value is not None for value in details.values()):
            request = self._ensure_request(tracker, slots)
            default_vault().update_appointment(tracker.sender_id, request, **details)
        return [SlotSet(name, value) for name, value in slots.items()]

    # ---- what the form does instead of taking an answer ---------------------------------------

    def _stop(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """The client stopped: the draft is deleted, nothing was sent, and they are told how to start again."""
        request = request_id(tracker)
        if request is not None:
            default_vault().delete_appointment(tracker.sender_id, request)
        dispatcher.utter_message(response="utter_appointment_cancelled")
        return cleared() + [SlotSet(REQUESTED, None), ActiveLoop(None)]

    def _change(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """ "No" to the read-back: the contact, the message answer and the time are asked again."""
        request = request_id(tracker)
        if request is not None:
            default_vault().set_appointment_contact(tracker.sender_id, request, None)
        dispatcher.utter_message(response="utter_appointment_change")
        return [SlotSet(name, None) for name in (CONTACT, MESSAGE, WHEN, CONFIRMED)] + [SlotSet(REQUESTED, CONTACT)]

    def _unreadable(self, dispatcher: CollectingDispatcher, tracker: Tracker, slots: Dict[str, Any]) -> List[EventType]:
        """A number or email it cannot read is asked again; after a couple, the practice's phone is offered."""
        tries = int(tracker.get_slot(TRIES) or 0) + 1
        if tries >= TRIES_BEFORE_PHONE:
            dispatcher.utter_message(response="utter_appointment_contact_trouble")
        else:
            dispatcher.utter_message(response="utter_appointment_invalid_contact")
        slots[TRIES] = float(tries)
        slots.pop(CONTACT, None)
        return self._events(tracker, slots) + [SlotSet(CONTACT, None), SlotSet(REQUESTED, CONTACT)]


class ActionAskAppointmentConfirmed(Action):
    """Read the request back before it is sent: the contact masked, the time, the message answer."""

    def name(self) -> str:
        return "action_ask_appointment_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        request = request_id(tracker)
        stored = default_vault().appointment(request, tracker.sender_id) if request is not None else None
        if stored is None or stored.contact is None:
            # The draft is gone (erased meanwhile): ask for the contact again.
            return [SlotSet(CONTACT, None), SlotSet(REQUESTED, CONTACT)]
        when = stored.when or ANY_TIME
        good_time = "any time" if when == ANY_TIME else when
        email = stored.contact.kind == "email"
        message_ok = stored.message_ok == MESSAGE_OK
        masked = stored.contact.masked
        if email and message_ok:
            dispatcher.utter_message(
                response="utter_appointment_readback_email_message", contact_masked=masked, good_time=good_time
            )
        elif email:
            dispatcher.utter_message(
                response="utter_appointment_readback_email_no_message", contact_masked=masked, good_time=good_time
            )
        elif message_ok:
            dispatcher.utter_message(
                response="utter_appointment_readback_phone_message", contact_ending=masked[-2:], good_time=good_time
            )
        else:
            dispatcher.utter_message(
                response="utter_appointment_readback_phone_no_message",
                contact_ending=masked[-2:],
                good_time=good_time,
            )
        return [SlotSet(REQUESTED, CONFIRMED)]


def notify_practice(tracker: Tracker, request: int) -> None:
    """Queue a notice (no name, contact or words) to every notifier, once per request."""
    settings = current_settings()
    stored = default_vault().appointment(request, tracker.sender_id)
    time = (stored.submitted_at if stored else None) or ""
    payload = appointment_payload(settings, request, tracker.sender_id, tracker.get_latest_input_channel(), time)
    default_outbox().queue_notice(
        f"appointment:{request}",
        tracker.sender_id,
        "appointment_request",
        {notifier.name: payload for notifier in settings.escalation.notifiers},
    )


class ActionSaveAppointment(Action):
    """Send the request the client agreed to: the vault's draft becomes new, the practice is told."""

    def name(self) -> str:
        return "action_save_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        request = request_id(tracker)
        if tracker.get_slot(CONFIRMED) != MESSAGE_OK or request is None:
            return []  # the form was stopped, and said so; nothing to send
        if default_vault().submit_appointment(tracker.sender_id, request):
            notify_practice(tracker, request)
            dispatcher.utter_message(response="utter_appointment_saved")
        else:
            dispatcher.utter_message(response="utter_appointment_unavailable")
        return cleared()


class ActionCancelAppointment(Action):
    """The client stopped (a rule answered): the draft left so far is deleted; nothing was sent."""

    def name(self) -> str:
        return "action_cancel_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        request = request_id(tracker)
        if request is not None:
            default_vault().delete_appointment(tracker.sender_id, request)
        return cleared()
