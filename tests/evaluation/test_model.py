"""The in-process model the evaluations use."""

from __future__ import annotations

import pytest

from confidant.evaluation.model import parse_all


def test_parsing_prints_no_message_text(trained_agent, capfd: pytest.CaptureFixture) -> None:
    """Rasa logs every parsed message at debug level; an evaluation must not show its set."""
    parse_all(trained_agent, ["would the quartz zebra counsellor tell my parents about this"])
    captured = capfd.readouterr()
    assert "quartz zebra" not in captured.out + captured.err
