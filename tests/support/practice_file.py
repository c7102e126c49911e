"""The fixture practice the suite runs against (tests/fixtures/practice.yml), not the demo's.

A practice edits its own practice.yml; the tests must not care. Every test process and every
server a test starts reads its settings from the fixture file (tests/conftest.py sets
CONFIDANT_SETTINGS), and the tests take the values they expect from it (the `practice`
fixture), so no test repeats a name or a number the settings file gives.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any, Dict

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
