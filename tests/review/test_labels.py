"""Reviewers see human words for every FAQ answer, including those beyond the policy page."""

from __future__ import annotations

from pathlib import Path

import yaml

from review.labels import (
    BEYOND_POLICY_PREFIX,
    BEYOND_POLICY_TOPICS,
    FAQ_TOPICS,
    INTENT_LABELS,
    WRITER_LABELS,
    callback_how_label,
    channel_label,
    is_conversation_topic,
    topic_label,
    writer_label,
)

ROOT = Path(__file__).resolve().parents[2]
FAQ_KEYS = {
    name[len("utter_") :]
    for name in yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    if name.startswith("utter_faq/")
}


def test_every_beyond_policy_answer_has_a_human_label() -> None:
    beyond = {key for key in FAQ_KEYS if key.startswith("faq/beyond_")}
    assert len(beyond) == 15
    assert beyond == set(BEYOND_POLICY_TOPICS)


def test_beyond_policy_topics_say_the_policy_has_no_answer() -> None:
    assert topic_label("faq/beyond_couples_family_group") == (
        "FAQ, not in the policy: couples, family or group therapy"
    )
    assert all(topic_label(key).startswith(BEYOND_POLICY_PREFIX) for key in BEYOND_POLICY_TOPICS)


def test_every_policy_answer_and_intent_has_a_human_label() -> None:
    """No reviewer reads `affirm`, `faq/minor_age` or `risk_partner_violence`: each has words."""
    assert topic_label("faq/limit_court") == "FAQ: courts and legal orders"
    assert topic_label("faq/minor_age") == "FAQ: age for private therapy"
    assert {key for key in FAQ_KEYS if not key.startswith("faq/beyond_")} == set(FAQ_TOPICS)
    intents = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"]
    for intent in [*intents, "nlu_fallback"]:
        assert intent in INTENT_LABELS, intent
        assert "_" not in topic_label(intent), intent
    assert topic_label("greet") == "greeting" and topic_label("affirm") == "yes" and topic_label("deny") == "no"
    assert topic_label("risk_partner_violence") == "risk: partner violence"
    assert topic_label("other_language") == "in another language, no answer found"
    assert topic_label("concern_for_someone") == "concern for someone else"
    assert topic_label("some_new_intent") == "some new intent"  # unknown: words, never an error


def test_small_talk_is_not_a_topic() -> None:
    for intent in ("greet", "thanks", "affirm", "deny", "goodbye"):
        assert not is_conversation_topic(intent)
    for topic in ("faq/tell_parents", "faq/beyond_school", "nlu_fallback", "out_of_scope", "risk_self_harm"):
        assert is_conversation_topic(topic)


def test_writers_channels_and_call_back_wishes_have_words() -> None:
    from confidant.vocabulary import RISK_INTENT_LIST

    for intent in RISK_INTENT_LIST:
        assert intent.writer in WRITER_LABELS, intent.writer
    assert writer_label("child_victim") == "a child or teenager being hurt"
    assert writer_label("adult_victim_ipv") == "an adult hurt by a partner"
    assert writer_label(None) == ""
    assert channel_label("socketio") == "web chat" and channel_label("twilio") == "SMS"
    assert callback_how_label("text_only") == "text only (do not call)"
