"""Fuzzing the web chat's socket.io endpoint over plain HTTP: no 500, and chat still works.

Engine.io's long-polling transport is an HTTP endpoint anyone can reach; hypothesis sends it
random query strings, handshakes from other origins, and random bodies on a real session.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Dict, Optional, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.socketio_client import ALLOWED_ORIGIN


def request(url: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None) -> Tuple[int, bytes]:
    method = "POST" if body is not None else "GET"
    outgoing = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(outgoing, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def open_polling_session(base: str) -> str:
    status, body = request(f"{base}/socket.io/?EIO=4&transport=polling", headers={"Origin": ALLOWED_ORIGIN})
    assert status == 200, body
    return body.decode().split('"sid":"')[1].split('"')[0]


printable = st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="&#")
query_values = st.text(alphabet=printable, max_size=20)
queries = st.dictionaries(st.sampled_from(["EIO", "transport", "sid", "t", "j", "b64"]), query_values, max_size=4)
# Header values are Latin-1 on the wire: the client library refuses anything else before sending.
origins = st.one_of(
    st.none(), st.just(ALLOWED_ORIGIN), st.text(alphabet=printable, max_size=40).map(lambda text: "http://" + text)
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"40", b'42["user_uttered"]', b'42["user_uttered",{}]', b'42["session_request",null]']),
    st.text(max_size=200).map(lambda text: ("42" + text).encode("utf-8", "replace")),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, origin=origins, body=st.one_of(st.none(), bodies))
def test_no_request_to_the_socketio_endpoint_causes_a_server_error(socketio_rasa, query, origin, body) -> None:
    from urllib.parse import urlencode

    headers = {"Origin": origin} if origin else {}
    if body is not None:
        headers["Content-Type"] = "text/plain;charset=UTF-8"
    status, reply = request(f"{socketio_rasa.url}/socket.io/?{urlencode(query)}", body, headers)
    assert status < 500, (status, reply[:200], query, origin, body)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_random_packets_on_a_real_session_cause_no_server_error(socketio_rasa, body) -> None:
    sid = open_polling_session(socketio_rasa.url)
    url = f"{socketio_rasa.url}/socket.io/?EIO=4&transport=polling&sid={sid}"
    status, reply = request(url, body, {"Origin": ALLOWED_ORIGIN, "Content-Type": "text/plain;charset=UTF-8"})
    assert status < 500, (status, reply[:200], body)


@pytest.mark.parametrize("body", [b"0", b"2", b"6", b'0{"sid":"x"}', b"40\x1e2"])
def test_packets_no_client_sends_are_refused_at_once(socketio_rasa, body: bytes) -> None:
    """An "open" or "ping" from the client made python-engineio hold the request for 30 s or more."""
    sid = open_polling_session(socketio_rasa.url)
    url = f"{socketio_rasa.url}/socket.io/?EIO=4&transport=polling&sid={sid}"
    started = time.monotonic()
    status, _ = request(url, body, {"Origin": ALLOWED_ORIGIN, "Content-Type": "text/plain;charset=UTF-8"})
    assert status == 400
    assert time.monotonic() - started < 10


def test_only_packets_a_client_sends_pass() -> None:
    from confidant.channels.socketio import has_packets_no_client_sends

    assert not has_packets_no_client_sends(b'42["user_uttered",{"message":"hi"}]')
    assert not has_packets_no_client_sends(b"3")  # pong
    assert not has_packets_no_client_sends(b"1")  # close
    assert not has_packets_no_client_sends(b"\xff\xfe")  # engine.io refuses it itself
    assert has_packets_no_client_sends(b"0")
    assert has_packets_no_client_sends(b"42[]\x1e2probe")


@pytest.mark.asyncio
async def test_the_chat_still_answers_after_fuzzing(chat_clients) -> None:
    client = await chat_clients()
    await client.start_session(None)
    replies = await client.say("will you tell my parents?")
    assert replies and any("parent" in reply.lower() or "age" in reply.lower() for reply in replies), replies
