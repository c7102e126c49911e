"""The crisis card: the emergency number and each crisis line as numbers a phone can call or text.

The web chat shows a crisis reply's `custom: {crisis_card: ...}` payload as a card of call and
text buttons (web/crisis_card.js); the page footer shows the same card, built here from
practice.yml's crisis section. Both have this shape:

    {"situation": "self_at_risk" | None,
     "emergency": {"name": "Emergency", "call": "911"},
     "lines": [{"name": ..., "call": "988" | None, "text": "988" | None,
                "text_body": "HOME" | None, "note": "24/7" | None, "how": ...}]}

practice.yml says how to reach each line in words ("call or text 988", "text HOME to 741741");
the numbers are read from those words. A line whose words name no number keeps them (`how`)
and gets no button: it is still shown.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from confidant.settings import PracticeSettings

# A dialable number: digits with the separators people write (+1 (800) 273-8255, 0800 1111).
_NUMBER = r"\+?[0-9][0-9 ()\-.]*[0-9]|[0-9]"
_CALL_OR_TEXT = re.compile(rf"\bcall or text\s+(?P<number>{_NUMBER})", re.I)
_TEXT_WORD_TO = re.compile(rf"\btext\s+(?P<body>[A-Za-z][A-Za-z0-9]*)\s+to\s+(?P<number>{_NUMBER})", re.I)
_CALL = re.compile(rf"\bcall\s+(?P<number>{_NUMBER})", re.I)
_TEXT = re.compile(rf"\btext\s+(?P<number>{_NUMBER})", re.I)
EMERGENCY_NAME = "Emergency"


def dialable(number: str) -> str:
    """What goes after `tel:` or `sms:`: the digits, and a leading + if there is one."""
    digits = re.sub(r"[^0-9]", "", number)
    return ("+" + digits) if number.strip().startswith("+") else digits


def read_how(how: str) -> Dict[str, Optional[str]]:
    """The numbers to call and to text, and the word to text, named in a line's `how`."""
    call = text = body = None
    both = _CALL_OR_TEXT.search(how)
    if both:
        call = text = both.group("number").strip()
    else:
        with_word = _TEXT_WORD_TO.search(how)
        if with_word:
            text, body = with_word.group("number").strip(), with_word.group("body").upper()
        else:
            texted = _TEXT.search(how)
            text = texted.group("number").strip() if texted else None
        called = _CALL.search(how)
        call = called.group("number").strip() if called else None
    return {"call": call, "text": text, "text_body": body}


def crisis_card_from_settings(settings: PracticeSettings, situation: Optional[str] = None) -> Dict[str, Any]:
    """The practice's crisis card, from practice.yml's crisis section."""
    lines: List[Dict[str, Optional[str]]] = []
    for line in settings.crisis.lines:
        lines.append({"name": line.name, **read_how(line.how), "note": None, "how": line.how})
    return {
        "situation": situation,
        "emergency": {"name": EMERGENCY_NAME, "call": settings.crisis.emergency_number},
        "lines": lines,
    }
