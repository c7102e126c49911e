"""The stand-alone fallback server: static crisis TwiML for Twilio when Rasa is down."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from confidant.channels.sms_fallback import FALLBACK_PATH, make_server
from confidant.settings import current_settings
from tests.channels.conftest import AUTH_TOKEN, sign, twilio_form
from tests.support.receivers import free_port, wait_until
from tests.support.servers import ROOT, ManagedProcess

PUBLIC = "https://fallback.harborlight.example"


def post(url: str, form: dict, signature: str) -> tuple:
    request = urllib.request.Request(
        url, data=urlencode(form).encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def fallback_url():
    port = free_port()
    server = make_server("127.0.0.1", port, AUTH_TOKEN, PUBLIC, current_settings())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_a_signed_fallback_request_gets_the_crisis_lines_and_the_practice_phone(fallback_url) -> None:
    settings = current_settings()
    form = twilio_form("+14155550142", "hello", ErrorCode="11200")
    status, body = post(fallback_url + FALLBACK_PATH, form, sign(PUBLIC + FALLBACK_PATH, form))
    assert status == 200 and body.startswith("<?xml") and "<Message>" in body
    assert settings.crisis.emergency_number in body and settings.practice.phone in body
    assert all(line.how in body for line in settings.crisis.lines_for("general"))


@pytest.mark.parametrize("signature", ["", "Zm9yZ2Vk"])
def test_unsigned_or_forged_fallback_requests_get_403(fallback_url, signature) -> None:
    status, body = post(fallback_url + FALLBACK_PATH, twilio_form("+14155550142", "hello"), signature)
    assert status == 403 and "<Message>" not in body


def test_the_fallback_command_refuses_to_start_without_its_settings() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TWILIO_AUTH_TOKEN", "CONFIDANT_SMS_FALLBACK_PUBLIC_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "confidant.channels.sms_fallback", "--port", str(free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "TWILIO_AUTH_TOKEN" in result.stderr and "CONFIDANT_SMS_FALLBACK_PUBLIC_URL" in result.stderr


def test_the_fallback_command_serves(tmp_path) -> None:
    port = free_port()
    env = dict(os.environ, TWILIO_AUTH_TOKEN=AUTH_TOKEN, CONFIDANT_SMS_FALLBACK_PUBLIC_URL=PUBLIC,
               PYTHONPATH=str(ROOT))
    process = ManagedProcess(
        "sms-fallback",
        [sys.executable, "-m", "confidant.channels.sms_fallback", "--port", str(port)],
        env, f"http://127.0.0.1:{port}/health", tmp_path,
    )
    process.start(timeout=60)
    try:
        form = twilio_form("+14155550142", "hello")
        status, body = post(f"http://127.0.0.1:{port}{FALLBACK_PATH}", form, sign(PUBLIC + FALLBACK_PATH, form))
        assert status == 200 and "<Message>" in body
        wait_until(lambda: "fallback URL" in process.log_text(), timeout=5)
        assert "4155550142" not in process.log_text()
    finally:
        process.stop()
