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
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from confidant import rasa_resilience
from confidant.practice_nlg import PracticeResponseGenerator
from confidant.rasa_resilience.form_validation import (
    ValidationUnavailable,
    install,
    rejecting_when_unavailable,
    saying_when_unavailable,
)

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


def test_every_rasa_server_installs_it_with_its_response_generator() -> None:
    with mock.patch.object(rasa_resilience, "install") as installed:
        PracticeResponseGenerator()
    installed.assert_called_once()
