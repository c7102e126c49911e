"""Clarifying questions offer the likeliest topics, then a person after two misses."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.clarification import ActionClarifyTopic, consecutive_misses
from tests.actions.conftest import make_tracker, user_event

RANKING = [
    {"intent_response_key": "faq/limit_court", "confidence": 0.42},
    {"intent_response_key": "faq/records_privacy", "confidence": 0.40},
    {"intent_response_key": "faq/tell_others", "confidence": 0.1},
]


def run(tracker, domain):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionClarifyTopic().run(dispatcher, tracker, domain))
    return dispatcher.messages


def test_counts_only_the_latest_misses_in_a_row() -> None:
    events = [
        user_event("nlu_fallback"),
        user_event("faq"),
        user_event("nlu_fallback"),
        {"event": "bot"},
        user_event("nlu_fallback"),
    ]
    assert consecutive_misses(make_tracker(events)) == 2


def test_first_miss_offers_the_two_likeliest_topics_and_a_person(domain) -> None:
    [message] = run(make_tracker([user_event("nlu_fallback", ranking=RANKING)]), domain)
    assert message["response"] == "utter_clarify_topic"
    titles = [button["title"] for button in message["buttons"]]
    assert titles == ["Court and legal requests", "My records and notes", "Contact the practice"]
    # A button sends a real question, never a raw /intent payload.
    assert all(not button["payload"].startswith("/") for button in message["buttons"])


def test_second_miss_in_a_row_offers_a_person(domain) -> None:
    events = [
        user_event("nlu_fallback", ranking=RANKING),
        {"event": "bot"},
        user_event("nlu_fallback", ranking=RANKING),
    ]
    [message] = run(make_tracker(events), domain)
    assert message["response"] == "utter_offer_practice_contact"


def test_a_message_that_may_be_a_booking_is_offered_the_appointment_request_first(domain) -> None:
    """'how does my son get an appointment' below the gate: one tap to the request, not a dead end."""
    event = user_event("nlu_fallback", text="how does my son get an appointment", ranking=RANKING)
    event["parse_data"]["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.62},
        {"name": "request_appointment", "confidence": 0.62},
        {"name": "faq", "confidence": 0.37},
    ]
    [message] = run(make_tracker([event]), domain)
    first = message["buttons"][0]
    assert first["title"] == "Ask for a first appointment"
    assert not first["payload"].startswith("/")
    unlikely = user_event("nlu_fallback", ranking=RANKING)
    unlikely["parse_data"]["intent_ranking"] = [{"name": "request_appointment", "confidence": 0.05}]
    [plain] = run(make_tracker([unlikely]), domain)
    assert "Ask for a first appointment" not in [button["title"] for button in plain["buttons"]]


def test_a_message_that_asks_to_book_beside_something_unclear_is_offered_the_request_first(domain) -> None:
    """The message focus step found the words that ask to book; DIET gave the request almost nothing."""
    event = user_event("nlu_fallback", text="can i book an intake and also what about my file", ranking=RANKING)
    event["parse_data"]["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.7}]
    event["parse_data"]["focus"] = {"reason": "whole message", "offer_appointment": "can i book an intake"}
    [message] = run(make_tracker([event]), domain)
    assert message["buttons"][0]["title"] == "Ask for a first appointment"
