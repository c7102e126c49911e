"""The web chat's session tokens, message checks and allowed origins, without a server."""

from __future__ import annotations

import pytest

from confidant.channels.channel_texts import channel_texts
from confidant.channels.conversation_ids import WEB_CONVERSATION_PREFIX
from confidant.channels.socketio import MessageError, parse_socket_message
from confidant.channels.web_sessions import SessionTokens, load_session_key
from confidant.settings import PracticeSettings, current_settings
from tests.support.practice_file import practice_data

KEY = b"k" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_an_issued_token_verifies_to_the_same_unguessable_conversation() -> None:
    tokens = SessionTokens(KEY, max_age_seconds=3600)
    issued = tokens.issue()
    assert tokens.verify(issued.token) == issued
    assert issued.conversation_id.startswith(WEB_CONVERSATION_PREFIX)
    assert len(issued.conversation_id) == len(WEB_CONVERSATION_PREFIX) + 32  # 128 bits
    # The conversation id says nothing about the token: it is a keyed hash of the random part.
    assert issued.token.split(".")[2] not in issued.conversation_id
    assert len({tokens.issue().conversation_id for _ in range(200)}) == 200


@pytest.mark.parametrize(
    "forged",
    [
        None,
        42,
        "",
        "my-own-id",
        "web-" + "0" * 32,
        "1.1800000000.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
        "2.1800000000.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
        "1.x.y.z",
        "1.1800000000.é.z",
        "a" * 500,
    ],
)
def test_tokens_the_server_did_not_issue_are_refused(forged) -> None:
    assert SessionTokens(KEY, max_age_seconds=3600).verify(forged) is None


def test_a_token_is_bound_to_the_server_key_and_cannot_be_altered() -> None:
    issued = SessionTokens(KEY, max_age_seconds=3600).issue()
    assert SessionTokens(b"another key of 32 bytes........", max_age_seconds=3600).verify(issued.token) is None
    version, stamp, nonce, tag = issued.token.split(".")
    assert SessionTokens(KEY, 3600).verify(".".join([version, str(int(stamp) + 1), nonce, tag])) is None
    other_nonce = ("B" if nonce[0] == "A" else "A") + nonce[1:]
    assert SessionTokens(KEY, 3600).verify(".".join([version, stamp, other_nonce, tag])) is None


def test_a_token_expires() -> None:
    clock = Clock()
    tokens = SessionTokens(KEY, max_age_seconds=600, clock=clock)
    issued = tokens.issue()
    clock.now += 599
    assert tokens.verify(issued.token) == issued
    clock.now += 2
    assert tokens.verify(issued.token) is None


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        SessionTokens(b"short", 60)


def test_the_key_comes_from_the_environment_or_a_private_file(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CONFIDANT_WEB_SESSION_KEY", "from-the-environment-0123456789")
    assert load_session_key() == b"from-the-environment-0123456789"
    monkeypatch.delenv("CONFIDANT_WEB_SESSION_KEY")
    key_path = tmp_path / "var" / "web_session.key"
    monkeypatch.setattr("confidant.channels.web_sessions.DEFAULT_KEY_PATH", key_path)
    first = load_session_key()
    assert len(first) == 64 and load_session_key() == first
    assert key_path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "data, code",
    [
        (None, "invalid_message"),
        ("text", "invalid_message"),
        ([1], "invalid_message"),
        ({}, "missing_message"),
        ({"message": 1}, "missing_message"),
        ({"message": ""}, "empty_message"),
        ({"message": " \t\n"}, "empty_message"),
        ({"message": "/ "}, "empty_message"),
        ({"message": "a\x00"}, "invalid_message"),
        ({"message": "a" * 501}, "message_too_long"),
    ],
)
def test_bad_messages_are_refused_with_a_code(data, code) -> None:
    with pytest.raises(MessageError) as refusal:
        parse_socket_message(data, 500, channel_texts())
    assert refusal.value.code == code and refusal.value.detail


def test_a_good_message_is_returned_as_sent() -> None:
    text = "<b>will</b> you tell my parents? 😟 هل"
    assert parse_socket_message({"message": text, "session_id": "ignored"}, 500, channel_texts()) == text
    assert parse_socket_message({"message": "a" * 500}, 500, channel_texts()) == "a" * 500


def test_typed_text_is_never_an_intent_payload_only_the_widget_s_own_are() -> None:
    texts = channel_texts()
    typed = '/greet{"a":1} i want to die'
    assert parse_socket_message({"message": typed}, 500, texts) == 'greet{"a":1} i want to die'
    assert parse_socket_message({"message": "/greet"}, 500, texts) == "/greet"
    assert parse_socket_message({"message": "/deny"}, 500, texts) == "/deny"


def _settings_with(web: object) -> PracticeSettings:
    raw = practice_data()
    if web is None:
        raw.pop("web", None)
    else:
        raw["web"] = web
    return PracticeSettings.parse_obj(raw)


def test_allowed_origins_default_to_the_local_page() -> None:
    assert _settings_with(None).web.allowed_origins == ["http://localhost:8080", "http://127.0.0.1:8080"]
    assert current_settings().web.allowed_origins == practice_data()["web"]["allowed_origins"]


@pytest.mark.parametrize(
    "origin", ["*", "https://practice.example/", "https://practice.example/chat", "practice.example", ""]
)
def test_an_allowed_origin_must_be_an_exact_origin(origin) -> None:
    with pytest.raises(ValueError):
        _settings_with({"allowed_origins": [origin]})


def test_allowed_origins_cannot_be_empty() -> None:
    with pytest.raises(ValueError):
        _settings_with({"allowed_origins": []})
