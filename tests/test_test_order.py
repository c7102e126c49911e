"""The suite can run backwards or shuffled (tests/support/test_order.py), a file's tests together."""

from __future__ import annotations

import pytest

from tests.support.test_order import file_of, reordered

NODEIDS = [f"tests/{name}.py::test_{number}" for name in ("a", "b", "c", "d") for number in range(5)]


def test_as_collected_and_reversed() -> None:
    assert reordered(NODEIDS, NODEIDS, "file") == NODEIDS
    assert reordered(NODEIDS, NODEIDS, "reverse") == NODEIDS[::-1]


def test_random_shuffles_files_and_tests_but_keeps_each_files_tests_together() -> None:
    shuffled = reordered(NODEIDS, NODEIDS, "random", seed=7)
    assert sorted(shuffled) == sorted(NODEIDS) and shuffled != NODEIDS
    files = [file_of(nodeid) for nodeid in shuffled]
    runs = [name for index, name in enumerate(files) if index == 0 or files[index - 1] != name]
    assert len(runs) == 4  # each file once, in one block
    assert reordered(NODEIDS, NODEIDS, "random", seed=7) == shuffled  # a seed repeats its order
    assert any(reordered(NODEIDS, NODEIDS, "random", seed=seed) != shuffled for seed in range(3))


def test_an_unknown_order_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown test order 'sideways'"):
        reordered(NODEIDS, NODEIDS, "sideways")
