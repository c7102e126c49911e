"""A part fails while many conversations are talking: answers go on and nothing is lost.

Each test runs the load generator (tests/support/load.py: about 70% questions, 20% unclear,
10% risk messages, several conversations sending without pause) against real servers, breaks
one part a few seconds in, brings it back, and then checks every reply and every stored event.
While the fault lasts, a question and a risk message carrying a unique marker are sent too,
and the marker must be in no process's log (servers log at the production level, INFO).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator, List, Set

import pytest

from tests.support.databases import scratch_postgres_database, stored_events
from tests.support.load import LoadResult, run_load
from tests.support.practice_file import practice_settings
from tests.support.receivers import free_port, wait_until
from tests.support.servers import ManagedProcess, rasa_run_command
from tests.support.tcp_proxy import TcpProxy

CONVERSATIONS = 8
# Every crisis reply gives the emergency number and says a person is told.
CRISIS_MARKERS = (practice_settings().crisis.emergency_number, "a person at")


def start_load(urls: List[str], seconds: float) -> "Future[LoadResult]":
    pool = ThreadPoolExecutor(1)
    prefix = "fault-" + uuid.uuid4().hex[:8]
    future = pool.submit(asyncio.run, run_load(urls, CONVERSATIONS, seconds, sender_prefix=prefix))
    pool.shutdown(wait=False)
    return future


def send_marked_messages(url: str, marker: str) -> None:
    """A question and a risk message carrying `marker`, sent while the fault lasts."""
    sender = "marker-" + uuid.uuid4().hex
    for text in (f"will you tell my parents about {marker}", f"i want to kill myself {marker}"):
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            urllib.request.urlopen(request, timeout=30).read()
        except (urllib.error.URLError, OSError):
            pass  # a refused or failed request is part of the fault; only the logs matter here


def assert_marker_in_no_log(marker: str, *processes: ManagedProcess) -> None:
    for process in processes:
        log = process.log_text()
        assert log, f"{process.name} wrote no log at all"
        assert marker not in log, f"client text found in the {process.name} log"


def new_marker() -> str:
    return "zq" + uuid.uuid4().hex[:12]


def risk_senders(result: LoadResult) -> Set[str]:
    return {exchange.sender for exchange in result.exchanges if exchange.kind == "risk"}


def user_texts_by_sender(database_url: str, result: LoadResult) -> Dict[str, List[str]]:
    return {
        sender: [event["text"] for event in stored_events(database_url, sender) if event["event"] == "user"]
        for sender in result.senders()
    }


def what_differs(expected: Dict[str, List[str]], stored: Dict[str, List[str]], spool: Path, log: str) -> str:
    """Per conversation: messages missing or extra; the spool files left; Rasa's last lines on the spool."""
    lines = []
    for sender, texts in expected.items():
        found = stored.get(sender, [])
        if found != texts:
            missing = len([text for text in texts if text not in found])
            extra = len(found) - len(texts) + missing
            lines.append(f"{sender}: sent {len(texts)}, stored {len(found)}, missing {missing}, extra {extra}")
    spooled = sorted(path.name for path in spool.glob("*.jsonl"))
    spool_lines = [line for line in log.splitlines() if "pool" in line or "Traceback" in line or "Error" in line]
    return (
        "not stored as sent after 90 s: "
        + "; ".join(lines)
        + f"; spool files left: {len(spooled)}; Rasa's last lines on it:\n"
        + "\n".join(spool_lines[-12:])
    )


def assert_crisis_answers_and_faq_answers(result: LoadResult) -> None:
    for exchange in result.exchanges:
        if exchange.kind == "risk":
            reply = " ".join(exchange.replies)
            assert all(marker in reply for marker in CRISIS_MARKERS), (exchange.text, exchange.replies)
        elif exchange.kind == "faq":
            assert exchange.replies and all(exchange.replies), (exchange.text, exchange.replies)


def rasa_process(name: str, env: Dict[str, str], endpoints: str, logs: Path) -> ManagedProcess:
    port = free_port()
    process = ManagedProcess(
        name,
        rasa_run_command(port, endpoints),
        env,
        f"http://127.0.0.1:{port}/",
        logs,
    )
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    return process


def test_the_action_server_killed_during_load(rasa_server, action_server, webhook_receiver, server_env) -> None:
    marker = new_marker()
    load = start_load([rasa_server.url], seconds=14)
    time.sleep(3)
    action_server.kill()
    outage_start = time.perf_counter()
    send_marked_messages(rasa_server.url, marker)
    time.sleep(4)
    outage_end = time.perf_counter()
    action_server.start()
    result = load.result(timeout=120)

    assert [exchange for exchange in result.exchanges if exchange.status != 200] == []
    assert_crisis_answers_and_faq_answers(result)
    during = [e for e in result.exchanges if e.kind == "risk" and outage_start < e.started < outage_end]
    assert during, "no risk message was sent while the action server was down"
    # The escalations the action server missed are delivered once it is back.
    wait_until(
        lambda: risk_senders(result) <= {payload["conversation_id"] for payload in webhook_receiver.received},
        timeout=90,
    )
    stored = user_texts_by_sender(server_env["CONFIDANT_DATABASE_URL"], result)
    for sender in result.senders():
        assert stored[sender] == [e.text for e in result.exchanges if e.sender == sender]
    assert_marker_in_no_log(marker, rasa_server.process, action_server)


