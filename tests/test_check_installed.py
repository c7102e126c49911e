"""scripts/check_installed.py: install.sh's last word on whether the venv holds exactly the lock."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_check_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_installed", ROOT / "scripts" / "check_installed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_installed = load_check_module()

LOCKED = {"rasa": "3.6.21", "numpy": "1.23.5"}
TOOLING = {"pip": "24.0", "setuptools": "70.3.0", "uv": "0.13.9"}


def test_a_venv_with_exactly_the_pins_passes_and_what_nothing_pins_is_only_noted() -> None:
    installed = {**LOCKED, "pip": "24.0", "setuptools": "70.3.0", "wheel": "0.45.1"}
    problems, notes = check_installed.compare(LOCKED, TOOLING, installed)
    assert problems == []  # uv absent: pip installed the lock (the fallback)
    assert notes == ["not pinned: wheel==0.45.1"]


def test_a_missing_package_or_another_version_fails() -> None:
    installed = {"rasa": "3.6.20", "pip": "24.0", "setuptools": "70.3.0", "uv": "0.13.9"}
    problems, _ = check_installed.compare(LOCKED, TOOLING, installed)
    assert problems == ["MISSING numpy==1.23.5", "VERSION rasa: 3.6.20 installed, 3.6.21 pinned"]


def test_an_installer_at_another_version_than_tooling_pins_fails() -> None:
    installed = {**LOCKED, "pip": "24.0", "setuptools": "65.5.0", "uv": "0.13.9"}
    problems, _ = check_installed.compare(LOCKED, TOOLING, installed)
    assert problems == ["VERSION setuptools: 65.5.0 installed, 70.3.0 pinned in tooling.txt"]


def test_names_are_compared_normalised(tmp_path: Path) -> None:
    """A lock says `typing_extensions`, the installed metadata `typing-extensions`; both are one package."""
    lock = tmp_path / "lock.txt"
    lock.write_text("# a lock\nTyping_Extensions==4.16.0\n")
    locked = check_installed.read_lock(lock)
    assert check_installed.compare(locked, {}, {"typing-extensions": "4.16.0"})[0] == []


def test_the_venv_the_tests_run_in_holds_the_development_lock() -> None:
    """What install.sh checks after installing, run on the venv under test (installed by it, with uv or pip)."""
    lock = ROOT / "requirements" / "lock-dev.txt"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_installed.py"), str(lock)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    pins = len(check_installed.read_lock(lock))
    assert result.stdout.strip().splitlines()[-1].endswith(f"lock-dev.txt: {pins} packages at their pinned versions.")


def test_install_sh_falls_back_to_pip_and_checks_the_venv_either_way() -> None:
    install = (ROOT / "scripts" / "install.sh").read_text()
    assert '.venv/bin/uv pip install --python .venv/bin/python --compile-bytecode --no-deps -r "$lock"' in install
    assert 'if [ "$installer" = uv ] && ! with_uv; then' in install  # uv failing hands over to pip
    assert '[ "${CONFIDANT_INSTALL_WITH_PIP:-0}" = 1 ] && installer=pip' in install
    assert 'scripts/check_installed.py "$lock" || return 1' in install
