"""`make eval-risk`: risk detection per layer (screen, classifier) and for their union.

Runs the trained model on the held-out risk set (heldout/risk), never trained on, and
reports recall on current risk and false alarms on hard negatives for the rule-based screen,
for DIET's risk intents, and for the union that the assistant acts on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from confidant.evaluation import risk_scoring
from confidant.evaluation.model import load_agent, parse_all
from confidant.risk.categories import CATEGORY_FOR_INTENT, CONCERN_INTENT


def classifier_output(parse: Dict[str, Any], min_confidence: float) -> Optional[str]:
    """What DIET alone said: a category (current risk), 'concern_for_someone', or None."""
    classifier = (parse.get("risk") or {}).get("classifier") or {}
    intent, confidence = classifier.get("intent"), float(classifier.get("confidence") or 0.0)
    if confidence < min_confidence:
        return None
    return _output(intent)


def assistant_output(parse: Dict[str, Any]) -> Optional[str]:
    """What the assistant acted on: the final intent after the risk component."""
    return _output((parse.get("intent") or {}).get("name"))


def _output(intent: Optional[str]) -> Optional[str]:
    """The held-out set's vocabulary: someone else at risk is its own answer ("third party"),
    although the assistant now escalates it too; every other risk intent is its category."""
    if intent == CONCERN_INTENT:
        return CONCERN_INTENT
    return CATEGORY_FOR_INTENT.get(intent or "")


def model_layers(model_path: Path, texts: list, min_confidence: float = 0.5) -> Mapping[str, Any]:
    """The classifier and the whole assistant as evaluation layers (one parse per message)."""
    parses = dict(zip(texts, parse_all(load_agent(model_path), texts), strict=True))
    return {
        "classifier": lambda text: classifier_output(parses[text], min_confidence),
        "assistant": lambda text: assistant_output(parses[text]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--min-recall", type=float, default=0.98)
    args = parser.parse_args()
    texts = [message.text for message in risk_scoring.load_messages()]
    layers = model_layers(Path(args.model), texts)
    sys.exit(risk_scoring.main(["--min-recall", str(args.min_recall)], extra_layers=layers))


if __name__ == "__main__":
    main()
