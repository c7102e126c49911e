"""The stand-alone fallback server: static crisis TwiML for Twilio when Rasa is down."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from confidant.channels.channel_texts import channel_texts
from confidant.channels.sms import fallback as sms_fallback
from confidant.channels.sms.fallback import FALLBACK_PATH, make_server
from confidant.settings import current_settings
from tests.channels.conftest import AUTH_TOKEN, sign, twilio_form
from tests.support.receivers import free_port, wait_until
from tests.support.servers import ROOT, ManagedProcess

PUBLIC = "https://fallback.harborlight.example"


def post(url: str, form: dict, signature: str) -> tuple:
    request = urllib.request.Request(
        url,
        data=urlencode(form).encode(),
        method="POST",
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
    server = make_server("127.0.0.1", port, AUTH_TOKEN, PUBLIC, channel_texts())
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
        [sys.executable, "-m", "confidant.channels.sms.fallback", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TWILIO_AUTH_TOKEN" in result.stderr and "CONFIDANT_SMS_FALLBACK_PUBLIC_URL" in result.stderr


def test_the_fallback_command_serves_the_crisis_lines_even_once_the_domain_is_gone(tmp_path) -> None:
    """The wording is read at start-up and kept: a domain file lost afterwards changes nothing."""
    domain = tmp_path / "domain.yml"
    shutil.copy(ROOT / "domain.yml", domain)
    port = free_port()
    env = dict(os.environ, TWILIO_AUTH_TOKEN=AUTH_TOKEN, CONFIDANT_SMS_FALLBACK_PUBLIC_URL=PUBLIC, PYTHONPATH=str(ROOT))
    process = ManagedProcess(
        "sms-fallback",
        [sys.executable, "-m", "confidant.channels.sms.fallback", "--port", str(port), "--domain", str(domain)],
        env,
        f"http://127.0.0.1:{port}/health",
        tmp_path,
    )
    process.start(timeout=60)
    try:
        domain.unlink()
        form = twilio_form("+14155550142", "hello")
        status, body = post(f"http://127.0.0.1:{port}{FALLBACK_PATH}", form, sign(PUBLIC + FALLBACK_PATH, form))
        assert status == 200 and "<Message>" in body
        settings = current_settings()
        assert settings.crisis.emergency_number in body and settings.crisis_line in body
        wait_until(lambda: "fallback URL" in process.log_text(), timeout=5)
        assert "4155550142" not in process.log_text()
    finally:
        process.stop()


@pytest.mark.parametrize("broken", ["missing", "not yaml: [", "responses: {}"])
def test_the_fallback_command_refuses_to_start_without_its_wording(tmp_path, broken) -> None:
    """A fallback that cannot say where help is must not look healthy: it stops, naming the file."""
    domain = tmp_path / "domain.yml"
    if broken != "missing":
        domain.write_text(broken)
    env = dict(os.environ, TWILIO_AUTH_TOKEN=AUTH_TOKEN, CONFIDANT_SMS_FALLBACK_PUBLIC_URL=PUBLIC)
    result = subprocess.run(
        [sys.executable, "-m", "confidant.channels.sms.fallback", "--port", str(free_port()), "--domain", str(domain)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert str(domain) in result.stderr
    if broken == "responses: {}":
        assert "utter_sms_fallback" in result.stderr


# ---- the body cap and the timeouts (raw sockets: a well-behaved client cannot send these) -----


@pytest.fixture
def quick_fallback(monkeypatch):
    """The fallback server with a short request timeout, so a stalled client is dropped quickly."""
    monkeypatch.setattr(sms_fallback, "REQUEST_TIMEOUT_SECONDS", 0.5)
    port = free_port()
    server = make_server("127.0.0.1", port, AUTH_TOKEN, PUBLIC, channel_texts())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield port
    server.shutdown()
    server.server_close()


def raw_exchange(port: int, head: bytes, body: bytes = b"", trickle: float = 0.0, wait: float = 3.0) -> tuple:
    """Send a request by hand and keep the connection open: (what came back, seconds until the server closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        started = time.monotonic()
        connection.sendall(head)
        if trickle:

            def drip() -> None:
                for byte in body:
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        return
                    time.sleep(trickle)

            threading.Thread(target=drip, daemon=True).start()
        else:
            connection.sendall(body)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return received, time.monotonic() - started


def head(length: str | None) -> bytes:
    lines = [f"POST {FALLBACK_PATH} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/x-www-form-urlencoded"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_negative_content_length_is_refused_not_read_to_the_end(quick_fallback) -> None:
    # int("-1") was accepted, and rfile.read(-1) reads until the client closes: past the cap.
    received, seconds = raw_exchange(quick_fallback, head("-1"), b"Body=" + b"x" * 1000)
    assert received.startswith(b"HTTP/1.0 400") and b"invalid_length" in received
    assert seconds < 2


@pytest.mark.parametrize(
    "length, status",
    [("+5", b"400"), ("1_0", b"400"), ("five", b"400"), (None, b"411"), (str(sms_fallback.MAX_BODY_BYTES + 1), b"413")],
)
def test_a_content_length_the_server_will_not_read_gets_a_clear_refusal(quick_fallback, length, status) -> None:
    received, _ = raw_exchange(quick_fallback, head(length), b"Body=hi")
    assert received.startswith(b"HTTP/1.0 " + status), received[:80]


def test_a_body_that_never_arrives_is_dropped_after_the_timeout(quick_fallback) -> None:
    received, seconds = raw_exchange(quick_fallback, head("100"), b"Body=hi")
    assert b"<Message>" not in received and seconds < 2


def test_a_body_trickled_a_byte_at_a_time_is_dropped_at_the_deadline(quick_fallback) -> None:
    # Each byte arrives within the per-read timeout; the whole body must still come within it.
    received, seconds = raw_exchange(quick_fallback, head("40"), b"x" * 40, trickle=0.2, wait=10)
    assert b"<Message>" not in received and seconds < 2


def test_a_request_line_that_never_ends_is_dropped_after_the_timeout(quick_fallback) -> None:
    received, seconds = raw_exchange(quick_fallback, b"POST /webhooks/sms/fall")
    assert received == b"" and seconds < 2
