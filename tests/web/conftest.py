"""Fixtures for the web chat in a browser: the page server (confidant.web_page) pointed at the
web chat's Rasa server, and Debian's Chromium driven by Playwright.

The Rasa server is the one tests/channels/test_socketio*.py use (tests/support/web_stack.py);
its `web.allowed_origins` names this page's origin.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.receivers import free_port
from tests.support.servers import ManagedProcess
from tests.support.web_stack import SocketIORasa, shared_socketio_rasa


def _page_server(name: str, port: int, rasa_url: str, env: Dict[str, str], logs: Path) -> ManagedProcess:
    return ManagedProcess(
        name,
        [sys.executable, "-m", "confidant.web_page", "--port", str(port), "--rasa-url", rasa_url],
        env,
        f"http://127.0.0.1:{port}/",
        logs,
    )


@pytest.fixture(scope="session")
def socketio_rasa(request, server_env, action_server, tmp_path_factory) -> SocketIORasa:
    return shared_socketio_rasa(request, server_env, tmp_path_factory)


@pytest.fixture(scope="session")
def chat_page(socketio_rasa: SocketIORasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The practice page (the fixture practice's) with the chat, at its allowed origin; its URL."""
    page = _page_server(
        "web-page", socketio_rasa.page_port, socketio_rasa.url, socketio_rasa.env, tmp_path_factory.mktemp("web-logs")
    )
    page.start(timeout=30)
    yield socketio_rasa.page_origin + "/"
    page.stop()


@pytest.fixture(scope="session")
def page_without_assistant(server_env: Dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The page pointed at a Rasa address where no Rasa runs (the assistant is down); its URL."""
    port = free_port()
    page = _page_server(
        "web-page-alone", port, f"http://127.0.0.1:{free_port()}", server_env, tmp_path_factory.mktemp("web-logs")
    )
    page.start(timeout=30)
    yield f"http://127.0.0.1:{port}/"
    page.stop()


# Module scope: Playwright's sync API keeps an event loop running, which the asyncio tests of
# other modules (tests/channels/test_socketio.py) must not find.
@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: .venv/bin/pip install playwright (never `playwright install`).")
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium (Debian's package).")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright_driver, tmp_path: Path) -> Iterator[object]:
    """Chromium with a fresh profile for each test. Requests that leave loopback are refused and
    recorded in `browser.outside_requests` (a test may route a particular address itself)."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    outside: List[str] = []

    def refuse(route) -> None:
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith("http://127.0.0.1:"), refuse)
    context.outside_requests = outside  # type: ignore[attr-defined]
    yield context
    context.close()
