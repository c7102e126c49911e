"""Is this request really from Twilio? The `X-Twilio-Signature` check, and the form it covers.

Twilio signs each webhook with the account's auth token over the URL it called and the POST
parameters. Behind a proxy or tunnel the URL Rasa sees (http://127.0.0.1:5005/...) is not the
one Twilio called (https://sms.practice.example/...), so the URL to check is the configured
public base URL plus the path (and query) of the request, never the Host header a client sends.
"""

from __future__ import annotations

from typing import Dict, List, Optional
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"

FormParams = Dict[str, List[str]]


class FormError(ValueError):
    """The body is not a form Twilio could have sent (not UTF-8, not url-encoded)."""


def normalise_public_url(public_url: str) -> str:
    """The public base URL without a trailing slash; `ValueError` unless it is absolute http(s)."""
    url = (public_url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            f"public_url must be the absolute http(s) address Twilio calls, e.g. https://sms.example.org (got {url!r})"
        )
    return url.rstrip("/")


def public_request_url(public_url: str, path: str, query_string: str = "") -> str:
    """The URL Twilio called: the public base plus this request's path and query."""
    url = normalise_public_url(public_url) + "/" + path.lstrip("/")
    return f"{url}?{query_string}" if query_string else url


def parse_form(body: Optional[bytes]) -> FormParams:
    """Decode an application/x-www-form-urlencoded body the way Twilio encodes it (UTF-8)."""
    if not body:
        return {}
    try:
        text = body.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise FormError("The request body must be UTF-8 form data.") from None


def first(params: FormParams, name: str) -> Optional[str]:
    values = params.get(name)
    return values[0] if values else None


class SignatureCheck:
    """Twilio's request validation with one auth token."""

    def __init__(self, auth_token: str) -> None:
        self._validator = RequestValidator(auth_token)

    def is_valid(self, url: str, params: FormParams, signature: Optional[str]) -> bool:
        if not signature:
            return False
        # RequestValidator reads lists through `getall`/`getlist`; give it plain pairs instead.
        return bool(self._validator.validate(url, _MultiDict(params), signature))

    def sign(self, url: str, params: FormParams) -> str:
        """The signature Twilio would send (for tests and the local stand-in)."""
        return self._validator.compute_signature(url, _MultiDict(params))


class _MultiDict(dict):
    """A dict of lists that RequestValidator reads every value of (Flask-style `getall`)."""

    def getall(self, name: str) -> List[str]:
        return list(self[name])
