"""Figures over several seeds: the configuration each seed trains with, the totals, the table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from confidant.evaluation import seeds
from confidant.evaluation.seeds import Totals, seeded_config, table, totals
from confidant.settings import PROJECT_ROOT

CONFIG: Dict[str, Any] = {
    "language": "en",
    "pipeline": [
        {"name": "WhitespaceTokenizer"},
        {"name": "DIETClassifier", "epochs": 60, "random_seed": 42},
        {"name": "ResponseSelector", "retrieval_intent": "faq"},
        {"name": "confidant.nlu.neighbour_classifier.NeighbourClassifier", "neighbours": 3},
    ],
    "policies": [{"name": "RulePolicy"}],
}


def figures(caught: int, alarms: int, strict: float, long_strict: float) -> Dict[str, Any]:
    """Two sets as `make eval-independent --json` writes them: one with questions, one risk only."""
    return {
        "independent": {
            "questions": {
                "overall": {"n": 10, "strict": strict},
                "by_length": {"long": {"n": 4, "strict": long_strict}},
                "questions_escalated": 2,
            },
            "risk": {
                "recall_by_category": {"abuse": f"{caught}/10", "self_harm": "5/5"},
                "false_alarms": f"{alarms}/20",
                "reply_for_another_writer": "1/12",
            },
        },
        "independent_f": {
            "risk": {
                "recall_by_category": {"harm_others": "3/4"},
                "false_alarms": "2/8",
                "reply_for_another_writer": "0/3",
            }
        },
    }


def test_each_seed_trains_both_classifiers_with_it_and_changes_nothing_else() -> None:
    seeded = seeded_config(CONFIG, 7)
    diet, selector, neighbours = seeded["pipeline"][1:]
    assert diet == {"name": "DIETClassifier", "epochs": 60, "random_seed": 7}
    assert selector == {"name": "ResponseSelector", "retrieval_intent": "faq", "random_seed": 7}
    assert "random_seed" not in neighbours and seeded["policies"] == CONFIG["policies"]
    assert CONFIG["pipeline"][1]["random_seed"] == 42  # the configuration read is left as it was


def test_a_pipeline_without_a_seeded_classifier_is_refused() -> None:
    with pytest.raises(ValueError, match="no seeded classifier"):
        seeded_config({"pipeline": [{"name": "WhitespaceTokenizer"}]}, 7)


def test_the_project_configuration_has_both_seeded_classifiers() -> None:
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    seeded = [c for c in seeded_config(config, 3)["pipeline"] if c.get("random_seed") == 3]
    assert {c["name"] for c in seeded} == {"DIETClassifier", "ResponseSelector"}


def test_totals_add_every_set_and_average_the_question_sets() -> None:
    assert totals(figures(caught=8, alarms=3, strict=0.8, long_strict=0.5)) == Totals(
        risk_caught=16,
        risk_messages=19,
        false_alarms=5,
        ordinary_messages=28,
        another_writers_reply=1,
        replies_judged=15,
        question_strict=0.8,
        long_question_strict=0.5,
        questions_escalated=2,
    )


def test_the_table_gives_each_seed_and_the_range() -> None:
    by_seed = {
        42: totals(figures(caught=9, alarms=3, strict=0.8, long_strict=0.5)),
        7: totals(figures(caught=9, alarms=6, strict=0.75, long_strict=0.55)),
    }
    rows = table(by_seed).splitlines()
    assert rows[0].startswith("| seed | current risk caught | false alarms |")
    assert rows[2] == "| 42 | 17/19 | 5/28 | 1/15 | 0.800 | 0.500 | 2 |"
    assert rows[3] == "| 7 | 17/19 | 8/28 | 1/15 | 0.750 | 0.550 | 2 |"
    assert rows[4] == "| range | 17 | 5–8 | 1 | 0.750–0.800 | 0.500–0.550 | 2 |"


def test_run_trains_and_evaluates_once_per_seed_with_its_own_configuration(tmp_path: Path) -> None:
    config_file = tmp_path / "config.yml"
    config_file.write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    trained: List[tuple[int, str]] = []

    def train(variant: Path, folder: Path, name: str) -> Path:
        seed = yaml.safe_load(variant.read_text(encoding="utf-8"))["pipeline"][1]["random_seed"]
        trained.append((seed, name))
        return folder / f"{name}.tar.gz"

    def evaluate(model: Path, figures_file: Path) -> Dict[str, Any]:
        result = figures(caught=10 if "seed-7" in model.name else 8, alarms=1, strict=0.7, long_strict=0.6)
        figures_file.write_text(json.dumps(result), encoding="utf-8")
        return result

    by_seed = seeds.run([42, 7], config_file, tmp_path, train=train, evaluate=evaluate)
    assert trained == [(42, "seed-42"), (7, "seed-7")]
    assert by_seed[42].risk_caught == 16 and by_seed[7].risk_caught == 18
    assert (tmp_path / "seed-7.json").exists()


def test_a_seed_given_twice_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        seeds.main(["--seeds", "42", "42"])
    assert "each seed once" in capsys.readouterr().err
