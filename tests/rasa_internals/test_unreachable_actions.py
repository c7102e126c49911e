"""A custom action the action server cannot run says its stand-in response instead of nothing."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from confidant.rasa_internals.unreachable_actions import install, saying_a_response_when_unreachable
from tests.support.receivers import free_port

DOMAIN = Domain.from_dict({"responses": {"utter_default": [{"text": "Sorry, I didn't catch that."}]}})


class _Channel:
    @staticmethod
    def name() -> str:
        return "rest"


def run(action: RemoteAction) -> object:
    install()
    tracker = DialogueStateTracker("conv", DOMAIN.slots)
    return asyncio.run(action.run(_Channel(), TemplatedNaturalLanguageGenerator(DOMAIN.responses), tracker, DOMAIN))


def closed_port() -> EndpointConfig:
    return EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")


def test_the_clarifying_question_with_the_action_server_down_says_the_default_reply() -> None:
    [said] = run(RemoteAction("action_clarify_topic", closed_port()))
    assert isinstance(said, BotUttered) and said.text == "Sorry, I didn't catch that."
    assert said.metadata.get("utter_action") == "utter_default"


def test_the_answer_to_what_a_message_also_asked_is_skipped_quietly_with_the_action_server_down() -> None:
    """The crisis reply or the first answer has gone out already; the turn goes on as it would have."""
    assert run(RemoteAction("action_answer_also_asked", closed_port())) == []


def test_an_action_with_no_stand_in_fails_as_before() -> None:
    with pytest.raises(RasaException):
        run(RemoteAction("action_save_callback", closed_port()))


def test_an_error_that_is_not_the_call_failing_is_not_hidden() -> None:
    async def broken(*args: object) -> list:
        raise RasaException("a bug, not the server") from ValueError("bug")

    wrapped = saying_a_response_when_unreachable(broken)
    action = RemoteAction("action_clarify_topic", closed_port())
    tracker = DialogueStateTracker("conv", DOMAIN.slots)
    with pytest.raises(RasaException, match="a bug"):
        asyncio.run(wrapped(action, _Channel(), TemplatedNaturalLanguageGenerator(DOMAIN.responses), tracker, DOMAIN))


def test_a_skipped_action_still_raises_an_error_that_is_not_the_call_failing() -> None:
    async def broken(*args: object) -> list:
        raise RasaException("a bug, not the server") from ValueError("bug")

    wrapped = saying_a_response_when_unreachable(broken)
    action = RemoteAction("action_answer_also_asked", closed_port())
    tracker = DialogueStateTracker("conv", DOMAIN.slots)
    with pytest.raises(RasaException, match="a bug"):
        asyncio.run(wrapped(action, _Channel(), TemplatedNaturalLanguageGenerator(DOMAIN.responses), tracker, DOMAIN))


def test_install_wraps_rasas_method_once() -> None:
    install()
    once = RemoteAction.run
    install()
    assert RemoteAction.run is once
