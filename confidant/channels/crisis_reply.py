"""The crisis resources for a message a channel refuses (rate limits), in the domain's words.

A refused message never reaches Rasa, so no rule can answer it. But a person at risk must
never be left without the crisis resources because a limit was reached (a shared address, a
flood of other traffic). Before refusing, a channel asks `crisis_messages_for`: the risk screen
(`confidant.risk.screen`, pure and fast) reads the text, and a risk message gets the responses
data/rules/safety.yml sends first for its intent (`utter_crisis_self_harm`, ...), made by the
project's own response generator for the channel, exactly as Rasa would send them.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from confidant.practice_nlg import PracticeResponseGenerator
from confidant.risk.component import decide
from confidant.risk.screen import RiskScreen
from confidant.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

DOMAIN_PATH = PROJECT_ROOT / "domain.yml"
SAFETY_RULES_PATH = PROJECT_ROOT / "data" / "rules" / "safety.yml"
REFUSED_CONVERSATION = "refused"  # the empty tracker responses are filled from (no slots set)


def responses_for_risk_intents(rules_path: Path = SAFETY_RULES_PATH) -> Dict[str, List[str]]:
    """Risk intent -> the responses its unconditional safety rule sends before any action runs."""
    rules = (yaml.safe_load(rules_path.read_text(encoding="utf-8")) or {}).get("rules") or []
    mapping: Dict[str, List[str]] = {}
    for rule in rules:
        steps = rule.get("steps") or []
        if rule.get("condition") or not steps or "intent" not in steps[0]:
            continue
        responses = []
        for step in steps[1:]:
            action = str(step.get("action") or "")
            if not action.startswith("utter_"):
                break
            responses.append(action)
        if responses:
            mapping.setdefault(str(steps[0]["intent"]), responses)
    return mapping


class CrisisReplies:
    """Screens a refused message and makes the domain's crisis responses for it, if any."""

    def __init__(
        self, screen: RiskScreen, domain: Domain, responses_for_intent: Dict[str, List[str]]
    ) -> None:
        self.screen = screen
        self._domain = domain
        self._nlg = PracticeResponseGenerator(domain=domain)
        self._responses_for_intent = responses_for_intent

    @classmethod
    def load(cls) -> "CrisisReplies":
        return cls(RiskScreen.from_directory(), Domain.from_path(DOMAIN_PATH), responses_for_risk_intents())

    def response_names(self, text: str) -> List[str]:
        """The crisis responses this text calls for (none if the screen finds no risk in it)."""
        decision = decide(self.screen.screen(text), None, 1.0)
        return self._responses_for_intent.get(decision["intent"] or "", [])

    async def messages_for(self, text: str, channel: Optional[str]) -> List[Dict[str, Any]]:
        """Rasa's response messages (the channel's variants, in the rule's order) for a risk message, or []."""
        names = self.response_names(text)
        if not names:
            return []
        tracker = DialogueStateTracker.from_events(REFUSED_CONVERSATION, [], slots=self._domain.slots)
        messages = []
        for name in names:
            message = await self._nlg.generate(name, tracker, channel or "")
            if message:
                messages.append({key: value for key, value in message.items() if value not in (None, [], {})})
        return messages


@cache
def crisis_replies() -> CrisisReplies:
    """This process's crisis replies (the screen and the domain are loaded once)."""
    return CrisisReplies.load()


async def crisis_messages_for(text: str, channel: Optional[str]) -> List[Dict[str, Any]]:
    """The crisis messages for a message refused before Rasa ([] if it is not a risk message)."""
    return await crisis_replies().messages_for(text, channel)
