"""A custom action the action server cannot run says a domain response instead of nothing.

Rasa 3.6 ends the turn with no reply when a custom action's call fails: the client who wrote
is left with silence. For the actions listed in `UNREACHABLE_RESPONSES` there is an honest
reply that needs no action server (the clarifying question's fallback: "Sorry, I didn't catch
that ... or reach the practice at ..."), so `RemoteAction.run` says it instead. The actions in
`SKIPPED_WHEN_UNREACHABLE` send an extra after a reply that has already gone out (the answer to
what a message also asked, after the crisis reply or the first answer): unreachable, they are
skipped with a warning, and the turn goes on as it would have. Only a failed call counts
(`form_validation.action_server_unavailable`); any other error propagates as before.
Crisis replies never need this: they are domain responses the rules send.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Callable, Coroutine, Dict, List

from rasa.core.actions.action import RemoteAction, create_bot_utterance
from rasa.shared.core.events import Event
from rasa.shared.exceptions import RasaException

from confidant.rasa_internals.form_validation import action_server_unavailable

logger = logging.getLogger(__name__)

_PATCHED = "_confidant_says_a_response_when_unreachable"
# Custom action -> the domain response it is replaced by when the action server cannot run it.
UNREACHABLE_RESPONSES: Dict[str, str] = {"action_clarify_topic": "utter_default"}
# Custom actions that only add to a reply already sent: skipped, not an error, when unreachable.
SKIPPED_WHEN_UNREACHABLE = frozenset({"action_answer_also_asked"})


def saying_a_response_when_unreachable(
    run: Callable[..., Coroutine[Any, Any, List[Event]]],
) -> Callable[..., Coroutine[Any, Any, List[Event]]]:
    """Wrap `RemoteAction.run`: an unreachable action with a stand-in response says it."""

    @functools.wraps(run)
    async def run_or_say(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        try:
            return await run(self, output_channel, nlg, tracker, domain)
        except (RasaException, asyncio.TimeoutError) as error:
            unavailable = action_server_unavailable(error, self.action_endpoint is not None)
            if unavailable and self.name() in SKIPPED_WHEN_UNREACHABLE:
                logger.warning("Action %s could not be run (%s); skipped", self.name(), type(error).__name__)
                return []
            response = UNREACHABLE_RESPONSES.get(self.name())
            if not response or not unavailable:
                raise
            message = await nlg.generate(response, tracker, output_channel.name())
            if not message:
                raise
            logger.warning("Action %s could not be run (%s); %s was sent", self.name(), type(error).__name__, response)
            return [create_bot_utterance({**message, "utter_action": response})]

    setattr(run_or_say, _PATCHED, True)
    return run_or_say


def install() -> None:
    """Replace `RemoteAction.run` once."""
    if not getattr(RemoteAction.run, _PATCHED, False):
        RemoteAction.run = saying_a_response_when_unreachable(RemoteAction.run)
