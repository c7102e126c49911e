"""Every kind of writer has a Rasa test story of its own, which the channel tests reuse."""

from __future__ import annotations

import yaml

from confidant.vocabulary import RISK_INTENT_BY_NAME, RISK_INTENTS
from tests.support.writer_kinds import SAFETY_STORIES, first_messages_by_intent


def test_every_risk_intent_opens_a_story_with_a_message() -> None:
    assert set(first_messages_by_intent()) >= RISK_INTENTS


def test_each_opening_story_sends_that_writers_reply_then_escalates() -> None:
    stories = yaml.safe_load(SAFETY_STORIES.read_text(encoding="utf-8"))["stories"]
    checked = set()
    for story in stories:
        steps = story["steps"]
        intent = RISK_INTENT_BY_NAME.get(steps[0].get("intent"))
        if intent is None or not steps[0].get("user"):
            continue
        actions = [step["action"] for step in steps[1:] if "action" in step]
        more = [f"{intent.reply}_more"] if intent.name != "risk_spanish" else []
        assert actions[: len(more) + 2] == [intent.reply, *more, "action_escalate"], story["story"]
        checked.add(intent.name)
    assert checked == RISK_INTENTS
