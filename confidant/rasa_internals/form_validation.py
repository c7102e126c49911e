"""A form whose validation action cannot be reached steps aside instead of swallowing the turn.

Rasa 3.6 runs the active form before any rule, and the form calls its validation action on the
action server for every message, even one it has nothing to extract from (a risk message in the
middle of the call-back form). With the action server down that call raises, Rasa logs it and
ends the turn with no reply at all: the crisis rules for "risk during the call-back form" never
run, because they only run once the form rejects the message. Here an unreachable or failing
validation action makes the form reject the message, as it does when nothing was extracted, so
the rules answer it (crisis text, FAQ answers) and the form asks again once the server is back.

Only the failures of the call itself count (`action_server_unavailable`): no server configured,
no connection, an error status, a timeout. Anything else raised while validating (a bug, here
or in Rasa) is not dressed up as an unreachable server: it propagates as before.

The form's first turn (the client has just said yes) is different: a rejection there leaves no
form and Rasa's generic "didn't catch that". A form with a response in `UNAVAILABLE_RESPONSES`
says it instead (for the call-back: the details cannot be saved now, try again or call the
practice; for an appointment request: nothing was sent, try again or call) and opens, so the
client's next try is read once the server is back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Callable, Coroutine, Dict, List

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, create_bot_utterance
from rasa.core.actions.forms import FormAction
from rasa.shared.core.events import Event
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

_PATCHED = "_confidant_rejects_when_validation_unavailable"
# The response a form sends when it cannot be validated on its first turn.
UNAVAILABLE_RESPONSES: Dict[str, str] = {
    "callback_form": "utter_callback_unavailable",
    "appointment_form": "utter_appointment_unavailable",
}


class ValidationUnavailable(ActionExecutionRejection):  # noqa: N818 - a rejection, as Rasa names them
    """The form's validation action could not be reached or failed: the form rejects the turn."""


def action_server_unavailable(error: BaseException, endpoint_configured: bool) -> bool:
    """True for what Rasa 3.6's RemoteAction.run raises when the action server cannot answer.

    It raises a plain RasaException for a missing endpoint, for a connection that fails and
    for an error status (the last two from within aiohttp's error, kept as its context); a
    slow server ends in asyncio's TimeoutError. A subclass of RasaException, or one with no
    aiohttp error behind it while an endpoint is configured, is something else.
    """
    if isinstance(error, asyncio.TimeoutError):
        return True
    if type(error) is not RasaException:
        return False
    if not endpoint_configured:
        return True
    return isinstance(error.__cause__ or error.__context__, aiohttp.ClientError)


def rejecting_when_unavailable(
    validate_slots: Callable[..., Coroutine[Any, Any, Any]],
) -> Callable[..., Coroutine[Any, Any, Any]]:
    """Wrap `FormAction.validate_slots`: a failed call to the validation action rejects the form's turn."""

    @functools.wraps(validate_slots)
    async def validate_slots_or_reject(self: FormAction, *args: Any, **kwargs: Any) -> Any:
        try:
            return await validate_slots(self, *args, **kwargs)
        except (RasaException, asyncio.TimeoutError) as error:
            if not action_server_unavailable(error, self.action_endpoint is not None):
                raise
            # Only the error's kind: a failing action server's reply could quote the conversation.
            logger.warning(
                "Form %s could not be validated (%s); the rules answer this turn", self.name(), type(error).__name__
            )
            raise ValidationUnavailable(self.name(), "its validation action is unavailable") from None

    setattr(validate_slots_or_reject, _PATCHED, True)
    return validate_slots_or_reject


def saying_when_unavailable(
    activate: Callable[..., Coroutine[Any, Any, List[Event]]],
) -> Callable[..., Coroutine[Any, Any, List[Event]]]:
    """Wrap `FormAction.activate`: unvalidated on its first turn, a form with a response says it and opens."""

    @functools.wraps(activate)
    async def activate_or_say_unavailable(
        self: FormAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
    ) -> List[Event]:
        try:
            return await activate(self, output_channel, nlg, tracker, domain)
        except ValidationUnavailable:
            response = UNAVAILABLE_RESPONSES.get(self.name())
            if not response or response not in domain.responses:
                raise
            message = await nlg.generate(response, tracker, output_channel.name())
            if not message:
                raise
            logger.warning("Form %s opened unvalidated; the client was told details cannot be saved now", self.name())
            return [create_bot_utterance({**message, "utter_action": response})]

    setattr(activate_or_say_unavailable, _PATCHED, True)
    return activate_or_say_unavailable


def install() -> None:
    """Replace `FormAction.validate_slots` and `FormAction.activate` once."""
    if not getattr(FormAction.validate_slots, _PATCHED, False):
        FormAction.validate_slots = rejecting_when_unavailable(FormAction.validate_slots)
    if not getattr(FormAction.activate, _PATCHED, False):
        FormAction.activate = saying_when_unavailable(FormAction.activate)
