"""What a client's message says for a call-back: a phone number or email, how to reach them, when.

People answer a call-back question the way they talk: "my number is 555 010 0199", "call me at
(555) 010-0199 ext 12 after 5pm please", "text only, my mom checks my calls". This module reads
such a message (text in, `CallbackReading` out; no Rasa, no storage) so the form can take what
is there and ask only for what is missing. A message that was clearly meant as contact details
but cannot be read (a short run of digits, an address without a domain) is flagged, so the
form asks again instead of treating it as a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

# How the practice may reach the client (the values of the `callback_how` slot).
CALL_OR_TEXT = "call_or_text"
TEXT_ONLY = "text_only"
CALL_ONLY = "call_only"
EMAIL_ONLY = "email_only"  # calls and texts are not safe: an email address is needed
BY_EMAIL = "email"  # the contact left is an email address
ANY_TIME = "any time"
# What action_save_callback fills into the responses it sends (read back to the client); the
# response generator's start-up check accepts these names in these responses only.
SAVED_REPLY_VARIABLES = {
    "utter_callback_saved": frozenset({"reach_how", "contact_ending", "good_time"}),
    "utter_callback_saved_email": frozenset({"contact_masked", "good_time"}),
}
MAX_WHEN_CHARS = 60
MAX_NOTE_CHARS = 300

EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![\w-])")
# A run of digits with the separators people type, optionally an extension after it.
PHONE = re.compile(
    r"(?<![\w@+])(?P<number>\+?\(?\d[\d\s().\-]{4,24}\d)"
    r"(?P<extension>\s*(?:,\s*)?(?:x|ext\.?|extension)\s*\d{1,6})?(?![\w@])",
    re.IGNORECASE,
)
BARE_NUMBER = re.compile(r"[\d\s().+\-#]*\d[\d\s().+\-#]*")
# Words that introduce contact details, kept out of the note.
INTRODUCTIONS = re.compile(
    r"\b(?:(?:my|the) (?:phone |cell |mobile |home |work )?(?:number|no\.?|#|email(?: address)?|e-mail|address)"
    r"(?: is|'s)?|(?:you can |u can |please |pls )?(?:call|text|ring|reach|email|e-mail|contact) (?:me|me back)"
    r"(?: (?:at|on|via|using))?|it'?s|here(?:'s| is)(?: my (?:number|email))?|use|try)\b[:\s]*",
    re.IGNORECASE,
)
FILLER = re.compile(
    r"^(?:(?:yes|yeah|yep|yup|ya|ok(?:ay)?|sure|please|pls|plz|thanks|thank you|ty|sounds good|go ahead|and|so|"
    r"its|it is|that is|thats|that's|number|email|phone|on|at)\b[\s,.!:;-]*)+",
    re.IGNORECASE,
)
CONTACT_WORDS = re.compile(
    r"\b(?:my (?:phone |cell )?(?:number|email)|call me (?:at|on)|text me (?:at|on)|email me at)\b", re.I
)

_NOT = r"(?:don'?t|do not|dont|pls don'?t|please don'?t|never|no|not|can'?t|cannot)"
NO_CALLS = re.compile(rf"\b{_NOT}\s+(?:to\s+)?(?:call|calls|calling|phone calls?|ring)\b", re.I)
NO_TEXTS = re.compile(rf"\b{_NOT}\s+(?:to\s+)?(?:text|texts|texting|sms|messages)\b", re.I)
NO_CALLS_OR_TEXTS = re.compile(rf"\b{_NOT}\s+(?:to\s+)?(?:call|text)\s+(?:or|and|nor)\s+(?:call|text)", re.I)
TEXT_ONLY_WORDS = re.compile(
    r"\b(?:texts? only|only (?:by )?text(?:s|ing)?|just text(?:s|ing)?|text(?:ing)? is (?:better|safer))\b", re.I
)
CALL_ONLY_WORDS = re.compile(r"\b(?:calls? only|only (?:a )?call|just (?:a )?call|calling is (?:better|safer))\b", re.I)
EMAIL_ONLY_WORDS = re.compile(
    r"\b(?:email(?: me)? (?:only|instead)|only (?:by )?email|just email|email(?: is)? (?:better|safer)"
    r"|(?:by|via) email)\b",
    re.I,
)
EITHER_WORDS = re.compile(
    r"\b(?:call or text|text or call|calls? (?:and|or) texts?|either|both|(?:it'?s |that'?s )?(?:safe|fine|ok|okay)|"
    r"yes|yeah|yep|sure)\b",
    re.I,
)
ANY_TIME_WORDS = re.compile(
    r"^\s*(?:any ?time|whenever|no preference|asap|as soon as possible)\s*(?:is fine|works|thanks|please)?[.!]*\s*$",
    re.I,
)
# Said to "when is a good time?", these mean "any time" (elsewhere "no" means no).
ANY_TIME_ANSWERS = re.compile(
    r"^\s*(?:no|nope|nah|not really|idk|i don'?t know|dunno|any|either|doesn'?t matter|don'?t mind|dont care|"
    r"not fussed|no preference|ok(?:ay)?|sure|yes|yeah|fine)\s*(?:is fine|works|thanks|thank you|please)?[.!]*\s*$",
    re.I,
)
CANCEL_WORDS = re.compile(
    r"\b(?:forget (?:it|that|about it)|never ?mind|nvm|changed my mind|cancel|stop (?:this|it)|no,? thanks?|"
    r"no,? thank you|not anymore|don'?t (?:want|need) (?:a |to be |anyone to )?(?:call|contact|call ?back|reach))",
    re.I,
)
# Words of a plain answer ("Call or text is fine", "Text only", "yes it's safe"): nothing to note.
ANSWER_WORDS = frozenset(
    "yes yeah yep ok okay sure fine no nope call calls calling text texts texting or and is are it's its "
    "only just email me instead please pls safe either both any anytime time thanks thank you that".split()
)
_DAYS = r"mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?"
TIME_WORDS = re.compile(
    r"\b(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|o'?clock)"
    r"|(?:after|before|around|about|from|between|until|till|til|by|at|past)\s+\d{1,2}(?::\d{2})?\b"
    r"|(?:after|before|during)\s+(?:school|work|class|classes|lunch|dinner|noon)"
    r"|mornings?|afternoons?|evenings?|nights?|tonight|today|tomorrow|weekends?|weekdays?|noon|midday|"
    rf"lunch(?:time)?|(?:{_DAYS})s?|any ?time|whenever|asap|as soon as possible|right now|now)\b",
    re.I,
)


@dataclass(frozen=True)
class Contact:
    kind: str  # "phone" or "email"
    value: str  # as typed (a phone keeps its extension)


@dataclass(frozen=True)
class CallbackReading:
    """What one message gave: each field is None when the message did not say it."""

    contact: Optional[Contact] = None
    unreadable_contact: bool = False  # meant as contact details, but neither a number nor an address
    how: Optional[str] = None
    when: Optional[str] = None
    note: Optional[str] = None  # what is left once the contact and the filler are taken out

    @property
    def anything(self) -> bool:
        return bool(self.contact or self.how or self.when or self.note)


def _phone_digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def find_email(text: str) -> Optional[Tuple[int, int, str]]:
    match = EMAIL.search(text)
    return (match.start(), match.end(), match.group()) if match else None


def find_phones(text: str) -> List[Tuple[int, int, str]]:
    """Each phone number in `text` (7 to 15 digits, an extension kept), as (start, end, value)."""
    found = []
    for match in PHONE.finditer(text):
        number = match.group("number").rstrip(" .-(")
        digits = _phone_digits(number)
        if not 7 <= len(digits) <= 15 or re.search(r"\s{2,}|[.\-]{2,}", number):
            continue
        end = match.start() + len(number)
        value = number
        if match.group("extension"):
            extension = re.sub(r"\D", "", match.group("extension"))
            value = f"{number} x{extension}"
            end = match.end()
        found.append((match.start(), end, value))
    return found


def looks_like_contact_attempt(text: str) -> bool:
    """A message meant as contact details, even a mistyped one.

    "555 0199" and "12345" (a bare number, whatever its length), "me at someone@example",
    "my number is 555" are attempts to be read or asked again; "what if I'm 15?" is a question.
    """
    stripped = text.strip()
    if "@" in stripped or BARE_NUMBER.fullmatch(stripped):
        return True
    digits = sum(character.isdigit() for character in stripped)
    return digits >= 5 or (digits > 0 and bool(CONTACT_WORDS.search(stripped)))


def is_cancel(text: str) -> bool:
    """ "Forget it", "never mind", "no thanks": the client no longer wants a call-back."""
    return bool(CANCEL_WORDS.search(text))


def read_how(text: str) -> Optional[str]:
    """How the client wants to be reached, when the message says so explicitly."""
    no_calls, no_texts = bool(NO_CALLS.search(text)), bool(NO_TEXTS.search(text))
    if EMAIL_ONLY_WORDS.search(text) or NO_CALLS_OR_TEXTS.search(text) or (no_calls and no_texts):
        return EMAIL_ONLY
    if TEXT_ONLY_WORDS.search(text) or no_calls:
        return TEXT_ONLY
    if CALL_ONLY_WORDS.search(text) or no_texts:
        return CALL_ONLY
    return None


def read_how_answer(text: str, intent: Optional[str]) -> Optional[str]:
    """The answer to "is it safe to call or text you?": explicit words first, then yes or no."""
    explicit = read_how(text)
    if explicit:
        return explicit
    if intent == "deny" or re.search(r"\b(?:no|nope|nah|not safe|isn'?t safe|email)\b", text, re.I):
        return EMAIL_ONLY
    words = text.lower()
    if re.search(r"\btexts?\b", words) and not re.search(r"\bcall", words):
        return TEXT_ONLY
    if re.search(r"\bcall", words) and not re.search(r"\btext", words):
        return CALL_ONLY
    if intent == "affirm" or EITHER_WORDS.search(text):
        return CALL_OR_TEXT
    return None


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    return text.strip(" ,;:-–—")


def remainder(text: str) -> str:
    """`text` without its contact details, their introductions and leading filler words."""
    spans = [(start, end) for start, end, _ in find_phones(text)]
    email = find_email(text)
    if email:
        spans.append(email[:2])
    pieces, position = [], 0
    for start, end in sorted(spans):
        if start >= position:
            pieces.append(text[position:start])
            position = end
    pieces.append(text[position:])
    rest = " , ".join(pieces)
    rest = INTRODUCTIONS.sub(" ", rest)
    rest = _clean(rest)
    previous = None
    while previous != rest:
        previous = rest
        rest = _clean(FILLER.sub("", rest))
    return rest


def read_when(rest: str) -> Optional[str]:
    """The client's own words about timing ("after 5pm please"), if the message has any."""
    if not rest:
        return None
    if ANY_TIME_WORDS.match(rest):
        return ANY_TIME
    clauses = [clause.strip() for clause in re.split(r"[,;.!]|\bbut\b", rest) if clause.strip()]
    timed = [clause for clause in clauses if TIME_WORDS.search(clause)]
    if not timed:
        return None
    return _clean(", ".join(timed))[:MAX_WHEN_CHARS].strip()


