"""Fixtures for the risk screen's unit tests: one screen for the whole session (as in production)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from confidant.risk.screen import RiskScreen  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data" / "risk"
EVAL_FILE = ROOT / "heldout" / "risk" / "risk_messages.yml"


@pytest.fixture(scope="session")
def screen() -> RiskScreen:
    """Built once from the default directory (data/risk), like the Rasa component does at start-up."""
    return RiskScreen.from_directory()


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A scratch copy of data/risk that a test may break."""
    target = tmp_path / "risk"
    shutil.copytree(DATA_DIR, target)
    return target
