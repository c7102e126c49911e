"""Risk phrases in Spanish: the screen for messages the English screen cannot read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Sequence

from confidant.vocabulary import CATEGORIES, HARM_OTHERS, SELF_HARM
from confidant.yaml_files import load_yaml

SPANISH_FILE = "spanish.yml"
_SENTENCE_END = re.compile(r"[.!?¿¡\n]")


@dataclass(frozen=True)
class SpanishScreen:
    """Compiled Spanish risk phrases by category, and the negation that cancels one."""

    phrases: Dict[str, Sequence[re.Pattern[str]]]
    negation: re.Pattern[str]
    # Topic words ("el suicidio") count only outside a question about the rules.
    topics: Dict[str, Sequence[re.Pattern[str]]]
    rule_questions: Sequence[re.Pattern[str]]
    # A resolved past ("hace muchos años intenté ..."), unless the message says it goes on.
    past: Sequence[re.Pattern[str]]
    still: Sequence[re.Pattern[str]]
    # The writer fears thoughts of harm they do not want: the calm reply, not "step away".
    unwanted: Sequence[re.Pattern[str]] = ()
    # A hypothetical someone, or the writer's own "if I said", in a message that asks.
    hypothetical: Sequence[re.Pattern[str]] = ()

    @classmethod
    def from_file(cls, path: Path) -> "SpanishScreen":
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
        missing = [category for category in CATEGORIES if category not in raw]
        keys = ("negation", "topics", "rule_questions", "past", "still", "unwanted_thoughts", "hypothetical")
        missing += [key for key in keys if key not in raw]
        missing += [f"topics.{category}" for category in CATEGORIES if category not in (raw.get("topics") or {})]
        if missing:
            raise ValueError(f"{path.name}: needs {', '.join(missing)}")
        return cls(
            {category: tuple(re.compile(p) for p in raw[category]) for category in CATEGORIES},
            re.compile(raw["negation"]),
            {category: tuple(re.compile(p) for p in raw["topics"][category] or ()) for category in CATEGORIES},
            tuple(re.compile(p) for p in raw["rule_questions"]),
            tuple(re.compile(p) for p in raw["past"]),
            tuple(re.compile(p) for p in raw["still"]),
            tuple(re.compile(p) for p in raw["unwanted_thoughts"]),
            tuple(re.compile(p) for p in raw["hypothetical"]),
        )

    def unwanted_thoughts(self, text: str) -> bool:
        """The writer says the thoughts of harm frighten them, or that they would never act on them."""
        lowered = text.lower()
        return any(pattern.search(lowered) for pattern in self.unwanted)

    def reply_category(self, text: str, category: str) -> str:
        """Which variation of the Spanish reply fits: unwanted thoughts of harm get the calm one."""
        return SELF_HARM if category == HARM_OTHERS and self.unwanted_thoughts(text) else category

    def category(self, text: str) -> Optional[str]:
        """The first category (most time-critical first) whose phrase occurs un-negated."""
        lowered = text.lower()
        for category in CATEGORIES:
            if self._found(self.phrases[category], lowered):
                return category
        if any(question.search(lowered) for question in self.rule_questions):
            return None
        for category in CATEGORIES:
            if self._found(self.topics[category], lowered):
                return category
        return None

    def _found(self, patterns: Sequence[re.Pattern[str]], lowered: str) -> bool:
        """Does any pattern occur with no negation right before it, and not as a resolved past?"""
        asks = "?" in lowered
        return any(
            not self.negation.search(lowered[max(0, match.start() - 20) : match.start()])
            and not self._resolved_past(lowered, match.start())
            and not (asks and self._hypothetical(lowered, match.start()))
            for pattern in patterns
            for match in pattern.finditer(lowered)
        )

    def _resolved_past(self, lowered: str, start: int) -> bool:
        """A past marker before the phrase in its sentence, and nothing in the message saying it goes on."""
        return any(marker.search(_sentence_before(lowered, start)) for marker in self.past) and not any(
            marker.search(lowered) for marker in self.still
        )

    def _hypothetical(self, lowered: str, start: int) -> bool:
        """A hypothetical marker ("si alguien le dice que") before the phrase in its sentence."""
        return any(marker.search(_sentence_before(lowered, start)) for marker in self.hypothetical)


def _sentence_before(lowered: str, start: int) -> str:
    """The text of the phrase's sentence before the phrase."""
    breaks = [found.end() for found in _SENTENCE_END.finditer(lowered, 0, start)]
    return lowered[breaks[-1] if breaks else 0 : start]
