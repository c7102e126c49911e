"""Check action server replies against Rasa's schema with a validator built once.

Rasa 3.6 checks every reply of the action server with `jsonschema.validate(reply, schema)`.
That helper first validates the schema itself against the JSON Schema meta-schema, on every
call: measured under load here, about a fifth of the Rasa process's CPU went to it. The schema
is a constant, so this checks it once and reuses its validator. Replies are judged exactly as
before; a reply that fails goes through Rasa's own method, so the error it raises (and logs)
is Rasa's own.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Text

from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

_INSTALLED = "_confidant_reuses_validator"


@functools.lru_cache(maxsize=1)
def action_response_validator() -> Validator:
    """The validator for Rasa's action response schema, the schema checked once."""
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def install() -> None:
    """Make Rasa's RemoteAction use the reusable validator (idempotent)."""
    from rasa.core.actions.action import RemoteAction

    rasa_validate = RemoteAction._validate_action_result
    if getattr(rasa_validate, _INSTALLED, False):
        return

    def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        if action_response_validator().is_valid(result):
            return True
        return rasa_validate(self, result)  # raises Rasa's own ValidationError

    setattr(validate_action_result, _INSTALLED, True)
    RemoteAction._validate_action_result = validate_action_result
