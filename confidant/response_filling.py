"""What the response generator fills into domain responses besides the practice details.

Three things depend on more than practice.yml: `{next_reader}` depends on the moment a message
is sent (office hours, in the practice's time zone), a crisis card
(`custom: {crisis_card: <situation>}`) becomes the lines for that kind of writer, and a
variation's condition on `risk_category` is met by the message's own risk category, and one on
`language` by the language it was written in. The words of `{next_reader}` are domain responses
(`utter_phrase_*`), so every client-facing sentence stays in domain.yml; this module only picks
which phrase and fills in the day and time.

Rasa sends a response with its placeholders unfilled, all of them, when one is unknown, so
`check_responses` refuses at start-up a domain that names something no one fills.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Set

from confidant.nlu.language import LANGUAGES
from confidant.office_hours import OfficeWeek, next_reader
from confidant.settings import SITUATIONS, PracticeSettings
from confidant.vocabulary import CATEGORIES, REPLY_CATEGORY_PROPERTY, RISK_PROPERTY

# Filled when the message is sent.
SEND_TIME_VARIABLES = ("next_reader",)
# A variation's `condition` may name this besides a slot: the risk category the message being
# answered was escalated under (the Spanish crisis reply varies by it).
RISK_CATEGORY_CONDITION = "risk_category"
# ... and the language the message being answered was written in (`en`, `es`): the FAQ answers
# and the welcome have Spanish variations for a Spanish question.
LANGUAGE_CONDITION = "language"
PHRASE_OPEN = "utter_phrase_next_reader_open"
PHRASE_CLOSED = "utter_phrase_next_reader_closed"
DAY_PHRASES = {
    "today": "utter_phrase_day_today",
    "tomorrow": "utter_phrase_day_tomorrow",
    "weekday": "utter_phrase_day_weekday",
    "date": "utter_phrase_day_date",
}
PHRASES = (PHRASE_OPEN, PHRASE_CLOSED, *DAY_PHRASES.values())
# Only phrases may name these (they are the parts of `{next_reader}`).
PHRASE_VARIABLES = ("next_open_day", "next_open_time", "next_open_weekday", "next_open_date")
PHRASE_PREFIX = "utter_phrase_"
CRISIS_CARD = "crisis_card"
# The placeholders Rasa's interpolator recognises.
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")

DOUBLE_STOP = re.compile(r"(?<=\.m)\.\.")

Render = Callable[[str, Dict[str, str]], str]


class ResponseError(ValueError):
    """domain.yml names a placeholder, phrase or situation that nothing fills in."""


def next_reader_text(week: OfficeWeek, sent_at: datetime, render: Render) -> str:
    """The `{next_reader}` sentence for a message sent at `sent_at`.

    `render(response_name, variables)` fills a domain phrase (for the message's channel).
    """
    reader = next_reader(week, sent_at)
    if reader.open_now:
        return render(PHRASE_OPEN, {})
    parts = {"next_open_weekday": reader.weekday, "next_open_date": reader.date, "next_open_time": reader.time}
    parts["next_open_day"] = render(DAY_PHRASES[reader.day_kind], parts)
    # "from 9 a.m." at the end of a sentence: one full stop, not two.
    return DOUBLE_STOP.sub(".", render(PHRASE_CLOSED, parts))


def expand_crisis_card(response: Dict[str, Any], settings: PracticeSettings) -> Dict[str, Any]:
    """Turn `custom: {crisis_card: <situation>}` into the card the web chat draws."""
    custom = response.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get(CRISIS_CARD), str):
        response["custom"] = {**custom, **settings.crisis.crisis_card(custom[CRISIS_CARD])}
    return response


ANY_TIME = re.compile(r"\bany\s*time\b|\b24/7\b|\bday or night\b", re.IGNORECASE)
FIRST_LINE_PREFIX = "first_line_"
SPANISH_PREFIX = "spanish_"


def check_responses(
    responses: Mapping[str, List[Dict[str, Any]]],
    practice_variables: Iterable[str],
    slot_names: Iterable[str] = (),
    action_variables: Optional[Mapping[str, Iterable[str]]] = None,
    open_any_time: Optional[Set[str]] = None,
) -> None:
    """Refuse responses that name a placeholder, phrase or crisis card situation nothing fills.

    `action_variables`: per response, the names the action that sends it fills in.
    `open_any_time`: the kinds of writer whose first crisis line answers at any hour; a text
    that says "any time" of another's first line would promise what the line does not keep.
    """
    known = set(practice_variables) | set(slot_names) | set(SEND_TIME_VARIABLES)
    action_variables = action_variables or {}
    problems: List[str] = []
    uses_next_reader = False
    for name, variations in responses.items():
        allowed = known | set(PHRASE_VARIABLES) if name.startswith(PHRASE_PREFIX) else known
        allowed = allowed | set(action_variables.get(name, ()))
        for variation in variations:
            used = _placeholders(variation.get("text"))
            uses_next_reader |= "next_reader" in used
            for unknown in sorted(used - allowed):
                problems.append(f"{name} names {{{unknown}}}, which {_who_fills(unknown)}")
            if open_any_time is not None and ANY_TIME.search(variation.get("text") or ""):
                for placeholder in sorted(used):
                    situation = placeholder.removeprefix(FIRST_LINE_PREFIX).removeprefix(SPANISH_PREFIX)
                    if placeholder.startswith(FIRST_LINE_PREFIX) and situation not in open_any_time | {"spanish"}:
                        problems.append(
                            f"{name} says 'any time' of {{{placeholder}}}, but the first line for {situation} "
                            "in practice.yml is not `open_any_time: true`"
                        )
            problems += _condition_problems(name, variation)
            custom = variation.get("custom")
            card = custom.get(CRISIS_CARD) if isinstance(custom, dict) else None
            if card is not None and card not in SITUATIONS:
                problems.append(f"{name} has a crisis card for {card!r}, not one of crisis.situations")
    if uses_next_reader:
        problems += [f"{{next_reader}} needs the phrase {phrase}" for phrase in PHRASES if phrase not in responses]
    if problems:
        raise ResponseError("domain.yml responses cannot be filled in:\n" + "\n".join(f"  - {p}" for p in problems))


def _condition_problems(name: str, variation: Mapping[str, Any]) -> List[str]:
    """A condition on a risk category or a language that does not exist, which no message could ever meet.

    Conditions on slots are Rasa's own; the generator does not always know the slots (Rasa's
    Agent sets the responses on a generator built without a domain).
    """
    conditions = variation.get("condition") or []
    return [
        f"{name} has a condition on {RISK_CATEGORY_CONDITION} {condition.get('value')!r}, not one of {CATEGORIES}"
        for condition in conditions
        if condition.get("name") == RISK_CATEGORY_CONDITION and condition.get("value") not in CATEGORIES
    ] + [
        f"{name} has a condition on {LANGUAGE_CONDITION} {condition.get('value')!r}, not one of {LANGUAGES}"
        for condition in conditions
        if condition.get("name") == LANGUAGE_CONDITION and condition.get("value") not in LANGUAGES
    ]


def risk_category_of(parse_data: Mapping[str, Any]) -> Optional[str]:
    """The category whose reply variation fits the message (None for an ordinary message).

    The category it was escalated under, unless the risk layers chose another reply for it.
    """
    decision = parse_data.get(RISK_PROPERTY)
    if not isinstance(decision, Mapping):
        return None
    category = decision.get(REPLY_CATEGORY_PROPERTY) or decision.get("category")
    return category if category in CATEGORIES else None


def _placeholders(text: Optional[str]) -> Set[str]:
    return set(PLACEHOLDER.findall(text or ""))


def _who_fills(name: str) -> str:
    if name == "first_line_spanish":
        return "needs a crisis line with a `spanish` phrase in practice.yml"
    if name.startswith(FIRST_LINE_PREFIX + SPANISH_PREFIX):
        situation = name.removeprefix(FIRST_LINE_PREFIX + SPANISH_PREFIX)
        return f"needs one of the crisis lines for {situation} in practice.yml to have a `spanish` phrase"
    if name in PHRASE_VARIABLES:
        return f"only the {PHRASE_PREFIX}* phrases may use"
    return "is neither a practice detail, a send-time value nor a slot"
