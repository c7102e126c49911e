"""The fixture practice the suite runs against (tests/fixtures/practice.yml), not the demo's.

A practice edits its own practice.yml; the tests must not care. Every test process and every
server a test starts reads its settings from the fixture file (tests/conftest.py sets
CONFIDANT_SETTINGS), and the tests take the values they expect from it (the `practice`
fixture), so no test repeats a name or a number the settings file gives.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from confidant.settings import PracticeSettings, load_settings

PRACTICE_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "practice.yml"


@cache
def _raw() -> Dict[str, Any]:
    return yaml.safe_load(PRACTICE_FILE.read_text(encoding="utf-8"))


def practice_data() -> Dict[str, Any]:
    """The fixture's settings as YAML data, a fresh copy to change and write elsewhere."""
    return copy.deepcopy(_raw())


@cache
def practice_settings() -> PracticeSettings:
    """The fixture's settings, checked as start-up checks them."""
    return load_settings(PRACTICE_FILE)


def _digits(number: str) -> str:
    return re.sub(r"[^0-9+]", "", number)


def crisis_links(settings: PracticeSettings, situation: str) -> List[Tuple[str, str]]:
    """The buttons a crisis card or the page footer shows, as (label, href): the emergency number
    first, then each line of `situation` in order (call, then text), as the practice lists them."""
    emergency = settings.crisis.emergency_number
    links = [(f"Call {emergency}", f"tel:{_digits(emergency)}")]
    for line in settings.crisis.lines_for(situation):
        if line.call:
            links.append((f"Call {line.call}", f"tel:{_digits(line.call)}"))
        if line.text and line.text_body:
            links.append((f"Text {line.text_body} to {line.text}", f"sms:{_digits(line.text)}?&body={line.text_body}"))
        elif line.text:
            links.append((f"Text {line.text}", f"sms:{_digits(line.text)}"))
    return links


def practice_call_link(settings: PracticeSettings) -> Tuple[str, str]:
    """The footer's last button: the practice's own number."""
    return f"Call us {settings.practice.phone}", f"tel:{_digits(settings.practice.phone)}"
