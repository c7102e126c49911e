"""With the practice closed, a risk message is told honestly when a person will read it.

A real Rasa (trained model, action server) runs with a practice file whose only open day is
three days from now, in the practice's time zone, so the clock is outside office hours whenever
the test runs. The escalation reply must say the practice is closed and name that day and the
opening time, in the words of the domain's `utter_phrase_*` phrases.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, Iterator
from zoneinfo import ZoneInfo

import pytest
import yaml

from confidant.response_filling import DOUBLE_STOP
from confidant.settings import current_settings
from tests.conftest import RasaServer
from tests.support.receivers import free_port
from tests.support.servers import ROOT, ManagedProcess, rasa_run_command, settings_for_tests

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def open_day() -> datetime:
    """Three days from now where the practice is: never today, tomorrow, or a day already begun."""
    return datetime.now(ZoneInfo(current_settings().practice.timezone)) + timedelta(days=3)


def closed_practice(path: Path) -> Path:
    practice = copy.deepcopy(yaml.safe_load((ROOT / "practice.yml").read_text())["practice"])
    practice["office_hours"] = {open_day().strftime("%A").lower(): {"open": "09:00", "close": "17:00"}}
    practice["holidays"] = []
    return settings_for_tests(path, practice=practice)


def phrase(name: str, **values: str) -> str:
    text = DOMAIN[name][0]["text"]
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


@pytest.fixture(scope="module")
def closed_rasa(
    server_env: Dict[str, str], action_server: ManagedProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RasaServer]:
    state = tmp_path_factory.mktemp("closed-practice")
    env = dict(server_env, CONFIDANT_SETTINGS=str(closed_practice(state / "practice.yml")))
    env["CONFIDANT_DATABASE_URL"] = f"sqlite:///{state / 'conversations.sqlite3'}"
    port = free_port()
    process = ManagedProcess("rasa-closed", rasa_run_command(port), env, f"http://127.0.0.1:{port}/", state)
    process.start(timeout=240)
    yield RasaServer(process, f"http://127.0.0.1:{port}")
    process.stop()


def test_a_risk_message_while_closed_names_the_day_and_time_a_person_reads_it(closed_rasa) -> None:
    texts = closed_rasa.texts("rest-" + uuid.uuid4().hex, "i dont want to be alive anymore")
    day = phrase("utter_phrase_day_weekday", next_open_weekday=open_day().strftime("%A"))
    closed = DOUBLE_STOP.sub(".", phrase("utter_phrase_next_reader_closed", next_open_day=day, next_open_time="9 a.m."))
    assert any(closed in text for text in texts), texts
    assert not any(phrase("utter_phrase_next_reader_open") in text for text in texts)
    # The numbers still come first: the closed practice changes when, not whether, help is named.
    assert current_settings().crisis.emergency_number in texts[0]
