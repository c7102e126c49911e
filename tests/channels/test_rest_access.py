"""Who may use the REST channel: a token wherever it is reachable, never another channel's ids.

The token checks run on a real Sanic server on loopback with the channel registered as Rasa
registers it (a stand-in agent); start-up refusals run the real `rasa run` command, which stops
before it loads a model.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import pytest

from confidant.channels.rest import GuardedRestInput
from confidant.channels.rest_access import (
    TOKEN_ENV_VAR,
    TOKEN_REQUIRED_ENV_VAR,
    RestAccess,
    RestAccessError,
    is_loopback,
)
from tests.channels.conftest import FakeAgent, serving
from tests.support.receivers import free_port
from tests.support.servers import ROOT

TOKEN = "t" * 16 + "0123456789abcdef0123"


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("", False),
        (None, False),
    ],
)
def test_only_loopback_addresses_count_as_local(host: Optional[str], loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_production_profile_refuses_to_start_without_a_token() -> None:
    with pytest.raises(RestAccessError, match=TOKEN_ENV_VAR):
        RestAccess.from_environment({TOKEN_REQUIRED_ENV_VAR: "1"})
    assert RestAccess.from_environment({TOKEN_REQUIRED_ENV_VAR: "1", TOKEN_ENV_VAR: TOKEN}).token == TOKEN


def test_a_short_token_is_refused() -> None:
    with pytest.raises(RestAccessError, match="at least"):
        RestAccess.from_environment({TOKEN_ENV_VAR: "secret"})


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5"])
def test_listening_beyond_loopback_without_a_token_is_refused(host: str) -> None:
    with pytest.raises(RestAccessError, match="other machines"):
        RestAccess(token=None, required=False).check_startup(host)
    RestAccess(token=TOKEN, required=False).check_startup(host)
    RestAccess(token=None, required=False).check_startup("127.0.0.1")  # the local default stays open


@pytest.mark.parametrize(
    "header, allowed",
    [
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),
        (f"Bearer {TOKEN}x", False),
        (f"Bearer {TOKEN[:-1]}", False),
        (TOKEN, False),
        (f"Basic {TOKEN}", False),
        ("Bearer ", False),
        (None, False),
        ("Bearer ünïcode", False),
    ],
)
def test_the_bearer_token_must_match_exactly(header: Optional[str], allowed: bool) -> None:
    assert RestAccess(token=TOKEN, required=True).allows(header) is allowed
    assert RestAccess(token=None, required=False).allows(header) is True


def run(scenario: Any, access: RestAccess) -> Any:
    agent = FakeAgent(lambda text: [{"text": f"got {text}"}])

    async def main() -> Any:
        async with serving(GuardedRestInput(max_message_chars=1000, access=access), agent) as client:
            return await scenario(client), [message.text for message in agent.received]

    return asyncio.run(main())


async def post(client: Any, body: Dict[str, Any], headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any]:
    async with client.session.post(f"{client.url}/webhooks/rest/webhook", json=body, headers=headers or {}) as reply:
        return reply.status, await reply.json(), reply.headers.get("WWW-Authenticate")


def test_with_a_token_a_request_without_it_is_refused_before_it_reaches_a_conversation() -> None:
    async def scenario(client: Any) -> list:
        message = {"sender": "crm-1", "message": "hello"}
        return [
            await post(client, message),
            await post(client, message, {"Authorization": "Bearer wrong-token"}),
            await post(client, message, {"Authorization": f"Bearer {TOKEN}"}),
        ]

    (missing, wrong, right), received = run(scenario, RestAccess(token=TOKEN, required=True))
    assert missing == (401, {"error": "unauthorized", "detail": missing[1]["detail"]}, "Bearer")
    assert wrong[0] == 401 and wrong[1]["error"] == "unauthorized"
    assert right[:2] == (200, [{"recipient_id": "crm-1", "text": "got hello"}])
    assert received == ["hello"]


@pytest.mark.parametrize("sender", ["web-" + "a" * 32, "sms-" + "b" * 32, "WEB-1", "Sms-x"])
def test_another_channel_s_conversation_ids_are_refused(sender: str) -> None:
    async def scenario(client: Any) -> tuple:
        return await post(client, {"sender": sender, "message": "i write into your chat"})

    (status, body, _), received = run(scenario, RestAccess(token=None, required=False))
    assert status == 403 and body["error"] == "other_channel_sender" and "'web-'" in body["detail"]
    assert received == []


def rasa_run(env_overrides: Dict[str, str], interface: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`rasa run` as the scripts start it. The refusals come before Rasa loads a model, so an
    empty file stands in for one (a start-up that got further would wait, and time out)."""
    import os

    model = tmp_path / "model-not-needed.tar.gz"
    model.touch()
    env = {key: value for key, value in os.environ.items() if key not in (TOKEN_ENV_VAR, TOKEN_REQUIRED_ENV_VAR)}
    env.update({"PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", **env_overrides})
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "confidant.rasa_command",
            "run",
            "--model",
            str(model),
            "--credentials",
            "credentials.yml",
            "--endpoints",
            "endpoints.yml",
            "--interface",
            interface,
            "--port",
            str(free_port()),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_rasa_in_the_production_profile_refuses_to_start_without_the_token(tmp_path: Path) -> None:
    result = rasa_run({TOKEN_REQUIRED_ENV_VAR: "1"}, "127.0.0.1", tmp_path)
    assert result.returncode != 0
    assert TOKEN_ENV_VAR in result.stdout + result.stderr


def test_rasa_listening_on_every_interface_without_a_token_refuses_to_start(tmp_path: Path) -> None:
    result = rasa_run({}, "0.0.0.0", tmp_path)
    assert result.returncode != 0
    assert "other machines" in result.stdout + result.stderr
