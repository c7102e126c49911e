"""Rasa's check of action server replies, with the schema's validator built once."""

from __future__ import annotations

from typing import Any, Dict, List
from unittest import mock

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from confidant.rasa_internals import action_response_validation

GOOD_REPLIES: List[Dict[str, Any]] = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "escalated", "value": True}], "responses": [{"text": "ok"}]},
    {"responses": [{"response": "utter_offer_callback", "buttons": []}]},
    {},
]
BAD_REPLIES: List[Dict[str, Any]] = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": "x"}, "not an event"]},
    {"responses": {"text": "not a list"}},
    {"events": [{"no_event_key": 1}]},
]


@pytest.fixture
def remote_action() -> RemoteAction:
    action_response_validation.install()
    return RemoteAction("action_escalate", EndpointConfig("http://127.0.0.1:1/webhook"))


@pytest.mark.parametrize("reply", GOOD_REPLIES)
def test_a_valid_reply_passes(remote_action: RemoteAction, reply: Dict[str, Any]) -> None:
    assert remote_action._validate_action_result(reply) is True


@pytest.mark.parametrize("reply", BAD_REPLIES)
def test_an_invalid_reply_gets_the_error_rasa_raises(remote_action: RemoteAction, reply: Dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError) as ours:
        remote_action._validate_action_result(reply)
    with pytest.raises(jsonschema.ValidationError) as plain:
        jsonschema.validate(reply, RemoteAction.action_response_format_spec())
    assert ours.value.path == plain.value.path
    assert ours.value.message.startswith(plain.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_the_schema_is_checked_once_not_per_reply(remote_action: RemoteAction) -> None:
    action_response_validation.action_response_validator.cache_clear()
    validator_class = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    with mock.patch.object(validator_class, "check_schema", wraps=validator_class.check_schema) as check_schema:
        for _ in range(20):
            remote_action._validate_action_result(GOOD_REPLIES[1])
    assert check_schema.call_count == 1


def test_installing_twice_wraps_once() -> None:
    action_response_validation.install()
    installed = RemoteAction._validate_action_result
    action_response_validation.install()
    assert RemoteAction._validate_action_result is installed
