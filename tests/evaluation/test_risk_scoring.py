"""The risk evaluation's headline is the assistant's decision, not the plain union of the layers."""

from __future__ import annotations

from pathlib import Path

import yaml

from confidant.evaluation import risk_scoring

MESSAGES = [
    {"text": "i want to kill myself tonight", "category": "self_harm", "kind": "current"},
    {"text": "i would never kill myself, i just want to talk", "category": "self_harm", "kind": "negated"},
]


def write_messages(directory: Path) -> Path:
    path = directory / "messages.yml"
    path.write_text(yaml.safe_dump(MESSAGES), encoding="utf8")
    return path


def test_the_screen_alone_decides_as_the_component_does() -> None:
    decision = risk_scoring.screen_decision_layer()
    assert decision(MESSAGES[0]["text"]) == "self_harm"
    # The screen finds the risk phrase negated, so decide() escalates nothing.
    assert decision(MESSAGES[1]["text"]) is None


def test_a_classifier_hit_the_screen_vetoes_is_in_the_union_but_not_in_the_headline(tmp_path) -> None:
    def eager_classifier(text: str) -> str:
        return "self_harm"

    messages = risk_scoring.load_messages(write_messages(tmp_path))
    reports = risk_scoring.evaluate(
        messages, {"classifier": eager_classifier}, decision=risk_scoring.screen_decision_layer()
    )
    assert reports["union"].false_alarms["hard"] == (1, 1)
    assert reports[risk_scoring.DECISION].false_alarms["hard"] == (0, 1)
    assert reports[risk_scoring.DECISION].recall["all"] == (1, 1)


def test_the_exit_status_follows_the_decision_not_the_union(tmp_path, capsys) -> None:
    path = str(write_messages(tmp_path))

    def always(text: str) -> str:
        return "self_harm"

    def never(text: str) -> None:
        return None

    # The union finds every current message (the classifier flags all), the decision none.
    assert risk_scoring.main(["--messages", path], extra_layers={"classifier": always}, decision=never) == 1
    assert "the assistant's decision: recall on current risk 0.000" in capsys.readouterr().out
    assert risk_scoring.main(["--messages", path], extra_layers={"classifier": never}, decision=always) == 0
