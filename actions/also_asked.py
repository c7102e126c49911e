"""Answer the question a risk message also asked, after the crisis reply.

"I'm 14 and I cut, will you tell my parents?" needs both: the crisis resources (sent first by
the safety rules, from the domain) and the answer to the question. The risk component records
which FAQ answer the message asked for (`risk.also_asked`); this action sends that answer. With
the action server down the crisis reply still goes out; only this answer waits.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher


def also_asked_response(latest_message: Dict[str, Any], domain: Dict[str, Any]) -> Optional[str]:
    """The domain response answering the question the message also asked, if it exists."""
    key = (latest_message.get("risk") or {}).get("also_asked")
    if not key:
        return None
    response = f"utter_{key}"
    return response if response in (domain.get("responses") or {}) else None


class ActionAnswerAlsoAsked(Action):
    def name(self) -> str:
        return "action_answer_also_asked"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        response = also_asked_response(tracker.latest_message or {}, domain)
        if response:
            dispatcher.utter_message(response=response)
        return []
