"""Answer what a message also asked: a risk message's question, or a second question.

"I'm 14 and I cut, will you tell my parents?" needs both: the crisis resources (sent first by
the safety rules, from the domain) and the answer to the question. The risk component records
which FAQ answer the message asked for (`risk.also_asked`); this action sends that answer.

"Can my wife find out what I say? And can her lawyer get my file?" asks two things: the rule
answers the first, and the message focus step records the second (`focus.second_answer`), which
this action sends after a short bridge ("You also asked about something else").

With the action server down the crisis reply and the first answer still go out; only this
answer is lost (Rasa skips the action quietly: confidant/rasa_internals/unreachable_actions.py).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from confidant.nlu.message_focus import second_answer
from confidant.vocabulary import RISK_PROPERTY


def _response_for(key: Optional[str], domain: Dict[str, Any]) -> Optional[str]:
    response = f"utter_{key}" if key else None
    return response if response and response in (domain.get("responses") or {}) else None


def also_asked_response(latest_message: Dict[str, Any], domain: Dict[str, Any]) -> Optional[str]:
    """The domain response answering the question a risk message also asked, if it exists."""
    return _response_for((latest_message.get(RISK_PROPERTY) or {}).get("also_asked"), domain)


def second_answer_response(latest_message: Dict[str, Any], domain: Dict[str, Any]) -> Optional[str]:
    """The domain response answering a message's second question, if it exists."""
    return _response_for(second_answer(latest_message), domain)


class ActionAnswerAlsoAsked(Action):
    def name(self) -> str:
        return "action_answer_also_asked"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        latest = tracker.latest_message or {}
        response = also_asked_response(latest, domain)
        if response:
            dispatcher.utter_message(response=response)
            return []
        second = second_answer_response(latest, domain)
        if second:
            dispatcher.utter_message(response="utter_also_asked")
            dispatcher.utter_message(response=second)
        return []
