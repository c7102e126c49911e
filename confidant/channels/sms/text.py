"""What an SMS says: replies cut into numbered parts, buttons as numbered choices, keywords.

Everything here is pure (no I/O), so the rules can be tested one by one:
- a reply longer than 300 characters is split at sentence ends into "(1/2) ...", "(2/2) ...";
- buttons become "Reply 1 for "Yes" or 2 for "No"." and a client's "2" sends the second payload;
- a raw intent payload (`/affirm`) is never shown: a button is named by its title;
- STOP-style keywords, START/UNSTOP and HELP are recognised the way Twilio recognises them.
The words the channel sends by itself (HELP, the fallback, errors) are domain responses
(confidant/channels/channel_texts.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence

from twilio.twiml.messaging_response import MessagingResponse

SMS_PART_LIMIT = 300

# Twilio's standard English keywords (long codes and toll-free numbers): single-word messages,
# any case. Twilio passes them on to the webhook as well as acting on them itself.
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})
# Twilio also opts a number back in on YES. "yes" is an ordinary answer in a conversation, so
# it only counts as an opt-in from a number that has opted out (as it does at Twilio).
OPT_IN_WHEN_OPTED_OUT = frozenset({"YES"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
# With Twilio's Advanced Opt-Out, the webhook also gets `OptOutType` for the keywords configured there.
OPT_OUT_TYPES = {"STOP": "opt_out", "START": "opt_in", "HELP": "help"}

_SENTENCE = re.compile(r"\S.*?(?:[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s|$)|$)", re.S)
_ABBREVIATION = re.compile(r"(?:^|\s)(?:Dr|Mr|Mrs|Ms|Mx|St|Prof|vs|etc|e\.g|i\.e|approx|No)\.$", re.I)
_CHOICES_ALREADY_WRITTEN = re.compile(r"\breply\s+1\b", re.I)
_RAW_PAYLOAD = re.compile(r"(?<!\S)/[A-Za-z_][\w-]*(?:\{[^}]*\})?(?:@[\d.]+)?(?!\S)")
_CHOICE_REPLY = re.compile(r"^\s*#?\s*(\d{1,2})\s*[.)]?\s*$")
_INTENT_WORDS = {"affirm": "yes", "deny": "no", "greet": "hello", "goodbye": "bye", "thanks": "thanks"}


# ---- splitting ----------------------------------------------------------------------------


def sentences(text: str) -> List[str]:
    """Sentences of a reply, each keeping its end punctuation; abbreviations don't end one."""
    pieces = [match.group(0).strip() for match in _SENTENCE.finditer(text)]
    merged: List[str] = []
    for piece in pieces:
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return [piece for piece in merged if piece]


def _words_within(text: str, budget: int) -> List[str]:
    """A sentence too long for one part, cut between words (or inside a word longer than a part)."""
    chunks: List[str] = []
    current = ""
    for word in text.split():
        while len(word) > budget:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(word[:budget])
            word = word[budget:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= budget:
            current = candidate
        else:
            chunks.append(current)
            current = word
    if current:
        chunks.append(current)
    return chunks


def _pack(units: Iterable[str], budget: int) -> List[str]:
    parts: List[str] = []
    current = ""
    for unit in units:
        for piece in [unit] if len(unit) <= budget else _words_within(unit, budget):
            candidate = f"{current} {piece}" if current else piece
            if len(candidate) <= budget:
                current = candidate
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def split_for_sms(text: str, limit: int = SMS_PART_LIMIT) -> List[str]:
    """One part if it fits, else numbered parts ("(1/3) ...") cut at sentence ends, each <= limit."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    units = sentences(text)
    for digits in range(1, 5):
        reserve = len(f"({'9' * digits}/{'9' * digits}) ")
        parts = _pack(units, limit - reserve)
        if len(str(len(parts))) <= digits:
            total = len(parts)
            return [f"({number}/{total}) {part}" for number, part in enumerate(parts, 1)]
    raise ValueError("reply too long to number")  # pragma: no cover - 9999 parts


# ---- buttons --------------------------------------------------------------------------------


def button_label(button: Dict[str, Any]) -> str:
    """What a phone shows for a button: its title, never a raw `/intent` payload."""
    title = str(button.get("title") or "").strip()
    if title and not _RAW_PAYLOAD.fullmatch(title):
        return title
    payload = str(button.get("payload") or "").strip()
    intent = re.sub(r"[{@].*$", "", payload.lstrip("/"))
    return _INTENT_WORDS.get(intent, intent.replace("_", " ").strip()) or "this"


def choices_sentence(buttons: Sequence[Dict[str, Any]]) -> str:
    """'Reply 1 for "Yes" or 2 for "No".'"""
    items = [f'{number} for "{button_label(button)}"' for number, button in enumerate(buttons, 1)]
    if len(items) == 1:
        return f"Reply {items[0]}."
    return "Reply " + ", ".join(items[:-1]) + " or " + items[-1] + "."


def hide_payloads(text: str, buttons: Sequence[Dict[str, Any]] = ()) -> str:
    """Replace any raw `/intent` payload in a reply with its button's title (or drop it)."""
    titles = {str(button.get("payload")): button_label(button) for button in buttons}

    def replace(match: "re.Match[str]") -> str:
        return titles.get(match.group(0), "")

    return re.sub(r"\s{2,}", " ", _RAW_PAYLOAD.sub(replace, text)).strip()


def render_reply(text: Optional[str], buttons: Sequence[Dict[str, Any]] = (), limit: int = SMS_PART_LIMIT) -> List[str]:
    """The SMS parts for one bot message: text, then its buttons as numbered choices."""
    body = hide_payloads(text or "", buttons)
    if buttons and not _CHOICES_ALREADY_WRITTEN.search(body):
        body = f"{body} {choices_sentence(buttons)}".strip()
    return split_for_sms(body, limit)


def chosen_payload(text: str, buttons: Sequence[Dict[str, Any]]) -> Optional[str]:
    """The payload a reply like "2" picks from the buttons last offered, or None."""
    match = _CHOICE_REPLY.match(text or "")
    if not match or not buttons:
        return None
    index = int(match.group(1)) - 1
    if 0 <= index < len(buttons):
        payload = buttons[index].get("payload")
        return str(payload) if payload else None
    return None


# ---- keywords ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyword:
    action: str  # "opt_out", "opt_in" or "help"
    word: str


def keyword_in(body: Optional[str], opt_out_type: Optional[str] = None, opted_out: bool = False) -> Optional[Keyword]:
    """The keyword a message is, if it is one: a single word, any case, trailing . or ! ignored."""
    word = re.sub(r"[.!]+$", "", (body or "").strip()).upper()
    if opt_out_type and opt_out_type.strip().upper() in OPT_OUT_TYPES:
        return Keyword(OPT_OUT_TYPES[opt_out_type.strip().upper()], word or opt_out_type.strip().upper())
    if not word or re.search(r"\s", word):
        return None
    if word in OPT_OUT_KEYWORDS:
        return Keyword("opt_out", word)
    if word in OPT_IN_KEYWORDS or (opted_out and word in OPT_IN_WHEN_OPTED_OUT):
        return Keyword("opt_in", word)
    if word in HELP_KEYWORDS:
        return Keyword("help", word)
    return None


# ---- TwiML ------------------------------------------------------------------------------------


def twiml(*messages: str) -> str:
    """A TwiML document replying with these messages (none: the empty `<Response/>`)."""
    document = MessagingResponse()
    for message in messages:
        document.message(message)
    return str(document)
