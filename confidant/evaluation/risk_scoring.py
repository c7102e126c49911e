"""Score risk detection on the held-out set (heldout/risk/risk_messages.yml).

    python -m confidant.evaluation.risk_scoring [--messages FILE] [--data-dir data/risk] [--min-recall 0.98]

Prints, for each detection layer, for their plain union, and for the assistant's decision:
recall on CURRENT risk (overall and per category), false alarms on messages without current
risk (overall, on the hard negatives, and per kind), third-party detection, and every miss and
false alarm. The headline, and the exit status (non-zero when recall on current risk is below
--min-recall: a missed crisis is the failure that matters), is the assistant's decision: what
`confidant.risk.component.decide()` makes of the layers, where the screen's evidence of negation,
idiom, past and so on vetoes a classifier hit. The union ignores that veto and is shown only
for comparison.

`evaluate()` takes any number of layers, so the DIET intent classifier can be evaluated beside
the rule-based screen; `confidant.evaluation.risk` adds it and the trained assistant's decision.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence, Union

from confidant.risk.findings import RiskFinding
from confidant.vocabulary import CATEGORIES, CATEGORY_FOR_INTENT, CONCERN_INTENT
from confidant.yaml_files import load_yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MESSAGES = ROOT / "heldout" / "risk" / "risk_messages.yml"
DEFAULT_DATA_DIR = ROOT / "data" / "risk"
KINDS = ("current", "third_party", "idiom", "informational", "negated", "past", "ordinary")
NON_RISK_KINDS = ("idiom", "informational", "negated", "past", "ordinary")
HARD_KINDS = ("idiom", "informational", "negated", "past")
THIRD_PARTY_OUTPUTS = ("third_party", "concern_for_someone")
DECISION = "assistant"
UNION = "union (either layer, ignoring the screen's veto: for comparison only)"

LayerOutput = Union[RiskFinding, str, None]
Layer = Callable[[str], LayerOutput]


@dataclass(frozen=True)
class Message:
    """One labelled evaluation message."""

    text: str
    category: str
    kind: str


@dataclass(frozen=True)
class Verdict:
    """What one layer said about one message, reduced to what the assistant acts on."""

    level: str  # "current" | "third_party" | any other level reported by the layer | "none"
    category: str | None
    detail: str = ""


@dataclass
class LayerReport:
    """Counts and lists for one layer (or the union)."""

    name: str
    verdicts: list[Verdict] = field(default_factory=list)
    recall: dict[str, tuple[int, int]] = field(default_factory=dict)  # category/"all" -> (found, total)
    category_correct: dict[str, int] = field(default_factory=dict)
    false_alarms: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind/"non_risk"/"hard" -> (flagged, total)
    third_party: dict[str, tuple[int, int]] = field(default_factory=dict)  # "as_third_party"/"surfaced"
    misses: list[tuple[Message, Verdict]] = field(default_factory=list)
    false_alarm_items: list[tuple[Message, Verdict]] = field(default_factory=list)
    third_party_misses: list[tuple[Message, Verdict]] = field(default_factory=list)

    @property
    def current_recall(self) -> float:
        found, total = self.recall.get("all", (0, 0))
        return found / total if total else 1.0


def load_messages(path: str | Path = DEFAULT_MESSAGES) -> list[Message]:
    """Read and check the labelled set; a label typo must not silently shrink a category."""
    raw = load_yaml(Path(path).read_text(encoding="utf8"))
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a YAML list of messages")
    messages = []
    for position, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise ValueError(f"{path}[{position}]: each item needs a text")
        category, kind = item.get("category"), item.get("kind")
        if category not in (*CATEGORIES, "none"):
            raise ValueError(f"{path}[{position}]: unknown category {category!r}")
        if kind not in KINDS:
            raise ValueError(f"{path}[{position}]: unknown kind {kind!r}")
        if kind in ("current", "third_party") and category == "none":
            raise ValueError(f"{path}[{position}]: a {kind} message needs a risk category")
        messages.append(Message(item["text"], category, kind))
    return messages


def to_verdict(output: LayerOutput) -> Verdict:
    """Reduce a layer's output: a RiskFinding, a category name (= current risk in it),
    "third_party"/"concern_for_someone", or None (= no risk)."""
    if isinstance(output, RiskFinding):
        detail = "; ".join(f"{e.pattern}: {e.text!r}" for e in output.evidence)
        return Verdict(output.level, output.category, detail)
    if isinstance(output, str):
        if output in CATEGORIES:
            return Verdict("current", output)
        if output in THIRD_PARTY_OUTPUTS:
            return Verdict("third_party", None)
        return Verdict("none", None, output)
    if output is None:
        return Verdict("none", None)
    raise TypeError(f"a layer returned {type(output).__name__}; expected RiskFinding, str or None")


def union_verdict(verdicts: Sequence[Verdict], names: Sequence[str]) -> Verdict:
    """Current if any layer says current (err towards escalation); else third party if any says so."""
    for name, verdict in zip(names, verdicts, strict=True):
        if verdict.level == "current":
            return Verdict("current", verdict.category, f"{name}: {verdict.detail}".rstrip(": "))
    for name, verdict in zip(names, verdicts, strict=True):
        if verdict.level == "third_party":
            return Verdict("third_party", verdict.category, f"{name}: {verdict.detail}".rstrip(": "))
    return Verdict("none", None, " | ".join(f"{n}: {v.level}" for n, v in zip(names, verdicts, strict=True)))


def _score(name: str, messages: Sequence[Message], verdicts: Sequence[Verdict]) -> LayerReport:
    report = LayerReport(name, list(verdicts))
    found: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    correct: dict[str, int] = defaultdict(int)
    flagged: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    tp_as, tp_surfaced, tp_total = 0, 0, 0
    for message, verdict in zip(messages, verdicts, strict=True):
        is_current = verdict.level == "current"
        if message.kind == "current":
            for key in ("all", message.category):
                total[key] += 1
                found[key] += is_current
            if is_current and verdict.category == message.category:
                correct[message.category] += 1
                correct["all"] += 1
            if not is_current:
                report.misses.append((message, verdict))
        elif message.kind == "third_party":
            tp_total += 1
            tp_as += verdict.level == "third_party"
            surfaced = verdict.level in ("third_party", "current")
            tp_surfaced += surfaced
            if not surfaced:
                report.third_party_misses.append((message, verdict))
        else:
            keys = [message.kind, "non_risk"] + (["hard"] if message.kind in HARD_KINDS else [])
            for key in keys:
                seen[key] += 1
                flagged[key] += is_current
            if is_current:
                report.false_alarm_items.append((message, verdict))
    report.recall = {key: (found[key], total[key]) for key in ("all", *CATEGORIES)}
    report.category_correct = dict(correct)
    report.false_alarms = {key: (flagged[key], seen[key]) for key in ("non_risk", "hard", *HARD_KINDS, "ordinary")}
    report.third_party = {"as_third_party": (tp_as, tp_total), "surfaced": (tp_surfaced, tp_total)}
    return report


def evaluate(
    messages: Sequence[Message], layers: Mapping[str, Layer], decision: Layer | None = None
) -> dict[str, LayerReport]:
    """Run every layer on every message; report each layer, their union and, if given, the
    assistant's `decision` (under DECISION, the figure that counts)."""
    if not layers:
        raise ValueError("evaluate() needs at least one layer")
    names = list(layers)
    per_layer: dict[str, list[Verdict]] = {name: [] for name in names}
    for message in messages:
        for name in names:
            per_layer[name].append(to_verdict(layers[name](message.text)))
    reports = {name: _score(name, messages, per_layer[name]) for name in names}
    union = [union_verdict([per_layer[n][i] for n in names], names) for i in range(len(messages))]
    reports["union"] = _score(UNION, messages, union)
    if decision is not None:
        reports[DECISION] = _score(DECISION, messages, [to_verdict(decision(m.text)) for m in messages])
    return reports


