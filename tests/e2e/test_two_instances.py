"""Two Rasa instances sharing PostgreSQL and Redis: nothing lost, duplicated or interleaved."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import RasaServer
from tests.support.databases import scratch_postgres_database, stored_events
from tests.support.receivers import free_port
from tests.support.servers import ManagedProcess, rasa_run_command


@pytest.fixture(scope="module")
def shared_database():
    with scratch_postgres_database("confidant_e2e") as url:
        yield url


@pytest.fixture(scope="module")
def two_instances(shared_database, server_env, action_server, tmp_path_factory):
    env = dict(server_env)
    env.update(
        {
            "CONFIDANT_DATABASE_URL": shared_database,
            "CONFIDANT_REDIS_HOST": "127.0.0.1",
            "CONFIDANT_REDIS_PORT": "6379",
            "CONFIDANT_REDIS_DB": "0",
            "CONFIDANT_REDIS_PREFIX": "e2e" + uuid.uuid4().hex[:8],
            "CONFIDANT_EVENT_SPOOL_DIR": str(tmp_path_factory.mktemp("spool")),
        }
    )
    logs = tmp_path_factory.mktemp("two-instance-logs")
    servers = []
    for name in ("rasa-a", "rasa-b"):
        port = free_port()
        process = ManagedProcess(
            name,
            rasa_run_command(port, "endpoints.production.yml"),
            env,
            f"http://127.0.0.1:{port}/",
            logs,
        )
        servers.append(RasaServer(process, f"http://127.0.0.1:{port}"))
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda server: server.process.start(timeout=300), servers))
    yield servers
    for server in servers:
        server.process.stop()


QUESTIONS = ["hi", "will you tell my parents?", "what if I'm in court?", "who can see my notes", "thanks"]


def test_alternating_instances_keep_every_event_in_order(two_instances, shared_database) -> None:
    senders = ["alt-" + uuid.uuid4().hex for _ in range(12)]

    def converse(sender: str) -> list:
        replies = []
        for index, text in enumerate(QUESTIONS):
            status, body = two_instances[index % 2].send(sender, text)
            assert status == 200, body
            replies.append([m.get("text") for m in body])
        return replies

    with ThreadPoolExecutor(12) as pool:
        all_replies = dict(zip(senders, pool.map(converse, senders), strict=True))

    for sender in senders:
        events = stored_events(shared_database, sender)
        assert [e["text"] for e in events if e["event"] == "user"] == QUESTIONS
        bot_texts = [e["text"] for e in events if e["event"] == "bot"]
        assert bot_texts == [text for reply in all_replies[sender] for text in reply]
        timestamps = [e["timestamp"] for e in events]
        assert timestamps == sorted(timestamps)
        assert len({json.dumps(e, sort_keys=True) for e in events}) == len(events)


def test_concurrent_messages_to_one_conversation_never_interleave(two_instances, shared_database) -> None:
    sender = "same-" + uuid.uuid4().hex
    two_instances[0].texts(sender, "hi")
    texts = [f"who can see my notes {n}" for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda n: two_instances[n % 2].send(sender, texts[n])[0], range(8)))
    assert statuses == [200] * 8

    events = stored_events(shared_database, sender)
    assert sorted(e["text"] for e in events if e["event"] == "user")[1:] == sorted(texts)
    # Every turn is whole: a user message, then its actions up to action_listen, then the next.
    turn_open = False
    for event in events:
        if event["event"] == "user":
            assert not turn_open, "a second message started before the first turn finished"
            turn_open = True
        elif event["event"] == "action" and event["name"] == "action_listen":
            turn_open = False
