"""No client text reaches the logs, on the normal path or on the failure paths."""

from __future__ import annotations

import json
import uuid


def test_a_marker_sent_through_every_path_is_in_no_log(rasa_server, action_server, sender) -> None:
    marker = "zq" + uuid.uuid4().hex[:12]
    rasa_server.texts(sender, f"will you tell my parents about {marker}")
    rasa_server.texts(sender, f"i want to kill myself {marker}")  # escalation, notifications
    rasa_server.post_raw(json.dumps({"message": f"no sender {marker}"}).encode())  # refused request
    rasa_server.post_raw(json.dumps({"sender": "x", "message": marker * 5000}).encode())  # too long
    action_server.stop()
    try:
        rasa_server.send(sender, f"yes {marker}")  # action server down: the form's validation fails
    finally:
        action_server.start()
    for process in (rasa_server.process, action_server):
        log = process.log_text()
        assert log, f"{process.name} wrote no log at all"
        assert marker not in log, f"client text found in the {process.name} log"
