"""Reviewers see human words for every FAQ answer, including those beyond the policy page."""

from __future__ import annotations

from pathlib import Path

import yaml

from review.labels import BEYOND_POLICY_PREFIX, BEYOND_POLICY_TOPICS, topic_label

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


def test_policy_topics_keep_their_readable_key() -> None:
    assert topic_label("faq/limit_court") == "FAQ: limit court"
    assert topic_label("concern_for_someone") == "concern for someone else"
