"""Each kind of writer, over each channel, gets the first message written for them.

One real Rasa (trained model, action server) with every channel (the `sms_server` fixture): a
message per writer kind arrives by SMS (Twilio-signed), from the web chat (socket.io, as the
widget) and over REST. The first reply must be that writer's response in the channel's
variant, with the line practice.yml names first for that situation, and no line meant for
another kind of writer. The messages are those of the Rasa test stories.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from confidant.settings import current_settings
from confidant.vocabulary import RISK_INTENT_LIST, RiskIntent
from tests.channels.conftest import new_phone, twilio_form
from tests.channels.sms.test_e2e import texts_for
from tests.channels.test_all_channels import rest_reply
from tests.support.receivers import wait_until
from tests.support.socketio_client import ChatClient
from tests.support.writer_kinds import first_line, first_reply, spanish_reply, writer_messages

WRITERS = writer_messages()


def assert_first_reply_is_for(intent: RiskIntent, reply: str, channel: str) -> None:
    settings = current_settings()
    assert reply == first_reply(intent, channel, settings), f"{intent.name} on {channel}: {reply!r}"
    assert first_line(intent, settings) in reply
    for other in RISK_INTENT_LIST:
        if first_line(other, settings) != first_line(intent, settings):
            assert first_line(other, settings) not in reply, f"{intent.name} got {other.writer}'s line"


@pytest.mark.parametrize("intent, message", WRITERS, ids=[intent.writer for intent, _ in WRITERS])
def test_by_sms(sms_server, sms_twilio, intent: RiskIntent, message: str) -> None:
    phone = new_phone()
    status, _ = sms_server.post(twilio_form(phone, message))
    assert status == 200
    first = wait_until(lambda: (texts_for(sms_twilio, phone) or [None])[0], timeout=60)
    assert_first_reply_is_for(intent, first, "sms")
    assert len(first) <= 300


@pytest.mark.parametrize("intent, message", WRITERS, ids=[intent.writer for intent, _ in WRITERS])
def test_over_rest(sms_server, intent: RiskIntent, message: str) -> None:
    replies = rest_reply(sms_server.url, "rest-" + uuid.uuid4().hex, message)
    first = next(reply["text"] for reply in replies if reply.get("text"))
    assert_first_reply_is_for(intent, first, "rest")


@pytest.mark.parametrize("intent, message", WRITERS, ids=[intent.writer for intent, _ in WRITERS])
def test_in_the_web_chat(sms_server, intent: RiskIntent, message: str) -> None:
    async def conversation() -> list:
        client = ChatClient(sms_server.url)
        await client.connect()
        try:
            await client.start_session()
            await client.say("/greet")
            start = len(client.received)
            await client.say(message)
            return [data for name, data in client.received[start:] if name == "bot_uttered"]
        finally:
            await client.close()

    messages = asyncio.run(conversation())
    first = next(message["text"] for message in messages if message.get("text"))
    assert_first_reply_is_for(intent, first, "socketio")
    # On the web the numbers also come as a card with buttons, for this writer's situation.
    cards = [message["crisis_card"] for message in messages if "crisis_card" in message]
    situation = "self_at_risk" if intent.writer == "spanish" else intent.writer
    assert [card["situation"] for card in cards] == [situation]


# Spanish messages the Spanish phrases (data/risk/spanish.yml) put under each category but self-harm
# (the test stories' Spanish message is self-harm), with the kind of writer whose Spanish line
# the reply must name.
SPANISH_BY_CATEGORY = [
    ("abuse", "mi esposo me pega y tengo miedo de volver a la casa esta noche", "adult_victim_ipv"),
    ("harm_others", "estoy tan enojado con mi vecino que lo voy a matar cuando llegue", "harming_others"),
]


@pytest.mark.parametrize("category, message, situation", SPANISH_BY_CATEGORY, ids=[c for c, *_ in SPANISH_BY_CATEGORY])
def test_a_spanish_message_gets_the_spanish_reply_for_its_category(
    sms_server, sms_twilio, category: str, message: str, situation: str
) -> None:
    settings = current_settings()
    spanish_line = settings.response_variables()[f"first_line_spanish_{situation}"]
    replies = rest_reply(sms_server.url, "rest-" + uuid.uuid4().hex, message)
    first = next(reply["text"] for reply in replies if reply.get("text"))
    assert first == spanish_reply(category, "rest", settings)
    assert spanish_line in first
    phone = new_phone()
    status, _ = sms_server.post(twilio_form(phone, message))
    assert status == 200
    text = wait_until(lambda: (texts_for(sms_twilio, phone) or [None])[0], timeout=60)
    assert text == spanish_reply(category, "sms", settings)
    assert spanish_line in text and len(text) <= 300
