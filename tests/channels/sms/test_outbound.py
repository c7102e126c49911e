"""Sending through the real Twilio client to a stand-in: retries with back-off, bounded, classified."""

from __future__ import annotations

import asyncio
import logging
from typing import List

import pytest

from confidant.channels.sms.outbound import (
    API_BASE_ENV_VAR,
    RetryPolicy,
    SmsOutputChannel,
    TwilioSender,
    make_twilio_client,
)
from confidant.settings import current_settings
from tests.channels.conftest import ACCOUNT_SID, AUTH_TOKEN, TWILIO_NUMBER

PHONE = "+14155550142"


def sender_for(twilio, attempts: int = 4, delays: List[float] = None) -> TwilioSender:
    async def record_sleep(seconds: float) -> None:
        if delays is not None:
            delays.append(seconds)

    return TwilioSender(
        lambda: make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, twilio.url),
        TWILIO_NUMBER,
        RetryPolicy(attempts=attempts, base_delay=1.0, max_delay=4.0),
        sleep=record_sleep,
    )


def test_a_message_goes_to_the_stand_in_through_the_twilio_client(twilio) -> None:
    result = asyncio.run(sender_for(twilio).send(PHONE, "Take care. שלום 👋"))
    assert result.ok and result.attempts == 1 and result.message_sid.startswith("SM")
    [sent] = twilio.sent
    assert (sent.to, sent.from_, sent.body) == (PHONE, TWILIO_NUMBER, "Take care. שלום 👋")


@pytest.mark.parametrize("failure", [(500, 20500), (429, 20429), (503, 20503)])
def test_a_transient_failure_is_retried_with_doubling_delays(twilio, failure) -> None:
    twilio.fail_next.extend([failure, failure])
    delays: List[float] = []
    result = asyncio.run(sender_for(twilio, delays=delays).send(PHONE, "hello"))
    assert result.ok and result.attempts == 3
    assert len(twilio.attempts) == 3 and len(twilio.sent) == 1
    assert len(delays) == 2 and 0.75 <= delays[0] <= 1.0 and 1.5 <= delays[1] <= 2.0


def test_retries_are_bounded_and_the_failure_is_reported(twilio) -> None:
    twilio.fail_to[PHONE] = (429, 20429)
    delays: List[float] = []
    result = asyncio.run(sender_for(twilio, attempts=5, delays=delays).send(PHONE, "hello"))
    assert not result.ok and result.attempts == 5 and result.error == "http_429"
    assert len(twilio.attempts) == 5 and not twilio.sent
    assert max(delays) <= 4.0  # capped


def test_a_permanent_error_is_not_retried(twilio) -> None:
    twilio.fail_next.append((400, 21211))  # invalid 'To' number
    result = asyncio.run(sender_for(twilio).send(PHONE, "hello"))
    assert not result.ok and result.attempts == 1 and result.error == "twilio_21211"


def test_twilio_s_unsubscribed_error_means_opted_out(twilio) -> None:
    twilio.fail_next.append((400, 21610))
    result = asyncio.run(sender_for(twilio).send(PHONE, "hello"))
    assert not result.ok and result.opted_out and result.error == "twilio_21610" and result.attempts == 1


def test_a_network_error_is_retried(twilio) -> None:
    twilio.stop()
    result = asyncio.run(sender_for(twilio, attempts=2).send(PHONE, "hello"))
    assert not result.ok and result.attempts == 2 and result.error == "ConnectionError"


def test_a_retry_stops_when_the_number_opts_out_meanwhile(twilio) -> None:
    twilio.fail_to[PHONE] = (500, 20500)
    wanted = iter([True, False])
    result = asyncio.run(sender_for(twilio).send(PHONE, "hello", still_wanted=lambda: next(wanted)))
    assert result.opted_out and result.error == "opted_out" and len(twilio.attempts) == 1


def test_no_phone_number_or_text_is_logged_when_sends_fail(twilio, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    twilio.fail_to[PHONE] = (500, 20500)
    asyncio.run(sender_for(twilio, attempts=2).send(PHONE, "my secret words"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "4155550142" not in logged and "secret words" not in logged


def test_the_api_base_comes_from_the_environment_when_not_given(twilio, monkeypatch) -> None:
    monkeypatch.setenv(API_BASE_ENV_VAR, twilio.url)
    monkeypatch.setenv("TWILIO_REGION", "au1")  # would otherwise rewrite the host
    client = make_twilio_client(ACCOUNT_SID, AUTH_TOKEN)
    client.api.v2010.account.messages.create(to=PHONE, from_=TWILIO_NUMBER, body="hi")
    assert [message.body for message in twilio.sent] == ["hi"]


def test_without_an_override_the_client_talks_to_twilio(monkeypatch) -> None:
    monkeypatch.delenv(API_BASE_ENV_VAR, raising=False)
    assert make_twilio_client(ACCOUNT_SID, AUTH_TOKEN).api.base_url == "https://api.twilio.com"


def test_the_output_channel_is_named_sms_and_renders_each_message() -> None:
    delivered = []
    output = SmsOutputChannel(delivered.append)
    assert output.name() == "sms"
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    asyncio.run(output.send_response("sms-x", {"text": "Shall we?", "buttons": buttons, "utter_action": "utter_q"}))
    asyncio.run(output.send_response("sms-x", {"text": "", "image": "https://x.example/a.png"}))
    [reply] = delivered
    assert reply.parts == ['Shall we? Reply 1 for "Yes" or 2 for "No".'] and reply.response == "utter_q"
    assert output.offered_buttons == buttons


def test_a_crisis_card_is_not_sent_by_sms_only_its_text(caplog) -> None:
    caplog.set_level(logging.WARNING)
    delivered = []
    output = SmsOutputChannel(delivered.append)
    card = current_settings().crisis.crisis_card("self_at_risk")
    asyncio.run(output.send_response("sms-x", {"text": "Call or text 988.", "custom": card, "utter_action": "utter_x"}))
    asyncio.run(output.send_response("sms-x", {"text": "", "custom": card}))
    # Rasa's default for custom payloads would text the JSON; the SMS channel ignores them.
    asyncio.run(output.send_custom_json("sms-x", card))
    [reply] = delivered
    assert reply.parts == ["Call or text 988."]
    assert not any("crisis_card" in part or "{" in part for part in reply.parts)
    assert not caplog.records  # expected on crisis replies: no warning each time
