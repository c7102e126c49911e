"""`make eval-seeds`: the independent sets' figures over several random seeds of one training.

One training is one draw. Three seeds of the same data caught 812 to 813 of 860 current-risk
messages, but raised 195 to 206 false alarms and answered 0.762 to 0.792 of questions strictly
(docs/evaluation.md, "Everyday hyperbole as DIET's hard negatives"): a change judged on the
configured seed alone is judged against that seed's luck. This trains the NLU once per seed
(config.yml with `random_seed` set in DIET and the ResponseSelector; the dialogue policies do not
change) into a folder of its own, evaluates each model with `make eval-independent`'s code in a
process of its own, and prints each seed's totals over every set, and their range. Counts only:
no message is printed.

    python -m confidant.evaluation.seeds [--seeds 42 7 1] [--out DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence

import yaml

from confidant.settings import PROJECT_ROOT
from confidant.yaml_files import load_yaml

# The classifiers whose training draws random numbers (the featurizers and the nearest examples
# do not).
SEEDED_COMPONENTS = frozenset({"DIETClassifier", "ResponseSelector"})
DEFAULT_SEEDS = (42, 7, 1)

Figures = Mapping[str, Any]  # `make eval-independent --json`: set name -> questions / risk figures
Trainer = Callable[[Path, Path, str], Path]  # (config file, folder, name) -> model archive
Evaluator = Callable[[Path, Path], Figures]  # (model archive, JSON file to write) -> figures


def seeded_config(config: Mapping[str, Any], seed: int) -> Dict[str, Any]:
    """A copy of the configuration with `random_seed` set in every seeded classifier."""
    pipeline = [
        {**component, "random_seed": seed} if component.get("name") in SEEDED_COMPONENTS else dict(component)
        for component in config.get("pipeline") or []
    ]
    if not any(component.get("name") in SEEDED_COMPONENTS for component in pipeline):
        raise ValueError(f"no seeded classifier in the pipeline (looked for {', '.join(sorted(SEEDED_COMPONENTS))})")
    return {**config, "pipeline": pipeline}


@dataclass(frozen=True)
class Totals:
    """One model's figures summed over every set (question accuracies are the sets' mean)."""

    risk_caught: int
    risk_messages: int
    false_alarms: int
    ordinary_messages: int
    another_writers_reply: int
    replies_judged: int
    question_strict: Optional[float]
    long_question_strict: Optional[float]
    questions_escalated: int


def _summed(fractions: Iterable[str]) -> tuple[int, int]:
    """ "3/10" and "5/5" -> (8, 15)."""
    pairs = [tuple(int(part) for part in fraction.split("/")) for fraction in fractions]
    return sum(pair[0] for pair in pairs), sum(pair[1] for pair in pairs)


def _mean(values: Sequence[float]) -> Optional[float]:
    return round(sum(values) / len(values), 3) if values else None


def totals(figures: Figures) -> Totals:
    risks = [per_set["risk"] for per_set in figures.values() if per_set.get("risk")]
    questions = [per_set["questions"] for per_set in figures.values() if per_set.get("questions")]
    caught, messages = _summed(tally for risk in risks for tally in risk["recall_by_category"].values())
    alarms, ordinary = _summed(risk["false_alarms"] for risk in risks)
    wrong, judged = _summed(risk["reply_for_another_writer"] for risk in risks)
    return Totals(
        risk_caught=caught,
        risk_messages=messages,
        false_alarms=alarms,
        ordinary_messages=ordinary,
        another_writers_reply=wrong,
        replies_judged=judged,
        question_strict=_mean([q["overall"]["strict"] for q in questions]),
        long_question_strict=_mean([q["by_length"]["long"]["strict"] for q in questions]),
        questions_escalated=sum(int(q.get("questions_escalated") or 0) for q in questions),
    )


@dataclass(frozen=True)
class Column:
    """A column of the table: its title, the figure, how it is written, and what it is out of."""

    title: str
    figure: str
    form: str = "{:d}"
    out_of: Optional[str] = None


COLUMNS = (
    Column("current risk caught", "risk_caught", out_of="risk_messages"),
    Column("false alarms", "false_alarms", out_of="ordinary_messages"),
    Column("another writer's reply", "another_writers_reply", out_of="replies_judged"),
    Column("questions strict (mean of sets)", "question_strict", "{:.3f}"),
    Column("long questions strict", "long_question_strict", "{:.3f}"),
    Column("questions escalated", "questions_escalated"),
)


def _cell(column: Column, figures: Totals) -> str:
    value = getattr(figures, column.figure)
    if value is None:
        return "–"
    written = column.form.format(value)
    return f"{written}/{getattr(figures, column.out_of)}" if column.out_of else written


def _spread(column: Column, by_seed: Sequence[Totals]) -> str:
    present = [value for value in (getattr(t, column.figure) for t in by_seed) if value is not None]
    if not present:
        return "–"
    low, high = column.form.format(min(present)), column.form.format(max(present))
    return low if low == high else f"{low}–{high}"


def table(by_seed: Mapping[int, Totals]) -> str:
    """A Markdown table: one row per seed, then the range over the seeds."""
    lines = ["| seed | " + " | ".join(column.title for column in COLUMNS) + " |"]
    lines.append("| --- " * (len(COLUMNS) + 1) + "|")
    for seed, figures in by_seed.items():
        lines.append(f"| {seed} | " + " | ".join(_cell(column, figures) for column in COLUMNS) + " |")
    spread = [_spread(column, list(by_seed.values())) for column in COLUMNS]
    lines.append("| range | " + " | ".join(spread) + " |")
    return "\n".join(lines)


def train_nlu(config: Path, folder: Path, name: str) -> Path:
    """The NLU trained as `make train` trains it (the display on stderr), into `folder`."""
    log = folder / f"{name}.log"
    command = [sys.executable, "-m", "confidant.training_progress", "--log", str(log), "--"]
    command += ["train", "nlu", "--config", str(config), "--domain", "domain.yml", "--nlu", "data/nlu"]
    command += ["--out", str(folder), "--fixed-model-name", name]
    subprocess.run(command, cwd=PROJECT_ROOT, check=True, stdout=sys.stderr)  # the display, beside the table
    return folder / f"{name}.tar.gz"


def evaluate_independent(model: Path, figures_file: Path) -> Figures:
    """`make eval-independent` on one model, in a process of its own (each model's memory is
    freed); its libraries' warnings go to a log beside the figures, named on screen."""
    command = [sys.executable, "-m", "confidant.evaluation.independent", "--model", str(model)]
    command += ["--json", str(figures_file)]
    log = figures_file.with_suffix(".evaluation.log")
    print(f"  (its warnings: {log})", file=sys.stderr, flush=True)
    with log.open("w", encoding="utf-8") as errors:
        subprocess.run(command, cwd=PROJECT_ROOT, check=True, stdout=subprocess.DEVNULL, stderr=errors)
    return json.loads(figures_file.read_text(encoding="utf-8"))


