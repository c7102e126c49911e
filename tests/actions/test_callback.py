"""The call-back form's validation: a question steps the form aside; contact details never do."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List
from unittest import mock

from rasa_sdk import FormValidationAction
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ValidateCallbackForm
from tests.actions.conftest import make_tracker, user_event

FORM_SLOTS = {"requested_slot": "callback_contact"}


def validate(intent: str, text: str, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
    tracker = make_tracker([user_event(intent, text)], slots=FORM_SLOTS)
    validated = [{"event": "slot", "name": "callback_contact", "value": "phone ending 99"}]
    with mock.patch.object(FormValidationAction, "run", mock.AsyncMock(return_value=validated)):
        return asyncio.run(ValidateCallbackForm().run(CollectingDispatcher(), tracker, domain))


def test_a_question_instead_of_contact_details_rejects_the_forms_turn(domain) -> None:
    [event] = validate("faq", "wait, will you tell my parents?", domain)
    assert event["event"] == "action_execution_rejected" and event["name"] == "callback_form"


def test_contact_details_are_validated_whatever_the_intent(domain) -> None:
    # The classifier may well call a phone number a question about contacting the practice.
    assert validate("faq", "555-010-0199", domain)[0]["event"] == "slot"
    assert validate("faq", "someone@example.org", domain)[0]["event"] == "slot"


def test_anything_else_is_validated_as_contact_details(domain) -> None:
    assert validate("affirm", "12345", domain)[0]["event"] == "slot"
