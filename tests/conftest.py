"""Shared fixtures: real servers on loopback, started once per test session.

The conversation tests talk to a real Rasa server (the trained model, over the REST channel)
backed by a real action server, a SQLite tracker store, a local webhook receiver and a local
SMTP server, each in a temporary directory of its own.

The practice is the fixture practice (tests/fixtures/practice.yml), never the demo practice.yml
a practice edits: every test and every server it starts reads it (CONFIDANT_SETTINGS), and
tests take the names and numbers they expect from it through the `practice` fixture.

Test tiers: every test is marked `model`, `services` or `browser` by what it needs (from the
fixtures it uses and the helpers it calls, see `tier_markers`), so `make test-unit` can run
the rest in a couple of minutes; `make test` runs everything.
"""

from __future__ import annotations

import inspect
import json
import os
import random
import re
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# In-process code that fingerprints audit text uses this key, not a key file in the repository's var/.
os.environ.setdefault("CONFIDANT_REVIEW_AUDIT_KEY", "audit-key-of-the-test-session-" + uuid.uuid4().hex)

from confidant.settings import SETTINGS_ENV_VAR, PracticeSettings  # noqa: E402
from tests.support.practice_file import PRACTICE_FILE, practice_settings  # noqa: E402
from tests.support.receivers import SmtpServer, WebhookReceiver, free_port  # noqa: E402
from tests.support.servers import ManagedProcess, rasa_run_command, scratch_environment  # noqa: E402
from tests.support.test_order import ORDERS, reordered  # noqa: E402

# Whatever the shell says: the suite runs against the fixture practice, and so do its servers.
os.environ[SETTINGS_ENV_VAR] = str(PRACTICE_FILE)

ACTION_SECRET = "test-secret-" + uuid.uuid4().hex

# Test tiers. A test needs what any fixture it uses (directly or through other fixtures) needs,
# or what its own code or its fixtures' code calls. Fixtures known by name first; then calls
# of the helpers that reach the model or a service, found in the source, so a new fixture or
# test that calls them is marked without anyone remembering to. A test that still slips
# through fails in `make test-unit` with a message (tests/support/servers.py: unit_tier_refuses).
TIER_FIXTURES: Dict[str, Set[str]] = {
    "model": {"rasa_server", "socketio_rasa", "sms_server", "trained_agent", "chat_page", "chat_clients"},
    "services": {"action_server", "postgres", "shared_database", "postgres_behind_a_proxy", "two_instances"},
    "browser": {"playwright_driver", "browser"},
}
TIER_CALLS: Dict[str, "re.Pattern[str]"] = {
    "model": re.compile(r"\bmodel_path\(|\bload_agent\(|\bshared_socketio_rasa\(|\brasa_run_command\("),
    "services": re.compile(
        r"\bscratch_postgres_database\(|psycopg2\.connect\(|redis\.Redis\(|AtomicRedisLockStore\("
        r"|\bwhich\(\"nginx\"\)|confidant\.action_server"
        # A Rasa process of its own (`rasa run`, a training run): 15 to 20 s of CPU each just to start.
        r'|"confidant\.rasa_command"|"-m",\s*"confidant\.training_progress"'
    ),
    "browser": re.compile(r"\bCHROMIUM\b|sync_playwright|async_playwright"),
}
TIERS = tuple(TIER_FIXTURES)


def _source(function: Callable[..., Any]) -> str:
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):
        return ""


def tier_markers(item: pytest.Item) -> Set[str]:
    """The tiers (`model`, `services`, `browser`) a collected test needs."""
    needs = {tier for tier in TIERS if item.get_closest_marker(tier)}
    names = set(getattr(item, "fixturenames", ()))
    needs |= {tier for tier, fixtures in TIER_FIXTURES.items() if names & fixtures}
    sources = [_source(item.function)] if hasattr(item, "function") else []
    info = getattr(item, "_fixtureinfo", None)
    for definitions in info.name2fixturedefs.values() if info else ():
        sources += [_source(definition.func) for definition in definitions]
    # One level into the test module's own helper functions (e.g. a `start_rasa()` it calls).
    module = getattr(item, "module", None)
    called = {name for text in sources for name in re.findall(r"\b(\w+)\(", text)}
    for name in called:
        helper = getattr(module, name, None)
        if inspect.isfunction(helper) and helper.__module__ == getattr(module, "__name__", None):
            sources.append(_source(helper))
    for tier, calls in TIER_CALLS.items():
        if any(calls.search(text) for text in sources):
            needs.add(tier)
    return needs


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("confidant")
    group.addoption(
        "--test-order",
        choices=ORDERS,
        default="file",
        help="run the tests as collected (file), backwards (reverse) or shuffled (random): no test may "
        "depend on another having run first",
    )
    group.addoption("--test-order-seed", type=int, default=None, help="the seed of --test-order random")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--test-order") == "random" and config.getoption("--test-order-seed") is None:
        config.option.test_order_seed = random.randrange(1_000_000)


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    for item in items:
        for tier in tier_markers(item) - {mark.name for mark in item.iter_markers()}:
            item.add_marker(getattr(pytest.mark, tier))
    order = config.getoption("--test-order")
    items[:] = reordered(items, [item.nodeid for item in items], order, config.option.test_order_seed or 0)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if order != "file" and reporter is not None:  # shown with -q too, so a failing order can be repeated
        seed = f" --test-order-seed {config.option.test_order_seed}" if order == "random" else ""
        reporter.write_line(f"test order: {order}{seed}")


