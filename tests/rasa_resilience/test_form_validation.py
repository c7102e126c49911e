"""An unreachable form validation action makes the form step aside; nothing else changes.

The end-to-end case (a risk message in the middle of the call-back form, action server down)
is tests/e2e/test_safety_without_action_server.py.
"""

from __future__ import annotations

import asyncio
import logging
from unittest import mock

import pytest
from rasa.core.actions.action import ActionExecutionRejection
from rasa.core.actions.forms import FormAction
from rasa.shared.core.events import SlotSet
from rasa.shared.exceptions import RasaException

from confidant import rasa_resilience
from confidant.practice_nlg import PracticeResponseGenerator
from confidant.rasa_resilience.form_validation import install, rejecting_when_unavailable

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


def test_install_wraps_rasas_method_once() -> None:
    original = FormAction.validate_slots
    rasas_own = getattr(original, "__wrapped__", original)  # another test's server may have installed it
    try:
        FormAction.validate_slots = rasas_own
        install()
        once = FormAction.validate_slots
        install()
        assert FormAction.validate_slots is once
        assert once is not rasas_own and once.__wrapped__ is rasas_own
    finally:
        FormAction.validate_slots = original


def test_every_rasa_server_installs_it_with_its_response_generator() -> None:
    with mock.patch.object(rasa_resilience, "install") as installed:
        PracticeResponseGenerator()
    installed.assert_called_once()
