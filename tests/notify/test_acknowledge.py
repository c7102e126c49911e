"""`python -m confidant.notify.acknowledge`: acknowledged in the outbox and recorded in the audit log."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from confidant.notify.outbox import Outbox
from review.storage import audit
from review.storage.appdb import open_review_db

ROOT = Path(__file__).resolve().parents[2]
KEY = "acknowledge-test-audit-key-0123456789"


def test_the_acknowledge_command_is_audited(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    escalation = outbox.record_escalation("web-ack-1", "self_harm", "rest", ["on-call"], lambda e: {"id": e.id})
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CONFIDANT_OUTBOX_PATH": str(tmp_path / "outbox.sqlite3"),
        "CONFIDANT_REVIEW_DB_URL": f"sqlite:///{tmp_path / 'review.sqlite3'}",
        "CONFIDANT_REVIEW_AUDIT_KEY": KEY,
    }
    done = subprocess.run(
        [sys.executable, "-m", "confidant.notify.acknowledge", escalation.id, "--by", "Dr Lee"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert outbox.escalation(escalation.id).acknowledged_by == "Dr Lee"
    with sqlite3.connect(tmp_path / "review.sqlite3") as connection:
        rows = connection.execute("SELECT actor, action, target, detail FROM audit_log").fetchall()
    assert rows == [
        (
            "command line",
            "acknowledge",
            audit.conversation_ref("web-ack-1", KEY.encode()),
            f"escalation {escalation.id} by Dr Lee",
        )
    ]
    assert audit.verify(open_review_db(env["CONFIDANT_REVIEW_DB_URL"]), KEY.encode()).ok
