"""The count vectors of a batch in one pass are Rasa's count vectors, value for value."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import RESPONSE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from confidant.rasa_internals import count_vectors
from confidant.settings import PROJECT_ROOT

CONFIGURED = [{}, {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}]  # as in config.yml


def component(cls: Any, storage_path: Path, name: str, **config: Any) -> Any:
    storage = LocalModelStorage(storage_path)
    context = ExecutionContext(GraphSchema({}), "test")
    return cls.create({**cls.get_default_config(), **config}, storage, Resource(name), context)


@pytest.fixture(scope="module")
def project_data(tmp_path_factory: pytest.TempPathFactory) -> TrainingData:
    """The project's NLU examples and the domain's responses, tokenized as in training."""
    importer = TrainingDataImporter.load_from_config(
        str(PROJECT_ROOT / "config.yml"), str(PROJECT_ROOT / "domain.yml"), [str(PROJECT_ROOT / "data" / "nlu")]
    )
    data = importer.get_nlu_data()
    tokenizer = component(WhitespaceTokenizer, tmp_path_factory.mktemp("storage"), "tokenizer")
    tokenizer.process_training_data(data)
    return data


def fresh_copies(messages: List[Message]) -> List[Message]:
    return [Message(data=dict(message.data)) for message in messages]


def assert_same_features(ours: List[Message], rasas: List[Message]) -> None:
    for mine, theirs in zip(ours, rasas, strict=True):
        assert len(mine.features) == len(theirs.features)
        for feature, expected in zip(mine.features, theirs.features, strict=True):
            assert (feature.type, feature.attribute, feature.origin) == (
                expected.type,
                expected.attribute,
                expected.origin,
            )
            matrix, rasa_matrix = feature.features, expected.features
            assert matrix.format == rasa_matrix.format == "coo"
            assert matrix.shape == rasa_matrix.shape and matrix.dtype == rasa_matrix.dtype
            for part in ("row", "col", "data"):
                np.testing.assert_array_equal(getattr(matrix, part), getattr(rasa_matrix, part))
                assert getattr(matrix, part).dtype == getattr(rasa_matrix, part).dtype


@pytest.mark.parametrize("config", CONFIGURED, ids=["words", "char_wb 1-4"])
def test_the_projects_training_data_gets_rasas_features(
    project_data: TrainingData, tmp_path: Path, config: Dict[str, Any]
) -> None:
    featurizer = component(CountVectorsFeaturizer, tmp_path, "count_vectors", **config)
    featurizer.train(project_data)
    examples = project_data.training_examples
    assert len(examples) > 3000 and any(example.get("response") for example in examples)
    for attribute in (TEXT, RESPONSE):
        assert count_vectors.sentence_is_sum_of_tokens(featurizer.vectorizers[attribute])

    rasas = fresh_copies(examples)
    count_vectors.rasas_process()(featurizer, rasas)
    count_vectors.install()
    count_vectors.install()  # idempotent
    ours = fresh_copies(examples)
    featurizer.process(ours)
    assert_same_features(ours, rasas)


@pytest.fixture
def one_pass_for_any_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one pass for the few messages of a test, which would otherwise go Rasa's way."""
    monkeypatch.setattr(count_vectors, "ONE_PASS_FROM", 1)


@pytest.mark.usefixtures("one_pass_for_any_batch")
@pytest.mark.parametrize("config", CONFIGURED, ids=["words", "char_wb 1-4"])
def test_odd_messages_get_rasas_features(tmp_path: Path, config: Dict[str, Any]) -> None:
    tokenizer = component(WhitespaceTokenizer, tmp_path, "tokenizer")
    texts = ["will you tell my parents", "Café naïve résumé", "call 555 0100 at 9", "u ok??", "a", "don't-know"]
    data = TrainingData([Message(data={TEXT: text, "intent": "faq"}) for text in texts])
    tokenizer.process_training_data(data)
    featurizer = component(CountVectorsFeaturizer, tmp_path, "count_vectors", **config)
    featurizer.train(data)
    batch = [Message(data={TEXT: text}) for text in ["", "TELL my PARENTS", "zzz qqq unseen", "a a a a", "9 9"]]
    batch.append(Message(data={"intent": "faq"}))  # no text at all
    tokenizer.process(batch)
    count_vectors.install()
    ours = fresh_copies(batch)
    featurizer.process(ours)
    rasas = fresh_copies(batch)
    count_vectors.rasas_process()(featurizer, rasas)
    assert_same_features(ours, rasas)
    assert len(ours[2].features) == 2  # unseen words: a row of zeros each, still Rasa's features


@pytest.mark.usefixtures("one_pass_for_any_batch")
@pytest.mark.parametrize(
    "config", [{"max_ngram": 2}, {"analyzer": "char", "max_ngram": 3}], ids=["word bigrams", "plain char"]
)
def test_analyzers_whose_n_grams_cross_tokens_keep_rasas_way(tmp_path: Path, config: Dict[str, Any]) -> None:
    """The contrast: here a text's counts are not its tokens' counts added up."""
    tokenizer = component(WhitespaceTokenizer, tmp_path, "tokenizer")
    data = TrainingData([Message(data={TEXT: text, "intent": "faq"}) for text in ["tell my parents", "my parents"]])
    tokenizer.process_training_data(data)
    featurizer = component(CountVectorsFeaturizer, tmp_path, "count_vectors", **config)
    featurizer.train(data)
    vectorizer = featurizer.vectorizers[TEXT]
    assert not count_vectors.sentence_is_sum_of_tokens(vectorizer)
    _, sentences = count_vectors.features_in_one_pass(vectorizer, [["tell", "my", "parents"]], with_sentences=True)
    assert (sentences[0] != vectorizer.transform(["tell my parents"])).nnz > 0
    count_vectors.install()
    ours = fresh_copies(data.training_examples)
    featurizer.process(ours)
    rasas = fresh_copies(data.training_examples)
    count_vectors.rasas_process()(featurizer, rasas)
    assert_same_features(ours, rasas)


def test_rasas_graph_validation_reads_the_same_signature() -> None:
    from rasa.engine.validation import _get_parameter_information

    count_vectors.install()
    rasas = count_vectors.rasas_process()
    assert CountVectorsFeaturizer.process is not rasas
    assert _get_parameter_information(CountVectorsFeaturizer, "process") == _get_parameter_information(
        type("RasasCountVectors", (CountVectorsFeaturizer,), {"process": rasas}), "process"
    )


def test_a_message_at_a_time_goes_rasas_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tokenizer = component(WhitespaceTokenizer, tmp_path, "tokenizer")
    data = TrainingData([Message(data={TEXT: text, "intent": "faq"}) for text in ["tell my parents", "my parents"]])
    tokenizer.process_training_data(data)
    featurizer = component(CountVectorsFeaturizer, tmp_path, "count_vectors")
    featurizer.train(data)
    count_vectors.install()
    passes: List[int] = []
    monkeypatch.setattr(count_vectors, "features_in_one_pass", lambda *args: passes.append(1))
    featurizer.process(fresh_copies(data.training_examples[:1]))
    assert passes == []
