"""The crisis resources for a message a channel refuses (rate limits), in the domain's words.

A refused message never reaches Rasa, so no rule can answer it. But a person at risk must
never be left without the crisis resources because a limit was reached (a shared address, a
flood of other traffic). Before refusing, a channel asks `crisis_reply_for`: the risk screen
(`confidant.risk.screen`, pure and fast) reads the text, and a risk message gets the responses
data/rules/safety.yml sends first for its intent (`utter_crisis_self_harm`, ...), with the
channel's variant and the practice's details, as Rasa would send them.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator

from confidant.risk.component import decide
from confidant.risk.screen import RiskScreen
from confidant.settings import PROJECT_ROOT, current_settings

logger = logging.getLogger(__name__)

DOMAIN_PATH = PROJECT_ROOT / "domain.yml"
SAFETY_RULES_PATH = PROJECT_ROOT / "data" / "rules" / "safety.yml"


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
    """Screens a refused message and renders the domain's crisis response for it, if any."""

    def __init__(
        self, screen: RiskScreen, responses: Dict[str, Any], responses_for_intent: Dict[str, List[str]]
    ) -> None:
        self.screen = screen
        self._nlg = TemplatedNaturalLanguageGenerator(responses)
        self._responses_for_intent = responses_for_intent
        self._variables = current_settings().response_variables()

    @classmethod
    def load(cls) -> "CrisisReplies":
        domain = yaml.safe_load(DOMAIN_PATH.read_text(encoding="utf-8")) or {}
        return cls(RiskScreen.from_directory(), domain.get("responses") or {}, responses_for_risk_intents())

    def response_names(self, text: str) -> List[str]:
        """The crisis responses this text calls for (none if the screen finds no risk in it)."""
        decision = decide(self.screen.screen(text), None, 1.0)
        return self._responses_for_intent.get(decision["intent"] or "", [])

    def for_text(self, text: str, channel: Optional[str]) -> List[str]:
        """The crisis texts (the channel's variants, in the rule's order) for a risk message, or []."""
        texts = []
        for name in self.response_names(text):
            message = self._nlg.generate_from_slots(name, dict(self._variables), channel or "")
            if message and message.get("text"):
                texts.append(message["text"])
        return texts


@cache
def crisis_replies() -> CrisisReplies:
    """This process's crisis replies (the screen is loaded once)."""
    return CrisisReplies.load()


def crisis_reply_for(text: str, channel: Optional[str]) -> List[str]:
    """The crisis texts for a message refused before Rasa ([] if it is not a risk message)."""
    return crisis_replies().for_text(text, channel)
