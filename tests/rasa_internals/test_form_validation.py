"""An unreachable form validation action makes the form step aside; nothing else changes.

The end-to-end case (a risk message in the middle of the call-back form, action server down)
is tests/e2e/test_safety_without_action_server.py.
"""

from __future__ import annotations

import asyncio
import logging
from unittest import mock

import aiohttp
import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain, InvalidDomain
from rasa.shared.core.events import BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from confidant.rasa_internals.form_validation import (
    ValidationUnavailable,
    action_server_unavailable,
    install,
    rejecting_when_unavailable,
    saying_when_unavailable,
)
from tests.support.receivers import free_port

FORM = FormAction("callback_form", None)


def run(validate_slots) -> object:
    return asyncio.run(rejecting_when_unavailable(validate_slots)(FORM, {}, None, None, None, None))


def test_a_validation_action_that_cannot_be_reached_rejects_the_forms_turn(caplog: pytest.LogCaptureFixture) -> None:
    async def unreachable(*args: object) -> None:
        raise RasaException("Failed to execute custom action 'validate_callback_form'. i want to kill myself")

    with caplog.at_level(logging.DEBUG), pytest.raises(ActionExecutionRejection) as rejection:
        run(unreachable)
    assert rejection.value.action_name == "callback_form"
    assert "kill" not in caplog.text and "RasaException" in caplog.text


def test_a_rejection_from_the_validation_action_itself_is_passed_on_unchanged() -> None:
    rejected = ActionExecutionRejection("callback_form", "the validation action rejected it")

    async def rejecting(*args: object) -> None:
        raise rejected

    with pytest.raises(ActionExecutionRejection) as raised:
        run(rejecting)
    assert raised.value is rejected


def test_a_validation_that_works_returns_its_events() -> None:
    async def validating(*args: object) -> list:
        return [SlotSet("callback_contact", "vault:1")]

    assert run(validating) == [SlotSet("callback_contact", "vault:1")]


def test_other_errors_are_not_hidden() -> None:
    async def broken(*args: object) -> None:
        raise KeyError("a bug in the form")

    with pytest.raises(KeyError):
        run(broken)


def test_install_wraps_rasas_methods_once() -> None:
    for name in ("validate_slots", "activate"):
        original = getattr(FormAction, name)
        rasas_own = getattr(original, "__wrapped__", original)  # another test's server may have installed it
        try:
            setattr(FormAction, name, rasas_own)
            install()
            once = getattr(FormAction, name)
            install()
            assert getattr(FormAction, name) is once
            assert once is not rasas_own and once.__wrapped__ is rasas_own
        finally:
            setattr(FormAction, name, original)


class _Channel:
    @staticmethod
    def name() -> str:
        return "rest"


def activate_with(form: FormAction, activate, domain: Domain) -> object:
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker("conv", domain.slots)
    return asyncio.run(saying_when_unavailable(activate)(form, _Channel(), nlg, tracker, domain))


def test_on_its_first_turn_an_unvalidated_call_back_form_says_so_and_opens() -> None:
    domain = Domain.from_dict({"responses": {"utter_callback_unavailable": [{"text": "can't save right now"}]}})

    async def unavailable(*args: object) -> None:
        raise ValidationUnavailable("callback_form", "down")

    [said] = activate_with(FORM, unavailable, domain)
    assert isinstance(said, BotUttered) and said.text == "can't save right now"
    assert said.metadata.get("utter_action") == "utter_callback_unavailable"


def test_a_form_with_no_such_response_still_steps_aside() -> None:
    async def unavailable(*args: object) -> None:
        raise ValidationUnavailable("other_form", "down")

    with pytest.raises(ValidationUnavailable):
        activate_with(FormAction("other_form", None), unavailable, Domain.empty())


def run_with_endpoint(validate_slots) -> object:
    form = FormAction("callback_form", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))
    return asyncio.run(rejecting_when_unavailable(validate_slots)(form, {}, None, None, None, None))


def test_a_closed_action_server_port_as_rasa_reports_it_rejects_the_forms_turn() -> None:
    """The real failure: RemoteAction calling a port nothing listens on."""
    endpoint = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    remote = RemoteAction("validate_callback_form", endpoint)
    domain = Domain.empty()

    async def validate_remotely(*args: object) -> object:
        tracker = DialogueStateTracker("conv", domain.slots)
        return await remote.run(_Channel(), TemplatedNaturalLanguageGenerator({}), tracker, domain)

    with pytest.raises(ValidationUnavailable):
        run_with_endpoint(validate_remotely)


@pytest.mark.parametrize(
    "failure",
    [
        aiohttp.ClientConnectionError("refused"),
        aiohttp.ClientResponseError(mock.Mock(real_url="http://127.0.0.1/webhook"), (), status=500),
        aiohttp.ClientPayloadError("cut off"),
    ],
    ids=["no connection", "error status", "broken reply"],
)
def test_each_way_the_call_fails_is_the_server_being_unavailable(failure: Exception) -> None:
    def raised_as_rasa_does() -> RasaException:
        try:
            raise failure
        except aiohttp.ClientError:
            try:
                raise RasaException("Failed to execute custom action 'validate_callback_form'")
            except RasaException as error:
                return error

    assert action_server_unavailable(raised_as_rasa_does(), endpoint_configured=True)
    assert action_server_unavailable(asyncio.TimeoutError(), endpoint_configured=True)
    assert action_server_unavailable(RasaException("no endpoint configured"), endpoint_configured=False)


def test_a_rasa_error_that_is_not_the_call_failing_is_not_hidden() -> None:
    """A bug raising a RasaException while validating must not look like an unreachable server."""

    async def buggy(*args: object) -> None:
        raise RasaException("a bug inside the form's own code")

    async def another_rasa_error(*args: object) -> None:
        raise InvalidDomain("a domain Rasa cannot read")

    with pytest.raises(RasaException, match="a bug inside"):
        run_with_endpoint(buggy)
    with pytest.raises(InvalidDomain):
        run_with_endpoint(another_rasa_error)
    assert not action_server_unavailable(InvalidDomain("x"), endpoint_configured=False)
