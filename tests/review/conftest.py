"""A scratch practice for the review tool: tracker store, outbox, vault, accounts, and the app.

The tracker store is written by Rasa's own SQLTrackerStore (tests/review/support.py). The app
runs as `python -m review.app` on a free loopback port, the way `make run` will start it, with
the retention schedule every second so its purge can be watched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
from cryptography.fernet import Fernet

from confidant.contact_vault import ContactDetails, ContactVault
from confidant.notify.outbox import Outbox
from review.storage.audit import conversation_ref
from tests.review.support import ROOT, Client, Say, days_ago, risk_of, wait_for, write_conversation
from tests.support.receivers import free_port

ADMIN = ("ada-admin", "admin password 1234")
CLINICIAN = ("cleo-clinician", "clinician password 5678")
LOCKOUT_TARGET = ("lou-lockout", "lockout password 9012")
AUDIT_KEY = "audit-key-for-the-review-tests-0123456789"


def audit_ref(conversation_id: str) -> str:
    """How the audit log names a conversation (a keyed reference), for queries on it."""
    return conversation_ref(conversation_id, AUDIT_KEY.encode())


XSS_TEXT = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> will you tell my mum & dad?'
RISK_TEXT = "Honestly I want to end my life, nobody would notice"
CONTACT_TEXT = "you can reach me at jo.bloggs@example.org or on +44 7700 900456 after 5"
ODD_TEXT = "I'm 50% sure my file_name has a back\\slash in it"
CALLBACK_NUMBER = "07700 900123"


@dataclass
class Scratch:
    directory: Path
    env: Dict[str, str]
    database_url: str
    outbox: Outbox
    vault: ContactVault
    escalations: Dict[str, str] = field(default_factory=dict)
    filler: List[str] = field(default_factory=list)
    appointment_id: int = 0

    def write(self, sender: str, turns: List[Say], days: float, channel: str = "rest") -> str:
        write_conversation(self.database_url, sender, turns, days_ago(days), channel)
        return sender

    def escalate(self, sender: str, category: str, days: float, channel: str = "rest") -> str:
        escalation = self.outbox.record_escalation(
            sender, category, channel, ["on-call"], lambda opened: {"escalation_id": opened.id}, now=days_ago(days)
        )
        self.escalations[sender] = escalation.id
        return escalation.id


def run_cli(env: Dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args], input=stdin, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def scratch_env(directory: Path, database_url: str) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONPATH": str(ROOT),
            "CONFIDANT_DATABASE_URL": database_url,
            "CONFIDANT_REVIEW_DB_URL": f"sqlite:///{directory / 'review.sqlite3'}",
            "CONFIDANT_OUTBOX_PATH": str(directory / "outbox.sqlite3"),
            "CONFIDANT_CONTACT_VAULT_PATH": str(directory / "contacts.sqlite3"),
            "CONFIDANT_CONTACT_KEY": Fernet.generate_key().decode(),
            "CONFIDANT_REVIEW_RETENTION_INTERVAL": "1",
            "CONFIDANT_REVIEW_AUDIT_KEY": AUDIT_KEY,
            "CONFIDANT_SMS_STORE_PATH": str(directory / "sms.sqlite3"),
            "CONFIDANT_EVENT_SPOOL_DIR": str(directory / "event-spool"),
            # Pages ask for the open-alert count every second, so the browser tests see it change.
            "CONFIDANT_REVIEW_POLL_SECONDS": "1",
        }
    )
    env.pop("CONFIDANT_REVIEW_READ_URL", None)
    return env


def make_scratch(directory: Path, database_url: str = "") -> Scratch:
    database_url = database_url or f"sqlite:///{directory / 'conversations.sqlite3'}"
    env = scratch_env(directory, database_url)
    return Scratch(
        directory=directory,
        env=env,
        database_url=database_url,
        outbox=Outbox(directory / "outbox.sqlite3"),
        vault=ContactVault(directory / "contacts.sqlite3", env["CONFIDANT_CONTACT_KEY"].encode()),
    )


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Scratch:
    """The practice every HTTP test looks at. Tests that change things add their own conversations."""
    return populate(make_scratch(tmp_path_factory.mktemp("review")))


def populate(practice: Scratch) -> Scratch:
    """Conversations of every kind the pages show, and an admin, a clinician and an account to lock out."""
    practice.write(
        "c-faq-parents",
        [
            Say("will you tell my parents what I say?", faq="tell_parents"),
            Say("what about my records", faq="records_privacy"),
        ],
        days=3,
    )
    practice.write("c-xss", [Say(XSS_TEXT, faq="tell_parents")], days=2)
    practice.write(
        "c-risk-open",
        [
            Say("is this private?", faq="what_is_confidentiality"),
            Say(
                RISK_TEXT,
                intent="risk_self_harm",
                risk=risk_of(RISK_TEXT, "self_harm", "end my life", "suicidal_intent"),
                reply="If you are in danger now, call 911. You can call or text 988.",
                slots={"escalated": True, "risk_category": "self_harm"},
            ),
            Say(CALLBACK_NUMBER, intent="inform_contact", slots={"callback_contact": "phone ending 23"}),
        ],
        days=1,
    )
    practice.escalate("c-risk-open", "self_harm", days=1)
    practice.vault.store(
        "c-risk-open",
        ContactDetails("phone", CALLBACK_NUMBER, how="text_only", when="after 5pm", notes=("my mom checks my calls",)),
    )
    practice.appointment_id = practice.vault.open_appointment("c-risk-open", "rest")
    practice.vault.set_appointment_contact(
        "c-risk-open", practice.appointment_id, ContactDetails("phone", CALLBACK_NUMBER)
    )
    practice.vault.submit_appointment("c-risk-open", practice.appointment_id)
    harm_text = "sometimes I think about hurting my brother"
    practice.write(
        "c-risk-acked",
        [
            Say(
                harm_text,
                intent="risk_harm_others",
                risk=risk_of(harm_text, "harm_others", "hurting my brother"),
                slots={"escalated": True, "risk_category": "harm_others"},
            )
        ],
        days=9,
        channel="twilio",
    )
    practice.outbox.acknowledge(practice.escalate("c-risk-acked", "harm_others", days=9), "dr-earlier")
    practice.write("c-contact", [Say(CONTACT_TEXT, intent="inform_contact", reply="Thanks.")], days=0.5)
    practice.write("c-odd", [Say(ODD_TEXT, faq="records_privacy")], days=4)
    topics = ["tell_parents", "limit_court", "records_privacy", "bot_privacy", "minor_age"]
    for number in range(30):
        sender = f"c-filler-{number:02d}"
        channel = "twilio" if number % 3 == 0 else "rest"
        practice.write(
            sender,
            [Say(f"question number {number}", faq=topics[number % len(topics)])],
            days=5 + number * 2,
            channel=channel,
        )
        practice.filler.append(sender)
    for name, role in ((ADMIN, "admin"), (CLINICIAN, "clinician"), (LOCKOUT_TARGET, "clinician")):
        result = run_cli(practice.env, "review.cli.accounts", "create", name[0], "--role", role, stdin=name[1] + "\n")
        assert result.returncode == 0, result.stderr
    return practice


@dataclass
class ReviewServer:
    url: str
    process: subprocess.Popen
    log: Path


@contextmanager
def running_review_app(env: Dict[str, str], directory: Path) -> Iterator[ReviewServer]:
    """`python -m review.app` on a free port with `env`, up until the block ends; log in `directory`."""
    port = free_port()
    log = directory / "review-app.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "review.app", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"review app exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_for(up, timeout=60, interval=0.2)
        yield ReviewServer(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def review_server(scratch: Scratch) -> Iterator[ReviewServer]:
    with running_review_app(scratch.env, scratch.directory) as server:
        yield server


@pytest.fixture
def anonymous(review_server: ReviewServer) -> Client:
    return Client(review_server.url)


@pytest.fixture
def admin(review_server: ReviewServer) -> Client:
    client = Client(review_server.url)
    assert client.login(*ADMIN).status == 303
    return client


@pytest.fixture
def clinician(review_server: ReviewServer) -> Client:
    client = Client(review_server.url)
    assert client.login(*CLINICIAN).status == 303
    return client
