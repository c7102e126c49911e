"""What the risk screen concludes about a message: levels, their ranking, findings and evidence.

These are what the rest of the assistant reads (the Rasa component, the channels, the review
app and the evaluation), so they live apart from how the screen reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from confidant.vocabulary import CATEGORIES, RiskCategory

RiskLevel = Literal["current", "third_party", "informational", "negated", "past", "idiom", "none"]

LEVEL_RANK: dict[str, int] = {
    "none": 0,
    "idiom": 1,
    "negated": 2,
    "informational": 3,
    "past": 4,
    "third_party": 5,
    "current": 6,
}
# When several categories are current at once, the finding names the first of these (all the
# evidence is kept): a threat to the writer's own life is the most time-critical.
CATEGORY_PRIORITY: dict[str, int] = {category: rank for rank, category in enumerate(CATEGORIES)}


@dataclass(frozen=True)
class Evidence:
    """One matched span, with offsets into the ORIGINAL text."""

    text: str
    start: int
    end: int
    pattern: str

    def as_dict(self) -> dict:
        """JSON-serialisable form, for the tracker and the review tool."""
        return {"text": self.text, "start": self.start, "end": self.end, "pattern": self.pattern}


@dataclass(frozen=True)
class RiskFinding:
    """What the screen concluded about one message."""

    category: RiskCategory | None
    level: RiskLevel
    evidence: tuple[Evidence, ...]
    # The writer's own words that they are safe, if any ("I'm not in danger"): weighed against
    # DIET's reading alone, never against the screen's (confidant.risk.findings, safety_outweighs_classifier).
    safety_statement: str | None = None
    # An everyday figure of speech found where no risk expression matched ("dying to see it",
    # "I'd kill for a nap"): weighed against DIET's reading alone, like a safety statement.
    figure_of_speech: str | None = None
    # Every current trigger names a subject said of nobody ("a unit on overdoses"): the component
    # escalates on it only where another reading of the message leans to risk too.
    said_of_nobody: bool = False

    @property
    def is_current(self) -> bool:
        """True when the assistant must give crisis resources and escalate to a human."""
        return self.level == "current"

    def as_dict(self) -> dict:
        """JSON-serialisable form."""
        return {
            "category": self.category,
            "level": self.level,
            "is_current": self.is_current,
            "evidence": [e.as_dict() for e in self.evidence],
            "safety_statement": self.safety_statement,
            "figure_of_speech": self.figure_of_speech,
            "said_of_nobody": self.said_of_nobody,
        }


NO_RISK = RiskFinding(category=None, level="none", evidence=())

# DIET reads stories of grief, of a past attempt or of a lost temper as risk ("My best friend died
# in April ... I'm not in danger or anything"). Where the screen matched no risk expression, the
# writer's own plain statement that they are safe outweighs DIET's reading alone, unless DIET is
# at least this sure (docs/evaluation.md, "A fifth set, and safety statements").
SAFETY_STATEMENT_OUTWEIGHS_BELOW = 0.9
# A plain figure of speech ("going to kill it at my interview", "shot my first deer") outweighs
# DIET alone up to here: DIET was 0.91 and 0.93 sure of self-harm on those two, and no risk message
# of any set has such a figure (docs/evaluation.md, "Laughed-off quotations and plain figures").
FIGURE_OF_SPEECH_OUTWEIGHS_BELOW = 0.97


def safety_outweighs_classifier(safety_statement: str | None, classifier_confidence: float) -> bool:
    """Does the writer's statement that they are safe outweigh DIET alone?"""
    return bool(safety_statement) and classifier_confidence < SAFETY_STATEMENT_OUTWEIGHS_BELOW


def figure_outweighs_classifier(figure_of_speech: str | None, classifier_confidence: float) -> bool:
    """Does a plain figure of speech, where the screen matched no risk expression, outweigh DIET alone?"""
    return bool(figure_of_speech) and classifier_confidence < FIGURE_OF_SPEECH_OUTWEIGHS_BELOW
