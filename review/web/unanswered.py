"""What clients asked that the assistant could not answer (issue 18.3), for the insights page.

Four kinds of message: the assistant was unsure and asked the client to rephrase
(`nlu_fallback`), the question was outside what it answers (`out_of_scope`), it was in another
language and named no topic the assistant knows in it (`other_language`: the note in Spanish was
sent), or the answer had to say the policy
does not cover it (`faq/beyond_*`). Grouped by topic with counts per week, and the newest
examples as the transcripts show them (contact details masked), each linked to its
conversation. Counts and masked text only: nothing here is exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Dict, Iterable, List, Tuple
from zoneinfo import ZoneInfo

from review.labels import BEYOND_POLICY, NOT_UNDERSTOOD, OTHER_LANGUAGE, OUT_OF_SCOPE, topic_label, unanswered_kind
from review.storage.conversations import ConversationSummary
from review.web.insights import Weekly, week_of

KIND_LABELS = {
    NOT_UNDERSTOOD: "Not understood: asked to rephrase",
    OUT_OF_SCOPE: "Outside what the assistant answers",
    OTHER_LANGUAGE: "In another language, no answer found",
    BEYOND_POLICY: "Answered, but not covered by the policy",
}
EXAMPLES = 5


@dataclass(frozen=True)
class Example:
    conversation_id: str
    at: datetime
    text: str  # masked


@dataclass
class UnansweredGroup:
    topic: str
    kind: str
    counts: List[int]
    examples: List[Example] = field(default_factory=list)

    @property
    def label(self) -> str:
        return topic_label(self.topic)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def total(self) -> int:
        return sum(self.counts)


def unanswered(
    summaries: Iterable[ConversationSummary], weeks: List[date], zone: ZoneInfo
) -> Tuple[List[UnansweredGroup], Weekly]:
    """Groups by topic (most asked first) and the weekly counts by kind, over `weeks`."""
    index = {week: position for position, week in enumerate(weeks)}
    groups: Dict[str, UnansweredGroup] = {}
    by_kind: Dict[str, List[int]] = {}
    found: List[Tuple[datetime, str, str, str]] = []
    for summary in summaries:
        for moment, topic, text in summary.unanswered:
            position = index.get(week_of(moment, zone))
            kind = unanswered_kind(topic)
            if position is None or kind is None:
                continue
            group = groups.setdefault(topic, UnansweredGroup(topic, kind, [0] * len(weeks)))
            group.counts[position] += 1
            by_kind.setdefault(kind, [0] * len(weeks))[position] += 1
            found.append((moment, summary.conversation_id, topic, text))
    for moment, conversation_id, topic, text in sorted(found, reverse=True):
        if len(groups[topic].examples) < EXAMPLES:
            groups[topic].examples.append(Example(conversation_id, moment, text))
    ordered = sorted(groups.values(), key=lambda group: (-group.total, group.label))
    series = {kind: by_kind[kind] for kind in KIND_LABELS if kind in by_kind}
    return ordered, Weekly(weeks, series)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)