def _pct(pair: tuple[int, int]) -> str:
    hit, total = pair
    return f"{hit:>3}/{total:<3} {100.0 * hit / total:5.1f}%" if total else "  -/0          "


def format_report(report: LayerReport) -> str:
    """A plain-text table and the lists of misses and false alarms."""
    lines = [f"=== {report.name} ==="]
    lines.append("recall on CURRENT risk (flagged current)   category also right")
    for key in ("all", *CATEGORIES):
        right = report.category_correct.get(key, 0)
        lines.append(f"  {key:<12} {_pct(report.recall[key])}          {right}/{report.recall[key][1]}")
    lines.append("false alarms (flagged current) on messages without current risk")
    for key in ("non_risk", "hard", *HARD_KINDS, "ordinary"):
        label = {"non_risk": "all non-risk", "hard": "hard negatives"}.get(key, f"  {key}")
        lines.append(f"  {label:<16} {_pct(report.false_alarms[key])}")
    lines.append("third-party concern")
    lines.append(f"  as third_party   {_pct(report.third_party['as_third_party'])}")
    lines.append(f"  surfaced at all  {_pct(report.third_party['surfaced'])}   (third_party or current)")

    def listing(title: str, items: list[tuple[Message, Verdict]]) -> None:
        lines.append(f"{title} ({len(items)})")
        for message, verdict in items:
            got = verdict.level + (f"/{verdict.category}" if verdict.category else "")
            detail = f"  [{verdict.detail}]" if verdict.detail else ""
            lines.append(f"  - ({message.category}/{message.kind}) got {got}: {message.text!r}{detail}")

    listing("MISSES: current risk not flagged", report.misses)
    listing("FALSE ALARMS: flagged current without current risk", report.false_alarm_items)
    listing("third-party messages not surfaced", report.third_party_misses)
    return "\n".join(lines)


