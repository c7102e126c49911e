"""Read a long message's questions and sentences on their own, inside Rasa's message processor.

Rasa runs the NLU graph once per message. `confidant.nlu.message_focus` needs the same graph
run on parts of the message too (each question, neighbouring sentences for risk), which no
graph component can do, so this wraps `MessageProcessor._parse_message_with_graph`: the whole
message is parsed as Rasa does, then all its parts together in one more run of the graph (the
same code Rasa runs for one message, given a list), and the focus step chooses the reading the
dialogue acts on. Short single-sentence messages (most messages) cost nothing extra. This is
also where the reading meets the dialogue's state: inside a form, a risk guess under the risk
bar is taken for an answer to the form's question (`weak_guess_answers_the_form`).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from confidant.nlu.message_focus import focus
from confidant.nlu.topic_words import default_spanish_topic_words, default_topic_words
from confidant.risk.component import weak_guess_answers_the_form
from confidant.vocabulary import WHOLE_MESSAGE_METADATA

_INSTALLED = "_confidant_reads_message_parts"
_reading_parts = True


def read_parts(enabled: bool) -> None:
    """Turn the focus step off (`make eval-independent ARGS=--whole-messages-only` compares)."""
    global _reading_parts
    _reading_parts = enabled


def install() -> None:
    """Make Rasa's processor choose between a message's whole reading and its parts' (idempotent)."""
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT

    rasa_parse = MessageProcessor._parse_message_with_graph
    if getattr(rasa_parse, _INSTALLED, False):
        return
    # Read at start-up: a broken data/topic_words*.yml stops it, not a message.
    default_topic_words()
    default_spanish_topic_words()

    def parse_message_with_graph(
        self: MessageProcessor,
        message: UserMessage,
        tracker: DialogueStateTracker,
        only_output_properties: bool = True,
    ) -> Dict[Text, Any]:
        whole = rasa_parse(self, message, tracker, only_output_properties)
        text = message.text or ""
        if not _reading_parts or not text or text.startswith("/"):  # an intent payload from a button, not words
            return whole

        def parse_parts(parts: List[str]) -> List[Dict[str, Any]]:
            """Every part through the NLU graph in one run, each result shaped as Rasa shapes one."""
            # The whole text rides along so the risk component can choose the writer's reply
            # from all of it (a part is one or two sentences of the story).
            metadata = {**(message.metadata or {}), WHOLE_MESSAGE_METADATA: text}
            messages = [
                UserMessage(part, sender_id=message.sender_id, input_channel=message.input_channel, metadata=metadata)
                for part in parts
            ]
            results = self.graph_runner.run(
                inputs={PLACEHOLDER_MESSAGE: messages, PLACEHOLDER_TRACKER: tracker},
                targets=[self.model_metadata.nlu_target],
            )
            return [
                {
                    TEXT: "",
                    INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                    ENTITIES: [],
                    **parsed.as_dict(only_output_properties=only_output_properties),
                }
                for parsed in results[self.model_metadata.nlu_target]
            ]

        return weak_guess_answers_the_form(focus(text, whole, parse_parts), tracker.active_loop_name)

    setattr(parse_message_with_graph, _INSTALLED, True)
    MessageProcessor._parse_message_with_graph = parse_message_with_graph