def read_when_answer(text: str) -> Optional[str]:
    """The answer to "when is a good time?": a time, "any time" (also for "no", "idk"), or the words given."""
    rest = remainder(text)
    if not rest or ANY_TIME_ANSWERS.match(rest):
        return ANY_TIME
    return read_when(rest) or _clean(rest)[:MAX_WHEN_CHARS].strip()


def read_message(text: str) -> CallbackReading:
    """Everything a message gives for a call-back, read from anywhere in the sentence."""
    text = (text or "").strip()
    email = find_email(text)
    phones = find_phones(text)
    contact: Optional[Contact] = None
    if email and (not phones or email[0] < phones[0][0]):
        contact = Contact("email", email[2])
    elif phones:
        contact = Contact("phone", phones[0][2])
    rest = remainder(text)
    unreadable = contact is None and looks_like_contact_attempt(text)
    when = None if unreadable else read_when(rest)
    note = None if unreadable or not rest or when == ANY_TIME or rest.lower() == (when or "").lower() else rest
    if note and all(word in ANSWER_WORDS for word in re.findall(r"[a-z']+", note.lower())):
        note = None
    note = note[:MAX_NOTE_CHARS] if note else None
    return CallbackReading(contact=contact, unreadable_contact=unreadable, how=read_how(rest), when=when, note=note)
