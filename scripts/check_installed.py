"""Check that a venv holds exactly the pinned versions: what scripts/install.sh ends with.

    .venv/bin/python scripts/check_installed.py requirements/lock-dev.txt

Run by the venv's own Python (it reads that interpreter's installed distributions). uv and pip
resolve the same pins, but uv is a different installer: this makes sure either one leaves what
the lock says (and what the dependency audit checked), not merely something that imports.

Fails (exit 1) when a pinned package is missing or at another version, or when an installer pinned
in requirements/tooling.txt (pip, setuptools, uv) is present at another version. A package the
lock does not name is only reported: an older .venv keeps what a previous lock had installed,
as pip always did.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from pathlib import Path
from typing import Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_dependencies import TOOLING, normalise, read_lock  # noqa: E402


def installed_versions() -> Dict[str, str]:
    """Normalised name -> version of every distribution this interpreter sees."""
    versions: Dict[str, str] = {}
    for distribution in importlib.metadata.distributions():
        name = distribution.metadata["Name"]
        if name:
            versions[normalise(name)] = distribution.version
    return versions


def compare(locked: Dict[str, str], tooling: Dict[str, str], installed: Dict[str, str]) -> tuple[List[str], List[str]]:
    """(problems, notes): pins missing or at another version; packages nothing pins."""
    problems: List[str] = []
    for package, version in sorted(locked.items()):
        if package not in installed:
            problems.append(f"MISSING {package}=={version}")
        elif installed[package] != version:
            problems.append(f"VERSION {package}: {installed[package]} installed, {version} pinned")
    for package, version in sorted(tooling.items()):
        if package in installed and package not in locked and installed[package] != version:
            problems.append(f"VERSION {package}: {installed[package]} installed, {version} pinned in tooling.txt")
    notes = [
        f"not pinned: {package}=={installed[package]}"
        for package in sorted(installed)
        if package not in locked and package not in tooling
    ]
    return problems, notes


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("lock", type=Path, help="requirements/lock.txt or requirements/lock-dev.txt")
    parser.add_argument("--tooling", type=Path, default=TOOLING)
    args = parser.parse_args(argv)
    locked = read_lock(args.lock)
    problems, notes = compare(locked, read_lock(args.tooling), installed_versions())
    for line in notes + problems:
        print(line)
    if problems:
        print(f"The venv does not match {args.lock}: {len(problems)} of {len(locked)} pins differ.")
        return 1
    print(f"The venv matches {args.lock}: {len(locked)} packages at their pinned versions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
