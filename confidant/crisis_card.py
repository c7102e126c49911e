"""The crisis card: the emergency number and the crisis lines as numbers a phone can call or text.

The web chat shows a crisis reply's `custom: {crisis_card: ...}` payload as a card of call and
text buttons (web/crisis_card.js); the page footer shows the same card for the `general`
situation. Both come from practice.yml's crisis section through
`CrisisResources.crisis_card` (confidant/settings/crisis.py), so the numbers live in one place.
"""

from __future__ import annotations

import re
from typing import Any, Dict

from confidant.settings import PracticeSettings

FOOTER_SITUATION = "general"


def dialable(number: str) -> str:
    """What goes after `tel:` or `sms:`: the digits, and a leading + if there is one."""
    digits = re.sub(r"[^0-9]", "", number)
    return ("+" + digits) if number.strip().startswith("+") else digits


def crisis_card_from_settings(settings: PracticeSettings, situation: str = FOOTER_SITUATION) -> Dict[str, Any]:
    """The practice's crisis card for one kind of writer (the page footer: `general`)."""
    return settings.crisis.crisis_card(situation)["crisis_card"]
