"""Helpers for the review tool's tests: realistic tracker-store rows and an HTTP client.

Conversations are written with Rasa's own SQLTrackerStore from a DialogueStateTracker of real
Rasa events, so the `events` rows (columns, JSON, type names) are exactly what Rasa writes.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[2]


@cache
def project_domain() -> Any:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


@dataclass
class Say:
    """One turn: what the client wrote, what the NLU made of it, and what followed."""

    text: str
    intent: str = "faq"
    faq: Optional[str] = None
    risk: Optional[Dict[str, Any]] = None
    reply: Optional[str] = "Here is what the practice's policy says."
    slots: Optional[Dict[str, Any]] = None


def risk_of(text: str, category: str, words: str, pattern: str = "reviewed_pattern") -> Dict[str, Any]:
    """The risk dict the pipeline's RiskScreenComponent attaches, with real offsets."""
    start = text.index(words)
    evidence = [{"text": words, "start": start, "end": start + len(words), "pattern": pattern}]
    return {
        "intent": f"risk_{category}",
        "category": category,
        "level": "current",
        "layers": ["screen"],
        "screen": {"category": category, "level": "current", "evidence": evidence},
        "classifier": {"intent": "faq", "confidence": 0.2},
    }


def rasa_events(turns: Sequence[Say], start: datetime, channel: str = "rest") -> List[Any]:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

    moment = start.timestamp()
    events: List[Any] = [
        ActionExecuted("action_session_start", timestamp=moment),
        SessionStarted(timestamp=moment + 0.01),
        ActionExecuted("action_listen", timestamp=moment + 0.02),
    ]
    for number, turn in enumerate(turns):
        at = moment + 60 * (number + 1)
        intent = {"name": turn.intent, "confidence": 0.93}
        parse_data: Dict[str, Any] = {"intent": intent, "intent_ranking": [intent]}
        if turn.faq:
            key = f"faq/{turn.faq}"
            parse_data["response_selector"] = {
                "all_retrieval_intents": ["faq"],
                "faq": {
                    "response": {"intent_response_key": key, "utter_action": f"utter_{key}", "confidence": 0.9},
                    "ranking": [{"intent_response_key": key, "confidence": 0.9}],
                },
            }
        if turn.risk:
            parse_data["risk"] = turn.risk
        events.append(UserUttered(turn.text, intent, [], parse_data, timestamp=at, input_channel=channel))
        for offset, (name, value) in enumerate((turn.slots or {}).items()):
            events.append(SlotSet(name, value, timestamp=at + 0.1 + offset / 100))
        if turn.reply:
            events.append(BotUttered(turn.reply, {}, {}, timestamp=at + 1))
        events.append(ActionExecuted("action_listen", timestamp=at + 2))
    return events


def write_conversation(url: str, sender: str, turns: Sequence[Say], start: datetime, channel: str = "rest") -> None:
    """Store a conversation through Rasa's own SQLTrackerStore."""
    write_events(url, sender, rasa_events(turns, start, channel))


def write_events(url: str, sender: str, events: List[Any]) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(domain=project_domain(), host=url)
    tracker = DialogueStateTracker.from_events(sender, events, slots=project_domain().slots)
    asyncio.run(store.save(tracker))
    store.engine.dispose()


def days_ago(days: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=days)


@dataclass
class Response:
    status: int
    headers: Any
    body: str

    def header(self, name: str) -> str:
        return self.headers.get(name) or ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Client:
    """A browser-like client: keeps cookies, does not follow redirects, speaks forms."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())
        self.csrf = ""

    def request(self, method: str, path: str, form: Optional[Dict[str, str]] = None) -> Response:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with self.opener.open(request, timeout=30) as response:
                return Response(response.status, response.headers, response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read().decode("utf-8"))

    def get(self, path: str) -> Response:
        response = self.request("GET", path)
        found = CSRF_FIELD.search(response.body)
        if found and path != "/login" and not path.startswith("/login?"):
            self.csrf = found.group(1)
        return response

    def post(self, path: str, form: Optional[Dict[str, str]] = None, csrf: bool = True) -> Response:
        fields = dict(form or {})
        if csrf:
            fields.setdefault("csrf_token", self.csrf)
        return self.request("POST", path, fields)

    def login(self, name: str, password: str) -> Response:
        page = self.request("GET", "/login")
        token = CSRF_FIELD.search(page.body)
        assert token, page.body
        response = self.request("POST", "/login", {"csrf_token": token.group(1), "name": name, "password": password})
        if response.status == 303:
            self.get("/conversations")
        return response


def wait_for(condition: Any, timeout: float = 15.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(interval)
