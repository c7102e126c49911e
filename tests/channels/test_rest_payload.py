"""What the REST channel accepts, checked without a server (the e2e tests check it live)."""

from __future__ import annotations

import json

import pytest

from confidant.channels.rest import PayloadError, parse_rest_payload

LIMIT = 20000


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_a_normal_message_is_accepted() -> None:
    payload = parse_rest_payload(body(sender="crm-1", message="will you tell my parents?"), LIMIT)
    assert (payload.sender, payload.text) == ("crm-1", "will you tell my parents?")


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"", "empty_body"),
        (b"{not json", "invalid_json"),
        (b"[1, 2]", "invalid_json"),
        (b"\xff\xfe\x00bad", "not_utf8"),
        (body(message="hi"), "missing_sender"),
        (body(sender="", message="hi"), "missing_sender"),
        (body(sender=42, message="hi"), "missing_sender"),
        (body(sender="../../etc", message="hi"), "invalid_sender"),
        (body(sender="a" * 129, message="hi"), "invalid_sender"),
        (body(sender="crm-1"), "missing_message"),
        (body(sender="crm-1", message=None), "missing_message"),
        (body(sender="crm-1", message="   "), "empty_message"),
        (body(sender="crm-1", message=" / /"), "empty_message"),
        (body(sender="crm-1", message="a\x00b"), "invalid_message"),
    ],
)
def test_bad_requests_get_a_clear_400(raw: bytes, code: str) -> None:
    with pytest.raises(PayloadError) as refusal:
        parse_rest_payload(raw, LIMIT)
    assert (refusal.value.status, refusal.value.code) == (400, code)


def test_a_huge_message_gets_413_with_the_limit() -> None:
    with pytest.raises(PayloadError) as refusal:
        parse_rest_payload(body(sender="crm-1", message="x" * (LIMIT + 1)), LIMIT)
    assert refusal.value.status == 413 and str(LIMIT) in refusal.value.detail


def test_a_message_at_the_limit_with_emoji_and_rtl_text_is_accepted() -> None:
    text = ("שלום 👋 " * 4000)[:LIMIT]
    assert parse_rest_payload(body(sender="crm-1", message=text), LIMIT).text == text


def test_typed_text_never_reaches_rasa_as_an_intent_payload() -> None:
    typed = parse_rest_payload(body(sender="x-1", message='/greet{"a":1} i want to die'), LIMIT)
    assert typed.text == 'greet{"a":1} i want to die'
    assert parse_rest_payload(body(sender="x-1", message="/affirm"), LIMIT).text == "/affirm"


@pytest.mark.parametrize("sender", ["web-0123", "sms-0123", "WEB-0123", "sMs-x"])
def test_another_channel_s_conversation_ids_get_403(sender: str) -> None:
    with pytest.raises(PayloadError) as refusal:
        parse_rest_payload(body(sender=sender, message="hi"), LIMIT)
    assert (refusal.value.status, refusal.value.code) == (403, "other_channel_sender")


def test_ids_that_merely_contain_a_prefix_are_accepted() -> None:
    assert parse_rest_payload(body(sender="crm-web-1", message="hi"), LIMIT).sender == "crm-web-1"
