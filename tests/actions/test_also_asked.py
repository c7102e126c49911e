"""What a message also asked is answered: a risk message's question, a second question (with a bridge)."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.also_asked import ActionAnswerAlsoAsked, also_asked_response, second_answer_response

DOMAIN = {
    "responses": {
        "utter_faq/tell_parents": [{"text": "..."}],
        "utter_faq/limit_court": [{"text": "..."}],
        "utter_also_asked": [{"text": "..."}],
    }
}


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


def two_questions(focus: dict) -> Tracker:
    latest = {"text": "can my wife find out? can her lawyer get my file?", "intent": {"name": "faq"}, "focus": focus}
    return Tracker("c2", {}, latest, [], False, None, {}, "")


def test_a_second_question_gets_the_bridge_then_its_answer() -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerAlsoAsked().run(dispatcher, two_questions({"second_answer": "faq/limit_court"}), DOMAIN))
    assert [m["response"] for m in dispatcher.messages] == ["utter_also_asked", "utter_faq/limit_court"]


def test_a_message_of_one_question_gets_nothing_more() -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(
        ActionAnswerAlsoAsked().run(dispatcher, two_questions({"part": None, "reason": "whole message"}), DOMAIN)
    )
    assert dispatcher.messages == []


def test_no_bridge_for_a_second_answer_the_domain_does_not_have() -> None:
    assert second_answer_response({"focus": {"second_answer": "faq/no_such_topic"}}, DOMAIN) is None
