"""A batch's sparse features converted at once give exactly what Rasa's per-example loop gives."""

from __future__ import annotations

from typing import List

import numpy as np
import pytest
import scipy.sparse
from rasa.utils.tensorflow.data_generator import RasaDataGenerator
from rasa.utils.tensorflow.model_data import FeatureArray, ragged_array_to_ndarray

from confidant.rasa_internals import sparse_batches


def batch(lengths: List[int], features: int, seed: int, sparse_format: str = "coo") -> FeatureArray:
    random = np.random.default_rng(seed)
    matrices = [
        scipy.sparse.random(length, features, density=0.3, format=sparse_format, random_state=random, dtype=np.float64)
        for length in lengths
    ]
    return FeatureArray(ragged_array_to_ndarray(matrices), number_of_dimensions=3)


@pytest.mark.parametrize(
    "lengths, features, sparse_format",
    [
        ([1, 1, 1, 1], 50, "coo"),  # sentence features: one row each
        ([3, 7, 1, 12], 20, "coo"),  # token features of different lengths
        ([5, 2], 9, "csr"),  # not yet coo
        ([1], 1, "coo"),  # the empty position that stands in for unused token features
    ],
)
def test_the_same_indices_values_and_shape_as_rasas_loop(lengths: List[int], features: int, sparse_format: str) -> None:
    array = batch(lengths, features, seed=len(lengths) * features, sparse_format=sparse_format)
    expected = sparse_batches.rasas_scipy_matrix_to_values()(array)
    ours = sparse_batches.sparse_values(list(array))
    assert len(ours) == len(expected) == 3
    for mine, rasas in zip(ours, expected, strict=True):
        assert mine.dtype == rasas.dtype
        np.testing.assert_array_equal(mine, rasas)


def test_an_example_with_no_values_is_still_counted_in_the_shape() -> None:
    empty = scipy.sparse.coo_matrix((4, 6), dtype=np.float32)
    full = scipy.sparse.coo_matrix(np.ones((2, 6), dtype=np.float32))
    array = FeatureArray(ragged_array_to_ndarray([empty, full]), number_of_dimensions=3)
    indices, values, shape = sparse_batches.sparse_values(list(array))
    assert shape.tolist() == [2, 4, 6] and len(values) == 12 and set(indices[:, 0]) == {1}
    for mine, rasas in zip((indices, values, shape), sparse_batches.rasas_scipy_matrix_to_values()(array), strict=True):
        np.testing.assert_array_equal(mine, rasas)


def test_installed_rasas_batch_generator_converts_this_way() -> None:
    sparse_batches.install()
    sparse_batches.install()  # idempotent
    array = batch([2, 3], 8, seed=3)
    np.testing.assert_array_equal(
        RasaDataGenerator._scipy_matrix_to_values(array)[0], sparse_batches.sparse_values(list(array))[0]
    )
    assert sparse_batches.rasas_scipy_matrix_to_values() is not RasaDataGenerator._scipy_matrix_to_values
