"""The risk screen inside Rasa's NLU pipeline: the union of two independent layers.

Layer one is the rule-based spaCy screen (`confidant.risk.screen`), layer two is DIET's
`risk_*` intents. Either layer finding current risk is enough (except that DIET cannot
overrule the screen's own evidence that a risk phrase is negated, hypothetical, past, an idiom
or about someone else: DIET does not model those contexts): the message's intent becomes
the matching `risk_*` intent, whatever the FAQ or fallback components decided, so the rules
that give crisis resources always fire. The finding, its evidence and what each layer said
are added to the parse result for the escalation action and the review tool.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from confidant.risk.categories import CATEGORY_FOR_INTENT, CONCERN_INTENT, INTENT_FOR_CATEGORY, RISK_INTENTS
from confidant.risk.screen import RiskFinding, RiskScreen
from confidant.settings import PROJECT_ROOT

RISK_PROPERTY = "risk"
EXPLAINED_LEVELS = frozenset({"negated", "informational", "past", "idiom", "third_party"})


def classifier_top_intent(ranking: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """DIET's own best guess, looking past any `nlu_fallback` put in front of it."""
    for candidate in ranking:
        if candidate.get("name") != DEFAULT_NLU_FALLBACK_INTENT_NAME:
            return candidate
    return None


def best_other_intent(ranking: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The best-ranked intent that is neither a risk intent, a concern nor the fallback."""
    for candidate in ranking:
        if candidate.get("name") not in RISK_INTENTS | {DEFAULT_NLU_FALLBACK_INTENT_NAME, CONCERN_INTENT}:
            return dict(candidate)
    return {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 0.0}


def decide(finding: RiskFinding, classifier_top: Optional[Dict[str, Any]], min_confidence: float) -> Dict[str, Any]:
    """Union of the two layers: which risk intent (if any) this message must get, and why."""
    classifier_intent = (classifier_top or {}).get("name")
    classifier_confidence = float((classifier_top or {}).get("confidence") or 0.0)
    # The screen's context rules veto the classifier only where the screen matched a risk
    # expression and found, with evidence, that it is negated, informational, past, an idiom
    # or about someone else. Where the screen matched nothing, the classifier alone decides.
    screen_explained_it = finding.level in EXPLAINED_LEVELS and bool(finding.evidence)
    classifier_category = (
        CATEGORY_FOR_INTENT.get(classifier_intent)
        if classifier_confidence >= min_confidence and not screen_explained_it
        else None
    )

    decision: Dict[str, Any] = {
        "intent": None,
        "vetoed": screen_explained_it and classifier_intent in CATEGORY_FOR_INTENT,
        "category": None,
        "level": finding.level,
        "layers": [],
        "screen": finding.as_dict(),
        "classifier": {"intent": classifier_intent, "confidence": classifier_confidence},
    }
    # Someone else threatening to hurt people is a serious and imminent threat to others
    # (limit-harm): it is escalated like the client's own intent, not just answered.
    third_party_threat = finding.level == "third_party" and finding.category == "harm_others"
    if (finding.is_current or third_party_threat) and finding.category:
        decision["category"] = finding.category
        decision["layers"].append("screen")
    if classifier_category:
        decision["layers"].append("classifier")
        decision["category"] = decision["category"] or classifier_category
    if decision["category"]:
        decision["level"] = "current"
        decision["intent"] = INTENT_FOR_CATEGORY[decision["category"]]
    elif finding.level == "third_party" or (
        classifier_intent == CONCERN_INTENT and classifier_confidence >= min_confidence
    ):
        decision["level"] = "third_party"
        decision["category"] = finding.category
        decision["intent"] = CONCERN_INTENT
    return decision


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RiskScreenComponent(GraphComponent):
    """Runs last in the pipeline so that nothing after it can hide a risk message."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # Reviewed pattern files; relative paths are taken from the project root.
            "patterns_dir": "data/risk",
            # DIET's risk intents count from this confidence on (err towards escalation).
            "classifier_min_confidence": 0.5,
        }

    def __init__(self, config: Dict[str, Any], screen: RiskScreen) -> None:
        self.screen = screen
        self.classifier_min_confidence = float(config["classifier_min_confidence"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RiskScreenComponent":
        patterns_dir = Path(config["patterns_dir"])
        if not patterns_dir.is_absolute():
            patterns_dir = PROJECT_ROOT / patterns_dir
        return cls(config, RiskScreen.from_directory(patterns_dir))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            decision = decide(
                self.screen.screen(text),
                classifier_top_intent(ranking),
                self.classifier_min_confidence,
            )
            if decision["intent"]:
                override = {"name": decision["intent"], "confidence": 1.0}
                message.set(INTENT, override, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [override] + list(ranking), add_to_output=True)
            elif decision["vetoed"] and (message.get(INTENT) or {}).get("name") in RISK_INTENTS:
                # DIET's own top intent was a risk intent the screen explained away: answer
                # with DIET's best other reading instead of a crisis response.
                message.set(INTENT, best_other_intent(ranking), add_to_output=True)
            message.set(RISK_PROPERTY, decision, add_to_output=True)
        return messages
