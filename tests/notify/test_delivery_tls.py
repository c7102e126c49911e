"""Escalations never leave in clear: verified TLS to real SMTP and https servers, plain only by opt-in to loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from confidant.notify.delivery import CA_FILE_ENV_VAR, DeliveryError, deliver
from confidant.notify.dispatcher import Dispatcher
from confidant.notify.outbox import Outbox
from confidant.settings import EmailNotifier, SettingsError, WebhookNotifier, load_settings
from tests.support.practice_file import PRACTICE_FILE, practice_data
from tests.support.receivers import SmtpServer, WebhookReceiver
from tests.support.tls import ServerCertificates, make_certificates

PAYLOAD = {"type": "escalation", "summary": "Escalation", "conversation_id": "conv-tls", "category": "self_harm"}


def email_notifier(**fields: object) -> EmailNotifier:
    return EmailNotifier(
        type="email",
        name="lead",
        to="lead@practice.example",
        sender="assistant@practice.example",
        smtp_host_env="TEST_SMTP_HOST",
        smtp_port_env="TEST_SMTP_PORT",
        **fields,
    )


def webhook_notifier(**fields: object) -> WebhookNotifier:
    return WebhookNotifier(type="webhook", name="on-call", url_env="TEST_WEBHOOK_URL", **fields)


@pytest.fixture
def certificates(tmp_path: Path) -> ServerCertificates:
    return make_certificates(tmp_path / "tls", ["127.0.0.1", "localhost"])


@pytest.fixture(autouse=True)
def no_extra_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CA_FILE_ENV_VAR, raising=False)


def smtp_running(server: SmtpServer, monkeypatch: pytest.MonkeyPatch, host: str = "127.0.0.1") -> SmtpServer:
    server.start()
    monkeypatch.setenv("TEST_SMTP_HOST", host)
    monkeypatch.setenv("TEST_SMTP_PORT", str(server.port))
    return server


@pytest.fixture
def smtps(certificates: ServerCertificates, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    server = smtp_running(SmtpServer(tls=certificates.server_context(), mode="implicit"), monkeypatch)
    yield server
    server.stop()


def send(notifier: object) -> None:
    asyncio.run(deliver(notifier, PAYLOAD))  # type: ignore[arg-type]


def test_tls_is_the_default(tmp_path: Path) -> None:
    assert email_notifier().smtp_security == "tls"
    assert webhook_notifier().plain_http_local is False
    # An email notifier written in practice.yml without `smtp_security` uses implicit TLS.
    settings = practice_data()
    for notifier in settings["escalation"]["notifiers"] + settings["escalation"]["second_contact"]:
        notifier.pop("smtp_security", None)
    path = tmp_path / "practice.yml"
    path.write_text(yaml.safe_dump(settings))
    loaded = load_settings(path).escalation
    emails = [n for n in loaded.notifiers + loaded.second_contact if n.type == "email"]
    assert emails and all(n.smtp_security == "tls" for n in emails)


def test_implicit_tls_with_a_self_signed_certificate_is_refused_until_its_ca_is_trusted(
    smtps: SmtpServer, certificates: ServerCertificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(DeliveryError, match="SSLCertVerificationError"):
        send(email_notifier())
    assert smtps.inbox == []

    monkeypatch.setenv(CA_FILE_ENV_VAR, str(certificates.ca_file))
    send(email_notifier())
    [mail] = smtps.inbox
    assert mail["To"] == "lead@practice.example" and "conv-tls" in mail.get_payload()


def test_the_host_name_is_checked_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = make_certificates(tmp_path / "other", ["mail.elsewhere.example"])
    server = smtp_running(SmtpServer(tls=elsewhere.server_context(), mode="implicit"), monkeypatch)
    monkeypatch.setenv(CA_FILE_ENV_VAR, str(elsewhere.ca_file))
    try:
        with pytest.raises(DeliveryError, match="SSLCertVerificationError"):
            send(email_notifier())
        assert server.inbox == []
    finally:
        server.stop()


def test_starttls_verifies_the_certificate(certificates: ServerCertificates, monkeypatch: pytest.MonkeyPatch) -> None:
    server = smtp_running(SmtpServer(tls=certificates.server_context(), mode="starttls"), monkeypatch)
    try:
        with pytest.raises(DeliveryError, match="SSLCertVerificationError"):
            send(email_notifier(smtp_security="starttls"))
        monkeypatch.setenv(CA_FILE_ENV_VAR, str(certificates.ca_file))
        send(email_notifier(smtp_security="starttls"))
        assert len(server.inbox) == 1
    finally:
        server.stop()


def test_a_server_without_tls_is_refused_unless_plain_is_opted_in_for_a_local_relay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = smtp_running(SmtpServer(), monkeypatch)
    try:
        with pytest.raises(DeliveryError):
            send(email_notifier())  # tls: the plain server cannot speak it
        with pytest.raises(DeliveryError, match="SMTPNotSupportedError"):
            send(email_notifier(smtp_security="starttls"))  # not offered: never falls back to clear
        assert server.inbox == []
        send(email_notifier(smtp_security="plain_local_relay"))
        assert len(server.inbox) == 1
    finally:
        server.stop()


def test_plain_smtp_to_another_machine_is_refused_before_connecting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_HOST", "192.0.2.25")  # TEST-NET: nothing would answer anyway
    monkeypatch.setenv("TEST_SMTP_PORT", "25")
    with pytest.raises(DeliveryError, match="refused: smtp_security plain_local_relay but TEST_SMTP_HOST"):
        send(email_notifier(smtp_security="plain_local_relay"))


def test_a_webhook_must_be_https_with_a_verified_certificate(
    certificates: ServerCertificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = WebhookReceiver(tls=certificates.server_context())
    receiver.start()
    monkeypatch.setenv("TEST_WEBHOOK_URL", receiver.url)
    try:
        with pytest.raises(DeliveryError, match="webhook unreachable"):
            send(webhook_notifier())
        assert receiver.received == []
        monkeypatch.setenv(CA_FILE_ENV_VAR, str(certificates.ca_file))
        send(webhook_notifier())
        assert [payload["conversation_id"] for payload in receiver.received] == ["conv-tls"]
    finally:
        receiver.stop()


def test_plain_http_webhooks_only_by_opt_in_and_only_to_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    receiver = WebhookReceiver()
    receiver.start()
    monkeypatch.setenv("TEST_WEBHOOK_URL", receiver.url)
    try:
        with pytest.raises(DeliveryError, match="refused: TEST_WEBHOOK_URL is not https"):
            send(webhook_notifier())
        assert receiver.received == []
        send(webhook_notifier(plain_http_local=True))
        assert len(receiver.received) == 1
    finally:
        receiver.stop()
    monkeypatch.setenv("TEST_WEBHOOK_URL", "http://hooks.practice.example/escalations")
    with pytest.raises(DeliveryError, match="plain http to another machine"):
        send(webhook_notifier(plain_http_local=True))


def test_start_up_reports_a_notifier_that_would_send_in_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFIDANT_WEBHOOK_URL", "http://hooks.practice.example/escalations")
    monkeypatch.setenv("CONFIDANT_SMTP_HOST", "smtp.practice.example")
    monkeypatch.setenv("CONFIDANT_SMTP_PORT", "465")
    settings = load_settings(PRACTICE_FILE)
    problems = Dispatcher(Outbox(tmp_path / "outbox.sqlite3"), settings).configuration_problems()
    assert problems == [
        "notifier 'on-call' refused: CONFIDANT_WEBHOOK_URL is not https (plain_http_local: true allows http to "
        "this machine only); its notifications wait in the outbox"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"starttls": True}, "'starttls' was replaced by 'smtp_security'"),
        ({"smtp_security": "none"}, "escalation.notifiers.1.smtp_security"),
    ],
)
def test_the_settings_name_a_wrong_smtp_security(tmp_path: Path, change: dict, message: str) -> None:
    settings = practice_data()
    email = next(n for n in settings["escalation"]["notifiers"] if n["type"] == "email")
    email.update(change)
    path = tmp_path / "practice.yml"
    path.write_text(yaml.safe_dump(settings))
    with pytest.raises(SettingsError, match=message):
        load_settings(path)
