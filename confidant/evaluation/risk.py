"""`make eval-risk`: risk detection per layer (screen, classifier) and as the assistant decides.

Runs the trained model on the held-out risk set (heldout/risk), never trained on, and
reports recall on current risk and false alarms on hard negatives for the rule-based screen,
for DIET's risk intents, and, as the headline, for the assistant's decision: the intent the
risk component (`decide()`) gave each message, where the screen can veto a classifier hit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from confidant.evaluation import risk_scoring
from confidant.evaluation.model import load_agent, parse_all
from confidant.vocabulary import RISK_PROPERTY


def classifier_output(parse: Dict[str, Any], min_confidence: float) -> Optional[str]:
    """What DIET alone said: a category (current risk), 'concern_for_someone', or None."""
    classifier = (parse.get(RISK_PROPERTY) or {}).get("classifier") or {}
    intent, confidence = classifier.get("intent"), float(classifier.get("confidence") or 0.0)
    if confidence < min_confidence:
        return None
    return risk_scoring.intent_output(intent)


def assistant_output(parse: Dict[str, Any]) -> Optional[str]:
    """What the assistant acted on: the final intent after the risk component."""
    return risk_scoring.intent_output((parse.get("intent") or {}).get("name"))


def model_layers(
    model_path: Path, texts: list, min_confidence: float = 0.5
) -> Tuple[Mapping[str, risk_scoring.Layer], risk_scoring.Layer]:
    """The classifier as an evaluation layer, and the assistant's decision (one parse per message)."""
    parses = dict(zip(texts, parse_all(load_agent(model_path), texts), strict=True))
    classifier = {"classifier": lambda text: classifier_output(parses[text], min_confidence)}
    return classifier, lambda text: assistant_output(parses[text])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--min-recall", type=float, default=0.98)
    args = parser.parse_args()
    texts = [message.text for message in risk_scoring.load_messages()]
    classifier, decision = model_layers(Path(args.model), texts)
    sys.exit(risk_scoring.main(["--min-recall", str(args.min_recall)], extra_layers=classifier, decision=decision))


if __name__ == "__main__":
    main()
