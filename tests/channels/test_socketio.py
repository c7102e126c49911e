"""The web chat's socket.io channel on a real Rasa server (trained model, real action server).

The server issues every conversation; a client cannot join, read or write another's by
naming its id; other sites' pages are refused; bad messages get an error event, not a crash;
no client text reaches the log.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import uuid
from typing import Dict, List

import pytest
import socketio

from tests.support.web_stack import SocketIORasa

pytestmark = pytest.mark.asyncio

TOKEN = re.compile(r"^1\.[0-9]+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$")


def user_texts_by_conversation(socketio_rasa: SocketIORasa) -> Dict[str, List[str]]:
    """Every user message in the tracker store, by conversation id."""
    db = sqlite3.connect(socketio_rasa.tracker_db)
    try:
        rows = db.execute("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id").fetchall()
    finally:
        db.close()
    conversations: Dict[str, List[str]] = {}
    for sender_id, data in rows:
        conversations.setdefault(sender_id, []).append(json.loads(data)["text"])
    return conversations


def conversation_of(socketio_rasa: SocketIORasa, text: str) -> str:
    [sender_id] = [sender for sender, texts in user_texts_by_conversation(socketio_rasa).items() if text in texts]
    return sender_id


async def test_the_server_issues_the_session_and_the_greeting_follows(socketio_rasa, chat_clients, practice) -> None:
    client = await chat_clients()
    token = await client.start_session(None)
    assert TOKEN.match(token)
    [welcome] = await client.say("/greet")
    assert f"automated assistant of {practice.practice.name}" in welcome and "not a therapist" in welcome


@pytest.mark.parametrize(
    "chosen", ["my-own-conversation", "web-" + "0" * 32, "1.1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", 42]
)
async def test_a_session_id_the_server_did_not_issue_is_replaced(socketio_rasa, chat_clients, chosen) -> None:
    client = await chat_clients()
    token = await client.start_session(chosen)
    assert token != chosen and TOKEN.match(token)


async def test_another_client_naming_a_conversation_can_neither_read_nor_write_it(socketio_rasa, chat_clients) -> None:
    first = await chat_clients()
    first_token = await first.start_session(None)
    first_marker = f"hello, this is the first tab {uuid.uuid4().hex[:8]}"
    assert await first.say(first_marker)
    first_conversation = conversation_of(socketio_rasa, first_marker)
    assert first_conversation.startswith("web-") and first_token not in first_conversation

    # The second client names the first one's token, then its conversation id: refused both times.
    second = await chat_clients()
    assert await second.start_session(first_token) != first_token
    other = await chat_clients()
    assert await other.start_session(first_conversation) != first_token

    # It writes naming the first one's session in every message: the message is filed in its own
    # conversation, the answer comes to it, and the first client hears nothing.
    heard_before = len(first.received)
    second_marker = f"will you tell my parents? {uuid.uuid4().hex[:8]}"
    replies = await second.say(second_marker, session_id=first_token)
    assert any("young people" in reply for reply in replies)
    await asyncio.sleep(1)
    assert first.received[heard_before:] == []

    conversations = user_texts_by_conversation(socketio_rasa)
    assert second_marker not in conversations[first_conversation]
    assert conversation_of(socketio_rasa, second_marker) not in (first_conversation, first_token)

    # The first conversation carries on undisturbed.
    [answer] = await first.say("what if I'm 16?")
    assert "age" in answer


async def test_a_connection_cannot_switch_to_another_conversation(socketio_rasa, chat_clients) -> None:
    first = await chat_clients()
    first_token = await first.start_session(None)
    await first.close()  # its conversation is free to be resumed, but only by a new connection
    second = await chat_clients()
    second_token = await second.start_session(None)
    start = len(second.received)
    await second.sio.emit("session_request", {"session_id": first_token})
    assert (await second.wait_for("message_error", timeout=15, start=start))["error"] == "session_already_bound"
    assert await second.start_session(second_token) == second_token


async def test_after_a_reload_the_tab_gets_its_own_conversation_back(socketio_rasa, chat_clients) -> None:
    tab = await chat_clients()
    token = await tab.start_session(None)
    marker = f"first page load {uuid.uuid4().hex[:8]}"
    await tab.say(marker)
    await tab.close()

    reloaded = await chat_clients()
    assert await reloaded.start_session(token) == token
    again = f"after the reload {uuid.uuid4().hex[:8]}"
    await reloaded.say(again)
    assert again in user_texts_by_conversation(socketio_rasa)[conversation_of(socketio_rasa, marker)]


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost:8081", "https://localhost:8080", "null"])
async def test_a_page_from_another_site_is_refused(socketio_rasa, chat_clients, origin) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await chat_clients(origin=origin)
    # The practice's own page is let in.
    assert TOKEN.match(await (await chat_clients()).start_session(None))


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"message": ""}, "empty_message"),
        ({"message": "   \n "}, "empty_message"),
        ({"message": "a" * 20001}, "message_too_long"),
        ({"message": 12345}, "missing_message"),
        ({"message": None}, "missing_message"),
        ({"message": {"text": "hi"}}, "missing_message"),
        ({"session_id": "x"}, "missing_message"),
        ("just a string", "invalid_message"),
        (["a", "list"], "invalid_message"),
        ({"message": "nul\x00byte"}, "invalid_message"),
    ],
)
async def test_bad_messages_get_an_error_event_and_the_conversation_goes_on(
    socketio_rasa, chat_clients, payload, code, practice
) -> None:
    client = await chat_clients()
    await client.start_session(None)
    start = len(client.received)
    await client.sio.emit("user_uttered", payload)
    error = await client.wait_for("message_error", timeout=10, start=start)
    assert error["error"] == code and error["detail"]
    # The same words come as a bot message, for the widget to show.
    assert (await client.wait_for("bot_uttered", timeout=10, start=start))["text"] == error["detail"]
    if code == "message_too_long":
        # The explanation the widget shows also gives the crisis numbers.
        assert str(practice.assistant.max_message_chars) in error["detail"]
        assert practice.crisis.emergency_number in error["detail"] and practice.crisis_line in error["detail"]
    [welcome] = await client.say("/greet")
    assert "automated assistant" in welcome
    assert socketio_rasa.process.process.poll() is None


async def test_a_message_before_any_session_is_refused(socketio_rasa, chat_clients) -> None:
    client = await chat_clients()
    await client.sio.emit("user_uttered", {"message": "hello", "session_id": "anything"})
    error = await client.wait_for("message_error", timeout=10)
    assert error["error"] == "no_session"
    assert client.bot_texts() == []


async def test_no_client_text_or_token_in_the_log(socketio_rasa, chat_clients) -> None:
    client = await chat_clients()
    token = await client.start_session(None)
    marker = uuid.uuid4().hex
    await client.say(f"my secret {marker} will you tell my parents?")
    await client.sio.emit("user_uttered", {"message": f"too long {marker} " + "b" * 20001})
    await client.wait_for("message_error", timeout=10)
    await asyncio.sleep(0.5)
    log = socketio_rasa.process.log_text()
    assert "Web chat session issued" in log  # the channel does log, just not the client's words
    assert marker not in log and token not in log


async def test_a_message_too_big_for_the_transport_closes_only_that_connection(socketio_rasa, chat_clients) -> None:
    flooder = await chat_clients()
    await flooder.start_session(None)
    await flooder.sio.emit("user_uttered", {"message": "x" * 1_000_000})
    for _ in range(50):
        if not flooder.sio.connected:
            break
        await asyncio.sleep(0.1)
    assert not flooder.sio.connected and flooder.bot_texts() == []
    other = await chat_clients()
    await other.start_session(None)
    assert "automated assistant" in (await other.say("/greet"))[0]
