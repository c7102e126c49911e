"""Typed text is never an intent payload: only the assistant's own button payloads pass as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from confidant.channels.client_text import WIDGET_INIT_PAYLOAD, allowed_payloads, as_client_text, button_payloads


def test_the_allowed_payloads_are_domain_buttons_and_the_widget_s_init_payload() -> None:
    payloads = allowed_payloads()
    assert {"/affirm", "/deny", WIDGET_INIT_PAYLOAD} <= payloads
    # Button payloads that are questions are text anyway; risk intents are never offered.
    assert all(payload.startswith("/") for payload in payloads)
    assert not any(payload.startswith("/risk") for payload in payloads)


def test_a_new_button_in_the_domain_is_allowed_without_code_changes(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(
        "responses:\n"
        "  utter_choose:\n"
        "    - text: Which?\n"
        "      buttons:\n"
        "        - {title: Records, payload: /ask_records}\n"
        "        - {title: Question, payload: 'Who sees my records?'}\n"
    )
    assert button_payloads(domain) == {"/ask_records", WIDGET_INIT_PAYLOAD}


@pytest.mark.parametrize("payload", ["/greet", "/affirm", " /deny "])
def test_an_offered_payload_passes_unchanged(payload: str) -> None:
    assert as_client_text(payload) == payload.strip()


@pytest.mark.parametrize(
    "typed, text",
    [
        ('/greet{"a":1} i want to kill myself', 'greet{"a":1} i want to kill myself'),
        ('  / /greet{"a":1} i want to die', 'greet{"a":1} i want to die'),
        ("//affirm", "affirm"),
        ("/affirm i want to end it", "affirm i want to end it"),
        ("/risk_self_harm", "risk_self_harm"),
        ("/restart", "restart"),
        ("/", ""),
        ("will you tell my parents?", "will you tell my parents?"),
        ("and/or", "and/or"),
    ],
)
def test_anything_else_never_reaches_rasa_starting_with_a_slash(typed: str, text: str) -> None:
    assert as_client_text(typed) == text


def test_a_channel_without_typed_payloads_allows_none() -> None:
    assert as_client_text("/affirm", allowed=frozenset()) == "affirm"
