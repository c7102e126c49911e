"""DIET and the ResponseSelector loaded without a training step predict exactly as Rasa's own loading."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
import yaml

from confidant.evaluation.model import load_agent, parse_all
from confidant.rasa_internals import model_loading
from tests.support.servers import ROOT, model_path


def held_out_texts(limit: int) -> List[str]:
    data = yaml.safe_load((ROOT / "heldout/split/faq_holdout.yml").read_text())
    texts = [
        line.strip()[2:]
        for block in data["nlu"]
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]
    return texts[:: max(1, len(texts) // limit)][:limit]


def predictions(parse: Dict[str, Any]) -> Dict[str, Any]:
    selector = parse.get("response_selector", {})
    return {
        "intents": [(i["name"], i["confidence"]) for i in parse.get("intent_ranking", [])],
        "answers": {
            key: [(r["intent_response_key"], r["confidence"]) for r in value.get("ranking", [])]
            for key, value in selector.items()
            if key != "all_retrieval_intents"
        },
    }


def close(a: Any, b: Any) -> bool:
    if isinstance(a, float):
        return a == pytest.approx(b, abs=1e-5)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    return a == b


def test_the_same_intents_answers_and_confidences_as_rasas_own_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.utils.tensorflow.models import RasaModel

    texts = held_out_texts(60)
    rasas_own = RasaModel.__dict__.get(model_loading._RASAS_LOAD_ATTRIBUTE, RasaModel.__dict__["load"])
    monkeypatch.setattr(RasaModel, "load", rasas_own)
    expected = [predictions(p) for p in parse_all(load_agent(model_path()), texts)]
    monkeypatch.setattr(RasaModel, "load", classmethod(model_loading.load_for_prediction))
    monkeypatch.setattr(RasaModel, model_loading._RASAS_LOAD_ATTRIBUTE, rasas_own, raising=False)
    ours = [predictions(p) for p in parse_all(load_agent(model_path()), texts)]
    assert expected[0]["intents"] and any(e["answers"] for e in expected)  # it compared something
    different = [text for text, a, b in zip(texts, expected, ours, strict=True) if not close(a, b)]
    assert not different, different
