"""Deliver one notification: a JSON webhook POST or an email through SMTP.

Targets and secrets are named in practice.yml and read from the environment. A notifier whose
environment is not set up is reported at start-up and its notifications wait in the outbox.
"""

from __future__ import annotations

import asyncio
import json
import os
import smtplib
from email.message import EmailMessage
from typing import Any, Dict, Optional

import aiohttp

from confidant.settings import EmailNotifier, Notifier, WebhookNotifier

REQUEST_TIMEOUT_SECONDS = 10


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


async def deliver(notifier: Notifier, payload: Dict[str, Any]) -> None:
    """Send one payload; raise `DeliveryError` if the target did not accept it."""
    missing = missing_environment(notifier)
    if missing:
        raise DeliveryError(f"not configured: environment variable {missing} is not set")
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
                os.environ[notifier.url_env], data=json.dumps(payload), headers=headers
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
    try:
        with smtplib.SMTP(
            os.environ[notifier.smtp_host_env],
            int(os.environ[notifier.smtp_port_env]),
            timeout=REQUEST_TIMEOUT_SECONDS,
        ) as smtp:
            if notifier.starttls:
                smtp.starttls()
            if notifier.smtp_user_env and os.environ.get(notifier.smtp_user_env):
                smtp.login(
                    os.environ[notifier.smtp_user_env],
                    os.environ.get(notifier.smtp_password_env or "", ""),
                )
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError, ValueError) as error:
        raise DeliveryError(f"email not accepted: {type(error).__name__}") from None
