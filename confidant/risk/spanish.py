"""Risk phrases in Spanish: the screen for messages the English screen cannot read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Sequence

import yaml

from confidant.vocabulary import CATEGORIES

SPANISH_FILE = "spanish.yml"


@dataclass(frozen=True)
class SpanishScreen:
    """Compiled Spanish risk phrases by category, and the negation that cancels one."""

    phrases: Dict[str, Sequence[re.Pattern[str]]]
    negation: re.Pattern[str]

    @classmethod
    def from_file(cls, path: Path) -> "SpanishScreen":
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        missing = [category for category in CATEGORIES if category not in raw]
        if missing or "negation" not in raw:
            raise ValueError(f"{path.name}: needs {', '.join(missing + ['negation'])}")
        return cls(
            {category: tuple(re.compile(p) for p in raw[category]) for category in CATEGORIES},
            re.compile(raw["negation"]),
        )

    def category(self, text: str) -> Optional[str]:
        """The first category (most time-critical first) whose phrase occurs un-negated."""
        lowered = text.lower()
        for category in CATEGORIES:
            for pattern in self.phrases[category]:
                for match in pattern.finditer(lowered):
                    if not self.negation.search(lowered[max(0, match.start() - 20) : match.start()]):
                        return category
        return None
