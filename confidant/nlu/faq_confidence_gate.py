"""Ask rather than guess when the FAQ answer itself is uncertain.

Rasa's FallbackClassifier only looks at the intent. A message can be confidently "a question
about confidentiality" while the ResponseSelector is torn between two answers (court or
records? parents or others?). Giving the wrong one to a worried client is worse than asking,
so this component turns an unsure FAQ answer into Rasa's `nlu_fallback`, which the dialogue
answers with a clarifying question offering the likeliest topics.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from confidant.vocabulary import FAQ_INTENT, selector_ranking


def is_unsure(ranking: List[Dict[str, Any]], threshold: float, ambiguity_threshold: float) -> bool:
    """True when the best answer is weak or barely ahead of the second."""
    if not ranking:
        return True
    best = float(ranking[0].get("confidence") or 0.0)
    if best < threshold:
        return True
    if len(ranking) > 1:
        runner_up = float(ranking[1].get("confidence") or 0.0)
        return best - runner_up < ambiguity_threshold
    return False


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FaqConfidenceGate(GraphComponent):
    """Predicts `nlu_fallback` when the FAQ answer, not just the intent, is uncertain."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """It judges the ResponseSelector's ranking, so the selector must run before it."""
        return [ResponseSelector]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # The values config.yml sets and the evaluation measured (docs/performance.md).
        return {"threshold": 0.3, "ambiguity_threshold": 0.03}

    def __init__(self, config: Dict[str, Any]) -> None:
        self.threshold = float(config["threshold"])
        self.ambiguity_threshold = float(config["ambiguity_threshold"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FaqConfidenceGate":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent: Optional[Dict[str, Any]] = message.get(INTENT)
            if not intent or intent.get("name") != FAQ_INTENT:
                continue
            ranking = selector_ranking(message.data)
            if is_unsure(ranking, self.threshold, self.ambiguity_threshold):
                best = float(ranking[0].get("confidence") or 0.0) if ranking else 0.0
                fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": best}
                message.data[INTENT] = fallback
                message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, dict(fallback))
        return messages
