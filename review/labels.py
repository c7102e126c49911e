"""Human words for the machine names reviewers see: topics, intents, risk categories."""

from __future__ import annotations

from typing import Optional

from confidant.notify.payloads import CATEGORY_LABELS

INTENT_LABELS = {
    "nlu_fallback": "not understood",
    "concern_for_someone": "concern for someone else",
}

# Answers to questions the policy page does not cover (faq/beyond_*): their keys read badly
# ("beyond couples family group"), and reviewers should see at a glance that the policy had no
# answer, so the practice may want to write one.
BEYOND_POLICY_PREFIX = "FAQ, not in the policy: "
BEYOND_POLICY_TOPICS = {
    "faq/beyond_insurance": "insurance and billing",
    "faq/beyond_own_records": "seeing my own records",
    "faq/beyond_couples_family_group": "couples, family or group therapy",
    "faq/beyond_telehealth": "video sessions and recording",
    "faq/beyond_other_providers": "doctors and psychiatrists",
    "faq/beyond_school": "school and college",
    "faq/beyond_employer": "work, EAP or military",
    "faq/beyond_court_ordered": "court-ordered therapy",
    "faq/beyond_substances_crimes": "drugs, drinking or crimes",
    "faq/beyond_past_abuse_adult": "abuse in an adult's childhood",
    "faq/beyond_partner_violence": "partner violence",
    "faq/beyond_immigration": "immigration status",
    "faq/beyond_messaging": "texting or email",
    "faq/beyond_after_death": "records after death",
    "faq/beyond_other": "other questions",
}


def topic_label(topic: Optional[str]) -> str:
    """`faq/tell_parents` → "FAQ: tell parents"; `faq/beyond_school` → "FAQ, not in the policy:
    school and college"; `greet` → "greet"."""
    if not topic:
        return "—"
    if topic in BEYOND_POLICY_TOPICS:
        return BEYOND_POLICY_PREFIX + BEYOND_POLICY_TOPICS[topic]
    if topic.startswith("faq/"):
        return "FAQ: " + topic[4:].replace("_", " ")
    return INTENT_LABELS.get(topic, topic.replace("_", " "))


def category_label(category: Optional[str]) -> str:
    if not category:
        return "—"
    return CATEGORY_LABELS.get(category, category.replace("_", " "))
