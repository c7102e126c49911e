"""Ask which topic the client meant instead of guessing, and offer a person after two misses.

Which topics to offer comes from the ResponseSelector's ranking; their button titles and the
question each button sends come from the FAQ responses' metadata in domain.yml, so the wording
stays with the rest of the wording.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from confidant.nlu.message_focus import booking_offered
from confidant.vocabulary import (
    CONTACT_PRACTICE_ANSWER,
    NLU_FALLBACK_INTENT,
    REQUEST_APPOINTMENT_INTENT,
    selector_ranking,
)

FALLBACK_INTENT = NLU_FALLBACK_INTENT
TOPICS_OFFERED = 2
# The clarifying question also offers to start an appointment request from this confidence on.
BOOKING_OFFER_MIN = 0.2
# The response whose metadata gives that button (`topic_button` reads `utter_<name>`).
APPOINTMENT_INTRO = "appointment_intro"
MISSES_BEFORE_OFFERING_A_PERSON = 2


def consecutive_misses(tracker: Tracker) -> int:
    """How many of the client's latest messages in a row the assistant did not understand."""
    misses = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        misses += 1
    return misses


def likeliest_topics(latest_message: Dict[str, Any], count: int) -> List[str]:
    """The retrieval keys (`faq/tell_parents`) the ResponseSelector ranked highest."""
    ranking = selector_ranking(latest_message)
    return [item["intent_response_key"] for item in ranking[:count] if item.get("intent_response_key")]


def might_be_a_booking(latest_message: Dict[str, Any]) -> bool:
    """DIET held a request for an appointment possible ("how does my son get an appointment"),
    or the message asks to book in so many words beside what left it unclear (the message focus
    step's record)."""
    return booking_offered(latest_message) or any(
        item.get("name") == REQUEST_APPOINTMENT_INTENT and float(item.get("confidence") or 0.0) >= BOOKING_OFFER_MIN
        for item in latest_message.get("intent_ranking") or []
    )


def topic_button(domain: Dict[str, Any], topic: str) -> Optional[Dict[str, str]]:
    """A button for a topic, from the `label` and `ask` metadata of its web answer."""
    for variation in domain.get("responses", {}).get(f"utter_{topic}", []):
        metadata = variation.get("metadata") or {}
        if not variation.get("channel") and metadata.get("label") and metadata.get("ask"):
            return {"title": metadata["label"], "payload": metadata["ask"]}
    return None


class ActionClarifyTopic(Action):
    def name(self) -> str:
        return "action_clarify_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        if consecutive_misses(tracker) >= MISSES_BEFORE_OFFERING_A_PERSON:
            dispatcher.utter_message(response="utter_offer_practice_contact")
            return []
        buttons = [
            button
            for topic in likeliest_topics(tracker.latest_message or {}, TOPICS_OFFERED)
            if (button := topic_button(domain, topic))
        ]
        if might_be_a_booking(tracker.latest_message or {}):
            booking = topic_button(domain, APPOINTMENT_INTRO)
            if booking:
                buttons.insert(0, booking)
        contact = topic_button(domain, CONTACT_PRACTICE_ANSWER)
        if contact and contact not in buttons:
            buttons.append(contact)
        dispatcher.utter_message(response="utter_clarify_topic", buttons=buttons)
        return []
