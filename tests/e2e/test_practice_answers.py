"""A practice that has written its own insurance answer gets it from the real assistant.

The trained model, a real Rasa server, the practice's settings chosen with CONFIDANT_SETTINGS,
and no action server at all: the answer comes from the response generator inside Rasa.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Dict, Iterator

import pytest

from tests.conftest import RasaServer
from tests.support.practice_answers import write_practice
from tests.support.receivers import free_port
from tests.support.servers import ROOT, ManagedProcess, rasa_run_command

INSURANCE_QUESTION = "does my insurance company get told what i talk about in therapy"


@pytest.fixture(scope="module")
def answering_practice(server_env: Dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServer]:
    state = tmp_path_factory.mktemp("practice-answers")
    port = free_port()
    env = dict(server_env)
    env.update(
        {
            "CONFIDANT_SETTINGS": str(write_practice(state / "practice")),
            "CONFIDANT_DATABASE_URL": f"sqlite:///{state / 'conversations.sqlite3'}",
            "CONFIDANT_EVENT_SPOOL_DIR": str(state / "spool"),
            # Nothing listens here: the answer must not need the action server.
            "CONFIDANT_ACTION_ENDPOINT": f"http://127.0.0.1:{free_port()}/webhook",
        }
    )
    process = ManagedProcess(
        "rasa-practice-answers",
        rasa_run_command(port, ROOT / "endpoints.yml", ROOT / "credentials.yml"),
        env,
        f"http://127.0.0.1:{port}/",
        state,
    )
    process.start(timeout=240)
    server = RasaServer(process, f"http://127.0.0.1:{port}")
    server.tracker_db = state / "conversations.sqlite3"  # type: ignore[attr-defined]
    yield server
    process.stop()


def bot_events(tracker_db: Path, sender: str) -> list:
    with sqlite3.connect(tracker_db) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'bot' ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(data) for (data,) in rows]


def test_the_practices_own_insurance_answer_replaces_the_deflection(answering_practice, sender, practice) -> None:
    texts = answering_practice.texts(sender, INSURANCE_QUESTION)
    answer = texts[-1]
    assert answer.startswith("We bill your insurance only if you ask us to.")
    assert answer.endswith(f"Call us at {practice.practice.phone} ({practice.practice.hours}).")
    assert not any("does not cover insurance" in text for text in texts)
    # The conversation record names the practice's sections, for reviewers.
    sent = next(event for event in bot_events(answering_practice.tracker_db, sender) if event["text"] == answer)
    assert sent["metadata"]["metadata"]["source"] == ["insurance-billing", "definition", "contact"]
    assert sent["metadata"]["metadata"]["answered_by"] == "practice"


def test_a_topic_the_practice_has_not_answered_keeps_its_deflection(answering_practice, sender) -> None:
    answering_practice.texts(sender, "hi")
    answer = " ".join(answering_practice.texts(sender, "will my school be told what i say in therapy?"))
    assert "does not cover schools" in answer
