"""`escalation:` in practice.yml: who is told about a risk message, how, and how soon.

Secrets are never here: a notifier names the environment variables that hold its URL, token or
SMTP server. Transport security is chosen per notifier; plain delivery only to this machine.
"""

from __future__ import annotations

from typing import Dict, List, Literal, Optional, Union

from pydantic import Field, root_validator

from confidant.settings.base import Strict


class WebhookNotifier(Strict):
    type: Literal["webhook"]
    name: str
    url_env: str
    token_env: Optional[str] = None
    # The URL must be https (certificate and host name verified). true: an http:// URL is also
    # accepted, but only to this machine (127.0.0.1, ::1, localhost), e.g. a local relay or a test.
    plain_http_local: bool = False


# How escalation emails reach the SMTP server. Certificates and host names are always verified.
#   tls:               implicit TLS (SMTPS, usually port 465), the default
#   starttls:          plain connection upgraded with STARTTLS (usually 587); a server that does
#                      not offer STARTTLS is refused, never used in clear
#   plain_local_relay: no encryption, only to a relay on this machine (127.0.0.1, ::1, localhost)
SmtpSecurity = Literal["tls", "starttls", "plain_local_relay"]


class EmailNotifier(Strict):
    type: Literal["email"]
    name: str
    to: str = Field(..., regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    sender: str = Field(..., regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    smtp_host_env: str
    smtp_port_env: str
    smtp_user_env: Optional[str] = None
    smtp_password_env: Optional[str] = None
    smtp_security: SmtpSecurity = "tls"

    @root_validator(pre=True)
    def _starttls_was_replaced(cls, values: Dict[str, object]) -> Dict[str, object]:  # noqa: N805
        if "starttls" in values:
            raise ValueError(
                "'starttls' was replaced by 'smtp_security' (tls, starttls or plain_local_relay); the default is tls"
            )
        return values


Notifier = Union[WebhookNotifier, EmailNotifier]


class EscalationSettings(Strict):
    review_url: str = Field(..., regex=r"^https?://\S+$")
    ack_timeout_minutes: int = Field(30, ge=1, le=24 * 60)
    include_message_text: bool = False
    notifiers: List[Notifier] = Field(..., min_items=1)
    second_contact: List[Notifier] = Field(default_factory=list)
    # Beyond this many new escalations in an hour, each is still recorded for the review queue,
    # but the practice gets ONE "unusual volume" alert instead of a page for every one.
    unusual_volume_per_hour: int = Field(20, ge=1, le=100_000)
