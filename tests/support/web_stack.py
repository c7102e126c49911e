"""One real Rasa server for the web chat tests (tests/channels/test_socketio*.py and tests/web).

It runs the trained model with the shipped credentials.yml (so the socket.io channel as
configured), its own tracker database and a copy of the fixture practice whose `web.allowed_origins`
names the default local page (http://localhost:8080) and the test page's origin, on a port
reserved here for the page server. It is started once per test run, by whichever of the two
test directories asks first, and stopped when the run ends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

import pytest

from tests.support.receivers import free_port
from tests.support.servers import ROOT, ManagedProcess, rasa_run_command
from tests.support.servers import settings_for_tests as generous_settings

LOCAL_PAGE_ORIGIN = "http://localhost:8080"


@dataclass
class SocketIORasa:
    process: ManagedProcess
    url: str
    env: Dict[str, str]
    tracker_db: Path
    page_port: int  # where tests/web serves the page: its origin is allowed

    @property
    def page_origin(self) -> str:
        return f"http://127.0.0.1:{self.page_port}"


def settings_for_tests(path: Path, origins: list) -> Path:
    return generous_settings(path, web={"allowed_origins": origins})


_shared: Optional[SocketIORasa] = None


def shared_socketio_rasa(
    request: pytest.FixtureRequest, server_env: Dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> SocketIORasa:
    """The run's web chat Rasa server, started on first use (needs the `action_server` fixture running)."""
    global _shared
    if _shared is not None and _shared.process.process is not None:
        return _shared
    state = tmp_path_factory.mktemp("socketio-state")
    page_port, rasa_port = free_port(), free_port()
    page_origin = f"http://127.0.0.1:{page_port}"
    tracker_db = state / "conversations.sqlite3"
    env = dict(server_env)
    env.update(
        {
            "CONFIDANT_SETTINGS": str(settings_for_tests(state / "practice.yml", [LOCAL_PAGE_ORIGIN, page_origin])),
            "CONFIDANT_DATABASE_URL": f"sqlite:///{tracker_db}",
            "CONFIDANT_EVENT_SPOOL_DIR": str(state / "spool"),
            "CONFIDANT_WEB_SESSION_KEY": "test-web-session-key-" + uuid.uuid4().hex,
        }
    )
    process = ManagedProcess(
        "rasa-socketio",
        rasa_run_command(
            rasa_port,
            ROOT / "endpoints.yml",
            ROOT / "credentials.yml",
            # As scripts/run.sh does: the socket.io channel must work alongside Rasa's CORS.
            "--cors",
            page_origin,
        ),
        env,
        f"http://127.0.0.1:{rasa_port}/webhooks/socketio/",
        tmp_path_factory.mktemp("socketio-logs"),
    )
    process.start(timeout=240)
    request.config.add_cleanup(process.stop)
    _shared = SocketIORasa(process, f"http://127.0.0.1:{rasa_port}", env, tracker_db, page_port)
    return _shared
