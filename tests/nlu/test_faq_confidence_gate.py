"""The gate turns an unsure FAQ answer into a clarifying question (nlu_fallback)."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from confidant.nlu.faq_confidence_gate import FaqConfidenceGate, is_unsure


def ranking(*confidences: float):
    return [{"intent_response_key": f"faq/topic_{i}", "confidence": c} for i, c in enumerate(confidences)]


def message(intent: str, *confidences: float) -> Message:
    return Message(
        data={
            "text": "something",
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}],
            "response_selector": {"faq": {"ranking": ranking(*confidences)}},
        }
    )


def test_unsure_means_weak_or_too_close() -> None:
    assert is_unsure(ranking(0.3, 0.2), 0.4, 0.05)
    assert is_unsure(ranking(0.45, 0.43), 0.4, 0.05)
    assert not is_unsure(ranking(0.8, 0.1), 0.4, 0.05)
    assert is_unsure([], 0.4, 0.05)


def test_a_confident_answer_passes_through() -> None:
    [processed] = FaqConfidenceGate({"threshold": 0.4, "ambiguity_threshold": 0.05}).process([message("faq", 0.8, 0.1)])
    assert processed.get("intent")["name"] == "faq"


def test_an_unsure_answer_becomes_a_clarifying_question() -> None:
    [processed] = FaqConfidenceGate({"threshold": 0.4, "ambiguity_threshold": 0.05}).process(
        [message("faq", 0.35, 0.3)]
    )
    assert processed.get("intent")["name"] == "nlu_fallback"
    assert processed.get("intent_ranking")[0]["name"] == "nlu_fallback"
    # The selector's ranking stays, so the clarifying question can offer the likeliest topics.
    assert processed.get("response_selector")["faq"]["ranking"][0]["intent_response_key"] == "faq/topic_0"


def test_other_intents_are_left_alone() -> None:
    [processed] = FaqConfidenceGate({"threshold": 0.4, "ambiguity_threshold": 0.05}).process(
        [message("greet", 0.1, 0.1)]
    )
    assert processed.get("intent")["name"] == "greet"


def test_every_custom_components_defaults_are_what_config_yml_runs_with() -> None:
    """A component built without config.yml (a test, a tool) behaves as the trained one does."""
    import importlib

    import yaml

    from confidant.settings import PROJECT_ROOT

    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
    custom = [step for step in pipeline if step["name"].startswith("confidant.")]
    assert {step["name"].rsplit(".", 1)[1] for step in custom} >= {
        "AppointmentConfidenceGate",
        "FaqConfidenceGate",
        "RiskScreenComponent",
    }
    for step in custom:
        module, class_name = step["name"].rsplit(".", 1)
        defaults = getattr(importlib.import_module(module), class_name).get_default_config()
        configured = {key: value for key, value in step.items() if key != "name"}
        assert {key: defaults.get(key) for key in configured} == configured, step["name"]
