"""Bad input on the live REST webhook: clear 4xx JSON, never a 500, others unaffected."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "body, status, code",
    [
        (b"{this is not json", 400, "invalid_json"),
        (b"", 400, "empty_body"),
        (json.dumps({"message": "hello"}).encode(), 400, "missing_sender"),
        (json.dumps({"sender": "x-1"}).encode(), 400, "missing_message"),
        (json.dumps({"sender": "x-1", "message": ""}).encode(), 400, "empty_message"),
        (b'{"sender": "x-1", "message": "\xff\xfe bad bytes"}', 400, "not_utf8"),
        (json.dumps({"sender": "x-1", "message": "a" * 100_000}).encode(), 413, "message_too_long"),
    ],
)
def test_bad_input_gets_a_clear_error(rasa_server, body, status, code) -> None:
    got_status, payload = rasa_server.post_raw(body)
    assert got_status == status
    assert payload["error"] == code and payload["detail"]


def test_script_tags_emoji_and_rtl_are_answered_as_text(rasa_server, sender) -> None:
    status, body = rasa_server.send(sender, "<script>alert(1)</script> هل ستخبر والديّ؟ 😟")
    assert status == 200 and isinstance(body, list) and body


def test_no_default_conversation_is_created_and_others_keep_talking(rasa_server, sender, server_env) -> None:
    for _ in range(3):
        rasa_server.post_raw(json.dumps({"message": "who reads this?"}).encode())
    assert rasa_server.texts(sender, "hi")
    db = sqlite3.connect(Path(server_env["CONFIDANT_DATABASE_URL"].removeprefix("sqlite:///")))
    assert db.execute("SELECT COUNT(*) FROM events WHERE sender_id = 'default'").fetchone()[0] == 0


def test_every_user_message_is_stored_once_in_order(rasa_server, sender, server_env) -> None:
    texts = ["hi", "will you tell my parents?", "what if I'm 16?", "thanks"]
    for text in texts:
        rasa_server.texts(sender, text)
    db = sqlite3.connect(Path(server_env["CONFIDANT_DATABASE_URL"].removeprefix("sqlite:///")))
    rows = db.execute(
        "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
    ).fetchall()
    assert [json.loads(row[0])["text"] for row in rows] == texts
