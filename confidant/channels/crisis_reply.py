"""The crisis resources for a message a channel refuses (rate limits), in the domain's words.

A refused message never reaches Rasa, so no rule can answer it. But a person at risk must
never be left without the crisis resources because a limit was reached (a shared address, a
flood of other traffic). Before refusing, a channel asks `crisis_messages_for`: the risk screen
(`confidant.risk.screen`, pure and fast) reads the text, and a risk message gets the responses
data/rules/safety.yml sends first for its intent (`utter_crisis_self_harm`, ...), made by the
project's own response generator for the channel, exactly as Rasa would send them; and where
that rule escalates, the escalation is recorded in the outbox (the crisis text says a person
is being told), with the outbox's per-conversation de-duplication and volume alert.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from confidant.notify.outbox import default_outbox
from confidant.notify.payloads import escalation_payload, volume_alert
from confidant.practice_nlg import PracticeResponseGenerator
from confidant.risk.component import decide
from confidant.risk.screen import RiskScreen
from confidant.settings import PROJECT_ROOT, current_settings
from confidant.vocabulary import FALLBACK_CATEGORY
from confidant.yaml_files import load_yaml

logger = logging.getLogger(__name__)

DOMAIN_PATH = PROJECT_ROOT / "domain.yml"
SAFETY_RULES_PATH = PROJECT_ROOT / "data" / "rules" / "safety.yml"
REFUSED_CONVERSATION = "refused"  # the empty tracker responses are filled from (no slots set)
ESCALATE_ACTION = "action_escalate"


def escalating_intents(rules_path: Path = SAFETY_RULES_PATH) -> Set[str]:
    """The intents whose unconditional safety rule runs `action_escalate`."""
    rules = (load_yaml(rules_path.read_text(encoding="utf-8")) or {}).get("rules") or []
    return {
        str(rule["steps"][0]["intent"])
        for rule in rules
        if not rule.get("condition")
        and (rule.get("steps") or [{}])[0].get("intent")
        and any(step.get("action") == ESCALATE_ACTION for step in rule["steps"])
    }


def responses_for_risk_intents(rules_path: Path = SAFETY_RULES_PATH) -> Dict[str, List[str]]:
    """Risk intent -> the responses its unconditional safety rule sends before any action runs."""
    rules = (load_yaml(rules_path.read_text(encoding="utf-8")) or {}).get("rules") or []
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
        self,
        screen: RiskScreen,
        domain: Domain,
        responses_for_intent: Dict[str, List[str]],
        escalating: Set[str],
    ) -> None:
        self.screen = screen
        self._domain = domain
        self._nlg = PracticeResponseGenerator(domain=domain)
        self._responses_for_intent = responses_for_intent
        self._escalating = escalating

    @classmethod
    def load(cls) -> "CrisisReplies":
        return cls(
            RiskScreen.shared(),
            Domain.from_path(DOMAIN_PATH),
            responses_for_risk_intents(),
            escalating_intents(),
        )

    def decision(self, text: str) -> Dict[str, Any]:
        """What the risk component would decide from the screen alone."""
        return decide(self.screen.screen(text), None, 1.0)

    def response_names(self, text: str) -> List[str]:
        """The crisis responses this text calls for (none if the screen finds no risk in it)."""
        return self._responses_for_intent.get(self.decision(text)["intent"] or "", [])

    async def messages_for(
        self,
        text: str,
        channel: Optional[str],
        conversation_id: Optional[str] = None,
        input_channel: Optional[str] = None,
    ) -> List[Dict[str, Any]]:
        """Rasa's response messages (the channel's variants, in the rule's order) for a risk message, or [].

        With a conversation, a message whose rule escalates is escalated here too: the crisis
        text tells the client a person is being told, and the message never reached the action.
        """
        decision = self.decision(text)
        names = self._responses_for_intent.get(decision["intent"] or "", [])
        if not names:
            return []
        if conversation_id is not None and decision["intent"] in self._escalating:
            escalate_refused(conversation_id, decision.get("category") or FALLBACK_CATEGORY, input_channel, text)
        tracker = DialogueStateTracker.from_events(REFUSED_CONVERSATION, [], slots=self._domain.slots)
        messages = []
        for name in names:
            message = await self._nlg.generate(name, tracker, channel or "")
            if message:
                messages.append({key: value for key, value in message.items() if value not in (None, [], {})})
        return messages


def escalate_refused(conversation_id: str, category: str, input_channel: Optional[str], text: str) -> None:
    """Record the escalation action_escalate would have (open ones count repeats; floods alert once)."""
    settings = current_settings()
    try:
        escalation = default_outbox().record_escalation(
            conversation_id=conversation_id,
            category=category,
            channel=input_channel,
            notifiers=[notifier.name for notifier in settings.escalation.notifiers],
            payload_for=lambda opened: escalation_payload(settings, opened, message_text=text),
            volume=volume_alert(settings),
        )
    except Exception as error:  # noqa: BLE001 - the crisis text must still go out
        logger.error("Refused risk message not escalated (conversation %s): %s", conversation_id, type(error).__name__)
        return
    logger.warning("Escalation %s opened for a refused risk message (conversation %s)", escalation.id, conversation_id)


@cache
def crisis_replies() -> CrisisReplies:
    """This process's crisis replies (the screen and the domain are loaded once)."""
    return CrisisReplies.load()


async def crisis_messages_for(
    text: str, channel: Optional[str], conversation_id: Optional[str] = None, input_channel: Optional[str] = None
) -> List[Dict[str, Any]]:
    """The crisis messages for a message refused before Rasa ([] if it is not a risk message);
    with a conversation, escalated as the safety rule would."""
    return await crisis_replies().messages_for(text, channel, conversation_id, input_channel)
