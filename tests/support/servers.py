"""Start the real action server and Rasa server as subprocesses, the way `make run` does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]

# `make test-unit` sets this: the tests it runs must need no model and no servers.
TIER_VARIABLE = "CONFIDANT_TEST_TIER"


def unit_tier_refuses(what: str) -> None:
    """Fail a test that reaches `what` in the unit tier: it lacks its marker (tests/conftest.py)."""
    if os.environ.get(TIER_VARIABLE) == "unit":
        import pytest

        pytest.fail(
            f"this test needs {what}, which `make test-unit` does not provide: mark it "
            "@pytest.mark.model / services / browser, or use a fixture tests/conftest.py knows",
            pytrace=False,
        )


def model_path() -> Path:
    """The model `make train` built for the current data (scripts/model.sh decides the name).

    `CONFIDANT_TEST_MODEL` names another model file, for trying a candidate model by hand.
    """
    unit_tier_refuses("the trained model")
    if os.environ.get("CONFIDANT_TEST_MODEL"):
        return Path(os.environ["CONFIDANT_TEST_MODEL"])
    output = subprocess.run(
        ["bash", "-c", "source scripts/env.sh && source scripts/model.sh && echo $MODEL_PATH"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    path = Path(output)
    if not path.is_file():
        raise RuntimeError(f"No trained model at {path}: run `make train` first.")
    return path


def rasa_run_command(
    port: int, endpoints: Any = "endpoints.yml", credentials: Any = "credentials.yml", *extra: str
) -> List[str]:
    """`rasa run` with the trained model on 127.0.0.1:`port`, through the start-up step `make run` uses."""
    return [
        sys.executable, "-m", "confidant.rasa_command", "run", "--model", str(model_path()),
        "--endpoints", str(endpoints), "--credentials", str(credentials),
        "--interface", "127.0.0.1", "--port", str(port), *extra,
    ]  # fmt: skip


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class ManagedProcess:
    """One server process: started, health-checked, stopped, restarted."""

    def __init__(self, name: str, command: List[str], env: Dict[str, str], health_url: str, log_dir: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.health_url = health_url
        self.log_path = log_dir / f"{name}.log"
        self.process: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 180) -> None:
        if "run" in self.command[1:3] or "confidant.action_server" in self.command:
            unit_tier_refuses(f"a Rasa server ({self.name})")
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while not _healthy(self.health_url):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited during start-up; see {self.log_path}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} not healthy after {timeout} s; see {self.log_path}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL, as when a machine or container dies: no clean shutdown, nothing flushed."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


# The servers a test run shares take every test's conversations from 127.0.0.1 within minutes:
# far beyond a practice's limits for one client. Rate limits are tested with their own.
GENEROUS_LIMITS = {
    "window_minutes": 10,
    "new_conversations": {"per_address": 1_000_000, "total": 1_000_000},
    "messages": {"per_address": 1_000_000, "total": 1_000_000},
    "trusted_proxies": [],
}
GENEROUS_ESCALATION_VOLUME = 100_000


def settings_for_tests(path: Path, **changes: Any) -> Path:
    """The fixture practice with the limits a shared test server needs, and any other top-level `changes`."""
    import yaml

    from tests.support.practice_file import practice_data
    from tests.support.receivers import with_local_receivers

    # The test receivers are plain http/SMTP on loopback: opted in explicitly.
    settings = with_local_receivers(practice_data())
    settings["limits"] = GENEROUS_LIMITS
    settings["escalation"]["unusual_volume_per_hour"] = GENEROUS_ESCALATION_VOLUME
    settings.update(changes)
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


def scratch_environment(state: Path) -> Dict[str, str]:
    """The environment for servers whose stores all live in `state` (made if missing), with fresh secrets."""
    import uuid

    from cryptography.fernet import Fernet

    state.mkdir(parents=True, exist_ok=True)

    env = dict(os.environ)
    # The REST channel stays open on loopback for the tests, whatever the shell has set.
    env.pop("CONFIDANT_REST_TOKEN", None)
    env.pop("CONFIDANT_REST_TOKEN_REQUIRED", None)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
            "CONFIDANT_DATABASE_URL": f"sqlite:///{state / 'conversations.sqlite3'}",
            "CONFIDANT_OUTBOX_PATH": str(state / "outbox.sqlite3"),
            "CONFIDANT_CONTACT_VAULT_PATH": str(state / "contacts.sqlite3"),
            "CONFIDANT_CONTACT_KEY": Fernet.generate_key().decode(),
            "CONFIDANT_ACTION_SECRET": "secret-" + uuid.uuid4().hex,
            "CONFIDANT_WEB_SESSION_KEY": "session-" + uuid.uuid4().hex,
            "STATE_DIR": str(state),
            "CONFIDANT_SETTINGS": str(settings_for_tests(state / "practice.yml")),
        }
    )
    return env
