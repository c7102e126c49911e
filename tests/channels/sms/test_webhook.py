"""The SMS webhook on a real Sanic server, with a scripted agent and the Twilio stand-in.

What reaches Rasa (and what never does), what Twilio gets back at once, what is sent after,
keywords, duplicates, bad input, failed sends recorded in the conversation. The trained model
is exercised end to end in test_e2e.py.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from confidant.channels.sms.channel import SmsInput
from confidant.channels.sms.config import SmsConfig, SmsConfigurationError
from confidant.settings import current_settings
from tests.channels.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PSEUDONYM_KEY,
    PUBLIC_URL,
    TWILIO_NUMBER,
    FakeAgent,
    make_channel,
    serving,
    sign,
    twilio_form,
)

PHONE = "+14155550142"
DIGITS = "4155550142"
YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def answer(text: str, **extra: object) -> dict:
    return {"text": text, "utter_action": "utter_test", **extra}


def echo(text: str) -> list:
    return [answer(f"You said: {text}")]


def run(scenario, tmp_path: Path, twilio, script=echo, attempts: int = 3, contact_key: bytes = None):
    """Run `scenario(client)` against a served channel; return what it returns."""
    key = contact_key or Fernet.generate_key()

    async def main():
        channel = make_channel(tmp_path / "sms.sqlite3", twilio.url, key, attempts=attempts)
        async with serving(channel, FakeAgent(script)) as client:
            return await scenario(client)

    return asyncio.run(main())


async def settle(client) -> None:
    await client.channel.drain(10)


def test_a_signed_message_is_answered_at_once_and_the_reply_is_sent_after(tmp_path, twilio) -> None:
    def slow(text):
        return [2.0, answer("Thanks for waiting.")]

    async def scenario(client):
        started = time.monotonic()
        status, body = await client.post(twilio_form(PHONE, "will you tell my parents?"))
        took = time.monotonic() - started
        assert not twilio.sent  # the turn has not finished: the answer did not wait for it
        await settle(client)
        return status, body, took, client.agent.received, client.pseudonym(PHONE)

    status, body, took, received, pseudonym = run(scenario, tmp_path, twilio, script=slow)
    assert status == 200 and body == EMPTY_TWIML and took < 1.5
    assert twilio.to(PHONE) == ["Thanks for waiting."]
    [message] = received
    assert message.sender_id == pseudonym and message.input_channel == "sms"
    assert message.text == "will you tell my parents?"
    assert DIGITS not in repr(vars(message))


def test_one_slow_conversation_does_not_hold_up_another(tmp_path, twilio) -> None:
    other = "+14155550177"

    def script(text):
        return [3.0, answer("slow")] if text == "slow" else [answer("fast")]

    async def scenario(client):
        await client.post(twilio_form(PHONE, "slow"))
        await client.post(twilio_form(other, "fast"))
        deadline = time.monotonic() + 2
        while not twilio.to(other) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        fast_first = twilio.to(other) == ["fast"] and not twilio.to(PHONE)
        await settle(client)
        return fast_first

    assert run(scenario, tmp_path, twilio, script=script)
    assert twilio.to(PHONE) == ["slow"]


@pytest.mark.parametrize(
    "case",
    ["unsigned", "forged", "signed_for_the_local_url", "signed_with_another_token", "another_account"],
)
def test_forged_or_unsigned_requests_get_403_and_nothing_reaches_rasa(tmp_path, twilio, case) -> None:
    form = twilio_form(PHONE, "hello")
    url = PUBLIC_URL + "/webhooks/sms/webhook"
    signature = {
        "unsigned": "",
        "forged": "bm90IGEgc2lnbmF0dXJl",
        "signed_for_the_local_url": None,
        "signed_with_another_token": sign(url, form, auth_token="another-token"),
        "another_account": None,
    }[case]
    if case == "another_account":
        form["AccountSid"] = "AC" + "f" * 32

    async def scenario(client):
        if case == "signed_for_the_local_url":
            local = sign(client.url + "/webhooks/sms/webhook", form)
            status, body = await client.post(form, signature=local)
        else:
            status, body = await client.post(form, signature=signature)
        await settle(client)
        # The MessageSid was not spent: the genuine request with it is still handled.
        genuine = dict(form, AccountSid=ACCOUNT_SID)
        await client.post(genuine)
        await settle(client)
        return status, body, [m.text for m in client.agent.received]

    status, body, received = run(scenario, tmp_path, twilio)
    assert status == 403 and "<Response" not in body
    assert received == ["hello"]  # only the genuine one


def test_a_numbered_reply_sends_the_offered_button_s_payload(tmp_path, twilio) -> None:
    def script(text):
        if text == "i need someone":
            return [answer("Would you like a call back?", buttons=YES_NO)]
        return [answer(f"got {text}")]

    async def scenario(client):
        await client.post(twilio_form(PHONE, "i need someone"))
        await settle(client)
        await client.post(twilio_form(PHONE, "2"))
        await settle(client)
        await client.post(twilio_form(PHONE, "2"))  # no buttons offered any more: just text
        await settle(client)
        return [m.text for m in client.agent.received]

    received = run(scenario, tmp_path, twilio, script=script)
    assert received == ["i need someone", "/deny", "2"]
    # Even a reply that echoes the payload shows no "/deny" on the phone.
    assert twilio.to(PHONE) == ['Would you like a call back? Reply 1 for "Yes" or 2 for "No".', "got", "got 2"]


def test_a_typed_intent_payload_is_read_as_words(tmp_path, twilio) -> None:
    async def scenario(client):
        await client.post(twilio_form(PHONE, "/risk_self_harm"))
        await settle(client)
        return [m.text for m in client.agent.received]

    assert run(scenario, tmp_path, twilio) == ["risk_self_harm"]


def test_no_typed_text_reaches_rasa_starting_with_a_slash(tmp_path, twilio) -> None:
    # Rasa strips whitespace before it looks for "/": a slash, a space, then a payload was one.
    async def scenario(client):
        await client.post(twilio_form(PHONE, ' / /greet{"a":1} i want to die'))
        await client.post(twilio_form(PHONE, "/affirm"))
        await settle(client)
        return [m.text for m in client.agent.received]

    assert run(scenario, tmp_path, twilio) == ['greet{"a":1} i want to die', "affirm"]


def test_a_lone_slash_is_not_sent_to_rasa(tmp_path, twilio) -> None:
    async def scenario(client):
        status, body = await client.post(twilio_form(PHONE, " / "))
        await settle(client)
        return status, body, [m.text for m in client.agent.received]

    status, body, received = run(scenario, tmp_path, twilio)
    assert status == 200 and received == [] and "please type your question" in body


def test_stop_opts_out_before_rasa_and_nothing_more_is_sent(tmp_path, twilio) -> None:
    async def scenario(client):
        pseudonym = client.pseudonym(PHONE)
        stop = await client.post(twilio_form(PHONE, "Stop"))
        # A later message is still screened by Rasa (a risk message still reaches the practice)...
        await client.post(twilio_form(PHONE, "i want to kill myself"))
        await settle(client)
        events = await client.agent.events(pseudonym)
        help_reply = await client.post(twilio_form(PHONE, "HELP"))
        start = await client.post(twilio_form(PHONE, "START"))
        await client.post(twilio_form(PHONE, "hello again"))
        await settle(client)
        return stop, help_reply, start, [m.text for m in client.agent.received], events

    stop, help_reply, start, received, events = run(scenario, tmp_path, twilio)
    assert stop == (200, EMPTY_TWIML)  # Twilio itself confirms the opt-out
    assert received == ["i want to kill myself", "hello again"]  # STOP/HELP/START never reach Rasa
    # ...but its reply is held back, and that is recorded in the conversation.
    assert twilio.to(PHONE) == ["You said: hello again"]
    [held] = [e["metadata"]["sms_delivery"] for e in events if e["event"] == "bot" and "sms_delivery" in e["metadata"]]
    assert held["status"] == "suppressed" and held["reason"] == "opted_out" and held["response"] == "utter_test"
    assert help_reply == (200, EMPTY_TWIML)  # opted out: Twilio would block it anyway
    assert start == (200, EMPTY_TWIML)


def test_help_returns_the_practice_s_contact_line(tmp_path, twilio) -> None:
    settings = current_settings()

    async def scenario(client):
        return await client.post(twilio_form(PHONE, "help")), client.agent.received

    (status, body), received = run(scenario, tmp_path, twilio)
    assert status == 200 and received == []
    assert settings.practice.name in body and settings.practice.phone in body and settings.practice.website in body


def test_yes_opts_back_in_only_an_opted_out_number(tmp_path, twilio) -> None:
    async def scenario(client):
        await client.post(twilio_form(PHONE, "yes"))
        await client.post(twilio_form(PHONE, "QUIT"))
        await client.post(twilio_form(PHONE, "Yes"))
        await client.post(twilio_form(PHONE, "yes"))
        await settle(client)
        return [m.text for m in client.agent.received]

    assert run(scenario, tmp_path, twilio) == ["yes", "yes"]
    assert twilio.to(PHONE) == ["You said: yes", "You said: yes"]


def test_a_reply_in_flight_is_not_sent_after_stop(tmp_path, twilio) -> None:
    def script(text):
        return [answer("first part of the answer"), 1.0, answer("second part of the answer")]

    async def scenario(client):
        await client.post(twilio_form(PHONE, "tell me everything"))
        deadline = time.monotonic() + 3
        while not twilio.to(PHONE) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await client.post(twilio_form(PHONE, "STOP"))
        await settle(client)
        return await client.agent.events(client.pseudonym(PHONE))

    events = run(scenario, tmp_path, twilio, script=script)
    assert twilio.to(PHONE) == ["first part of the answer"]
    held = [e["metadata"]["sms_delivery"] for e in events if e["event"] == "bot" and "sms_delivery" in e["metadata"]]
    assert [h["reason"] for h in held] == ["opted_out"]


def test_twilio_s_21610_records_the_opt_out(tmp_path, twilio) -> None:
    twilio.fail_next.append((400, 21610))

    async def scenario(client):
        await client.post(twilio_form(PHONE, "hello"))
        await settle(client)
        return client.channel.store.is_opted_out(client.pseudonym(PHONE))

    assert run(scenario, tmp_path, twilio) is True
    assert len(twilio.attempts) == 1


def test_a_message_sid_seen_twice_is_processed_once_even_after_a_restart(tmp_path, twilio) -> None:
    key = Fernet.generate_key()
    form = twilio_form(PHONE, "hello")

    async def twice(client):
        first = await client.post(form)
        again = await client.post(form)
        await settle(client)
        return first, again

    async def after_restart(client):
        replayed = await client.post(form)
        await settle(client)
        return replayed, len(client.agent.received)

    first, again = run(twice, tmp_path, twilio, contact_key=key)
    replayed, received_after_restart = run(after_restart, tmp_path, twilio, contact_key=key)
    assert first == again == replayed == (200, EMPTY_TWIML)
    assert twilio.to(PHONE) == ["You said: hello"]
    assert received_after_restart == 0


@pytest.mark.parametrize(
    "change, status",
    [
        ({"From": ""}, 400),
        ({"MessageSid": "", "SmsMessageSid": ""}, 400),
    ],
)
def test_signed_requests_missing_a_field_get_a_clear_400(tmp_path, twilio, change, status) -> None:
    form = twilio_form(PHONE, "hello")
    form.update(change)

    async def scenario(client):
        result = await client.post(form)
        return result, client.agent.received

    (got, body), received = run(scenario, tmp_path, twilio)
    assert got == status and received == [] and '"error"' in body


def test_a_request_without_a_body_field_gets_400(tmp_path, twilio) -> None:
    form = twilio_form(PHONE, "x")
    del form["Body"]

    async def scenario(client):
        return await client.post(form)

    status, body = run(scenario, tmp_path, twilio)
    assert status == 400 and "missing_body" in body


def test_non_utf8_bodies_get_400(tmp_path, twilio) -> None:
    async def scenario(client):
        return await client.post({}, body=b"Body=\xff\xfe&From=%2B14155550142", signature="c2lnbmF0dXJl")

    status, body = run(scenario, tmp_path, twilio)
    assert status == 400 and "invalid_form" in body


@pytest.mark.parametrize("body, media", [("", "0"), ("   ", "0"), ("", "1")])
def test_an_empty_text_or_a_picture_gets_a_sensible_reply_not_rasa(tmp_path, twilio, body, media) -> None:
    async def scenario(client):
        return await client.post(twilio_form(PHONE, body, NumMedia=media)), client.agent.received

    (status, twiml_body), received = run(scenario, tmp_path, twilio)
    assert status == 200 and "only read text" in twiml_body and received == []


def test_a_huge_message_gets_a_reply_with_the_limit_and_crisis_line(tmp_path, twilio) -> None:
    limit = current_settings().assistant.max_message_chars

    async def scenario(client):
        return await client.post(twilio_form(PHONE, "a" * (limit + 1))), client.agent.received

    (status, body), received = run(scenario, tmp_path, twilio)
    assert status == 200 and str(limit) in body and current_settings().crisis.emergency_number in body
    assert received == []


def test_emoji_and_rtl_text_reach_rasa_unchanged(tmp_path, twilio) -> None:
    text = "هل ستخبر والديّ؟ 😟 שלום"

    async def scenario(client):
        await client.post(twilio_form(PHONE, text))
        await settle(client)
        return [m.text for m in client.agent.received]

    assert run(scenario, tmp_path, twilio) == [text]
    assert twilio.to(PHONE) == [f"You said: {text}"]


def test_while_rasa_is_not_ready_twilio_is_sent_to_the_fallback(tmp_path, twilio) -> None:
    form = twilio_form(PHONE, "hello")

    async def scenario(client):
        client.agent.ready = False
        not_ready = await client.post(form)
        help_reply = await client.post(twilio_form(PHONE, "HELP"))  # keywords need no Rasa
        client.agent.ready = True
        retried = await client.post(form)  # the MessageSid was not spent on the refused attempt
        await settle(client)
        return not_ready[0], help_reply[0], retried[0]

    assert run(scenario, tmp_path, twilio) == (503, 200, 200)
    assert twilio.to(PHONE) == ["You said: hello"]


def test_a_failed_send_is_retried_then_recorded_in_the_conversation_without_text(tmp_path, twilio, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    twilio.fail_to[PHONE] = (500, 20500)

    def script(text):
        return [answer("a private answer about your parents")]

    async def scenario(client):
        await client.post(twilio_form(PHONE, "will you tell my parents?"))
        await settle(client)
        return await client.agent.events(client.pseudonym(PHONE))

    events = run(scenario, tmp_path, twilio, script=script, attempts=3)
    assert len(twilio.attempts) == 3 and not twilio.sent
    [record] = [e for e in events if e["event"] == "bot" and "sms_delivery" in (e.get("metadata") or {})]
    assert record["text"] is None
    assert record["metadata"]["sms_delivery"] == {
        "status": "failed",
        "reason": "http_500",
        "response": "utter_test",
        "parts_sent": 0,
        "parts": 1,
        "attempts": 3,
    }
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "SMS reply not delivered" in logged and "http_500" in logged
    assert DIGITS not in logged and "private answer" not in logged and "parents" not in logged


def test_a_429_then_success_is_delivered_once(tmp_path, twilio) -> None:
    twilio.fail_next.extend([(429, 20429), (429, 20429)])

    async def scenario(client):
        await client.post(twilio_form(PHONE, "hello"))
        await settle(client)
        return await client.agent.events(client.pseudonym(PHONE))

    events = run(scenario, tmp_path, twilio)
    assert twilio.to(PHONE) == ["You said: hello"] and len(twilio.attempts) == 3
    assert not [e for e in events if "sms_delivery" in (e.get("metadata") or {})]


def test_long_replies_arrive_as_numbered_parts_in_order(tmp_path, twilio) -> None:
    long_text = " ".join(f"Sentence number {n} is here to make this reply long enough." for n in range(12))

    async def scenario(client):
        await client.post(twilio_form(PHONE, "tell me"))
        await client.post(twilio_form(PHONE, "and then?"))
        await settle(client)

    run(scenario, tmp_path, twilio, script=lambda text: [answer(long_text), answer(f"after {text}")])
    sent = twilio.to(PHONE)
    numbered = [part for part in sent if part.startswith("(")]
    assert all(len(part) <= 300 for part in sent)
    total = len(numbered) // 2
    assert total >= 3 and [re.match(r"\((\d+)/", p).group(1) for p in numbered[:total]] == [
        str(n) for n in range(1, total + 1)
    ]
    assert sent[total] == "after tell me" and sent[-1] == "after and then?"


def test_a_turn_that_fails_before_saying_anything_still_gets_the_crisis_lines(tmp_path, twilio, caplog) -> None:
    async def scenario(client):
        await client.post(twilio_form(PHONE, "i feel awful"))
        await settle(client)

    run(scenario, tmp_path, twilio, script=lambda text: [RuntimeError(f"boom {text}")])
    [reply] = twilio.to(PHONE)
    assert current_settings().crisis.emergency_number in reply and current_settings().practice.phone in reply
    assert "awful" not in "\n".join(r.getMessage() for r in caplog.records)


def test_the_fallback_route_answers_signed_requests_with_static_crisis_twiml(tmp_path, twilio) -> None:
    settings = current_settings()
    form = twilio_form(PHONE, "hello", ErrorCode="11200", ErrorUrl=PUBLIC_URL + "/webhooks/sms/webhook")

    async def scenario(client):
        signed = await client.post(form, path="/webhooks/sms/fallback")
        unsigned = await client.post(form, path="/webhooks/sms/fallback", signature="")
        return signed, unsigned, client.agent.received

    (status, body), (unsigned_status, _), received = run(scenario, tmp_path, twilio)
    assert status == 200 and "<Message>" in body
    assert settings.crisis.emergency_number in body and settings.practice.phone in body
    assert settings.crisis_line in body and unsigned_status == 403 and received == []


def test_the_phone_number_is_nowhere_in_the_channel_s_store_or_the_conversation(tmp_path, twilio) -> None:
    async def scenario(client):
        await client.post(twilio_form(PHONE, "hello"))
        await settle(client)
        return await client.agent.events(client.pseudonym(PHONE))

    events = run(scenario, tmp_path, twilio)
    assert DIGITS not in repr(events)
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("sms.sqlite3*"))
    assert DIGITS.encode() not in raw


# ---- configuration -------------------------------------------------------------------------------

GOOD = {
    "account_sid": ACCOUNT_SID,
    "auth_token": AUTH_TOKEN,
    "twilio_number": TWILIO_NUMBER,
    "public_url": PUBLIC_URL + "/",
}


def test_credentials_are_read_and_normalised() -> None:
    config = SmsConfig.from_credentials(dict(GOOD, send_attempts=2, retry_base_delay=0.5))
    assert config.public_url == PUBLIC_URL and config.retry.attempts == 2 and config.retry.base_delay == 0.5


@pytest.mark.parametrize(
    "key, env_var",
    [
        ("account_sid", "TWILIO_ACCOUNT_SID"),
        ("auth_token", "TWILIO_AUTH_TOKEN"),
        ("twilio_number", "TWILIO_NUMBER"),
        ("public_url", "CONFIDANT_SMS_PUBLIC_URL"),
    ],
)
def test_a_missing_or_unexpanded_credential_stops_start_up_naming_the_variable(key, env_var) -> None:
    for value in (None, "", "${" + env_var + "}"):
        credentials = dict(GOOD)
        if value is None:
            del credentials[key]
        else:
            credentials[key] = value
        with pytest.raises(SmsConfigurationError, match=env_var):
            SmsConfig.from_credentials(credentials)


@pytest.mark.parametrize(
    "change",
    [
        {"account_sid": "ACnope"},
        {"twilio_number": "555-0100"},
        {"public_url": "sms.example.org"},
        {"send_attempts": 50},
    ],
)
def test_malformed_credentials_stop_start_up(change) -> None:
    with pytest.raises(SmsConfigurationError):
        SmsConfig.from_credentials(dict(GOOD, **change))


def test_no_credentials_at_all_names_every_variable() -> None:
    with pytest.raises(SmsConfigurationError, match="TWILIO_ACCOUNT_SID"):
        SmsInput.from_credentials(None)


def test_the_pseudonym_key_is_required(monkeypatch) -> None:
    monkeypatch.delenv("CONFIDANT_SMS_PSEUDONYM_KEY", raising=False)
    with pytest.raises(SmsConfigurationError, match="CONFIDANT_SMS_PSEUDONYM_KEY"):
        SmsInput.from_credentials(GOOD)


def test_from_credentials_builds_a_working_channel(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CONFIDANT_SMS_PSEUDONYM_KEY", PSEUDONYM_KEY)
    monkeypatch.setenv("CONFIDANT_SMS_STORE_PATH", str(tmp_path / "sms.sqlite3"))
    monkeypatch.setenv("CONFIDANT_CONTACT_KEY", Fernet.generate_key().decode())
    channel = SmsInput.from_credentials(GOOD)
    assert channel.name() == "sms" and channel.url_prefix() == "sms"
    assert channel.pseudonym(PHONE).startswith("sms-")
    assert (tmp_path / "sms.sqlite3").exists()
    channel.sender.close()