@pytest.fixture(scope="session")
def practice() -> PracticeSettings:
    """The fixture practice's settings: the names, numbers and lines a test expects to see."""
    return practice_settings()


@pytest.fixture(scope="session")
def practice_variables(practice: PracticeSettings) -> Dict[str, str]:
    """What the fixture practice fills responses with (`practice_name`, `first_line_self_at_risk`...)."""
    return practice.response_variables()


@pytest.fixture(scope="session")
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def server_env(
    tmp_path_factory: pytest.TempPathFactory, webhook_receiver: WebhookReceiver, smtp_server: SmtpServer
) -> Dict[str, str]:
    state = tmp_path_factory.mktemp("state")
    env = scratch_environment(state)
    env.update(
        {
            "CONFIDANT_ACTION_SECRET": ACTION_SECRET,
            "CONFIDANT_WEBHOOK_URL": webhook_receiver.url,
            "CONFIDANT_WEBHOOK_TOKEN": "webhook-token-for-tests",
            "CONFIDANT_SMTP_HOST": "127.0.0.1",
            "CONFIDANT_SMTP_PORT": str(smtp_server.port),
            "CONFIDANT_LOG_LEVEL": "INFO",
            # The SMS channel's store: the action server reads an SMS client's own number
            # from it for a call-back ("reply 1 to be called on this number").
            "CONFIDANT_SMS_STORE_PATH": str(state / "sms.sqlite3"),
        }
    )
    return env


@pytest.fixture(scope="session")
def action_server(server_env: Dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedProcess]:
    port = free_port()
    server_env["CONFIDANT_ACTION_ENDPOINT"] = f"http://127.0.0.1:{port}/webhook"
    process = ManagedProcess(
        "action-server",
        [sys.executable, "-m", "confidant.action_server", "--port", str(port), "--dispatch-interval", "0.5"],
        server_env,
        f"http://127.0.0.1:{port}/health",
        tmp_path_factory.mktemp("logs"),
    )
    process.port = port  # type: ignore[attr-defined]
    process.start()
    yield process
    process.stop()


@dataclass
class RasaServer:
    process: ManagedProcess
    url: str

    def send(self, sender: str, text: str) -> Tuple[int, Any]:
        return self.post_raw(json.dumps({"sender": sender, "message": text}).encode("utf-8"))

    def post_raw(self, body: bytes, content_type: str = "application/json") -> Tuple[int, Any]:
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook",
            data=body,
            method="POST",
            headers={"Content-Type": content_type},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                return error.code, json.loads(payload)
            except ValueError:
                return error.code, payload.decode("utf-8", "replace")

    def texts(self, sender: str, text: str) -> List[str]:
        """The text messages of the reply (a crisis card, a custom payload, is not one)."""
        status, body = self.send(sender, text)
        assert status == 200, (status, body)
        return [message["text"] for message in body if message.get("text")]


@pytest.fixture(scope="session")
def rasa_server(
    server_env: Dict[str, str], action_server: ManagedProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RasaServer]:
    port = free_port()
    process = ManagedProcess(
        "rasa",
        rasa_run_command(port),
        server_env,
        f"http://127.0.0.1:{port}/",
        tmp_path_factory.mktemp("rasa-logs"),
    )
    process.start(timeout=240)
    yield RasaServer(process, f"http://127.0.0.1:{port}")
    process.stop()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id for each test."""
    return "test-" + uuid.uuid4().hex