def test_the_notifier_target_down_during_load(rasa_server, action_server, webhook_receiver) -> None:
    marker = new_marker()
    webhook_receiver.stop()
    try:
        load = start_load([rasa_server.url], seconds=8)
        send_marked_messages(rasa_server.url, marker)
        result = load.result(timeout=120)
        assert [exchange for exchange in result.exchanges if exchange.status != 200] == []
        assert_crisis_answers_and_faq_answers(result)
        assert risk_senders(result), "no risk message in this run"
        time.sleep(2)
    finally:
        webhook_receiver.start()
    # The outbox held every escalation and delivers it now the target answers.
    wait_until(
        lambda: risk_senders(result) <= {payload["conversation_id"] for payload in webhook_receiver.received},
        timeout=90,
    )
    assert_marker_in_no_log(marker, rasa_server.process, action_server)
    assert not any(marker in json.dumps(payload) for payload in webhook_receiver.received)


@pytest.fixture
def postgres_behind_a_proxy() -> Iterator[tuple]:
    with scratch_postgres_database("confidant_fault") as direct_url:
        proxy = TcpProxy(5432)
        proxy.start()
        try:
            yield proxy, direct_url, direct_url.replace(":5432/", f":{proxy.port}/")
        finally:
            proxy.stop()


def test_the_database_goes_away_and_comes_back_during_load(
    postgres_behind_a_proxy, action_server, server_env, tmp_path: Path
) -> None:
    proxy, direct_url, proxied_url = postgres_behind_a_proxy
    env = dict(server_env, CONFIDANT_DATABASE_URL=proxied_url, CONFIDANT_EVENT_SPOOL_DIR=str(tmp_path / "spool"))
    rasa = rasa_process("rasa-pg", env, "endpoints.yml", tmp_path)
    rasa.start(timeout=300)
    try:
        load = start_load([rasa.url], seconds=14)
        time.sleep(3)
        proxy.stop()  # every open connection broken, new ones refused: as in a restart
        marker = new_marker()
        send_marked_messages(rasa.url, marker)
        time.sleep(3)
        proxy.start()
        result = load.result(timeout=120)
        # After recovery every message is stored, once, in the order it was sent: the spool's
        # retry writes it whether or not a conversation speaks again after the database is back.
        expected = {s: [e.text for e in result.exchanges if e.sender == s] for s in result.senders()}
        try:
            wait_until(lambda: user_texts_by_sender(direct_url, result) == expected, timeout=90)
        except TimeoutError:
            stored = user_texts_by_sender(direct_url, result)
            pytest.fail(what_differs(expected, stored, tmp_path / "spool", rasa.log_text()))
    finally:
        rasa.stop()
    assert_marker_in_no_log(marker, rasa, action_server)

    statuses = {exchange.status for exchange in result.exchanges}
    assert statuses <= {200, 503}, statuses
    assert 503 in statuses, "the outage was not visible to the channel"
    assert max(exchange.seconds for exchange in result.exchanges) < 10, "a request hung"
    assert_crisis_answers_and_faq_answers(result)  # answered even when the turn could not be stored


def test_one_rasa_instance_killed_during_load(action_server, server_env, tmp_path: Path) -> None:
    with scratch_postgres_database("confidant_kill") as database_url:
        env = dict(
            server_env,
            CONFIDANT_DATABASE_URL=database_url,
            CONFIDANT_REDIS_HOST="127.0.0.1",
            CONFIDANT_REDIS_PORT="6379",
            CONFIDANT_REDIS_DB="0",
            CONFIDANT_REDIS_PREFIX="kill" + uuid.uuid4().hex[:8],
            CONFIDANT_EVENT_SPOOL_DIR=str(tmp_path / "spool"),
            TICKET_LOCK_LIFETIME="10",  # a dead instance's lock on a conversation lapses soon
        )
        survivor = rasa_process("rasa-survivor", env, "endpoints.production.yml", tmp_path)
        victim = rasa_process("rasa-victim", env, "endpoints.production.yml", tmp_path)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda process: process.start(timeout=300), (survivor, victim)))
        try:
            marker = new_marker()
            load = start_load([survivor.url, victim.url], seconds=16)
            time.sleep(3)
            send_marked_messages(victim.url, marker)
            time.sleep(1)
            victim.kill()
            killed_at = time.perf_counter()
            send_marked_messages(survivor.url, marker)
            result = load.result(timeout=120)
        finally:
            survivor.stop()
            victim.stop()
        stored = user_texts_by_sender(database_url, result)
    assert_marker_in_no_log(marker, survivor, victim, action_server)

    # Only messages in flight on the victim when it died can have failed.
    in_flight = [e for e in result.exchanges if e.status != 200]
    assert len(in_flight) <= CONVERSATIONS
    assert all(e.started < killed_at for e in in_flight), [(e.status, e.started - killed_at) for e in in_flight]
    assert_crisis_answers_and_faq_answers(LoadResult([e for e in result.exchanges if e.status == 200], result.elapsed))
    for sender in result.senders():
        mine = [e for e in result.exchanges if e.sender == sender]
        # Answered after the kill: by the survivor (a message sent at the kill waits out the lock).
        assert any(e.status == 200 and e.started + e.seconds > killed_at for e in mine), [
            (e.status, round(e.started - killed_at, 2), round(e.seconds, 2)) for e in mine[-4:]
        ]
        answered = [e.text for e in mine if e.status == 200]
        failed = len(mine) - len(answered)
        # Every answered message is stored in order; a message in flight at the kill may or may not be.
        remaining = iter(stored[sender])
        assert all(text in remaining for text in answered), (answered, stored[sender])
        assert len(stored[sender]) <= len(answered) + failed
