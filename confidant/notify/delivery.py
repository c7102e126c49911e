"""Deliver one notification: a JSON webhook POST or an email through SMTP.

Targets and secrets are named in practice.yml and read from the environment. A notifier whose
environment is not set up is reported at start-up and its notifications wait in the outbox.

Nothing leaves in clear by default: webhooks must be https and emails go over TLS (implicit, or
STARTTLS that the server must offer), certificates and host names verified against the system's
CAs plus `CONFIDANT_NOTIFY_CA_FILE` (a practice's own CA, or a test's). Plain http or SMTP is an
explicit per-notifier opt-in in practice.yml and reaches only this machine (a local relay).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any, Dict, Optional
from urllib.parse import urlsplit

import aiohttp

from confidant.settings import EmailNotifier, Notifier, WebhookNotifier

REQUEST_TIMEOUT_SECONDS = 10
CA_FILE_ENV_VAR = "CONFIDANT_NOTIFY_CA_FILE"


class DeliveryError(RuntimeError):
    """The target did not take the notification; the outbox will try again."""


def missing_environment(notifier: Notifier) -> Optional[str]:
    """The environment variable a notifier needs but does not have, if any."""
    if isinstance(notifier, WebhookNotifier):
        names = [notifier.url_env]
    else:
        names = [notifier.smtp_host_env, notifier.smtp_port_env]
    for name in names:
        if not os.environ.get(name):
            return name
    return None


def is_local_host(host: str) -> bool:
    """This machine: localhost or a loopback address (a relay here, or a test's receiver)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def transport_problem(notifier: Notifier) -> Optional[str]:
    """Why this notifier would send in clear where it must not (None: it is safe to use)."""
    if isinstance(notifier, WebhookNotifier):
        url = urlsplit(os.environ.get(notifier.url_env, ""))
        if url.scheme == "https":
            return None
        if url.scheme == "http" and notifier.plain_http_local and is_local_host(url.hostname or ""):
            return None
        if url.scheme == "http" and notifier.plain_http_local:
            return f"{notifier.url_env} is plain http to another machine: only https leaves this machine"
        if url.scheme == "http":
            return f"{notifier.url_env} is not https (plain_http_local: true allows http to this machine only)"
        return f"{notifier.url_env} is not an https URL"
    if notifier.smtp_security == "plain_local_relay" and not is_local_host(os.environ.get(notifier.smtp_host_env, "")):
        return (
            f"smtp_security plain_local_relay but {notifier.smtp_host_env} is not this machine: "
            "use tls or starttls for another host"
        )
    return None


def tls_context() -> ssl.SSLContext:
    """Certificate and host name checked: the system's CAs, plus `CONFIDANT_NOTIFY_CA_FILE` if set."""
    context = ssl.create_default_context()
    ca_file = os.environ.get(CA_FILE_ENV_VAR)
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


async def deliver(notifier: Notifier, payload: Dict[str, Any]) -> None:
    """Send one payload; raise `DeliveryError` if the target did not accept it."""
    missing = missing_environment(notifier)
    if missing:
        raise DeliveryError(f"not configured: environment variable {missing} is not set")
    refused = transport_problem(notifier)
    if refused:
        raise DeliveryError(f"refused: {refused}")
    if isinstance(notifier, WebhookNotifier):
        await _post_webhook(notifier, payload)
    else:
        await asyncio.get_running_loop().run_in_executor(None, _send_email, notifier, payload)


async def _post_webhook(notifier: WebhookNotifier, payload: Dict[str, Any]) -> None:
    headers = {"Content-Type": "application/json"}
    if notifier.token_env and os.environ.get(notifier.token_env):
        headers["Authorization"] = f"Bearer {os.environ[notifier.token_env]}"
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(
                os.environ[notifier.url_env],
                data=json.dumps(payload),
                headers=headers,
                ssl=tls_context(),
                allow_redirects=False,  # a redirect could lead to plain http
            ) as response:
                if response.status >= 300:
                    raise DeliveryError(f"webhook answered HTTP {response.status}")
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
        raise DeliveryError(f"webhook unreachable: {type(error).__name__}") from None


def email_body(payload: Dict[str, Any]) -> str:
    lines = [
        "The practice's assistant needs a person to follow up.",
        "",
        f"What happened: {payload.get('summary', payload.get('type'))}",
    ]
    for key in ("category", "channel", "conversation_id", "time", "review_link"):
        if payload.get(key):
            lines.append(f"{key.replace('_', ' ').capitalize()}: {payload[key]}")
    if payload.get("message"):
        lines += ["", "Message:", payload["message"]]
    return "\n".join(lines) + "\n"


def _send_email(notifier: EmailNotifier, payload: Dict[str, Any]) -> None:
    message = EmailMessage()
    message["From"] = notifier.sender
    message["To"] = notifier.to
    message["Subject"] = f"[Assistant] {payload.get('summary', 'Escalation')}"
    message.set_content(email_body(payload))
    host, port = os.environ[notifier.smtp_host_env], int(os.environ[notifier.smtp_port_env])
    try:
        connection: smtplib.SMTP  # SMTP_SSL is an SMTP
        if notifier.smtp_security == "tls":
            connection = smtplib.SMTP_SSL(host, port, timeout=REQUEST_TIMEOUT_SECONDS, context=tls_context())
        else:
            connection = smtplib.SMTP(host, port, timeout=REQUEST_TIMEOUT_SECONDS)
        with connection as smtp:
            if notifier.smtp_security == "starttls":
                smtp.starttls(context=tls_context())  # SMTPNotSupportedError if not offered: never sent in clear
            if notifier.smtp_user_env and os.environ.get(notifier.smtp_user_env):
                smtp.login(
                    os.environ[notifier.smtp_user_env],
                    os.environ.get(notifier.smtp_password_env or "", ""),
                )
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError, ValueError) as error:
        raise DeliveryError(f"email not accepted: {type(error).__name__}") from None
