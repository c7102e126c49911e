"""Training nodes in forked children: the same results as Rasa's runner, side by side, failures told."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

import dask
import pytest

from confidant.rasa_internals import parallel_training
from confidant.rasa_internals.parallel_training import ChildTrainingError, ForkingRunner, send_to_parent
from tests.support import tiny_training


@pytest.fixture(autouse=True)
def forking_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests in this process may have run TensorFlow; these children never do."""
    monkeypatch.setattr(parallel_training, "tensorflow_started", lambda: False)


def node(name: str, function: Any) -> Any:
    """A node as Rasa's graph has them: called with its inputs, answers (name, output)."""

    def run(*inputs: Tuple[str, Any]) -> Tuple[str, Any]:
        return name, function(*[output for _, output in inputs])

    return run


def wait_for(path: Path, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def graph_of(nodes: Dict[str, Tuple[Any, List[str]]]) -> Dict[str, Any]:
    return {name: (node(name, function), *needs) for name, (function, needs) in nodes.items()}


def forks(*names: str) -> ForkingRunner:
    return ForkingRunner(lambda key: key in names)


def test_results_are_those_of_rasas_own_runner_and_chosen_nodes_run_in_a_child() -> None:
    nodes = {
        "data": (lambda: [3, 1, 2], []),
        "featurize": (lambda data: [x * 10 for x in data], ["data"]),
        "diet": (lambda features: (sorted(features), os.getpid()), ["featurize"]),
        "selector": (lambda features: (sum(features), os.getpid()), ["featurize"]),
        "neighbours": (lambda data: (max(data), os.getpid()), ["data"]),
        "package": (
            lambda diet, selector, neighbours: (diet[0], selector[0], neighbours[0]),
            ["diet", "selector", "neighbours"],
        ),
    }
    graph = graph_of(nodes)
    targets = ["package", "diet", "selector", "neighbours"]
    expected = dask.get(graph, targets)
    results = forks("diet", "selector").get(graph, targets)
    assert results[0] == expected[0] == ("package", ([10, 20, 30], 60, 3))
    assert results[1][1][1] != os.getpid() and results[2][1][1] != os.getpid()
    assert results[1][1][1] != results[2][1][1]
    assert results[3][1][1] == os.getpid()  # not chosen: run here


def test_chosen_nodes_train_at_the_same_time_and_the_parent_goes_on_meanwhile(tmp_path: Path) -> None:
    # Each child waits for the other's file and for the parent's: one at a time, this times out.
    def train(mine: str, others: List[str]) -> Any:
        def run(_: Any) -> bool:
            (tmp_path / mine).touch()
            return all(wait_for(tmp_path / other) for other in others)

        return run

    def encode(_: Any) -> bool:
        (tmp_path / "neighbours").touch()
        return wait_for(tmp_path / "diet") and wait_for(tmp_path / "selector")

    nodes = {
        "data": (lambda: 1, []),
        "diet": (train("diet", ["selector", "neighbours"]), ["data"]),
        "selector": (train("selector", ["diet", "neighbours"]), ["data"]),
        "neighbours": (encode, ["data"]),
    }
    results = forks("diet", "selector").get(graph_of(nodes), ["diet", "selector", "neighbours"])
    assert [output for _, output in results] == [True, True, True]


def test_no_more_children_than_allowed_train_at_once(tmp_path: Path) -> None:
    # One at a time: the second starts after the first has finished, so the first never sees it.
    def train(mine: str, other: str) -> Any:
        def run(_: Any) -> bool:
            (tmp_path / mine).touch()
            time.sleep(0.3)
            return (tmp_path / other).exists()

        return run

    nodes = {"data": (lambda: 1, []), "diet": (train("diet", "selector"), ["data"])}
    nodes["selector"] = (train("selector", "diet"), ["data"])
    runner = ForkingRunner(lambda key: key != "data", at_once=1)
    assert runner.get(graph_of(nodes), ["diet", "selector"]) == [("diet", False), ("selector", True)]


def test_children_at_once_are_one_per_core_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    variable = parallel_training.PROCESSES_ENVIRONMENT_VARIABLE
    monkeypatch.delenv(variable, raising=False)
    assert parallel_training.processes_at_once() == (os.cpu_count() or 1)
    monkeypatch.setenv(variable, "0")
    assert parallel_training.processes_at_once() == 0  # Rasa's own runner
    monkeypatch.setenv(variable, "two")
    with pytest.raises(ValueError, match="must be a whole number of processes, not 'two'"):
        parallel_training.processes_at_once()


def test_a_childs_exception_is_raised_in_the_parent_as_itself() -> None:
    def fail(_: Any) -> None:
        raise ValueError("no examples for intent 'faq'")

    graph = graph_of({"data": (lambda: 1, []), "diet": (fail, ["data"])})
    with pytest.raises(ValueError, match="no examples for intent 'faq'"):
        forks("diet").get(graph, ["diet"])


def test_an_exception_that_cannot_travel_comes_back_as_its_traceback() -> None:
    class UnpicklableError(Exception):
        def __reduce__(self) -> Any:
            raise TypeError("cannot pickle")

    def fail(_: Any) -> None:
        raise UnpicklableError("the graph could not be built")

    graph = graph_of({"data": (lambda: 1, []), "diet": (fail, ["data"])})
    with pytest.raises(ChildTrainingError, match="(?s)Training 'diet' failed:.*the graph could not be built"):
        forks("diet").get(graph, ["diet"])


def test_a_child_that_dies_without_an_answer_is_an_error_not_a_hang() -> None:
    graph = graph_of({"data": (lambda: 1, []), "diet": (lambda _: os._exit(3), ["data"])})
    with pytest.raises(ChildTrainingError, match="Training 'diet' stopped without an answer \\(exit code 3\\)"):
        forks("diet").get(graph, ["diet"])


def test_when_one_child_fails_the_others_are_stopped(tmp_path: Path) -> None:
    def slow(_: Any) -> None:
        (tmp_path / "pid").write_text(str(os.getpid()))
        time.sleep(120)

    def fail(_: Any) -> None:
        wait_for(tmp_path / "pid")
        raise ValueError("broken")

    graph = graph_of({"data": (lambda: 1, []), "diet": (fail, ["data"]), "selector": (slow, ["data"])})
    with pytest.raises(ValueError, match="broken"):
        forks("diet", "selector").get(graph, ["diet", "selector"])
    pid = int((tmp_path / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_events_a_child_sends_reach_the_parents_handler_with_its_node() -> None:
    heard: List[Tuple[str, str, tuple]] = []

    def train(_: Any) -> bool:
        return send_to_parent("epoch", 1, 60) and send_to_parent("epoch", 2, 60)

    graph = graph_of({"data": (lambda: 1, []), "diet": (train, ["data"])})
    runner = ForkingRunner(lambda key: key == "diet", on_event=lambda *event: heard.append(event))
    assert runner.get(graph, ["diet"]) == [("diet", True)]
    assert heard == [("diet", "epoch", (1, 60)), ("diet", "epoch", (2, 60))]
    assert send_to_parent("epoch", 1, 60) is False  # in the parent: nothing to send to


def test_once_tensorflow_runs_here_nothing_is_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel_training, "tensorflow_started", lambda: True)
    graph = graph_of({"data": (lambda: 1, []), "diet": (lambda _: os.getpid(), ["data"])})
    assert forks("diet").get(graph, ["diet"]) == [("diet", os.getpid())]


def test_inputs_given_as_values_are_passed_through_like_dask_does() -> None:
    graph = graph_of({"diet": (lambda given: given * 2, ["__importer__"])})
    graph["__importer__"] = ("__importer__", 21)
    assert forks("diet").get(graph, ["diet"]) == list(dask.get(graph, ["diet"])) == [("diet", 42)]


def train_tiny_project(out: Path, name: str, sequential: bool) -> Tuple[Path, str]:
    """The tiny project trained with no cache, side by side or one component at a time."""
    environment = {
        "RASA_MAX_CACHE_SIZE": "0",  # both trainings train: nothing from a cache
        "RASA_CACHE_DIRECTORY": str(out / f"cache-{name}"),
        parallel_training.PROCESSES_ENVIRONMENT_VARIABLE: "0" if sequential else "2",
    }
    unpacked, shown, _ = tiny_training.train_tiny_project(out, name, environment)
    return unpacked, shown


def weights(model: Path, component: str) -> Dict[str, bytes]:
    """The TensorFlow checkpoint files of one trained component in an unpacked model."""
    (folder,) = [path for path in (model / "components").iterdir() if path.name.startswith(f"train_{component}")]
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if ".tf_model" in path.name}


def test_side_by_side_training_gives_the_models_one_at_a_time_gives(tmp_path: Path) -> None:
    side_by_side, shown = train_tiny_project(tmp_path, "side-by-side", sequential=False)
    one_at_a_time, shown_sequentially = train_tiny_project(tmp_path, "one-at-a-time", sequential=True)
    assert "DIETClassifier + ResponseSelector" in shown  # the display shows both training at once
    assert "+ ResponseSelector" not in shown_sequentially
    for component in ("DIETClassifier", "ResponseSelector"):
        trained = weights(side_by_side, component)
        assert trained and any(name.endswith(".index") for name in trained)
        assert trained == weights(one_at_a_time, component), f"{component}'s weights differ"
