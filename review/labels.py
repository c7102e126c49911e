"""Human words for the machine names reviewers see: topics, intents, risk categories, writers.

Every page, filter and chart label goes through here, so a reviewer never reads `affirm`,
`faq/minor_age` or `adult_victim_ipv`. An unknown name still reads as words ("new_intent" →
"new intent"), never as an error.
"""

from __future__ import annotations

from typing import Optional, TypeGuard

from confidant.notify.payloads import CATEGORY_LABELS
from confidant.vocabulary import NLU_FALLBACK_INTENT, OTHER_LANGUAGE_INTENT, OUT_OF_SCOPE_INTENT

# Intents that are not questions or disclosures: the conversation's mechanics. They are kept
# out of "topics" (filters, insights) but still labelled in the transcript's details view.
SMALL_TALK_INTENTS = frozenset({"greet", "goodbye", "thanks", "affirm", "deny", "bot_challenge", "inform_contact"})

INTENT_LABELS = {
    "greet": "greeting",
    "goodbye": "goodbye",
    "thanks": "thanks",
    "affirm": "yes",
    "deny": "no",
    "bot_challenge": "asked if it is a bot",
    "what_can_you_do": "what the assistant can do",
    "out_of_scope": "outside what the assistant answers",
    "nlu_fallback": "not understood (asked to rephrase)",
    "other_language": "in another language, no answer found",
    "share_feelings": "sharing how they feel",
    "inform_contact": "contact details for a call-back",
    "request_appointment": "asked for a first appointment",
    "faq": "question (no answer chosen)",
    "risk_self_harm": "risk: suicide or self-harm",
    "risk_harm_others": "risk: harm to others",
    "risk_abuse_disclosure": "risk: abuse",
    "risk_partner_violence": "risk: partner violence",
    "risk_sexual_assault": "risk: sexual assault",
    "risk_child_abuse": "risk: a child being harmed",
    "risk_spanish": "risk, written in Spanish",
    "concern_abuse": "concern: someone else is being abused",
    "concern_for_someone": "concern for someone else",
    "intrusive_thoughts": "intrusive thoughts",
}

# Answers from the policy page (faq/<key>): what the client asked about, in their words.
FAQ_TOPICS = {
    "faq/what_is_confidentiality": "what confidentiality means",
    "faq/why_it_matters": "why confidentiality matters",
    "faq/safe_to_share": "is it safe to be open",
    "faq/is_it_law": "is it the law",
    "faq/limits_overview": "when it can be broken",
    "faq/limit_harm": "danger to self or others",
    "faq/limit_abuse": "reporting abuse",
    "faq/limit_court": "courts and legal orders",
    "faq/tell_parents": "will parents be told",
    "faq/tell_others": "will others find out",
    "faq/warned_before_disclosure": "warned before anything is shared",
    "faq/records_privacy": "records and notes",
    "faq/bot_privacy": "this chat's privacy",
    "faq/contact_practice": "reaching the practice",
    "faq/minor_age": "age for private therapy",
    "faq/what_counts_as_abuse": "what counts as abuse",
}
FAQ_PREFIX = "FAQ: "

# Answers to questions the policy page does not cover (faq/beyond_*): reviewers should see at
# a glance that the policy had no answer, so the practice may want to write one.
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

# Who is writing, as the risk component decided (`risk.writer` in the parse data).
WRITER_LABELS = {
    "self_at_risk": "the writer, at risk themselves",
    "concern_self_harm": "someone worried about another person's safety",
    "intrusive_thoughts": "unwanted intrusive thoughts",
    "harming_others": "the writer may hurt someone",
    "adult_victim_ipv": "an adult hurt by a partner",
    "adult_victim_sexual_assault": "an adult after sexual assault",
    "child_victim": "a child or teenager being hurt",
    "concern_abuse": "someone worried another person is being abused",
    "abuse_unspecified": "abuse; who is hurt is unclear",
    "spanish": "writing in Spanish",
}

# What the client said about being reached (the call-back form's `callback_how`).
CALLBACK_HOW_LABELS = {
    "call_or_text": "call or text",
    "text_only": "text only (do not call)",
    "call_only": "call only (do not text)",
    "email_only": "not safe to call or text",
    "email": "email",
}

CHANNEL_LABELS = {"socketio": "web chat", "rest": "REST", "sms": "SMS", "twilio": "SMS"}

STATUS_LABELS = {"open": "not acknowledged", "acknowledged": "acknowledged", "resolved": "resolved"}


def words(name: str) -> str:
    return name.replace("_", " ").strip()


def is_conversation_topic(topic: Optional[str]) -> TypeGuard[str]:
    """A question or disclosure worth counting as a topic: not a greeting, thanks, yes or no."""
    return bool(topic) and topic not in SMALL_TALK_INTENTS


def topic_label(topic: Optional[str]) -> str:
    """`faq/tell_parents` → "FAQ: will parents be told"; `faq/beyond_school` → "FAQ, not in the
    policy: school and college"; `greet` → "greeting"."""
    if not topic:
        return "—"
    if topic in BEYOND_POLICY_TOPICS:
        return BEYOND_POLICY_PREFIX + BEYOND_POLICY_TOPICS[topic]
    if topic in FAQ_TOPICS:
        return FAQ_PREFIX + FAQ_TOPICS[topic]
    if topic.startswith("faq/beyond_"):
        return BEYOND_POLICY_PREFIX + words(topic[len("faq/beyond_") :])
    if topic.startswith("faq/"):
        return FAQ_PREFIX + words(topic[4:])
    return INTENT_LABELS.get(topic, words(topic))


def category_label(category: Optional[str]) -> str:
    if not category:
        return "—"
    return CATEGORY_LABELS.get(category, words(category))


def writer_label(writer: Optional[str]) -> str:
    if not writer:
        return ""
    return WRITER_LABELS.get(writer, words(writer))


def callback_how_label(how: Optional[str]) -> str:
    if not how:
        return ""
    return CALLBACK_HOW_LABELS.get(how, words(how))


def status_label(status: Optional[str]) -> str:
    if not status:
        return ""
    return STATUS_LABELS.get(status, words(status))


def channel_label(channel: Optional[str]) -> str:
    if not channel:
        return "—"
    return CHANNEL_LABELS.get(channel, words(channel))


# Questions the assistant could not answer (the insights page's "unanswered" part, issue 18.3).
NOT_UNDERSTOOD = NLU_FALLBACK_INTENT
OUT_OF_SCOPE = OUT_OF_SCOPE_INTENT
OTHER_LANGUAGE = OTHER_LANGUAGE_INTENT
BEYOND_POLICY = "beyond_policy"


def unanswered_kind(topic: Optional[str]) -> Optional[str]:
    """Which kind of unanswered question a message's topic is, or None for an answered one."""
    if topic in (NOT_UNDERSTOOD, OUT_OF_SCOPE, OTHER_LANGUAGE):
        return topic
    if topic and topic.startswith("faq/beyond_"):
        return BEYOND_POLICY
    return None
