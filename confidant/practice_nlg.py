"""Response generation that always knows the practice's details.

Responses name practice details as `{practice_phone}`, `{crisis_line}` and so on. They are
not slots set by a session-start action: a crisis message must read correctly, and be sent at
all, even when the action server is down. This generator fills them straight from the
practice settings, inside the Rasa process; a slot of the same name would take precedence.
It also fills `{next_reader}` for the moment the message is sent (office hours), expands a
`custom: {crisis_card: <situation>}` into the web chat's crisis card, and picks the variation
meant for the message's risk category or language where a response has one
(confidant/response_filling.py).
Where the practice has written its own answer to a question its policy page does not cover
(practice.yml `addendum.answers`), that answer is sent instead of the domain's deflection
(confidant/practice_answers.py): no retraining, no action server.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from confidant import rasa_internals
from confidant.action_filled import ACTION_FILLED_VARIABLES
from confidant.nlu.language import language_read
from confidant.practice_answers import NoDeflectionError, with_practice_answers
from confidant.response_filling import (
    LANGUAGE_CONDITION,
    RISK_CATEGORY_CONDITION,
    ResponseError,
    check_responses,
    expand_crisis_card,
    next_reader_text,
    risk_category_of,
)
from confidant.settings import PracticeSettings, current_settings


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class PracticeResponseGenerator(TemplatedNaturalLanguageGenerator):
    """Rasa's templated responses, with practice settings as the fallback for every variable."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        domain: Optional[Domain] = None,
        settings: Optional[PracticeSettings] = None,
        clock: Callable[[], datetime] = utc_now,
        **_: Any,
    ) -> None:
        domain = domain or Domain.empty()
        # Read (and validate) at start-up: a bad settings file stops Rasa here, not mid-chat;
        # so does a response naming something nothing fills (Rasa would send it unfilled).
        self.settings = settings or current_settings()
        self.practice_variables = self.settings.response_variables()
        self.slot_names = [slot.name for slot in domain.slots]
        self.clock = clock
        super().__init__(domain.responses)
        if endpoint_config is not None:
            # Built by Rasa from endpoints.yml, before its first turn: a Rasa process that skipped
            # the start-up step (a plain `rasa run`) stops here rather than run without it.
            rasa_internals.require_installed()

    @property
    def responses(self) -> Dict[str, List[Dict[str, Any]]]:
        return self._responses

    @responses.setter
    def responses(self, responses: Dict[str, List[Dict[str, Any]]]) -> None:
        """The domain's responses, checked, with the practice's own answers in place.

        Rasa's Agent sets `responses` again once the model is loaded (rasa/core/agent.py), so
        everything derived from them is derived here, whenever they are set. It first builds the
        generator with no domain at all: nothing to check until the responses arrive.
        """
        if not responses:
            self._responses, self.sent_with_time = {}, set()
            return
        try:
            answered = with_practice_answers(responses or {}, self.settings.addendum.answers)
        except NoDeflectionError as error:
            raise ResponseError(str(error)) from None
        check_responses(
            answered,
            self.practice_variables,
            self.slot_names,
            ACTION_FILLED_VARIABLES,
            self.settings.crisis.situations_open_any_time(),
        )
        self._responses = answered
        self.sent_with_time = {
            name
            for name, variations in answered.items()
            if any("{next_reader}" in (variation.get("text") or "") for variation in variations)
        }

    def with_practice_variables(self, slot_values: Dict[str, Any]) -> Dict[str, Any]:
        """Slot values, with every unset practice variable taken from the settings."""
        values = dict(slot_values)
        for name, value in self.practice_variables.items():
            if values.get(name) is None:
                values[name] = value
        return values

    def with_send_time_variables(self, values: Dict[str, Any], output_channel: str) -> Dict[str, Any]:
        """`{next_reader}` for now, in the phrases of the message's channel."""

        def render(phrase: str, parts: Dict[str, str]) -> str:
            filled = self.generate_from_slots(phrase, {**values, **parts}, output_channel)
            return (filled or {}).get("text") or ""

        values = dict(values)
        if values.get("next_reader") is None:
            values["next_reader"] = next_reader_text(self.settings.practice.week, self.clock(), render)
        return values

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        filled_slots = self.with_practice_variables(tracker.current_slot_values())
        parse_data = tracker.latest_message.parse_data or {}
        filled_slots[RISK_CATEGORY_CONDITION] = risk_category_of(parse_data)
        filled_slots[LANGUAGE_CONDITION] = language_read(parse_data)
        if utter_action in self.sent_with_time:
            filled_slots = self.with_send_time_variables(filled_slots, output_channel)
        response = self.generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)
        return expand_crisis_card(response, self.settings) if response else response