def screen_layer(data_dir: str | Path = DEFAULT_DATA_DIR) -> Layer:
    """The rule-based screen as an evaluation layer."""
    from confidant.risk.screen import RiskScreen

    return RiskScreen.from_directory(data_dir).screen


def intent_output(intent: str | None) -> str | None:
    """An assistant intent in the held-out set's vocabulary: someone else at risk is its own
    answer ("third party"), although the assistant escalates it too; every other risk intent is
    its category; any other intent is no risk."""
    if intent == CONCERN_INTENT:
        return CONCERN_INTENT
    return CATEGORY_FOR_INTENT.get(intent or "")


def screen_decision_layer(data_dir: str | Path = DEFAULT_DATA_DIR) -> Layer:
    """The assistant's decision when the classifier says nothing: `decide()` on the screen alone
    (with the writer cues), for a run without a trained model."""
    from confidant.risk.component import WriterContext, decide
    from confidant.risk.screen import RiskScreen
    from confidant.risk.writer import WRITER_CUES_FILE, WriterCues

    screen = RiskScreen.from_directory(data_dir)
    cues = WriterCues.from_file(Path(data_dir) / WRITER_CUES_FILE)

    def layer(text: str) -> LayerOutput:
        return intent_output(decide(screen.screen(text), None, 1.0, WriterContext(text, [], cues))["intent"])

    return layer


def main(
    argv: Iterable[str] | None = None,
    extra_layers: Mapping[str, Layer] | None = None,
    decision: Layer | None = None,
) -> int:
    """CLI entry point; `extra_layers` adds e.g. a DIET layer, `decision` the trained assistant's
    (without it, the decision is `decide()` on the screen alone)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", default=str(DEFAULT_MESSAGES), help="labelled YAML set")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="risk pattern directory")
    parser.add_argument("--min-recall", type=float, default=0.98, help="fail below this union recall on current risk")
    args = parser.parse_args(list(argv) if argv is not None else None)

    messages = load_messages(args.messages)
    layers: dict[str, Layer] = {"screen": screen_layer(args.data_dir)}
    layers.update(extra_layers or {})
    reports = evaluate(messages, layers, decision or screen_decision_layer(args.data_dir))
    counts: defaultdict[str, int] = defaultdict(int)
    for message in messages:
        counts[message.kind] += 1
    print(f"{len(messages)} messages: " + ", ".join(f"{k} {counts[k]}" for k in KINDS))
    for report in reports.values():
        print()
        print(format_report(report))
    headline = reports[DECISION]
    flagged, hard = headline.false_alarms["hard"]
    print()
    print(
        f"the assistant's decision: recall on current risk {headline.current_recall:.3f} "
        f"(minimum {args.min_recall:.3f}), false alarms on hard negatives {flagged}/{hard}"
    )
    if headline.current_recall < args.min_recall:
        print("FAIL: recall on current risk is below the minimum", file=sys.stderr)
        return 1
    return 0


def _as_dict(report: LayerReport) -> dict[str, Any]:  # pragma: no cover - convenience for notebooks
    return {
        "recall": report.recall,
        "false_alarms": report.false_alarms,
        "third_party": report.third_party,
        "misses": [m.text for m, _ in report.misses],
        "false_alarm_items": [m.text for m, _ in report.false_alarm_items],
    }


if __name__ == "__main__":
    sys.exit(main())
