"""Do not start an appointment request on a weak guess that the client asked for one.

`request_appointment` starts a form that asks for a name and a number. DIET sometimes gives it,
without much confidence, to a question about confidentiality ("could a counsellor get struck
off for talking about me" was taken for a request at 0.49, above the FallbackClassifier's 0.35),
and the client asking about their privacy is then asked for their phone number. Below
`threshold` this component does not let the guess stand:

- if the ResponseSelector is sure of an answer (`answer_threshold`, not within
  `ambiguity_threshold` of the runner-up) and DIET itself reads the message as a question at
  least a little (`faq` at `faq_min_confidence`), the message is answered as that question;
- otherwise it becomes Rasa's `nlu_fallback`: the clarifying question, which offers the
  selector's likeliest topics and the practice's contact details, and with them the way to ask
  for an appointment again.

The selector's confidence alone does not say a message is a question: it ranks answers for
every message, and was at 0.8 or more on a quarter of the held-out split's greetings, bot
questions and out-of-scope messages. The values are measured in docs/evaluation.md. Not
trainable; the risk screen runs after it and overrides any intent it leaves.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from confidant.nlu.faq_confidence_gate import is_unsure
from confidant.vocabulary import FAQ_INTENT, NLU_FALLBACK_INTENT, REQUEST_APPOINTMENT_INTENT, selector_ranking


def classifier_confidence(ranking: List[Dict[str, Any]], name: str) -> float:
    """DIET's confidence in `name` (0 when it is not ranked)."""
    for candidate in ranking:
        if candidate.get("name") == name:
            return float(candidate.get("confidence") or 0.0)
    return 0.0


def gated_intent(
    intent: Optional[Dict[str, Any]],
    ranking: List[Dict[str, Any]],
    answers: List[Dict[str, Any]],
    config: Dict[str, Any],
) -> Optional[Dict[str, Any]]:
    """The intent a weak appointment guess becomes (`faq` or `nlu_fallback`); None to leave it.

    The other way round too: an unsure FAQ answer to a message DIET also reads as a request
    ("how does my son get an appointment": faq 0.61, request 0.38, the selector 0.45 on the
    contact answer) becomes the clarifying question, which offers the request as one tap.
    """
    if intent and intent.get("name") == FAQ_INTENT:
        asking = classifier_confidence(ranking, REQUEST_APPOINTMENT_INTENT) >= float(config["request_min_confidence"])
        if asking and is_unsure(answers, float(config["answer_threshold"]), float(config["ambiguity_threshold"])):
            return {"name": NLU_FALLBACK_INTENT, "confidence": float(intent.get("confidence") or 0.0)}
        return None
    if not intent or intent.get("name") != REQUEST_APPOINTMENT_INTENT:
        return None
    confidence = float(intent.get("confidence") or 0.0)
    if confidence >= float(config["threshold"]):
        return None
    faq_confidence = classifier_confidence(ranking, FAQ_INTENT)
    sure_of_answer = not is_unsure(answers, float(config["answer_threshold"]), float(config["ambiguity_threshold"]))
    if sure_of_answer and faq_confidence >= float(config["faq_min_confidence"]):
        return {"name": FAQ_INTENT, "confidence": faq_confidence}
    return {"name": NLU_FALLBACK_INTENT, "confidence": confidence}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AppointmentConfidenceGate(GraphComponent):
    """Turns a weak `request_appointment` into the FAQ answer it is sure of, or a clarifying question."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """It judges DIET's intent and the ResponseSelector's answers, so both must run before it."""
        return [DIETClassifier, ResponseSelector]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # The values config.yml sets, measured in docs/evaluation.md ("The appointment gate").
        return {
            "threshold": 0.7,
            "answer_threshold": 0.8,
            "ambiguity_threshold": 0.03,
            "faq_min_confidence": 0.1,
            # DIET's share for a request under an unsure FAQ answer that makes it a clarifying question
            "request_min_confidence": 0.3,
        }

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "AppointmentConfidenceGate":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = list(message.get(INTENT_RANKING_KEY) or [])
            decided = gated_intent(message.get(INTENT), ranking, selector_ranking(message.data), self.config)
            if decided is None:
                continue
            message.data[INTENT] = decided
            if decided["name"] == NLU_FALLBACK_INTENT:
                # As Rasa's FallbackClassifier does; the risk component looks past it to DIET's guess.
                message.data[INTENT_RANKING_KEY] = [dict(decided)] + ranking
            # An FAQ answer leaves DIET's ranking as DIET gave it: the risk component and the
            # review tool read the classifier's own reading there.
        return messages
