"""The read path against the local PostgreSQL, through a role that can only SELECT `events`.

A scratch database is created and dropped here (127.0.0.1:5432, trust auth, user postgres).
The role is made by `python -m review.cli.db_roles`, and the app itself is run against it.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path
from typing import Iterator, Tuple

import psycopg2
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from review.storage.account_store import AccountStore
from review.storage.appdb import open_review_db
from review.storage.conversations import ConversationIndex
from review.storage.deletion import ConversationEraser
from review.storage.engines import make_engine
from review.storage.followup import FollowUp
from review.web.filters import ConversationFilter
from tests.review.conftest import RISK_TEXT, Scratch, make_scratch, run_cli
from tests.review.support import ROOT, Client, Say, risk_of, wait_for
from tests.support.receivers import free_port

SERVER = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Scratch, str, str]]:
    """(practice on a scratch database, privileged URL, read-only URL)."""
    suffix = uuid.uuid4().hex[:10]
    database, role = f"review_test_{suffix}", f"review_reader_{suffix}"
    try:
        admin = psycopg2.connect(f"{SERVER}/postgres", connect_timeout=5)
    except psycopg2.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at 127.0.0.1:5432 as postgres (trust auth): {error}", pytrace=False)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{database}"')
    privileged = f"{SERVER}/{database}"
    practice = make_scratch(tmp_path_factory.mktemp("postgres"), privileged)
    try:
        yield practice, privileged, f"postgresql://{role}@127.0.0.1:5432/{database}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()


def test_read_only_role_reads_and_cannot_write(postgres) -> None:
    practice, privileged, read_url = postgres
    practice.write("pg-faq", [Say("will you tell my parents?", faq="tell_parents")], days=2)
    practice.write(
        "pg-risk",
        [
            Say(
                RISK_TEXT,
                intent="risk_self_harm",
                risk=risk_of(RISK_TEXT, "self_harm", "end my life"),
                slots={"escalated": True, "risk_category": "self_harm"},
            )
        ],
        days=1,
        channel="twilio",
    )
    with create_engine(privileged).begin() as connection:
        connection.execute(text("CREATE TABLE other_secrets (id integer)"))

    role = read_url.split("//", 1)[1].split("@", 1)[0]
    made = run_cli(practice.env, "review.cli.db_roles", "--admin-url", privileged, "--readonly-user", role)
    assert made.returncode == 0, made.stderr
    again = run_cli(practice.env, "review.cli.db_roles", "--admin-url", privileged, "--readonly-user", role)
    assert again.returncode == 0, again.stderr

    index = ConversationIndex(make_engine(read_url, read_only=True))
    summaries = {summary.conversation_id: summary for summary in index.summaries()}
    assert set(summaries) == {"pg-faq", "pg-risk"}
    assert summaries["pg-risk"].escalated_in_tracker and summaries["pg-risk"].channels == {"twilio"}
    assert summaries["pg-faq"].topics == {"faq/tell_parents"}
    messages = index.messages("pg-risk")
    assert messages[0].text == RISK_TEXT and messages[0].evidence[0].text == "end my life"
    zone = __import__("zoneinfo").ZoneInfo("UTC")
    for query, expected in (("' OR 1=1 --", set()), ("%", set()), ("_", set()), ("\\", set()), ("PARENTS", {"pg-faq"})):
        found = {s.conversation_id for s in summaries.values() if ConversationFilter(text=query).matches(s, {}, zone)}
        assert found == expected, query

    reader = create_engine(read_url)
    with pytest.raises(DBAPIError, match="read-only transaction"):
        with reader.begin() as connection:
            connection.execute(text("DELETE FROM events"))
    # The read-only default is only a second line: a session that turns it off still has no right to write.
    for statement in (
        "DELETE FROM events",
        "UPDATE events SET data = '{}'",
        "INSERT INTO events (sender_id, type_name) VALUES ('x', 'user')",
        "SELECT * FROM other_secrets",
        "DROP TABLE events",
        "TRUNCATE events",
    ):
        with pytest.raises(DBAPIError) as raised:
            with reader.begin() as connection:
                connection.execute(text("SET TRANSACTION READ WRITE"))
                connection.execute(text(statement))
        message = str(raised.value)
        assert "permission denied" in message or "must be owner" in message, (statement, message)
    reader.dispose()

    eraser = ConversationEraser(
        make_engine(privileged),
        practice.vault,
        practice.outbox,
        FollowUp(open_review_db(practice.env["CONFIDANT_REVIEW_DB_URL"])),
    )
    assert eraser.erase("pg-faq").events > 0
    assert {summary.conversation_id for summary in index.summaries()} == {"pg-risk"}


def test_the_app_runs_on_postgres_through_the_read_only_role(postgres, tmp_path: Path) -> None:
    practice, privileged, read_url = postgres
    practice.write("pg-app", [Say("<i>is</i> this <script>private</script>?", faq="what_is_confidentiality")], days=1)
    AccountStore(open_review_db(practice.env["CONFIDANT_REVIEW_DB_URL"])).create(
        "pat-pg", "clinician", "postgres password 1"
    )
    env = dict(practice.env, CONFIDANT_REVIEW_READ_URL=read_url, CONFIDANT_REVIEW_RETENTION_INTERVAL="0")
    port = free_port()
    log = tmp_path / "app.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "review.app", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:

        def up() -> bool:
            assert process.poll() is None, log.read_text()
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).status == 200
            except OSError:
                return False

        wait_for(up, timeout=60, interval=0.2)
        client = Client(f"http://127.0.0.1:{port}")
        assert client.login("pat-pg", "postgres password 1").status == 303
        listing = client.get("/conversations?q=private")
        assert listing.status == 200 and "/conversations/pg-app" in listing.body
        page = client.get("/conversations/pg-app")
        assert page.status == 200 and "&lt;script&gt;private&lt;/script&gt;" in page.body
        assert client.get("/conversations?q=%27+OR+1%3D1+--").status == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
