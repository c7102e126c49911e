"""Read a message also by the training examples it is nearest to in meaning.

DIET and the ResponseSelector learn from the training data's words and character n-grams. A
question worded as nobody here wrote it ("will my mum find out", a long story with the question
last) has few of those and is read by chance: one training of the same data answered 0.64 of an
independent set's questions with the right topic, another 0.73. A pretrained sentence encoder
(all-MiniLM-L6-v2, confidant/nlu/embedding) puts such a message close to the training examples
that mean the same. This component keeps every training example's sentence vector; for a new
message it scores each label by its nearest examples and blends that reading with the
classifiers' (docs/evaluation.md, "Nearest training examples").

Risk stays the classifiers' and the risk screen's: the risk intents keep the confidence DIET gave
them, and only the rest is shared out again between the other intents and FAQ answers; except
where the nearest examples are themselves sure of risk (`risk_witness`), when a risk intent takes
the surer of the two readings. The risk screen still vetoes what it explains away (negated,
past, an idiom, a question about the rules).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from confidant.nlu.embedding.encoder import SentenceEncoder, encoder_fingerprint, packaged_model_directory
from confidant.vocabulary import FAQ_INTENT, NEAREST_PROPERTY, RISK_INTENTS, selector_output, selector_ranking

VECTORS_FILE = "vectors.npy"
LABELS_FILE = "labels.json"
RESPONSES_FILE = "responses.json"
# A label is an intent, or `faq/<topic>` for an FAQ answer (the ResponseSelector's keys).
Distribution = Dict[str, float]


def label_rows(labels: Sequence[str]) -> Dict[str, np.ndarray]:
    """Each label's rows among the stored examples (grouped once, not for every message)."""
    rows: Dict[str, List[int]] = {}
    for index, label in enumerate(labels):
        rows.setdefault(label, []).append(index)
    return {label: np.array(indices) for label, indices in rows.items()}


def label_scores(similarities: np.ndarray, rows: Dict[str, np.ndarray], neighbours: int) -> Dict[str, float]:
    """Each label's mean similarity over its `neighbours` examples nearest to the message."""
    scores: Dict[str, float] = {}
    for label, indices in rows.items():
        values = similarities[indices]
        count = min(neighbours, len(values))
        scores[label] = float(np.partition(values, len(values) - count)[len(values) - count :].mean())
    return scores


def nearest_reading(neighbours: Distribution) -> Dict[str, Any]:
    """What the nearest examples alone make of a message: their best label and the risk intents' share.

    Kept in the parse as a second witness for the risk decision on a sentence read alone
    (confidant.nlu.message_focus), and for the review tool.
    """
    label = max(neighbours, key=neighbours.__getitem__) if neighbours else None
    risk_share = sum(p for name, p in neighbours.items() if name in RISK_INTENTS)
    return {"label": label, "risk": round(risk_share, 4)}


def softmax(scores: Dict[str, float], temperature: float) -> Distribution:
    if not scores:
        return {}
    best = max(scores.values())
    weights = {label: float(np.exp((score - best) / temperature)) for label, score in scores.items()}
    total = sum(weights.values())
    return {label: weight / total for label, weight in weights.items()}


def classifier_distribution(intent_ranking: List[Dict[str, Any]], answer_ranking: List[Dict[str, Any]]) -> Distribution:
    """DIET's intents with its `faq` share split over the ResponseSelector's answers."""
    distribution: Distribution = {}
    for item in intent_ranking:
        name, confidence = item.get("name"), float(item.get("confidence") or 0.0)
        if not name:
            continue
        if name == FAQ_INTENT and answer_ranking:
            for answer in answer_ranking:
                key = answer.get(INTENT_RESPONSE_KEY)
                if key:
                    distribution[key] = distribution.get(key, 0.0) + confidence * float(answer.get("confidence") or 0.0)
        else:
            distribution[name] = distribution.get(name, 0.0) + confidence
    return distribution


def blend(
    classifiers: Distribution,
    neighbours: Distribution,
    classifier_weight: float,
    risk_witness: Optional[float] = None,
) -> Distribution:
    """The classifiers' risk intents as they are; the rest of their mass shared by both readings.

    With `risk_witness`: where the neighbours give the risk intents together at least that much,
    each risk intent takes the surer of the two readings (a second witness beside DIET; the
    risk screen's vetoes still apply after it). The confidences are then each the surer
    witness's, and may add up to more than 1.
    """
    risk = {label: p for label, p in classifiers.items() if label in RISK_INTENTS}
    neighbour_risk = {label: p for label, p in neighbours.items() if label in RISK_INTENTS}
    if risk_witness is not None and sum(neighbour_risk.values()) >= risk_witness:
        for label, p in neighbour_risk.items():
            risk[label] = max(risk.get(label, 0.0), p)
    others = {label: p for label, p in classifiers.items() if label not in RISK_INTENTS}
    mass = max(0.0, sum(classifiers.values()) - sum(risk.values()))
    neighbours = {label: p for label, p in neighbours.items() if label not in RISK_INTENTS}
    classifier_total = sum(others.values())
    neighbour_total = sum(neighbours.values())
    if classifier_total <= 0 or neighbour_total <= 0:
        return {**classifiers, **risk}
    blended = dict(risk)
    for label in set(others) | set(neighbours):
        share = classifier_weight * others.get(label, 0.0) / classifier_total
        share += (1 - classifier_weight) * neighbours.get(label, 0.0) / neighbour_total
        blended[label] = mass * share
    return blended


