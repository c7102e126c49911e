"""What a client's message says for a first-appointment request, beyond what a call-back reads.

The contact, the good time and the client's note are read as for a call-back
(confidant/callback_text.py). An appointment request also asks what to call the client, whether
a message may be left where they are reached, and reads the request back before it is sent;
this module reads those answers (text in, value out; no Rasa, no storage).
"""

from __future__ import annotations

import re
from typing import Optional

# Filled by action_ask_appointment_confirmed into the read-back; the response generator's
# start-up check accepts these names in these responses only.
CONFIRM_REPLY_VARIABLES = {
    "utter_appointment_readback_phone_message": frozenset({"contact_ending", "good_time"}),
    "utter_appointment_readback_phone_no_message": frozenset({"contact_ending", "good_time"}),
    "utter_appointment_readback_email_message": frozenset({"contact_masked", "good_time"}),
    "utter_appointment_readback_email_no_message": frozenset({"contact_masked", "good_time"}),
}
NAME_GIVEN, NO_NAME = "given", "not given"
MESSAGE_OK, NO_MESSAGE = "yes", "no"
NOTE_GIVEN, NO_NOTE = "given", "none"
MAX_NAME_CHARS = 40
MAX_NAME_WORDS = 4

# "Stop", "cancel", "quit" said on their own, besides the call-back's "never mind" and "forget it".
STOP_WORDS = re.compile(r"^\s*(?:stop|cancel|quit|exit|end|no stop|please stop|stop please)\s*[.!]*\s*$", re.I)
NAME_INTRODUCTIONS = re.compile(
    r"^\s*(?:(?:hi|hey|hello|ok(?:ay)?|sure|yes|yeah)\b[\s,!.]*)*"
    r"(?:(?:my name is|my name's|name is|name's|i am|i'm|im|this is|it's|its|call me|you can call me|"
    r"u can call me|people call me|just call me|i go by|they call me)\b\s*)?",
    re.I,
)
NO_NAME_WORDS = re.compile(
    r"^\s*(?:no|nope|nah|rather not(?: say)?|i'?d rather not(?: say)?|prefer not(?: to say)?|skip|"
    r"anonymous|no name|doesn'?t matter|don'?t want to say|pass)\s*[.!]*\s*$",
    re.I,
)
NAME_CHARACTERS = re.compile(r"^[^\W\d_]+(?:[\s'.\-][^\W\d_]+)*\.?$")
YES_WORDS = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|ya|sure|ok(?:ay)?|fine|that'?s fine|it'?s fine|that'?s ok(?:ay)?|it'?s ok(?:ay)?|"
    r"of course|go ahead|no problem|totally|y)\b",
    re.I,
)
NO_WORDS = re.compile(
    r"^\s*(?:no|nope|nah|not really|please don'?t|don'?t|do not|n)\b|\b(?:no messages?|don'?t leave|not safe|"
    r"isn'?t safe|someone (?:else )?(?:reads|checks|sees))\b",
    re.I,
)
CHANGE_WORDS = re.compile(r"^\s*(?:no|nope|nah|wrong|not right|change|that'?s wrong)\b", re.I)
SEND_WORDS = re.compile(r"^\s*(?:send|correct|right|that'?s right|1)\b", re.I)
NOTHING_WORDS = re.compile(
    r"^\s*(?:no|nope|nah|none|nothing|nothing else|no thanks?|no thank you|not really|that'?s all|that'?s it|"
    r"all good|i'?m good|im good|n/?a|skip)\s*[.!]*\s*$",
    re.I,
)


def is_stop(text: str) -> bool:
    """ "Stop" or "cancel" on its own (the call-back's cancel words are read too, by the form)."""
    return bool(STOP_WORDS.match(text or ""))


def read_name(text: str) -> Optional[str]:
    """What the client wants to be called ("call me Sam" gives "Sam"), NO_NAME, or None if unreadable.

    A name is letters (any script) with spaces, hyphens, apostrophes or dots between them, at
    most four words: "Sam", "Mary-Jo O'Neil", "J". Digits, an @ or a question are not a name.
    """
    text = (text or "").strip()
    if NO_NAME_WORDS.match(text):
        return NO_NAME
    if not text or "?" in text or "@" in text or any(character.isdigit() for character in text):
        return None
    name = NAME_INTRODUCTIONS.sub("", text, count=1).strip(" ,.!")
    name = re.sub(r"\s+(?:please|pls|plz|thanks|thank you)$", "", name, flags=re.I).strip(" ,.!")
    if not name or len(name) > MAX_NAME_CHARS or len(name.split()) > MAX_NAME_WORDS:
        return None
    return name if NAME_CHARACTERS.match(name) else None


def read_message_ok(text: str, intent: Optional[str]) -> Optional[str]:
    """The answer to "may we leave a message there?": MESSAGE_OK, NO_MESSAGE or None."""
    text = text or ""
    if NO_WORDS.search(text) or intent == "deny":
        return NO_MESSAGE
    if YES_WORDS.match(text) or intent == "affirm":
        return MESSAGE_OK
    return None


def read_confirmation(text: str, intent: Optional[str]) -> Optional[bool]:
    """The answer to the read-back: True (send it), False (change it) or None."""
    text = text or ""
    if intent == "deny" or CHANGE_WORDS.match(text):
        return False
    if intent == "affirm" or YES_WORDS.match(text) or SEND_WORDS.match(text):
        return True
    return None


def is_nothing_more(text: str, intent: Optional[str]) -> bool:
    """ "No", "nothing else", "that's all": no note for the practice."""
    return intent == "deny" or bool(NOTHING_WORDS.match(text or ""))
