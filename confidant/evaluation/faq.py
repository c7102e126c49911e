"""Evaluate FAQ answering on the held-out split (heldout/split), never trained on.

Scores what the client actually gets: the FAQ answer the ResponseSelector picks (after the
confidence gate and the risk screen) or the intent for everything else. Prints per-label
precision, recall and F1, macro-F1, and the most confused pairs.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple

from confidant.evaluation.model import answer_key, load_agent, parse_all
from confidant.settings import PROJECT_ROOT

HOLDOUT_PATH = PROJECT_ROOT / "heldout" / "split" / "faq_holdout.yml"


@dataclass
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class FaqReport:
    scores: List[LabelScore]
    macro_f1: float
    accuracy: float
    confusions: List[Tuple[str, str, int]]
    examples: List[Tuple[str, str, str]]  # text, expected, got (errors only)


def load_holdout(path: Path = HOLDOUT_PATH) -> List[Tuple[str, str]]:
    """(text, label) pairs, the label being `faq/<key>` or the intent."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    pairs = []
    for example in data.intent_examples:
        label = example.get("intent_response_key") or example.get("intent")
        pairs.append((example.get("text"), label))
    return pairs


def score(pairs: List[Tuple[str, str]], predictions: List[str]) -> FaqReport:
    labels = sorted({label for _, label in pairs})
    true_positive: Counter = Counter()
    predicted: Counter = Counter()
    actual: Counter = Counter()
    confusions: Counter = Counter()
    errors = []
    for (text, expected), got in zip(pairs, predictions, strict=True):
        actual[expected] += 1
        predicted[got] += 1
        if got == expected:
            true_positive[expected] += 1
        else:
            confusions[(expected, got)] += 1
            errors.append((text, expected, got))
    scores = []
    for label in labels:
        precision = true_positive[label] / predicted[label] if predicted[label] else 0.0
        recall = true_positive[label] / actual[label] if actual[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(LabelScore(label, precision, recall, f1, actual[label]))
    return FaqReport(
        scores=scores,
        macro_f1=sum(s.f1 for s in scores) / len(scores),
        accuracy=sum(true_positive.values()) / len(pairs),
        confusions=[(a, b, n) for (a, b), n in confusions.most_common(10)],
        examples=errors,
    )


def evaluate(model_path: Path) -> FaqReport:
    pairs = load_holdout()
    agent = load_agent(model_path)
    predictions = [answer_key(parse) for parse in parse_all(agent, [text for text, _ in pairs])]
    return score(pairs, predictions)


def format_report(report: FaqReport) -> str:
    lines = ["| label | precision | recall | F1 | n |", "| --- | --- | --- | --- | --- |"]
    for item in report.scores:
        lines.append(f"| {item.label} | {item.precision:.2f} | {item.recall:.2f} | {item.f1:.2f} | {item.support} |")
    lines.append("")
    lines.append(f"macro-F1 {report.macro_f1:.3f}, accuracy {report.accuracy:.3f}")
    lines.append("")
    lines.append("Most confused (expected -> got, count):")
    lines += [f"  {a} -> {b}: {n}" for a, b, n in report.confusions]
    lines.append("")
    lines.append("Every error:")
    lines += [f"  [{expected} -> {got}] {text}" for text, expected, got in report.examples]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--min-macro-f1", type=float, default=0.85)
    args = parser.parse_args()
    report = evaluate(Path(args.model))
    print(format_report(report))
    if report.macro_f1 < args.min_macro_f1:
        raise SystemExit(f"macro-F1 {report.macro_f1:.3f} is below {args.min_macro_f1}")


if __name__ == "__main__":
    main()
