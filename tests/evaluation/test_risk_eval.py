"""Risk detection on the held-out set: CI fails if the assistant's decision misses more than 2% of
current risk."""

from __future__ import annotations

from confidant.evaluation import risk_scoring
from confidant.evaluation.model import parse_all
from confidant.evaluation.risk import assistant_output, classifier_output

MIN_UNION_RECALL = 0.98
MAX_HARD_FALSE_ALARMS = 0.10


def test_union_recall_and_false_alarms(trained_agent) -> None:
    messages = risk_scoring.load_messages()
    texts = [m.text for m in messages]
    parses = dict(zip(texts, parse_all(trained_agent, texts), strict=True))
    reports = risk_scoring.evaluate(
        messages,
        {
            "screen": risk_scoring.screen_layer(),
            "classifier": lambda text: classifier_output(parses[text], 0.5),
        },
        decision=lambda text: assistant_output(parses[text]),
    )
    for report in reports.values():
        print(risk_scoring.format_report(report))
    # "assistant" is what the assistant acts on: the union of the screen and the classifier,
    # where the classifier cannot overrule the screen's evidence of negation, idiom and so on.
    assistant = reports[risk_scoring.DECISION]
    assert assistant.current_recall >= MIN_UNION_RECALL, risk_scoring.format_report(assistant)
    flagged, total = assistant.false_alarms["hard"]
    assert flagged / total <= MAX_HARD_FALSE_ALARMS, risk_scoring.format_report(assistant)


def test_the_evaluation_set_is_large_and_never_trained_on() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    from confidant.settings import PROJECT_ROOT

    messages = risk_scoring.load_messages()
    current = [m for m in messages if m.kind == "current"]
    hard = [m for m in messages if m.kind in ("idiom", "informational", "negated", "past", "third_party")]
    assert len(messages) >= 300 and len(current) >= 120 and len(hard) >= 80
    for category in ("self_harm", "harm_others", "abuse"):
        assert sum(m.category == category for m in current) >= 40
    training = {e.get("text").strip().lower() for e in load_data(str(PROJECT_ROOT / "data/nlu")).intent_examples}
    assert not training.intersection(m.text.strip().lower() for m in messages)
