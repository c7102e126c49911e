"""`crisis:` in practice.yml: the emergency number and the crisis lines for each kind of writer.

Checked so that every reply can name its lines: every kind of writer lists known lines, every
line can be called or texted, and the filled-in phrases fit the replies' length limits.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Set

from pydantic import ConstrainedStr, Field, root_validator

from confidant.settings.base import Strict
from confidant.vocabulary import GENERAL_SITUATION, WRITER_KINDS

# Who is writing, as the crisis replies in domain.yml distinguish them; `general` is the page
# footer and the `{crisis_line}` / `{crisis_lines}` of every other response.
SITUATIONS = (GENERAL_SITUATION, *WRITER_KINDS)
# Longest filled-in phrases practice.yml may produce; tests/domain checks responses with them.
FIRST_LINE_LIMIT = 90
LINES_LIMIT = 260
SPANISH_LIMIT = 80


class PhoneNumber(ConstrainedStr):
    """A number to call or text (a class, not constr(), so that type checkers read it as a str)."""

    strip_whitespace = True
    regex = re.compile(r"^\+?[0-9][0-9 \-]{1,18}[0-9]$")


class CrisisLine(Strict):
    id: str = Field(..., regex=r"^[a-z][a-z0-9_]*$", max_length=40)
    name: str = Field(..., min_length=1, max_length=60)
    call: Optional[PhoneNumber] = None
    text: Optional[PhoneNumber] = None
    # The word to text, e.g. HOME to 741741.
    text_body: Optional[str] = Field(None, regex=r"^\S+$", max_length=20)
    # Follows "you can": "call or text 988".
    how: str = Field(..., min_length=1, max_length=60)
    note: Optional[str] = Field(None, min_length=1, max_length=100)
    # The same, in Spanish, for `{first_line_spanish}` and `{first_line_spanish_<situation>}`.
    spanish: Optional[str] = Field(None, min_length=1, max_length=SPANISH_LIMIT)
    # True only for a line answered 24 hours a day, every day: a reply that says "any time"
    # may name only such a line (checked at start-up, confidant/response_filling.py).
    open_any_time: bool = False

    @root_validator(skip_on_failure=True)
    @classmethod
    def _reachable(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        if not values.get("call") and not values.get("text"):
            raise ValueError("a crisis line needs a number to call or to text (or both)")
        if values.get("text_body") and not values.get("text"):
            raise ValueError("text_body needs a text number")
        return values

    @property
    def first_phrase(self) -> str:
        """The way to reach it, with its name: "call or text 988 (Suicide & Crisis Lifeline)"."""
        return f"{self.how} ({self.name})"

    def card(self) -> Dict[str, Optional[str]]:
        return {"name": self.name, "call": self.call, "text": self.text, "text_body": self.text_body, "note": self.note}


class CrisisSituations(Strict):
    """The line ids for each kind of writer, in order; the first is the one named first."""

    general: List[str] = Field(..., min_items=1)
    self_at_risk: List[str] = Field(..., min_items=1)
    concern_self_harm: List[str] = Field(..., min_items=1)
    intrusive_thoughts: List[str] = Field(..., min_items=1)
    harming_others: List[str] = Field(..., min_items=1)
    adult_victim_ipv: List[str] = Field(..., min_items=1)
    adult_victim_sexual_assault: List[str] = Field(..., min_items=1)
    child_victim: List[str] = Field(..., min_items=1)
    concern_abuse: List[str] = Field(..., min_items=1)
    abuse_unspecified: List[str] = Field(..., min_items=1)


class CrisisResources(Strict):
    emergency_number: str = Field(..., min_length=1, max_length=10)
    # What the crisis card calls the emergency number.
    emergency_name: str = Field("Emergency", min_length=1, max_length=30)
    lines: List[CrisisLine] = Field(..., min_items=1)
    situations: CrisisSituations

    @root_validator(skip_on_failure=True)
    @classmethod
    def _situations_name_known_lines(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        ids = [line.id for line in values["lines"]]
        duplicates = sorted({line_id for line_id in ids if ids.count(line_id) > 1})
        if duplicates:
            raise ValueError(f"lines: the id {duplicates[0]!r} is used twice")
        by_id = {line.id: line for line in values["lines"]}
        situations: CrisisSituations = values["situations"]
        for situation in SITUATIONS:
            chosen = getattr(situations, situation)
            for line_id in chosen:
                if line_id not in by_id:
                    raise ValueError(f"situations.{situation}: no line has the id {line_id!r} (see crisis.lines)")
            if len(set(chosen)) != len(chosen):
                raise ValueError(f"situations.{situation}: a line is listed twice")
            lines = [by_id[line_id] for line_id in chosen]
            if len(lines[0].first_phrase) > FIRST_LINE_LIMIT:
                raise ValueError(
                    f"situations.{situation}: the first line reads {lines[0].first_phrase!r}, longer than "
                    f"{FIRST_LINE_LIMIT} characters: shorten its how or name"
                )
            if len(phrase_list(lines)) > LINES_LIMIT:
                raise ValueError(
                    f"situations.{situation}: its lines read longer than {LINES_LIMIT} characters: "
                    "list fewer or shorten their how or name"
                )
        return values

    def situations_open_any_time(self) -> Set[str]:
        """The kinds of writer whose first line answers at any hour."""
        return {situation for situation in SITUATIONS if self.lines_for(situation)[0].open_any_time}

    def lines_for(self, situation: str) -> List[CrisisLine]:
        """The lines for one kind of writer, in the order practice.yml gives."""
        by_id = {line.id: line for line in self.lines}
        return [by_id[line_id] for line_id in getattr(self.situations, situation)]

    @property
    def spanish(self) -> Optional[str]:
        """The Spanish way to reach help: the first general line that has one, else any line's."""
        return self.spanish_for(GENERAL_SITUATION) or next((line.spanish for line in self.lines if line.spanish), None)

    def spanish_for(self, situation: str) -> Optional[str]:
        """The Spanish way to reach the lines for one kind of writer: the first of them that has one.

        None where none of that writer's lines has a Spanish phrase: a Spanish reply must not
        send someone being hurt to a line that cannot help them in Spanish.
        """
        for line in self.lines_for(situation):
            if line.spanish:
                return line.spanish
        return None

    def crisis_card(self, situation: str) -> Dict[str, Any]:
        """The web chat's crisis card for one kind of writer (the widget's contract)."""
        return {
            "crisis_card": {
                "situation": situation,
                "emergency": {"name": self.emergency_name, "call": self.emergency_number},
                "lines": [line.card() for line in self.lines_for(situation)],
            }
        }


def phrase_list(lines: List[CrisisLine]) -> str:
    """ "call or text 988 (Lifeline), or text HOME to 741741 (Crisis Text Line)": follows "you can"."""
    phrases = [line.first_phrase for line in lines]
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + ", or " + phrases[-1]
