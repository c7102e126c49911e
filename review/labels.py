"""Human words for the machine names reviewers see: topics, intents, risk categories."""

from __future__ import annotations

from typing import Optional

from confidant.notify.payloads import CATEGORY_LABELS

INTENT_LABELS = {
    "nlu_fallback": "not understood",
    "concern_for_someone": "concern for someone else",
}


def topic_label(topic: Optional[str]) -> str:
    """`faq/tell_parents` → "FAQ: tell parents"; `greet` → "greet"."""
    if not topic:
        return "—"
    if topic.startswith("faq/"):
        return "FAQ: " + topic[4:].replace("_", " ")
    return INTENT_LABELS.get(topic, topic.replace("_", " "))


def category_label(category: Optional[str]) -> str:
    if not category:
        return "—"
    return CATEGORY_LABELS.get(category, category.replace("_", " "))
