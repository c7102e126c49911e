"""Each channel hears from the tracker store when a turn could not be stored, and only for that turn.

A real Rasa with all three channels (credentials.sms.yml) keeps its conversations in PostgreSQL
behind a TCP proxy; the proxy is stopped to take the database away. The client still gets its
answer (a crisis reply is never withheld); then REST answers 503 `storage_unavailable` with
those messages, the web chat gets a `message_error` event, and the SMS channel logs that the
turn waits on disk. Once the database is back a turn is reported as stored again.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from tests.channels.conftest import (
    SmsServer,
    TwilioStandIn,
    _credentials_for_tests,
    _endpoints_for_tests,
    new_phone,
    sms_server_environment,
    twilio_form,
)
from tests.channels.sms.test_e2e import wait_for_text
from tests.support.databases import scratch_postgres_database
from tests.support.receivers import free_port
from tests.support.servers import ManagedProcess, rasa_run_command
from tests.support.socketio_client import ChatClient
from tests.support.tcp_proxy import TcpProxy

SPOOLED_SMS_LOG = "SMS turn not stored yet"
SPOOLED_WEB_LOG = "Web chat turn not stored yet"


@pytest.fixture(scope="module")
def server_with_proxied_database(
    server_env: Dict[str, str],
    action_server: ManagedProcess,
    sms_twilio: TwilioStandIn,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Tuple[SmsServer, TcpProxy]]:
    state = tmp_path_factory.mktemp("unstored-state")
    with scratch_postgres_database("confidant_unstored") as direct_url:
        proxy = TcpProxy(5432)
        proxy.start()
        database_url = direct_url.replace(":5432/", f":{proxy.port}/")
        env = sms_server_environment(server_env, database_url, state, sms_twilio)
        port = free_port()
        process = ManagedProcess(
            "rasa-unstored",
            rasa_run_command(
                port,
                _endpoints_for_tests(state / "endpoints.yml"),
                _credentials_for_tests(state / "credentials.yml"),
            ),
            env,
            f"http://127.0.0.1:{port}/webhooks/sms/",
            tmp_path_factory.mktemp("rasa-unstored-logs"),
        )
        process.start(timeout=300)
        try:
            sms_db = Path(env["CONFIDANT_SMS_STORE_PATH"])
            server = SmsServer(process, f"http://127.0.0.1:{port}", state / "unused.sqlite3", sms_db, env)
            yield server, proxy
        finally:
            process.stop()
            proxy.stop()


def rest_turn(url: str, sender: str, message: str) -> Tuple[int, Any]:
    request = urllib.request.Request(
        url + "/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def log_count(server: SmsServer, text: str) -> int:
    return server.process.log_path.read_text(errors="replace").count(text)


@pytest.mark.model  # the fixture starts Rasa with the trained model (rasa_run_command)
@pytest.mark.asyncio
async def test_every_channel_is_told_when_a_turn_went_to_the_spool(
    server_with_proxied_database, sms_twilio, practice
) -> None:
    server, proxy = server_with_proxied_database

    # The database answers: REST 200, no error event on the web chat, nothing logged for SMS.
    status, body = await asyncio.to_thread(rest_turn, server.url, "rest-" + uuid.uuid4().hex, "hello")
    assert status == 200 and body
    client = ChatClient(server.url)
    await client.connect()
    try:
        await client.start_session()
        await client.say("/greet")
        phone = new_phone()
        status, _ = await asyncio.to_thread(server.post, twilio_form(phone, "will you tell my parents?"))
        assert status == 200
        await asyncio.to_thread(wait_for_text, sms_twilio, phone, "young people")
        assert [name for name, _ in client.received].count("message_error") == 0
        assert log_count(server, SPOOLED_SMS_LOG) == 0 and log_count(server, SPOOLED_WEB_LOG) == 0

        proxy.stop()  # the database goes away
        try:
            # REST: the reply, and 503 saying it is not stored yet.
            status, body = await asyncio.to_thread(
                rest_turn, server.url, "rest-" + uuid.uuid4().hex, "i want to kill myself"
            )
            assert status == 503 and body["error"] == "storage_unavailable"
            first_line = practice.crisis.lines_for("self_at_risk")[0]
            assert any(first_line.how in message.get("text", "") for message in body["messages"])

            # The web chat: the reply, then an error event naming the same thing.
            start = len(client.received)
            replies = await client.say("what if I'm in court?")
            assert any("court order" in reply for reply in replies)
            error = await client.wait_for("message_error", start=start, timeout=15)
            assert error["error"] == "storage_unavailable" and error["detail"]

            # SMS: the reply goes out, and the channel logs that the turn waits on disk.
            other_phone = new_phone()
            status, _ = await asyncio.to_thread(server.post, twilio_form(other_phone, "will you tell my parents?"))
            assert status == 200
            await asyncio.to_thread(wait_for_text, sms_twilio, other_phone, "young people")
            await asyncio.sleep(1)
            assert log_count(server, SPOOLED_SMS_LOG) == 1 and log_count(server, SPOOLED_WEB_LOG) == 1
        finally:
            proxy.start()

        # Back: the next turn is stored, and no channel reports it (the signal was for that turn only).
        await asyncio.sleep(1)
        status, _ = await asyncio.to_thread(rest_turn, server.url, "rest-" + uuid.uuid4().hex, "hello")
        assert status == 200
        start = len(client.received)
        await client.say("thanks")
        assert [name for name, _ in client.received[start:]].count("message_error") == 0
        assert log_count(server, SPOOLED_WEB_LOG) == 1
    finally:
        await client.close()
