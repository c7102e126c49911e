"""Shared NLU fixtures: one sentence encoder for all tests (loading its weights takes a moment, once)."""

from __future__ import annotations

import pytest

from confidant.nlu.embedding.encoder import SentenceEncoder, packaged_model_directory


@pytest.fixture(scope="session")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.from_directory(packaged_model_directory())
