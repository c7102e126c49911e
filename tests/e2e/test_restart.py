"""Conversations survive a restart of every process: the tracker store is the memory."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path


def test_a_conversation_continues_after_rasa_and_the_action_server_restart(
    rasa_server, action_server, sender, server_env
) -> None:
    rasa_server.texts(sender, "will you tell my parents?")
    rasa_server.process.stop()
    action_server.stop()
    action_server.start()
    rasa_server.process.start(timeout=240)

    [answer] = rasa_server.texts(sender, "what if I'm 16?")
    assert "where you live" in answer  # answered in the same conversation, no second welcome

    db = sqlite3.connect(Path(server_env["CONFIDANT_DATABASE_URL"].removeprefix("sqlite:///")))
    rows = db.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    assert [json.loads(data)["text"] for kind, data in rows if kind == "user"] == [
        "will you tell my parents?",
        "what if I'm 16?",
    ]
    assert sum(kind == "session_started" for kind, _ in rows) == 1
