"""Parse messages with a trained model in-process, the same pipeline the server runs."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Dict, Iterable, List, Union

from confidant.vocabulary import answer_key as answer_of


def load_agent(model_path: Union[str, Path]) -> Any:
    """The trained agent, with Rasa's message logs off: an evaluation never prints a message."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from confidant import rasa_internals

    rasa_internals.install()  # the server's own reading of messages (the focus step included)

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
    return answer_of(parse) or "none"
