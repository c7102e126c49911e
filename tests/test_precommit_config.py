""".pre-commit-config.yaml: the git hooks run offline, with the project's own pinned tools."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def pinned_development_packages() -> set[str]:
    text = (ROOT / "requirements" / "lock-dev.txt").read_text()
    return {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower() for line in text.splitlines() if "==" in line}


def test_every_hook_is_local_and_runs_a_pinned_tool_from_the_venv() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing to download
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert {"ruff", "ruff-format", "mypy"} <= set(hooks)
    tools = {hook["entry"].split()[0] for hook in hooks.values()}
    assert all(tool.startswith(".venv/bin/") for tool in tools)
    assert {"pre-commit", "ruff", "mypy"} <= pinned_development_packages()
    assert "--check" in hooks["ruff-format"]["entry"]  # a hook checks; it never rewrites the commit
    assert hooks["mypy"]["pass_filenames"] is False  # the configured packages, not only staged files
