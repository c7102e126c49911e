"""The answer to the question a risk message also asked follows the crisis reply."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.also_asked import ActionAnswerAlsoAsked, also_asked_response

DOMAIN = {"responses": {"utter_faq/tell_parents": [{"text": "..."}]}}


def tracker(risk: dict) -> Tracker:
    latest = {"text": "im 14 and i cut, will you tell my parents?", "intent": {"name": "risk_self_harm"}, "risk": risk}
    return Tracker("c1", {}, latest, [], False, None, {}, "")


def test_the_answer_asked_for_is_sent() -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerAlsoAsked().run(dispatcher, tracker({"also_asked": "faq/tell_parents"}), DOMAIN))
    assert [m["response"] for m in dispatcher.messages] == ["utter_faq/tell_parents"]


def test_nothing_is_sent_when_nothing_else_was_asked() -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerAlsoAsked().run(dispatcher, tracker({}), DOMAIN))
    assert dispatcher.messages == []


def test_an_answer_the_domain_does_not_have_is_not_sent() -> None:
    assert also_asked_response({"risk": {"also_asked": "faq/no_such_topic"}}, DOMAIN) is None
