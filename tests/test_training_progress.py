"""The training display: steps, epochs and time left on screen; Rasa's output in the log."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from confidant import training_progress
from confidant.training_progress import Step, TrainingDisplay, show_in_parent

ROOT = Path(__file__).resolve().parents[1]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(training_progress.time, "monotonic", fake)
    return fake


def test_time_left_follows_the_last_training_scaled_by_todays_speed(clock: Clock) -> None:
    display = TrainingDisplay(io.StringIO(), previous_times={"featurize": 10.0, "diet": 100.0})
    display.plan([Step("featurize", "CountVectorsFeaturizer"), Step("diet", "DIETClassifier", epochs=80)])
    display.start("featurize")
    clock.now += 20  # twice as slow as last time
    display.finish("featurize")
    display.start("diet")
    clock.now += 50
    assert display._seconds_left() == pytest.approx(200 - 50)


def test_steps_still_to_start_share_the_lanes_of_side_by_side_training(clock: Clock) -> None:
    times = {"featurize": 10.0, "diet": 120.0, "selector": 150.0, "neighbours": 40.0}
    one_lane = TrainingDisplay(io.StringIO(), previous_times=times)
    two_lanes = TrainingDisplay(io.StringIO(), previous_times=times, lanes=2)
    for display in (one_lane, two_lanes):
        display.plan([Step(name, name) for name in times])
        display.start("featurize")
    assert one_lane._seconds_left() == pytest.approx(10 + 120 + 150 + 40)
    assert two_lanes._seconds_left() == pytest.approx(10 + (120 + 150 + 40) / 2)


def test_without_a_last_training_time_left_is_epochs_left_at_the_speed_seen(clock: Clock) -> None:
    display = TrainingDisplay(io.StringIO())
    display.plan([Step("diet", "DIETClassifier", epochs=80), Step("selector", "ResponseSelector", epochs=80)])
    display.start("diet")
    assert display._seconds_left() is None  # nothing to go on yet
    clock.now += 30  # the first epoch builds the graph: not counted
    display.epoch(1, 80)
    for done in range(2, 11):
        clock.now += 2
        display.epoch(done, 80)
    assert display._seconds_left() == pytest.approx((70 + 80) * 2)


def test_a_log_gets_a_line_per_step_and_no_carriage_returns(clock: Clock) -> None:
    out = io.StringIO()
    display = TrainingDisplay(out)
    display.plan([Step("diet", "DIETClassifier", epochs=4)])
    display.start("diet")
    for done in range(1, 5):
        clock.now += 1
        display.epoch(done, 4)
    display.finish("diet")
    text = out.getvalue()
    assert "\r" not in text
    assert "1 components to train" in text
    assert "[1/1] DIETClassifier" in text and "epoch 4/4" in text and "done in 4 s" in text
    assert display.times() == {"diet": 4.0}


def test_a_childs_events_are_timed_when_the_child_saw_them_not_when_they_arrive(clock: Clock) -> None:
    """The parent reads a child's events only between its own steps: a late "finish" keeps its time."""
    out = io.StringIO()
    display = TrainingDisplay(out)
    display.plan([Step("featurize", "CountVectorsFeaturizer"), Step("rules", "RulePolicy")])
    started = clock.now
    show_in_parent(display, "rules", "start", ("rules", started))
    show_in_parent(display, "rules", "epoch", (1, 2, started + 0.5))
    clock.now += 6  # the parent was featurizing meanwhile
    show_in_parent(display, "rules", "finish", ("rules", started + 1))
    assert "RulePolicy                   done in 1 s" in out.getvalue()
    assert display.times() == {"rules": 1.0}


def test_a_failed_training_says_what_failed_and_where_the_log_is(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests/support/broken_project", project)
    log = tmp_path / "logs" / "train.log"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "confidant.training_progress",
            "--log",
            str(log),
            "--",
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            "models",
        ],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "Training failed while preparing" in result.stdout
    assert "Failed to read" in result.stdout and f"Whole log: {log}" in result.stdout
    assert result.stderr.strip() == ""  # everything Rasa and its libraries print stays in the log
    assert "Started validating" in log.read_text()
    # Rasa's output may quote training data: this account's only, like everything under var/.
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
