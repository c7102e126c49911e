"""The names the assistant's parts share: risk categories and writers, intents, slots, FAQ answers.

The NLU pipeline, the actions, the channels, the notifications, the reconciler and the review
tool all speak of the same things by name; each name is defined here once, and
tests/test_vocabulary.py holds them to domain.yml, config.yml and practice.yml. Plain Python
only (no Rasa, no spaCy): the action server and the review tool import it cheaply.

A risk message is described by WHAT the risk is (the category: the policy limit it falls under
and the notification the practice gets) and WHO is writing (the writer kind: the reply must
speak to that person). Each risk intent names exactly one pair, so the safety rules (which can
only see intents) pick the reply that fits, without the action server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Literal, Mapping, Optional

# ---- risk categories: what the risk is ---------------------------------------------------

SELF_HARM = "self_harm"
HARM_OTHERS = "harm_others"
ABUSE = "abuse"
# In order of urgency: a threat to the writer's own life is the most time-critical.
CATEGORIES = (SELF_HARM, HARM_OTHERS, ABUSE)
RiskCategory = Literal["self_harm", "harm_others", "abuse"]
# The category an escalation takes when a risk intent arrives without one: err towards
# escalation, under the most urgent category, rather than page no one.
FALLBACK_CATEGORY = SELF_HARM

# ---- writer kinds: who is writing -------------------------------------------------------

SELF_AT_RISK = "self_at_risk"
CONCERN_SELF_HARM = "concern_self_harm"
INTRUSIVE_THOUGHTS = "intrusive_thoughts"
HARMING_OTHERS = "harming_others"
ADULT_VICTIM_IPV = "adult_victim_ipv"
ADULT_VICTIM_SEXUAL_ASSAULT = "adult_victim_sexual_assault"
CHILD_VICTIM = "child_victim"
CONCERN_ABUSE = "concern_abuse"
ABUSE_UNSPECIFIED = "abuse_unspecified"
# The writer of a risk message in Spanish: one reply in Spanish, whoever writes.
SPANISH_WRITER = "spanish"
# Every writer a reply is written for, in the order of practice.yml's `crisis.situations`.
WRITER_KINDS = (
    SELF_AT_RISK,
    CONCERN_SELF_HARM,
    INTRUSIVE_THOUGHTS,
    HARMING_OTHERS,
    ADULT_VICTIM_IPV,
    ADULT_VICTIM_SEXUAL_ASSAULT,
    CHILD_VICTIM,
    CONCERN_ABUSE,
    ABUSE_UNSPECIFIED,
)
# The crisis lines of every other reply and the page footer (practice.yml `crisis.situations`).
GENERAL_SITUATION = "general"


# ---- risk intents: category and writer in one name --------------------------------------


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
    RiskIntent("risk_self_harm", SELF_HARM, SELF_AT_RISK, "utter_crisis_self_harm"),
    RiskIntent("concern_for_someone", SELF_HARM, CONCERN_SELF_HARM, "utter_crisis_concern_self_harm"),
    RiskIntent("intrusive_thoughts", SELF_HARM, INTRUSIVE_THOUGHTS, "utter_crisis_intrusive_thoughts"),
    RiskIntent("risk_harm_others", HARM_OTHERS, HARMING_OTHERS, "utter_crisis_harm_others"),
    RiskIntent("risk_partner_violence", ABUSE, ADULT_VICTIM_IPV, "utter_crisis_partner_violence"),
    RiskIntent("risk_sexual_assault", ABUSE, ADULT_VICTIM_SEXUAL_ASSAULT, "utter_crisis_sexual_assault"),
    RiskIntent("risk_child_abuse", ABUSE, CHILD_VICTIM, "utter_crisis_child"),
    RiskIntent("concern_abuse", ABUSE, CONCERN_ABUSE, "utter_crisis_concern_abuse"),
    RiskIntent("risk_abuse_disclosure", ABUSE, ABUSE_UNSPECIFIED, "utter_crisis_abuse"),
    # A risk message in Spanish: one reply in Spanish; the escalation keeps the phrase's category.
    RiskIntent("risk_spanish", SELF_HARM, SPANISH_WRITER, "utter_crisis_spanish"),
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
# The worried writer's intent of each category: about suicide or self-harm, and about abuse.
CONCERN_INTENT_FOR_CATEGORY: Dict[str, str] = {SELF_HARM: CONCERN_INTENT, ABUSE: "concern_abuse"}
SPANISH_RISK_INTENT = "risk_spanish"
INTRUSIVE_INTENT = "intrusive_thoughts"
# Intrusive thoughts are escalated under the category of their target; the reply is the same calm one.
INTENTS_FOR_CATEGORY: Dict[str, FrozenSet[str]] = {
    category: frozenset(i.name for i in RISK_INTENT_LIST if i.category == category and i.name != SPANISH_RISK_INTENT)
    for category in CATEGORIES
}


def intents_of(category: Optional[str]) -> FrozenSet[str]:
    """The risk intents that escalate under `category` (all of them for None)."""
    return INTENTS_FOR_CATEGORY.get(category, RISK_INTENTS) if category else RISK_INTENTS


# ---- other intents the code decides on ----------------------------------------------------

# The retrieval intent of every FAQ question; the ResponseSelector picks the answer (`faq/<topic>`).
FAQ_INTENT = "faq"
# Rasa's intent for "not understood" (FallbackClassifier, and the FAQ confidence gate).
NLU_FALLBACK_INTENT = "nlu_fallback"
# An ordinary message in a language the NLU cannot read (not a risk intent).
OTHER_LANGUAGE_INTENT = "other_language"
# Set by the risk component alone, never learned: DIET has no examples of them.
COMPONENT_ONLY_INTENTS = frozenset({SPANISH_RISK_INTENT, OTHER_LANGUAGE_INTENT})
AFFIRM_INTENT = "affirm"
DENY_INTENT = "deny"
GOODBYE_INTENT = "goodbye"
OUT_OF_SCOPE_INTENT = "out_of_scope"
# Someone telling how they feel, with no current risk: acknowledged, and pointed to a therapist.
SHARE_FEELINGS_INTENT = "share_feelings"
# Asking for a first appointment: starts the appointment form (actions/appointment.py).
REQUEST_APPOINTMENT_INTENT = "request_appointment"
# A message that leaves a call-back number or address.
INFORM_CONTACT_INTENT = "inform_contact"
# The parse property where the risk component keeps its decision (screen, classifier, writer,
# evidence), read by the focus step, the escalation actions, the review tool and the evaluation.
RISK_PROPERTY = "risk"
# In a risk decision: the category whose variation of the reply fits, where it differs from the
# risk's own category (the Spanish reply to unwanted thoughts of harm).
REPLY_CATEGORY_PROPERTY = "reply_category"
# The parse property where the message focus step records which part of a message it read.
FOCUS_PROPERTY = "focus"
# In the metadata of a part of a long message read on its own: the whole message's text, so the
# risk component chooses the writer's reply from everything the writer said, not one sentence.
WHOLE_MESSAGE_METADATA = "confidant_whole_message"
# The parse property where the nearest-examples classifier keeps its own reading of a message
# (its best label and the risk intents' share), a second witness beside DIET.
NEAREST_PROPERTY = "nearest"
# The FAQ answer that tells how to reach the practice (offered when the assistant is unsure).
CONTACT_PRACTICE_ANSWER = "faq/contact_practice"
# The entity the message focus step sets on a message that asks a second, different question
# (its value the FAQ answer, `faq/<topic>`): the rule that sends the second answer reads it.
SECOND_ANSWER_ENTITY = "second_answer"
# The entity the message focus step sets on a question answered beside a request to book (its
# value `request_appointment`): the rule that follows the answer with the offer to book reads it.
OFFER_APPOINTMENT_ENTITY = "offer_appointment"

# ---- slots ------------------------------------------------------------------------------

ESCALATED_SLOT = "escalated"
RISK_CATEGORY_SLOT = "risk_category"
RISK_EVIDENCE_SLOT = "risk_evidence"
CALLBACK_FORM = "callback_form"
CALLBACK_HOW_SLOT = "callback_how"
CALLBACK_CONTACT_SLOT = "callback_contact"  # masked ("phone ending 99"), never the number
CALLBACK_REF_SLOT = "callback_ref"  # the contact vault's request id
CALLBACK_WHEN_SLOT = "callback_when"
SLOTS = (
    ESCALATED_SLOT,
    RISK_CATEGORY_SLOT,
    RISK_EVIDENCE_SLOT,
    CALLBACK_HOW_SLOT,
    CALLBACK_CONTACT_SLOT,
    CALLBACK_REF_SLOT,
    CALLBACK_WHEN_SLOT,
)

# ---- the ResponseSelector's output in a parsed message ------------------------------------


def selector_output(parse: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ResponseSelector's part of a parsed message (`response_selector.faq`), or {}."""
    selector = (parse.get("response_selector") or {}).get(FAQ_INTENT)
    return selector if isinstance(selector, Mapping) else {}


