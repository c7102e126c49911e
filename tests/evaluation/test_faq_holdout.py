"""FAQ answering on the held-out split: CI fails below macro-F1 0.85 (the aim is 0.90)."""

from __future__ import annotations

from confidant.evaluation.faq import HOLDOUT_PATH, format_report, load_holdout, score
from confidant.evaluation.model import answer_key, parse_all

MIN_MACRO_F1 = 0.85


def test_holdout_is_never_trained_on() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    from confidant.settings import PROJECT_ROOT

    training = {e.get("text").strip().lower() for e in load_data(str(PROJECT_ROOT / "data/nlu")).intent_examples}
    held_out = [text.strip().lower() for text, _ in load_holdout(HOLDOUT_PATH)]
    assert len(held_out) >= 200
    assert not training.intersection(held_out)


def test_held_out_questions_are_at_least_15_percent_of_the_examples() -> None:
    """The split and the independent question set together, against the non-risk training data."""
    from rasa.shared.nlu.training_data.loading import load_data

    from confidant.evaluation.independent import HELDOUT_DIR, load_questions
    from confidant.settings import PROJECT_ROOT
    from confidant.vocabulary import RISK_INTENTS

    held_out = len(load_holdout(HOLDOUT_PATH)) + len(load_questions(HELDOUT_DIR / "independent" / "questions.csv"))
    faq_training = sum(
        1 for e in load_data(str(PROJECT_ROOT / "data/nlu")).intent_examples if e.get("intent") not in RISK_INTENTS
    )
    assert held_out / (faq_training + held_out) >= 0.15, (faq_training, held_out)


def test_macro_f1_on_the_holdout(trained_agent) -> None:
    pairs = load_holdout(HOLDOUT_PATH)
    predictions = [answer_key(parse) for parse in parse_all(trained_agent, [text for text, _ in pairs])]
    report = score(pairs, predictions)
    print(format_report(report))
    assert report.macro_f1 >= MIN_MACRO_F1, format_report(report)
