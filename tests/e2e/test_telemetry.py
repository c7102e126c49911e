"""Telemetry is off in every entry point, and provably so in the running processes."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def process_environment(pid: int) -> dict:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def test_the_running_servers_have_telemetry_off(rasa_server, action_server) -> None:
    for process in (rasa_server.process.process, action_server.process):
        assert process_environment(process.pid)["RASA_TELEMETRY_ENABLED"] == "false"


def test_every_make_entry_point_sources_the_environment_that_turns_it_off() -> None:
    env_script = (ROOT / "scripts/env.sh").read_text()
    assert "export RASA_TELEMETRY_ENABLED=false" in env_script
    makefile = (ROOT / "Makefile").read_text()
    for line in makefile.splitlines():
        if line.startswith("\t@") and ("rasa " in line or "python " in line):
            assert "$(ENV)" in line or "scripts/" in line, line
    for script in (ROOT / "scripts").glob("*.sh"):
        text = script.read_text()
        header = "".join(text.splitlines(keepends=True)[:4])
        if script.name != "env.sh" and "Sourced" not in header:  # libraries are sourced by scripts that do
            assert "env.sh" in text, script.name


def test_rasa_reports_telemetry_disabled_with_the_project_environment() -> None:
    result = subprocess.run(
        [
            "bash",
            "-c",
            "source scripts/env.sh && python -c 'from rasa import telemetry; print(telemetry.is_telemetry_enabled())'",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_importing_our_package_forces_telemetry_off_even_if_the_caller_turned_it_on() -> None:
    result = subprocess.run(
        [
            str(ROOT / ".venv/bin/python"),
            "-c",
            "import os; os.environ['RASA_TELEMETRY_ENABLED'] = 'true'; import confidant; "
            "from rasa import telemetry; print(telemetry.is_telemetry_enabled())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == "False"
