"""The scratch environment the test servers and the benchmarks start from (tests/support/servers.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.support.servers import scratch_environment


def test_a_scratch_environment_makes_its_state_folder_and_settings(tmp_path: Path) -> None:
    """`make bench` passes a folder that does not exist yet; the settings file goes inside it."""
    state = tmp_path / "not-yet" / "ours-state"
    env = scratch_environment(state)
    settings = Path(env["CONFIDANT_SETTINGS"])
    assert settings.parent == state and settings.is_file()
    assert "practice" in yaml.safe_load(settings.read_text())
    assert env["CONFIDANT_DATABASE_URL"] == f"sqlite:///{state / 'conversations.sqlite3'}"
    assert env["CONFIDANT_CONTACT_KEY"] != scratch_environment(state)["CONFIDANT_CONTACT_KEY"]  # fresh secrets
