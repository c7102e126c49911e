"""config.yml's NLU pipeline gives every custom component what it declares it needs before it.

Rasa 3.6 checks `required_components()` only for trainable components (its check starts from the
training graph's targets), so for the appointment and FAQ gates and the risk component this test
is the check.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict, List, Tuple, Type

import rasa.shared.utils.io
from rasa.engine.recipes.recipe import Recipe
from rasa.shared.data import TrainingType

from confidant.nlu.appointment_confidence_gate import AppointmentConfidenceGate
from confidant.nlu.faq_confidence_gate import FaqConfidenceGate
from confidant.nlu.neighbour_classifier import NeighbourClassifier
from confidant.risk.component import RiskScreenComponent

ROOT = Path(__file__).resolve().parents[1]


def project_config() -> Dict[str, Any]:
    return rasa.shared.utils.io.read_model_configuration(ROOT / "config.yml")


def pipeline_order(config: Dict[str, Any]) -> List[Type]:
    """The NLU components as the prediction graph runs them, first to last."""
    model_config = Recipe.recipe_for_name(config["recipe"]).graph_config_for_recipe(
        config, {}, training_type=TrainingType.BOTH
    )
    schema = model_config.predict_schema
    order: List[Type] = []
    node_name = model_config.nlu_target
    while node_name in schema.nodes:
        order.append(schema.nodes[node_name].uses)
        node_name = schema.nodes[node_name].needs.get("messages")
    return list(reversed(order))


def unmet_requirements(config: Dict[str, Any]) -> List[Tuple[str, str]]:
    """(component, what it needs) for every declared requirement no earlier component meets."""
    unmet = []
    components = pipeline_order(config)
    for index, component in enumerate(components):
        for required in component.required_components():
            if not any(issubclass(earlier, required) for earlier in components[:index]):
                unmet.append((component.__name__, required.__name__))
    return unmet


def without(config: Dict[str, Any], name: str) -> Dict[str, Any]:
    changed = copy.deepcopy(config)
    changed["pipeline"] = [component for component in changed["pipeline"] if component["name"] != name]
    return changed


def test_the_custom_components_run_after_what_they_need() -> None:
    config = project_config()
    order = pipeline_order(config)
    # Last before Rasa's own RegexMessageHandler, so nothing after it can hide a risk message.
    assert order[-2] is RiskScreenComponent and FaqConfidenceGate in order
    # The appointment gate may hand a message to the FAQ answer, which the FAQ gate then checks.
    assert order.index(AppointmentConfidenceGate) < order.index(FaqConfidenceGate)
    assert unmet_requirements(config) == []


def test_the_neighbour_blend_runs_between_the_classifiers_and_the_gates() -> None:
    """It re-weighs the ResponseSelector's ranking, and the fallback and gates judge the result.

    (Rasa checks a trainable component's requirements in the training graph only, where the
    ResponseSelector is not upstream of it, so the component cannot declare this itself.)
    """
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
    from rasa.nlu.selectors.response_selector import ResponseSelector

    order = pipeline_order(project_config())
    assert order.index(ResponseSelector) < order.index(NeighbourClassifier) < order.index(FallbackClassifier)
    assert order.index(NeighbourClassifier) < order.index(AppointmentConfidenceGate)


def test_a_pipeline_without_the_response_selector_is_caught() -> None:
    assert set(unmet_requirements(without(project_config(), "ResponseSelector"))) == {
        ("AppointmentConfidenceGate", "ResponseSelector"),
        ("FaqConfidenceGate", "ResponseSelector"),
        ("RiskScreenComponent", "ResponseSelector"),
    }


def test_an_appointment_gate_moved_before_the_classifier_is_caught() -> None:
    config = project_config()
    gate = next(c for c in config["pipeline"] if c["name"].endswith("AppointmentConfidenceGate"))
    moved = without(config, gate["name"])
    moved["pipeline"].insert(1, gate)
    assert {("AppointmentConfidenceGate", "DIETClassifier"), ("AppointmentConfidenceGate", "ResponseSelector")} <= set(
        unmet_requirements(moved)
    )


def test_a_risk_component_moved_before_the_classifier_is_caught() -> None:
    config = project_config()
    risk = next(c for c in config["pipeline"] if c["name"].endswith("RiskScreenComponent"))
    moved = without(config, risk["name"])
    moved["pipeline"].insert(1, risk)
    assert ("RiskScreenComponent", "DIETClassifier") in unmet_requirements(moved)
