"""Rate limits on every channel, each on a real Sanic server on loopback with a stand-in agent.

A message past a limit never reaches Rasa and gets a clear refusal (REST: 429 JSON; web chat:
a `message_error` event; SMS: one short notice a window, then nothing), but a risk message is
still screened and still gets the domain's crisis response. (The trained model's own answers
to risk messages are tested end to end elsewhere; here the crisis text must come without Rasa.)
"""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from cryptography.fernet import Fernet

from confidant.channels.channel_texts import RATE_LIMITED, channel_texts
from confidant.channels.crisis_reply import responses_for_risk_intents
from confidant.channels.rate_limits import RateLimiter, trusted_networks
from confidant.channels.rest import GuardedRestInput
from confidant.channels.socketio import GuardedSocketIOInput
from confidant.notify import outbox as outbox_module
from confidant.settings import PROJECT_ROOT, RateLimit, RateLimits
from tests.channels.conftest import FakeAgent, make_channel, serving, twilio_form
from tests.support.socketio_client import ChatClient

RISK = "i want to kill myself tonight"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def crisis_texts(intent: str = "risk_self_harm", channel: Optional[str] = None) -> List[str]:
    """What the safety rule for `intent` says first, as the project's response generator fills
    it in for the channel (`{next_reader}` at this moment): what Rasa itself would have sent."""
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from confidant.practice_nlg import PracticeResponseGenerator

    nlg = PracticeResponseGenerator(domain=Domain.load(str(PROJECT_ROOT / "domain.yml")))
    names = responses_for_risk_intents()[intent]
    assert names[0].startswith("utter_crisis")
    tracker = DialogueStateTracker("crisis-texts", [])
    return [asyncio.run(nlg.generate(name, tracker, channel or "rest"))["text"] for name in names]


def small_limits(messages: int = 2, conversations: int = 5) -> RateLimiter:
    return RateLimiter(
        RateLimits(
            window_minutes=10,
            new_conversations=RateLimit(per_address=conversations, total=conversations * 10),
            messages=RateLimit(per_address=messages, total=messages * 10),
        )
    )


def echo(text: str) -> list:
    return [{"text": f"echo: {text}"}]


# ---- REST ------------------------------------------------------------------------------------


def serve_rest(scenario: Any, limiter: RateLimiter, trusted: tuple = ()) -> Any:
    agent = FakeAgent(echo)

    async def main() -> Any:
        channel = GuardedRestInput(max_message_chars=1000, limiter=limiter)
        channel.trusted_proxies = trusted_networks(trusted)
        async with serving(channel, agent) as client:
            return await scenario(client), [message.text for message in agent.received]

    return asyncio.run(main())


async def post(client: Any, sender: str, text: str, headers: Optional[Dict[str, str]] = None) -> tuple:
    body = {"sender": sender, "message": text}
    async with client.session.post(f"{client.url}/webhooks/rest/webhook", json=body, headers=headers or {}) as reply:
        return reply.status, await reply.json(), reply.headers.get("Retry-After")


def test_rest_past_the_message_limit_gets_429_json_and_nothing_reaches_rasa(outbox: Any, practice: Any) -> None:
    async def scenario(client: Any) -> list:
        return [await post(client, "crm-1", f"question {n}") for n in range(3)]

    (first, second, third), received = serve_rest(scenario, small_limits(messages=2))
    assert first[0] == second[0] == 200
    status, body, retry_after = third
    assert status == 429 and body["error"] == "rate_limited" and body["messages"] == []
    assert body["detail"] == channel_texts().web(RATE_LIMITED) and practice.crisis.emergency_number in body["detail"]
    assert retry_after == str(body["retry_after"]) and 0 < body["retry_after"] <= 600
    assert received == ["question 0", "question 1"]
    assert outbox.escalations() == []


def test_rest_a_risk_message_past_the_limit_still_gets_the_domain_s_crisis_response(outbox: Any) -> None:
    async def scenario(client: Any) -> list:
        return [await post(client, "crm-2", text) for text in ("hello", "hello again", RISK)]

    (*_, (status, body, _)), received = serve_rest(scenario, small_limits(messages=2))
    assert status == 429
    texts = [message for message in body["messages"] if "text" in message]
    assert texts == [{"recipient_id": "crm-2", "text": text} for text in crisis_texts()]
    # The first crisis message's card of call and text buttons comes with it, as Rasa sends it.
    assert any("crisis_card" in message.get("custom", {}) for message in body["messages"])
    assert RISK not in received
    # The crisis text says a person is being told: the escalation is recorded as the rule would.
    [escalation] = outbox.escalations()
    assert (escalation.conversation_id, escalation.category, escalation.channel) == ("crm-2", "self_harm", "rest")
    assert {n.kind for n in outbox.notifications(escalation.id)} == {"escalation"}


def test_rest_new_conversations_from_one_address_are_limited() -> None:
    async def scenario(client: Any) -> list:
        return [(await post(client, f"crm-new-{n}", "hello"))[0] for n in range(4)]

    statuses, _ = serve_rest(scenario, small_limits(messages=100, conversations=3))
    assert statuses == [200, 200, 200, 429]


def test_rest_x_forwarded_for_counts_only_from_a_trusted_proxy() -> None:
    async def scenario(client: Any) -> list:
        return [(await post(client, "crm-3", "hi", {"X-Forwarded-For": f"198.51.100.{n}"}))[0] for n in range(4)]

    untrusted, _ = serve_rest(scenario, small_limits(messages=2))
    assert untrusted == [200, 200, 429, 429]  # a header anyone can write changes nothing
    trusted, _ = serve_rest(scenario, small_limits(messages=2), trusted=("127.0.0.1",))
    assert trusted == [200, 200, 200, 200]  # the proxy on loopback vouches for each client


