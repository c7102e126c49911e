"""One message per kind of writer, and the first reply each must get, from the project's own files.

The messages are the user lines of the Rasa test stories (tests/stories/test_safety.yml), so the
stories and the end-to-end tests over each channel speak of the same messages. The expected
first reply is the domain's response for that writer (confidant/risk/categories.py), in the
channel's variant, filled with the practice's details: nothing is written out by hand here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

import yaml

from confidant.response_filling import PLACEHOLDER, RISK_CATEGORY_CONDITION
from confidant.settings import PracticeSettings
from confidant.vocabulary import RISK_INTENT_LIST, RiskIntent

ROOT = Path(__file__).resolve().parents[2]
SAFETY_STORIES = ROOT / "tests" / "stories" / "test_safety.yml"
DOMAIN = ROOT / "domain.yml"


def first_messages_by_intent(path: Path = SAFETY_STORIES) -> Dict[str, str]:
    """Risk intent -> the user line of the first story that opens with it."""
    stories = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stories") or []
    found: Dict[str, str] = {}
    for story in stories:
        first = (story.get("steps") or [{}])[0]
        if first.get("user") and first.get("intent"):
            found.setdefault(str(first["intent"]), str(first["user"]).strip())
    return found


def writer_messages() -> List[tuple]:
    """(risk intent, its message) for every risk intent, in categories.py's order."""
    messages = first_messages_by_intent()
    return [(intent, messages[intent.name]) for intent in RISK_INTENT_LIST]


def first_reply(intent: RiskIntent, channel: str, settings: PracticeSettings) -> str:
    """The reply's first message for `channel` ("sms" or the web variant), as the client reads it."""
    return _filled_variation(intent.reply, channel, settings)


def first_line(intent: RiskIntent, settings: PracticeSettings) -> str:
    """The crisis line named first for this writer (practice.yml `crisis.situations`)."""
    values = settings.response_variables()
    return values["first_line_spanish"] if intent.writer == "spanish" else values[f"first_line_{intent.writer}"]


def spanish_reply(category: str, channel: str, settings: PracticeSettings) -> str:
    """The Spanish crisis reply's first message for one risk category (its `condition`), filled in."""
    return _filled_variation("utter_crisis_spanish", channel, settings, category)


def _filled_variation(response: str, channel: str, settings: PracticeSettings, category: Optional[str] = None) -> str:
    """The variation of `response` for `channel` and risk `category` (None: the one without a condition)."""
    variations = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"][response]
    wanted = channel if channel == "sms" else None

    def condition_of(variation: Dict) -> List:
        return [c.get("value") for c in variation.get("condition") or [] if c.get("name") == RISK_CATEGORY_CONDITION]

    text = next(
        v["text"]
        for v in variations
        if v.get("channel") == wanted and condition_of(v) == ([category] if category else [])
    )
    values = settings.response_variables()
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)
