"""What the forms that take contact details share: the turn's state and the SMS sender's number.

The call-back and the appointment request read a message the same way: if a rule already
answered it (the crisis reply, an answer) the form only takes a number it held, and on SMS the
client's own number comes from the channel's encrypted store, never from the conversation.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any, Optional

from rasa_sdk import Tracker

from confidant.callback_text import Contact
from confidant.channels.sms.pseudonyms import is_pseudonym

logger = logging.getLogger(__name__)

# Actions that run between a message and the form without answering it.
BOOKKEEPING_ACTIONS = frozenset({"action_listen", "action_extract_slots", "action_session_start"})


@cache
def sms_store() -> Any:
    """The SMS channel's store (encrypted numbers by pseudonym), opened only for SMS conversations."""
    from confidant.channels.sms.store import SmsStore

    return SmsStore()


def answered_since_latest_message(tracker: Tracker, form: str) -> bool:
    """True when a rule already replied to the latest message (the crisis text, an FAQ answer)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in BOOKKEEPING_ACTIONS | {form}:
            return True
    return False


def sms_sender_contact(tracker: Tracker) -> Optional[Contact]:
    """The number an SMS conversation comes from, from the channel's store (never from the tracker)."""
    if tracker.get_latest_input_channel() != "sms" or not is_pseudonym(tracker.sender_id):
        return None
    try:
        address = sms_store().address_for(tracker.sender_id)
    except Exception as error:  # noqa: BLE001 - no number on file: the form asks for one
        logger.warning("SMS number for the form not readable: %s", type(error).__name__)
        return None
    if not address or address.startswith("whatsapp:"):
        return None
    return Contact("phone", address)