# ---- SMS ---------------------------------------------------------------------------------------

PHONE = "+14155550177"


def serve_sms(scenario: Any, tmp_path: Path, twilio: Any, limiter: RateLimiter) -> Any:
    async def main() -> Any:
        channel = make_channel(tmp_path / "sms.sqlite3", twilio.url, Fernet.generate_key())
        channel.limiter = limiter
        async with serving(channel, FakeAgent(echo)) as client:
            result = await scenario(client)
            await client.channel.drain(10)
            return result, [message.text for message in client.agent.received]

    return asyncio.run(main())


def test_sms_past_the_limit_gets_one_short_notice_then_nothing(tmp_path: Path, twilio: Any, practice: Any) -> None:
    async def scenario(client: Any) -> list:
        return [await client.post(twilio_form(PHONE, f"question {n}")) for n in range(5)]

    answers, received = serve_sms(scenario, tmp_path, twilio, small_limits(messages=2))
    assert [status for status, _ in answers] == [200] * 5
    assert answers[0][1] == answers[1][1] == EMPTY_TWIML  # answered by the API after the turn
    sms_refusal = html.escape(channel_texts().sms(RATE_LIMITED), quote=False)
    assert sms_refusal in answers[2][1] and practice.crisis.emergency_number in answers[2][1]
    assert answers[3][1] == answers[4][1] == EMPTY_TWIML
    assert received == ["question 0", "question 1"]


def test_sms_a_risk_message_past_the_limit_still_gets_the_crisis_response(
    tmp_path: Path, twilio: Any, outbox: Any
) -> None:
    async def scenario(client: Any) -> list:
        return [await client.post(twilio_form(PHONE, text)) for text in ("a", "b", "c", RISK)]

    answers, received = serve_sms(scenario, tmp_path, twilio, small_limits(messages=2))
    parts = re.findall(r"<Message>(.*?)</Message>", answers[3][1], re.S)
    assert [html.unescape(part) for part in parts] == crisis_texts(channel="sms")  # each under 300 characters
    assert RISK not in received
    [escalation] = outbox.escalations()
    assert escalation.conversation_id.startswith("sms-") and escalation.channel == "sms"


def test_sms_limits_count_per_phone(tmp_path: Path, twilio: Any) -> None:
    async def scenario(client: Any) -> list:
        return [await client.post(twilio_form(f"+1415555{n:04d}", "hello")) for n in range(5)]

    answers, received = serve_sms(scenario, tmp_path, twilio, small_limits(messages=1))
    assert all(body == EMPTY_TWIML for _, body in answers) and len(received) == 5


# ---- web chat (socket.io) ---------------------------------------------------------------------


def serve_chat(scenario: Any, limiter: RateLimiter) -> Any:
    async def main() -> Any:
        channel = GuardedSocketIOInput(session_key=b"k" * 32, limiter=limiter)
        agent = FakeAgent(echo)
        async with serving(channel, agent) as server:
            clients = []

            async def connect() -> ChatClient:
                client = ChatClient(server.url)
                clients.append(client)
                return await client.connect()

            try:
                return await scenario(connect), [message.text for message in agent.received]
            finally:
                await asyncio.gather(*(client.close() for client in clients))

    return asyncio.run(main())


def test_web_chat_past_the_limit_gets_a_message_error_and_a_risk_message_the_crisis_response(
    outbox: Any, practice: Any
) -> None:
    async def scenario(connect: Any) -> tuple:
        client = await connect()
        await client.start_session(None)
        await client.say("hello", quiet=0.3)
        await client.say("hello again", quiet=0.3)
        start = len(client.received)
        plain = await client.say("one more", quiet=0.3)
        error = await client.wait_for("message_error", start=start)
        risky = await client.say(RISK, quiet=0.3)
        return plain, error, risky

    (plain, error, risky), received = serve_chat(scenario, small_limits(messages=2))
    assert error["error"] == "rate_limited" and practice.crisis.emergency_number in error["detail"]
    assert plain == [error["detail"]]  # the widget shows the refusal where messages appear
    assert [text for text in risky if text] == crisis_texts() + [error["detail"]]  # the card has no text
    assert received == ["hello", "hello again"]
    [escalation] = outbox.escalations()
    assert escalation.conversation_id.startswith("web-") and escalation.channel == "socketio"


def test_web_chat_new_sessions_from_one_address_are_limited_and_risk_is_still_answered() -> None:
    async def scenario(connect: Any) -> tuple:
        for _ in range(2):
            await (await connect()).start_session(None)
        refused = await connect()
        await refused.sio.emit("session_request", {"session_id": None})
        error = await refused.wait_for("message_error", timeout=10)
        crisis = await refused.say(RISK, quiet=0.3)
        return error, crisis

    (error, crisis), received = serve_chat(scenario, small_limits(messages=10, conversations=2))
    assert error["error"] == "rate_limited" and error["retry_after"] > 0
    assert [text for text in crisis if text] == crisis_texts()  # the card has no text
    assert received == []


@pytest.fixture(autouse=True)
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh outbox for the escalations of refused risk messages; the crisis replies loaded once."""
    from confidant.channels.crisis_reply import crisis_replies

    crisis_replies()
    monkeypatch.setenv(outbox_module.OUTBOX_PATH_ENV_VAR, str(tmp_path / "outbox.sqlite3"))
    outbox_module.default_outbox.cache_clear()
    yield outbox_module.default_outbox()
    outbox_module.default_outbox.cache_clear()
