"""How the time of one turn grows with the length of a conversation.

Loads the trained model in-process with the project's SQL tracker store (a scratch SQLite
file) and the in-memory lock store, then plays long conversations and prints the median
turn time around turns 1-10, 11-20, 50, 100 and 200, with the tracker window on (default) or
off (`--window-turns 0`). The action server is not involved (FAQ turns). `--fallback-every N`
makes every Nth message one the dialogue has no rule for ("no" out of the blue), so that Rasa's
fallback rewinds the turn (UserUtteranceReverted), as real conversations do now and then.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from confidant.rasa_internals.tracker_store import DEFAULT_WINDOW_TURNS  # noqa: E402

QUESTIONS = [
    "will you tell my parents?",
    "what if I'm in court?",
    "who can see my notes",
    "is this chat saved",
    "can my husband find out what I say?",
    "what does confidentiality mean",
]


FALLBACK_MESSAGE = "no"


def message_for(turn: int, fallback_every: int) -> str:
    if fallback_every and turn % fallback_every == fallback_every - 1:
        return FALLBACK_MESSAGE
    return QUESTIONS[turn % len(QUESTIONS)]


async def play(model: Path, turns: int, window_turns: int, conversations: int, fallback_every: int = 0) -> list:
    """Per turn index, the times of that turn in each of `conversations` long conversations."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.utils.endpoints import read_endpoint_config

    from confidant import rasa_internals
    from confidant.rasa_internals.tracker_store import DurableSQLTrackerStore

    rasa_internals.install()  # the start-up step of every Rasa process this project runs

    state = Path(tempfile.mkdtemp(prefix="confidant-turns-"))
    agent = Agent.load(
        str(model),
        generator=read_endpoint_config(str(ROOT / "endpoints.yml"), "nlg"),
    )
    agent.tracker_store = DurableSQLTrackerStore(
        agent.domain,
        host=f"sqlite:///{state / 'tracker.sqlite3'}",
        spool_dir=str(state / "spool"),
        window_turns=window_turns,
    )
    agent.processor.tracker_store = agent.tracker_store
    timings: list = [[] for _ in range(turns)]
    for conversation in range(conversations):
        for turn in range(turns):
            started = time.perf_counter()
            await agent.handle_message(
                UserMessage(message_for(turn, fallback_every), CollectingOutputChannel(), f"long-{conversation}")
            )
            timings[turn].append(time.perf_counter() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--conversations", type=int, default=3, help="long conversations played one after another")
    parser.add_argument(
        "--window-turns", type=int, default=DEFAULT_WINDOW_TURNS, help="turns read in full (0: whole session)"
    )
    parser.add_argument("--fallback-every", type=int, default=0, help="every Nth message gets the fallback (0: never)")
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # As `rasa run` does: without this, Rasa's structured debug log (every tracker state, every
    # turn) is written and timed too.
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    timings = asyncio.run(
        play(Path(args.model), args.turns, args.window_turns, args.conversations, args.fallback_every)
    )
    windows = {
        name: [value for turn in timings[start:end] for value in turn]
        for name, (start, end) in {
            "turns 1-10": (0, 10),
            "turns 11-20": (10, 20),
            "around 50": (45, 55),
            "around 100": (95, 105),
            "around 200": (190, 200),
        }.items()
    }
    figures = {name: round(statistics.median(values) * 1000, 1) for name, values in windows.items() if values}
    first = figures.get("turns 1-10") or 1
    figures["ratio_200_to_1"] = round(figures.get("around 200", 0) / first, 2)
    print(
        json.dumps(
            {"window_turns": args.window_turns, "fallback_every": args.fallback_every, "median_turn_ms": figures},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