def selector_ranking(parse: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """The ResponseSelector's ranked FAQ answers, best first (`intent_response_key`, `confidence`)."""
    return [item for item in selector_output(parse).get("ranking") or [] if isinstance(item, dict)]


def selected_answer(parse: Mapping[str, Any]) -> Optional[str]:
    """The FAQ answer the ResponseSelector chose (`faq/tell_parents`), else its best ranked one."""
    response = selector_output(parse).get("response") or {}
    key = response.get("intent_response_key") if isinstance(response, Mapping) else None
    if not key:
        ranking = selector_ranking(parse)
        key = ranking[0].get("intent_response_key") if ranking else None
    return key or None


def selected_answer_confidence(parse: Mapping[str, Any]) -> float:
    """How sure the ResponseSelector was of the answer it chose (0 when it chose none)."""
    response = selector_output(parse).get("response") or {}
    return float((response.get("confidence") if isinstance(response, Mapping) else None) or 0.0)


def with_selected_answer(parse: Mapping[str, Any], key: str, confidence: float) -> Dict[str, Any]:
    """`parse` with the ResponseSelector's output set to the FAQ answer `key`, as `utter_faq` reads it."""
    selector = dict(selector_output(parse))
    ranking = [item for item in selector_ranking(parse) if item.get("intent_response_key") != key]
    selector["response"] = {
        "intent_response_key": key,
        "utter_action": f"utter_{key}",
        "confidence": confidence,
        "responses": [],
    }
    selector["ranking"] = [{"intent_response_key": key, "confidence": confidence}, *ranking]
    return {**parse, "response_selector": {**(parse.get("response_selector") or {}), FAQ_INTENT: selector}}


def intent_of(parse: Mapping[str, Any]) -> Optional[str]:
    """The intent a parsed message was given, if any."""
    intent = parse.get("intent") or {}
    return intent.get("name") if isinstance(intent, Mapping) else None


def answer_key(parse: Mapping[str, Any]) -> Optional[str]:
    """What the message was taken for: its FAQ answer (`faq/tell_parents`) for a question, else its intent."""
    intent = intent_of(parse)
    if intent != FAQ_INTENT:
        return intent
    return selected_answer(parse) or intent
