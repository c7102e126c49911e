"""Every channel the practice switches on runs in one Rasa instance: with SMS configured, the web
chat (socket.io) and REST still answer beside SMS.

`make run` (scripts/run.sh) picks the credentials file with scripts/credentials.sh; the
end-to-end test runs a real Rasa with that file (the `sms_server` fixture, credentials.sms.yml)
and talks to it as the widget, as Twilio and as a REST client.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.request
import uuid
from typing import Dict

import pytest
import yaml

from tests.channels.conftest import new_phone, twilio_form
from tests.channels.sms.test_e2e import wait_for_text
from tests.support.servers import ROOT
from tests.support.socketio_client import ChatClient

REST = "confidant.channels.rest.GuardedRestInput"
SOCKETIO = "confidant.channels.socketio.GuardedSocketIOInput"
SMS = "confidant.channels.sms.channel.SmsInput"


def credentials_chosen(env: Dict[str, str]) -> Dict[str, object]:
    """The channels of the credentials file scripts/run.sh would start Rasa with."""
    name = subprocess.run(
        ["bash", "-c", "source scripts/credentials.sh && credentials_file"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return yaml.safe_load((ROOT / name).read_text())


def test_without_sms_the_run_script_serves_rest_and_the_web_chat() -> None:
    assert set(credentials_chosen({})) == {REST, SOCKETIO}


def test_with_sms_the_run_script_serves_every_channel_in_one_instance() -> None:
    channels = credentials_chosen({"TWILIO_ACCOUNT_SID": "AC" + "0" * 32})
    assert set(channels) == {REST, SOCKETIO, SMS}
    # The web chat and REST are configured as they are without SMS.
    plain = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert channels[REST] == plain[REST] and channels[SOCKETIO] == plain[SOCKETIO]


@pytest.mark.parametrize("script", ["scripts/run.sh", "scripts/run_production.sh"])
def test_both_profiles_start_rasa_with_the_credentials_file_chosen_for_the_practice(script: str) -> None:
    text = (ROOT / script).read_text()
    assert "scripts/credentials.sh" in text and "credentials_file" in text
    assert "--credentials credentials.yml" not in text  # never the web-only file whatever is set


def rest_reply(url: str, sender: str, message: str) -> list:
    request = urllib.request.Request(
        url + "/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.mark.asyncio
async def test_the_web_chat_sms_and_rest_answer_from_one_server_with_sms_enabled(
    sms_server, sms_twilio, practice
) -> None:
    # The widget's way in: a server-issued session, the welcome, a crisis reply with its card.
    client = ChatClient(sms_server.url)
    await client.connect()
    try:
        await client.start_session()
        [welcome] = await client.say("/greet")
        assert "automated assistant" in welcome
        start = len(client.received)
        await client.say("i want to kill myself")
        messages = [data for name, data in client.received[start:] if name == "bot_uttered"]
        cards = [message["crisis_card"] for message in messages if "crisis_card" in message]
        assert len(cards) == 1 and cards[0]["emergency"]["call"] == practice.crisis.emergency_number
        assert [line["name"] for line in cards[0]["lines"]] == [
            line.name for line in practice.crisis.lines_for("self_at_risk")
        ]
        # The card follows the crisis text and comes before the call-back offer.
        card_at = next(i for i, message in enumerate(messages) if "crisis_card" in message)
        assert "If you might act on these thoughts" in messages[card_at - 1]["text"]
        assert any(message.get("quick_replies") for message in messages[card_at + 1 :])
    finally:
        await client.close()

    # Twilio's way in, signed, to the same server: the SMS wording, and no card.
    phone = new_phone()
    status, _ = await asyncio.to_thread(sms_server.post, twilio_form(phone, "will you tell my parents?"))
    assert status == 200
    texts = await asyncio.to_thread(wait_for_text, sms_twilio, phone, "young people")
    assert not any("crisis_card" in text for text in texts)

    # And REST, still there.
    replies = await asyncio.to_thread(rest_reply, sms_server.url, "rest-" + uuid.uuid4().hex, "what if I'm in court?")
    assert any("court order" in reply.get("text", "") for reply in replies)
