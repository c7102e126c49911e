"""The trained model, loaded in-process once for the evaluation tests."""

from __future__ import annotations

from typing import Any

import pytest

from confidant.evaluation.model import load_agent
from tests.support.servers import model_path


@pytest.fixture(scope="session")
def trained_agent() -> Any:
    return load_agent(model_path())