def run(
    seeds: Sequence[int],
    config_file: Path,
    folder: Path,
    train: Trainer = train_nlu,
    evaluate: Evaluator = evaluate_independent,
) -> Dict[int, Totals]:
    """Each seed's configuration written, trained and evaluated in `folder`, one after another."""
    config = load_yaml(config_file.read_text(encoding="utf-8"))
    by_seed: Dict[int, Totals] = {}
    for seed in seeds:
        name = f"seed-{seed}"
        variant = folder / f"{name}.yml"
        variant.write_text(yaml.safe_dump(seeded_config(config, seed), sort_keys=False), encoding="utf-8")
        print(f"seed {seed}: training", file=sys.stderr, flush=True)
        model = train(variant, folder, name)
        print(f"seed {seed}: evaluating on every set", file=sys.stderr, flush=True)
        by_seed[seed] = totals(evaluate(model, folder / f"{name}.json"))
    return by_seed


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument("--config", default=str(PROJECT_ROOT / "config.yml"))
    parser.add_argument("--out", help="keep the models, configurations and figures here (default: a temporary folder)")
    parser.add_argument("--json", help="write each seed's totals to this file")
    args = parser.parse_args(argv)
    if len(set(args.seeds)) != len(args.seeds):
        parser.error("each seed once")
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        by_seed = run(args.seeds, Path(args.config), Path(args.out))
    else:
        with tempfile.TemporaryDirectory(prefix="confidant-seeds-") as folder:
            by_seed = run(args.seeds, Path(args.config), Path(folder))
    print(table(by_seed))
    if args.json:
        Path(args.json).write_text(
            json.dumps({str(seed): asdict(figures) for seed, figures in by_seed.items()}, indent=2), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
