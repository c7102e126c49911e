"""The state of files under paths: any change to a file under them changes it."""

from __future__ import annotations

import os
from pathlib import Path

from confidant.file_state import files_state


def test_a_folder_at_any_depth_and_a_single_file_are_both_read(tmp_path: Path) -> None:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "faq.yml").write_text("a")
    (tmp_path / "config.yml").write_text("bb")
    state = files_state([str(tmp_path / "config.yml"), None, tmp_path / "data"])
    assert [(Path(path).name, size) for path, _, size in state] == [("config.yml", 2), ("faq.yml", 1)]


def test_an_edit_a_new_file_or_a_touch_changes_the_state(tmp_path: Path) -> None:
    patterns = tmp_path / "patterns.yml"
    patterns.write_text("one")
    before = files_state([tmp_path])
    assert files_state([tmp_path]) == before
    patterns.write_text("two")  # same size, another time
    os.utime(patterns, ns=(1, 1))
    touched = files_state([tmp_path])
    assert touched != before
    patterns.write_text("three")
    os.utime(patterns, ns=(1, 1))
    assert files_state([tmp_path]) != touched  # same time, another size
    (tmp_path / "more.yml").write_text("x")
    assert len(files_state([tmp_path])) == 2
