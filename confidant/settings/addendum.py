"""`addendum:` in practice.yml: the practice's own answers to questions beyond the policy page.

The answers are checked against the sections they cite (the policy page's or the addendum's)
and against the domain's wording rules, so a practice's answer can never read worse than ours.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from pydantic import ConstrainedStr, Field, validator

from confidant.policy_sections import AddendumError, policy_section_ids, read_addendum
from confidant.practice_answers import BEYOND_POLICY_TOPICS, answer_problems
from confidant.settings.base import PROJECT_ROOT, Strict

if TYPE_CHECKING:
    from confidant.settings.loading import PracticeSettings


class SectionId(ConstrainedStr):
    """A section id of the policy page or the addendum."""

    strip_whitespace = True
    regex = re.compile(r"^[a-z][a-z0-9-]*$")


class PracticeAnswer(Strict):
    """The practice's answer to one topic, sent instead of the domain's deflection."""

    # Section ids of the policy page (docs/source/SECTIONS.md) or of the addendum.
    sources: List[SectionId] = Field(..., min_items=1)
    web: str = Field(..., min_length=1)
    sms: str = Field(..., min_length=1)


class Addendum(Strict):
    # The practice's own policy sections (`## <id>: <title>`); a relative path is read from the
    # project folder (where docs/source/ is), so a copy of this file elsewhere finds it too.
    file: Optional[str] = Field(default=None, min_length=1)
    # Per topic (`insurance`, `school`, ...: practice_answers.BEYOND_POLICY_TOPICS).
    answers: Dict[str, PracticeAnswer] = Field(default_factory=dict)

    @validator("answers", pre=True)
    @classmethod
    def _known_topics(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, dict):
            for topic in value:
                if topic not in BEYOND_POLICY_TOPICS:
                    raise ValueError(
                        f"{topic!r} is not a question the assistant answers beyond the policy page; "
                        f"the topics are {', '.join(BEYOND_POLICY_TOPICS)}"
                    )
        return value


def addendum_path(settings: PracticeSettings) -> Optional[Path]:
    """The addendum file; a relative path is read from the project folder."""
    if not settings.addendum.file:
        return None
    return (PROJECT_ROOT / settings.addendum.file).resolve()


def addendum_problems(settings: PracticeSettings) -> List[str]:
    """The practice's answers checked against the sections they cite and the wording rules."""
    policy_ids = policy_section_ids()
    citable = set(policy_ids)
    path = addendum_path(settings)
    if path is not None:
        try:
            citable |= set(read_addendum(path, policy_ids))
        except AddendumError as error:
            return [f"addendum.file: {error}"]
    return answer_problems(settings.addendum.answers, settings.response_variables(), citable)
