"""Helpers to run actions in-process with rasa_sdk's own Tracker and dispatcher."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text())


def user_event(intent: str, text: str = "...", ranking: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": 0.5},
            "response_selector": {"faq": {"ranking": ranking or []}},
        },
        "input_channel": "rest",
    }


def make_tracker(
    events: List[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None, latest: Optional[Dict[str, Any]] = None
) -> Tracker:
    users = [e for e in events if e["event"] == "user"]
    latest_message = latest or (users[-1]["parse_data"] | {"text": users[-1]["text"]} if users else {})
    return Tracker("conv-test", slots or {}, latest_message, events, False, None, {}, "action_listen")
