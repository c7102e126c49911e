"""The risk vocabulary: categories, who is writing, and the Rasa intents that carry both.

A risk message is described by WHAT the risk is (the category: the policy limit it falls under
and the notification the practice gets) and WHO is writing (the writer kind: the reply must
speak to that person). Each risk intent names exactly one pair, so the safety rules (which can
only see intents) pick the reply that fits, without the action server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional

SELF_HARM = "self_harm"
HARM_OTHERS = "harm_others"
ABUSE = "abuse"
CATEGORIES = (SELF_HARM, HARM_OTHERS, ABUSE)


@dataclass(frozen=True)
class RiskIntent:
    """One risk intent: the category it escalates under and the writer its reply is for."""

    name: str
    category: str
    writer: str
    reply: str  # the domain response sent first; `<reply>_more` follows (data/rules/safety.yml)


# Most specific first within a category; the last of each category is its fallback when the
# writer cannot be told.
RISK_INTENT_LIST = (
    RiskIntent("risk_self_harm", SELF_HARM, "self_at_risk", "utter_crisis_self_harm"),
    RiskIntent("concern_for_someone", SELF_HARM, "concern_self_harm", "utter_crisis_concern_self_harm"),
    RiskIntent("intrusive_thoughts", SELF_HARM, "intrusive_thoughts", "utter_crisis_intrusive_thoughts"),
    RiskIntent("risk_harm_others", HARM_OTHERS, "harming_others", "utter_crisis_harm_others"),
    RiskIntent("risk_partner_violence", ABUSE, "adult_victim_ipv", "utter_crisis_partner_violence"),
    RiskIntent("risk_sexual_assault", ABUSE, "adult_victim_sexual_assault", "utter_crisis_sexual_assault"),
    RiskIntent("risk_child_abuse", ABUSE, "child_victim", "utter_crisis_child"),
    RiskIntent("concern_abuse", ABUSE, "concern_abuse", "utter_crisis_concern_abuse"),
    RiskIntent("risk_abuse_disclosure", ABUSE, "abuse_unspecified", "utter_crisis_abuse"),
    # A risk message in Spanish: one reply in Spanish; the escalation keeps the phrase's category.
    RiskIntent("risk_spanish", SELF_HARM, "spanish", "utter_crisis_spanish"),
)
RISK_INTENT_BY_NAME: Dict[str, RiskIntent] = {intent.name: intent for intent in RISK_INTENT_LIST}
RISK_INTENTS: FrozenSet[str] = frozenset(RISK_INTENT_BY_NAME)
CATEGORY_FOR_INTENT: Dict[str, str] = {intent.name: intent.category for intent in RISK_INTENT_LIST}
WRITER_FOR_INTENT: Dict[str, str] = {intent.name: intent.writer for intent in RISK_INTENT_LIST}

# The intent a category gets when nothing tells who is writing: the writer at risk (self-harm,
# harm to others) or the neutral abuse reply, which names every line.
INTENT_FOR_CATEGORY: Dict[str, str] = {
    SELF_HARM: "risk_self_harm",
    HARM_OTHERS: "risk_harm_others",
    ABUSE: "risk_abuse_disclosure",
}
CONCERN_INTENT = "concern_for_someone"
SPANISH_RISK_INTENT = "risk_spanish"
# An ordinary message in a language the NLU cannot read (not a risk intent).
OTHER_LANGUAGE_INTENT = "other_language"
# Set by the risk component alone, never learned: DIET has no examples of them.
COMPONENT_ONLY_INTENTS = frozenset({SPANISH_RISK_INTENT, OTHER_LANGUAGE_INTENT})
INTRUSIVE_INTENT = "intrusive_thoughts"
# Intrusive thoughts are escalated under the category of their target; the reply is the same calm one.
INTENTS_FOR_CATEGORY: Dict[str, FrozenSet[str]] = {
    category: frozenset(i.name for i in RISK_INTENT_LIST if i.category == category and i.name != SPANISH_RISK_INTENT)
    for category in CATEGORIES
}


def intents_of(category: Optional[str]) -> FrozenSet[str]:
    """The risk intents that escalate under `category` (all of them for None)."""
    return INTENTS_FOR_CATEGORY.get(category, RISK_INTENTS) if category else RISK_INTENTS
