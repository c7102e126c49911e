"""Response generation that always knows the practice's details.

Responses name practice details as `{practice_phone}`, `{crisis_line}` and so on. They are
not slots set by a session-start action: a crisis message must read correctly, and be sent at
all, even when the action server is down. This generator fills them straight from the
practice settings, inside the Rasa process; a slot of the same name would take precedence.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from confidant import rasa_resilience, rasa_speedups
from confidant.settings import current_settings


class PracticeResponseGenerator(TemplatedNaturalLanguageGenerator):
    """Rasa's templated responses, with practice settings as the fallback for every variable."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        domain: Optional[Domain] = None,
        **_: Any,
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)
        # Read (and validate) at start-up: a bad settings file stops Rasa here, not mid-chat.
        self.practice_variables = current_settings().response_variables()
        # Rasa builds its response generator once per server, before any custom action runs:
        # the place where every Rasa process this project starts installs the speed-ups and the
        # resilience changes.
        rasa_speedups.install()
        rasa_resilience.install()

    def with_practice_variables(self, slot_values: Dict[str, Any]) -> Dict[str, Any]:
        """Slot values, with every unset practice variable taken from the settings."""
        values = dict(slot_values)
        for name, value in self.practice_variables.items():
            if values.get(name) is None:
                values[name] = value
        return values

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        filled_slots = self.with_practice_variables(tracker.current_slot_values())
        return self.generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)
