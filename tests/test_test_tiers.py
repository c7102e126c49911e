"""The test tiers: what `make test-unit` leaves out is found from what a test uses."""

from __future__ import annotations

import sys
import types
from typing import Any, Callable, Iterable

import pytest

from tests.conftest import tier_markers
from tests.support.databases import scratch_postgres_database
from tests.support.servers import model_path, rasa_run_command, unit_tier_refuses


class StandInItem:
    """Just what tier_markers reads from a collected pytest item."""

    def __init__(self, function: Callable[..., Any], fixtures: Iterable[str] = (), marks: Iterable[str] = ()) -> None:
        self.function = function
        self.fixturenames = list(fixtures)
        self.module = sys.modules[__name__]
        self._marks = set(marks)
        self._fixtureinfo = types.SimpleNamespace(name2fixturedefs={})

    def get_closest_marker(self, name: str) -> Any:
        return name if name in self._marks else None


def plain_test() -> None:
    assert sum([1, 2]) == 3


def uses_the_rasa_server(rasa_server) -> None:  # pragma: no cover - a stand-in, never run
    pass


def starts_rasa_itself() -> None:  # pragma: no cover - a stand-in, never run
    model_path()


def calls_a_helper_that_loads_the_model() -> None:  # pragma: no cover - a stand-in, never run
    starts_rasa_itself()


def uses_a_scratch_database() -> None:  # pragma: no cover - a stand-in, never run
    with scratch_postgres_database("x"):
        pass


def starts_a_rasa_process_with_a_command_line() -> None:  # pragma: no cover - a stand-in, never run
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "confidant.rasa_command", "run", "--port", "0"])


def starts_the_rasa_server_helper() -> None:  # pragma: no cover - a stand-in, never run
    rasa_run_command(0)


def test_a_test_that_needs_nothing_stays_in_the_unit_tier() -> None:
    assert tier_markers(StandInItem(plain_test)) == set()


def test_fixtures_of_the_servers_mark_the_test() -> None:
    item = StandInItem(uses_the_rasa_server, fixtures=["rasa_server", "action_server", "server_env"])
    assert tier_markers(item) == {"model", "services"}
    assert tier_markers(StandInItem(plain_test, fixtures=["browser", "tmp_path"])) == {"browser"}


def test_helpers_called_directly_or_through_a_module_function_mark_the_test() -> None:
    assert tier_markers(StandInItem(calls_a_helper_that_loads_the_model)) == {"model"}
    assert tier_markers(StandInItem(uses_a_scratch_database)) == {"services"}
    assert tier_markers(StandInItem(starts_the_rasa_server_helper)) == {"model"}
    # A Rasa process started from its command line, even one that needs no model.
    assert tier_markers(StandInItem(starts_a_rasa_process_with_a_command_line)) == {"services"}


def test_an_explicit_marker_is_kept() -> None:
    assert tier_markers(StandInItem(plain_test, marks=["services"])) == {"services"}


def test_the_unit_tier_refuses_a_test_that_reaches_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIDANT_TEST_TIER", "unit")
    with pytest.raises(pytest.fail.Exception, match="needs the trained model"):
        unit_tier_refuses("the trained model")
    monkeypatch.setenv("CONFIDANT_TEST_TIER", "all")
    unit_tier_refuses("the trained model")  # the whole suite: nothing refused
