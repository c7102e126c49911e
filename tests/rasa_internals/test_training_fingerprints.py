"""The training cache's fingerprints of tokens and sparse features tell apart what Rasa's do."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.features import Features

from confidant.rasa_internals import training_fingerprints
from confidant.rasa_internals.training_fingerprints import sparse_fingerprint
from tests.support.tiny_training import TINY_PROJECT, train_tiny_project


def _matrix(values: list[list[int]]) -> scipy.sparse.coo_matrix:
    return scipy.sparse.coo_matrix(np.array(values, dtype=np.int64))


def test_the_same_matrix_gives_the_same_fingerprint_however_it_is_stored() -> None:
    matrix = _matrix([[0, 2, 0], [1, 0, 0]])
    assert sparse_fingerprint(matrix) == sparse_fingerprint(matrix.tocsr()) == sparse_fingerprint(matrix.copy())


@pytest.mark.parametrize(
    "other",
    [
        [[0, 3, 0], [1, 0, 0]],  # another value
        [[2, 0, 0], [1, 0, 0]],  # the value elsewhere
        [[0, 2, 0], [1, 0, 0], [0, 0, 0]],  # another shape (Rasa's text did not see this)
    ],
)
def test_a_different_matrix_gives_a_different_fingerprint(other: list[list[int]]) -> None:
    assert sparse_fingerprint(_matrix([[0, 2, 0], [1, 0, 0]])) != sparse_fingerprint(_matrix(other))


def test_the_value_type_counts() -> None:
    ints = _matrix([[0, 2], [1, 0]])
    assert sparse_fingerprint(ints) != sparse_fingerprint(ints.astype(np.float32))


def test_installed_features_fingerprint_sparse_matrices_by_their_arrays() -> None:
    training_fingerprints.install()
    training_fingerprints.install()  # idempotent

    def features(values: list[list[int]], origin: str = "words") -> Features:
        return Features(_matrix(values), "sequence", "text", origin)

    assert features([[1, 0]]).fingerprint() == features([[1, 0]]).fingerprint()
    assert features([[1, 0]]).fingerprint() != features([[0, 1]]).fingerprint()
    assert features([[1, 0]]).fingerprint() != features([[1, 0]], origin="chars").fingerprint()


def test_dense_features_keep_rasas_fingerprint() -> None:
    from rasa.shared.utils.io import deep_container_fingerprint

    training_fingerprints.install()
    dense = np.arange(6, dtype=np.float32).reshape(2, 3)
    expected = deep_container_fingerprint(["sentence", "encoder", "text", dense.tobytes()])
    assert Features(dense, "sentence", "text", "encoder").fingerprint() == expected


def _token(text: str = "court", start: int = 4, end: int = 9, **data: Any) -> Token:
    return Token(text, start, end, data=dict(data), lemma=text)


def test_installed_tokens_fingerprint_every_field() -> None:
    training_fingerprints.install()
    same = _token().fingerprint()
    assert _token().fingerprint() == same
    assert _token("courts").fingerprint() != same
    assert _token(start=5, end=10).fingerprint() != same
    assert _token(pattern={"lookup": True}).fingerprint() != same
    assert _token(b=1, a=2).fingerprint() == _token(a=2, b=1).fingerprint()  # a dict's order does not count


def test_a_token_whose_data_json_cannot_sort_keeps_rasas_fingerprint() -> None:
    training_fingerprints.install()
    odd = Token("x", 0, 1, data={1: "a", "b": 2})
    assert odd.fingerprint() == Token("x", 0, 1, data={1: "a", "b": 2}).fingerprint()
    assert odd.fingerprint() != Token("x", 0, 1, data={1: "a", "b": 3}).fingerprint()


def test_a_featurizers_output_is_named_by_its_nodes_key() -> None:
    key = "a-node-key"
    assert training_fingerprints.output_fingerprint(key) == training_fingerprints.output_fingerprint(key)
    assert training_fingerprints.output_fingerprint(key) != training_fingerprints.output_fingerprint("another-key")


def test_the_training_cache_reuses_what_did_not_change_and_retrains_after_an_edit(tmp_path: Path) -> None:
    """The featurizers' outputs are fingerprinted from their nodes' keys: an unchanged project
    trains nothing the second time, and one changed example trains the classifiers again."""
    project = tmp_path / "project"
    shutil.copytree(TINY_PROJECT, project)
    environment = {"RASA_CACHE_DIRECTORY": str(tmp_path / "cache")}

    _, _, first = train_tiny_project(tmp_path, "first", environment, project)
    _, _, unchanged = train_tiny_project(tmp_path, "unchanged", environment, project)
    nlu = project / "data" / "nlu.yml"
    nlu.write_text(nlu.read_text().replace("- hello\n", "- hello there, friend\n", 1))
    _, _, edited = train_tiny_project(tmp_path, "edited", environment, project)

    def trained(log: str) -> set[str]:
        return set(re.findall(r"Finished training component '(\w+)'", log))

    assert {"DIETClassifier", "ResponseSelector", "CountVectorsFeaturizer"} <= trained(first)
    assert trained(unchanged) == set()
    assert {"DIETClassifier", "ResponseSelector", "CountVectorsFeaturizer"} <= trained(edited)
