"""One model for the intent and the FAQ answer: one TensorFlow call per message, not two.

Rasa's usual pair is DIETClassifier for the intent and a ResponseSelector for the answer
within the retrieval intent (`faq/tell_parents`). Each is a TensorFlow model run on every
message, and under load each call costs more in Python-side feature handling than in the
model itself. This DIET learns the FAQ answers as labels of their own beside the other
intents, then writes its prediction back in the two shapes the rest of the assistant reads:

- the intent: `faq` with the summed probability of all the answers, or another intent;
- the answer ranking, exactly where a ResponseSelector puts it (`response_selector.faq`),
  with each answer's probability given that the message is a FAQ question, so the
  FaqConfidenceGate, the clarifying question, the review app and `rasa test` work unchanged.
"""

from __future__ import annotations

import json
import logging
import warnings
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH

logger = logging.getLogger(__name__)

# Rasa warns at training when response examples exist without its own ResponseSelector class
# in the pipeline; this component consumes them, so the warning would only mislead.
warnings.filterwarnings(
    "ignore",
    message="You have defined training data with examples for training a response selector",
)

ANSWER_RESPONSES_FILE = "answer_responses.json"


def utter_action_for(answer_key: Text) -> Text:
    """`faq/tell_parents` -> `utter_faq/tell_parents`, the response Rasa looks up."""
    return f"utter_{answer_key}"


def split_ranking(
    ranking: List[Dict[str, Any]], retrieval_intent: Text
) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Separate one full ranking into the answers of the retrieval intent and the rest."""
    prefix = f"{retrieval_intent}/"
    answers = [label for label in ranking if str(label[INTENT_NAME_KEY]).startswith(prefix)]
    others = [label for label in ranking if not str(label[INTENT_NAME_KEY]).startswith(prefix)]
    return answers, others


def intent_ranking(
    answers: List[Dict[str, Any]], others: List[Dict[str, Any]], retrieval_intent: Text, length: int
) -> List[Dict[str, Any]]:
    """The intents as a classifier without answer labels would rank them: answers summed."""
    merged = [dict(label) for label in others]
    if answers:
        total = sum(float(label[PREDICTED_CONFIDENCE_KEY]) for label in answers)
        merged.append({INTENT_NAME_KEY: retrieval_intent, PREDICTED_CONFIDENCE_KEY: total})
    merged.sort(key=lambda label: float(label[PREDICTED_CONFIDENCE_KEY]), reverse=True)
    return merged[:length] if length > 0 else merged


def answer_ranking(answers: List[Dict[str, Any]], length: int) -> List[Dict[str, Any]]:
    """Each answer's probability given that the message is a question of the retrieval intent."""
    total = sum(float(label[PREDICTED_CONFIDENCE_KEY]) for label in answers)
    ranked = [
        {
            PREDICTED_CONFIDENCE_KEY: (float(label[PREDICTED_CONFIDENCE_KEY]) / total) if total > 0 else 0.0,
            INTENT_RESPONSE_KEY: label[INTENT_NAME_KEY],
        }
        for label in answers
    ]
    ranked.sort(key=lambda label: label[PREDICTED_CONFIDENCE_KEY], reverse=True)
    return ranked[:length] if length > 0 else ranked


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentAndAnswerClassifier(DIETClassifier):
    """DIET trained on intents and FAQ answers together; replaces DIET + ResponseSelector."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        config = DIETClassifier.get_default_config()
        config.update(
            {
                "retrieval_intent": "faq",
                # How many intents and answers to report; the model itself ranks them all,
                # since the intent's confidence is the sum over all its answers.
                "output_ranking_length": 10,
                RANKING_LENGTH: 0,
            }
        )
        return config

    def __init__(self, config: Dict[Text, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__({**config, RANKING_LENGTH: 0}, *args, **kwargs)
        self.retrieval_intent: Text = self.component_config["retrieval_intent"]
        self.output_ranking_length = int(self.component_config["output_ranking_length"])
        self.answer_responses: Dict[Text, List[Dict[Text, Any]]] = {}

    # training

    def _answer_as_label(self, message: Message) -> Message:
        """A copy labelled with its answer (`faq/tell_parents`) if it has one.

        Intent-name features are left out for every message, so that all labels, answers and
        intents alike, get DIET's one-hot label features (the featurizers saw `faq` only).
        """
        data = dict(message.data)
        answer_key = message.get(INTENT_RESPONSE_KEY)
        if answer_key and message.get(INTENT) == self.retrieval_intent:
            data[INTENT] = answer_key
        features = [feature for feature in message.features if feature.attribute != INTENT]
        return Message(data=data, features=features)

    def preprocess_train_data(self, training_data: TrainingData) -> Any:
        relabelled = TrainingData(
            training_examples=[self._answer_as_label(message) for message in training_data.training_examples],
            entity_synonyms=training_data.entity_synonyms,
            regex_features=training_data.regex_features,
            lookup_tables=training_data.lookup_tables,
            responses=training_data.responses,
        )
        self.answer_responses = {
            key: responses
            for key, responses in training_data.responses.items()
            if key.startswith(utter_action_for(f"{self.retrieval_intent}/"))
        }
        return super().preprocess_train_data(relabelled)

    def persist(self) -> None:
        super().persist()
        if self.model is None:
            return
        with self._model_storage.write_to(self._resource) as model_path:
            (model_path / ANSWER_RESPONSES_FILE).write_text(json.dumps(self.answer_responses), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        *args: Any,
        **kwargs: Any,
    ) -> "IntentAndAnswerClassifier":
        component = super().load(config, model_storage, resource, execution_context, *args, **kwargs)
        try:
            with model_storage.read_from(resource) as model_path:
                responses_file = model_path / ANSWER_RESPONSES_FILE
                if responses_file.exists():
                    component.answer_responses = json.loads(responses_file.read_text(encoding="utf-8"))
        except ValueError:
            logger.debug("No stored answers for %s (untrained component).", cls.__name__)
        return component

    # prediction

    def process(self, messages: List[Message]) -> List[Message]:
        for message in super().process(messages):
            self._split_intent_and_answer(message)
        return messages

    def _split_intent_and_answer(self, message: Message) -> None:
        ranking: Optional[List[Dict[str, Any]]] = message.get(INTENT_RANKING_KEY)
        if not ranking:
            return
        answers, others = split_ranking(ranking, self.retrieval_intent)
        intents = intent_ranking(answers, others, self.retrieval_intent, self.output_ranking_length)
        message.set(INTENT, dict(intents[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, intents, add_to_output=True)
        if answers:
            self._set_answer(message, answer_ranking(answers, self.output_ranking_length))

    def _set_answer(self, message: Message, ranking: List[Dict[str, Any]]) -> None:
        best = ranking[0]
        answer_key = best[INTENT_RESPONSE_KEY]
        prediction = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: self.answer_responses.get(utter_action_for(answer_key), []),
                PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY],
                INTENT_RESPONSE_KEY: answer_key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action_for(answer_key),
            },
            RESPONSE_SELECTOR_RANKING_KEY: ranking,
        }
        properties = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
        properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = [self.retrieval_intent]
        properties[self.retrieval_intent] = prediction
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
