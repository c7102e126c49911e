"""Parse messages with a trained model in-process, the same pipeline the server runs."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Dict, Iterable, List, Union

from confidant.nlu.faq_confidence_gate import RETRIEVAL_INTENT


def load_agent(model_path: Union[str, Path]) -> Any:
    """The trained agent, with Rasa's message logs off: an evaluation never prints a message."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Unconfigured, structlog prints Rasa's debug events, each with the message text; the
    # development set must stay unread, and a transcript of it on screen is a read.
    configure_structlog(logging.WARNING)
    return Agent.load(str(model_path))


def parse_all(agent: Any, texts: Iterable[str]) -> List[Dict[str, Any]]:
    async def run() -> List[Dict[str, Any]]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(run())


def answer_key(parse: Dict[str, Any]) -> str:
    """What the client would get: the FAQ answer key (`faq/tell_parents`) or the intent."""
    intent = (parse.get("intent") or {}).get("name") or "none"
    if intent == RETRIEVAL_INTENT:
        selector = (parse.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
        return (selector.get("response") or {}).get("intent_response_key") or intent
    return intent