def intents_and_answers(distribution: Distribution) -> Tuple[List[Dict[str, Any]], List[Tuple[str, float]]]:
    """(intent ranking, FAQ answers with their share of the `faq` intent), best first."""
    intents: Dict[str, float] = {}
    answers: Dict[str, float] = {}
    for label, p in distribution.items():
        if label.startswith(FAQ_INTENT + "/"):
            intents[FAQ_INTENT] = intents.get(FAQ_INTENT, 0.0) + p
            answers[label] = p
        else:
            intents[label] = intents.get(label, 0.0) + p
    ranking = [{"name": name, "confidence": p} for name, p in sorted(intents.items(), key=lambda item: -item[1])]
    faq_total = intents.get(FAQ_INTENT, 0.0)
    answer_ranking = (
        [(key, p / faq_total) for key, p in sorted(answers.items(), key=lambda item: -item[1])] if faq_total else []
    )
    return ranking, answer_ranking


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NeighbourClassifier(GraphComponent):
    """Blends DIET's and the ResponseSelector's reading with the nearest training examples'."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """None that Rasa could check: it must run after the ResponseSelector, whose rankings it
        re-weighs, but Rasa checks a trainable component's requirements in the training graph,
        where the ResponseSelector is not upstream of it (tests/test_pipeline.py checks the order)."""
        return []

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The encoder's code and weights, which Rasa's training cache does not see.

        Without it a change to the encoder (or its model package) would reuse the vectors
        cached from the old one, while a fresh clone computes new ones.
        """
        return encoder_fingerprint()

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # The values config.yml sets (docs/evaluation.md, "Nearest training examples").
        return {
            "neighbours": 3,
            "temperature": 0.03,
            "classifier_weight": 0.4,
            "risk_witness": 0.7,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        encoder: SentenceEncoder,
        vectors: Optional[np.ndarray] = None,
        labels: Optional[List[str]] = None,
        responses: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.model_storage = model_storage
        self.resource = resource
        self.encoder = encoder
        self.vectors = vectors if vectors is not None else np.zeros((0, encoder.dimension), dtype=np.float32)
        self.labels = labels or []
        self.rows = label_rows(self.labels)
        # The FAQ answers' texts by utter action, as the ResponseSelector reports them.
        self.responses = responses or {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "NeighbourClassifier":
        return cls(config, model_storage, resource, SentenceEncoder.from_directory(packaged_model_directory()))

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "NeighbourClassifier":
        with model_storage.read_from(resource) as directory:
            vectors = np.load(directory / VECTORS_FILE)
            labels = json.loads((directory / LABELS_FILE).read_text(encoding="utf-8"))
            responses = json.loads((directory / RESPONSES_FILE).read_text(encoding="utf-8"))
        encoder = SentenceEncoder.from_directory(packaged_model_directory())
        return cls(config, model_storage, resource, encoder, vectors, labels, responses)

    def train(self, training_data: TrainingData) -> Resource:
        """Keeps the sentence vector and label of every training example with a text and an intent."""
        texts, labels = [], []
        for example in training_data.intent_examples:
            intent = example.get(INTENT)
            label = example.get(INTENT_RESPONSE_KEY) if intent == FAQ_INTENT else intent
            if example.get(TEXT) and label:
                texts.append(example.get(TEXT))
                labels.append(label)
        self.vectors = self.encoder.sentence_vectors(texts).astype(np.float32) if texts else self.vectors
        self.labels = labels
        self.rows = label_rows(labels)
        self.responses = {
            f"utter_{label}": training_data.responses.get(f"utter_{label}") for label in set(labels) if "/" in label
        }
        with self.model_storage.write_to(self.resource) as directory:
            np.save(directory / VECTORS_FILE, self.vectors)
            (directory / LABELS_FILE).write_text(json.dumps(self.labels), encoding="utf-8")
            (directory / RESPONSES_FILE).write_text(json.dumps(self.responses), encoding="utf-8")
        return self.resource

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.labels:
            return messages
        for message in messages:
            if message.get(TEXT) and message.get(INTENT_RANKING_KEY):
                self._reweigh(message)
        return messages

    def neighbour_distribution(self, text: str) -> Distribution:
        """Each label's probability from the examples nearest to `text`."""
        [vector] = self.encoder.sentence_vectors([text])
        scores = label_scores(self.vectors @ vector, self.rows, int(self.config["neighbours"]))
        return softmax(scores, float(self.config["temperature"]))

    def _reweigh(self, message: Message) -> None:
        parse = message.as_dict()
        classifiers = classifier_distribution(message.get(INTENT_RANKING_KEY) or [], selector_ranking(parse))
        neighbours = self.neighbour_distribution(message.get(TEXT))
        message.set(NEAREST_PROPERTY, nearest_reading(neighbours), add_to_output=True)
        blended = blend(
            classifiers,
            neighbours,
            float(self.config["classifier_weight"]),
            self.config["risk_witness"],
        )
        ranking, answers = intents_and_answers(blended)
        if not ranking:
            return
        length = int(self.config["ranking_length"])
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking[:length], add_to_output=True)
        selector = selector_output(parse)
        if answers and selector:
            key, confidence = answers[0]
            response = dict(selector.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {})
            response.update(
                {
                    INTENT_RESPONSE_KEY: key,
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{key}",
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(f"utter_{key}")
                    or response.get(RESPONSE_SELECTOR_RESPONSES_KEY),
                }
            )
            updated = {
                **selector,
                RESPONSE_SELECTOR_PREDICTION_KEY: response,
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {INTENT_RESPONSE_KEY: k, PREDICTED_CONFIDENCE_KEY: p} for k, p in answers[:length]
                ],
            }
            selectors = {**message.get(RESPONSE_SELECTOR_PROPERTY_NAME), FAQ_INTENT: updated}
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)
