"""A form whose validation action cannot be reached steps aside instead of swallowing the turn.

Rasa 3.6 runs the active form before any rule, and the form calls its validation action on the
action server for every message, even one it has nothing to extract from (a risk message in the
middle of the call-back form). With the action server down that call raises, Rasa logs it and
ends the turn with no reply at all: the crisis rules for "risk during the call-back form" never
run, because they only run once the form rejects the message. Here an unreachable or failing
validation action makes the form reject the message, as it does when nothing was extracted, so
the rules answer it (crisis text, FAQ answers) and the form asks again once the server is back.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Coroutine

from rasa.core.actions.action import ActionExecutionRejection
from rasa.core.actions.forms import FormAction
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

_PATCHED = "_confidant_rejects_when_validation_unavailable"


def rejecting_when_unavailable(
    validate_slots: Callable[..., Coroutine[Any, Any, Any]],
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """Wrap `FormAction.validate_slots`: a failed call to the validation action rejects the form's turn."""

    @functools.wraps(validate_slots)
    async def validate_slots_or_reject(self: FormAction, *args: Any, **kwargs: Any) -> Any:
        try:
            return await validate_slots(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise
        except RasaException as error:
            # Only the error's kind: a failing action server's reply could quote the conversation.
            logger.warning(
                "Form %s could not be validated (%s); the rules answer this turn", self.name(), type(error).__name__
            )
            raise ActionExecutionRejection(self.name(), "its validation action is unavailable") from None

    setattr(validate_slots_or_reject, _PATCHED, True)
    return validate_slots_or_reject


def install() -> None:
    """Replace `FormAction.validate_slots` once."""
    if not getattr(FormAction.validate_slots, _PATCHED, False):
        FormAction.validate_slots = rejecting_when_unavailable(FormAction.validate_slots)
