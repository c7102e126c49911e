"""A training batch's sparse features turned into TensorFlow's indices, values and shape at once.

Rasa 3.6 builds every batch of every epoch (DIET and the ResponseSelector: 60 epochs of a few
thousand examples) by stacking three small arrays per example in Python
(`RasaDataGenerator._scipy_matrix_to_values`): about a sixth of a classifier's sampled time in
a profile of the training with token features. With sentence features only
(`sentence_features.py`) that loop is much shorter, and this change's own gain was not measured
apart from the others (docs/performance.md, "Sentence features only"). Here the same arrays are
built with one concatenation each, in the same order, so the tensors are the same, value for
value (tests/rasa_internals/test_sparse_batches.py compares them with Rasa's). Dialogue data
(four dimensions) and an empty batch keep Rasa's own path.
"""

from __future__ import annotations

from typing import Any, List

import numpy as np

_RASAS_OWN = "_confidant_rasas_own"


def sparse_values(matrices: List[Any]) -> List[np.ndarray]:
    """Indices (example, row, column), values and dense shape of a batch (not empty) of scipy matrices."""
    import scipy.sparse

    coos = [m if isinstance(m, scipy.sparse.coo_matrix) else m.tocoo() for m in matrices]
    counts = np.fromiter((m.nnz for m in coos), dtype=np.int64, count=len(coos))
    indices = np.empty((int(counts.sum()), 3), dtype=np.int64)
    indices[:, 0] = np.repeat(np.arange(len(coos), dtype=np.int64), counts)
    indices[:, 1] = np.concatenate([m.row for m in coos])
    indices[:, 2] = np.concatenate([m.col for m in coos])
    data = np.concatenate([m.data for m in coos]).astype(np.float32)
    longest = max(m.shape[0] for m in coos)
    shape = np.array((len(coos), longest, coos[0].shape[-1]), dtype=np.int64)
    return [indices, data, shape]


def install() -> None:
    """Make Rasa's batch generator convert three-dimensional sparse features at once (idempotent)."""
    from rasa.utils.tensorflow.data_generator import RasaDataGenerator

    if hasattr(RasaDataGenerator._scipy_matrix_to_values, _RASAS_OWN):
        return
    rasas_own = RasaDataGenerator._scipy_matrix_to_values

    def _scipy_matrix_to_values(array_of_sparse: Any) -> List[np.ndarray]:
        if array_of_sparse.number_of_dimensions == 4 or len(array_of_sparse) == 0:
            return rasas_own(array_of_sparse)
        return sparse_values(list(array_of_sparse))

    setattr(_scipy_matrix_to_values, _RASAS_OWN, rasas_own)
    RasaDataGenerator._scipy_matrix_to_values = staticmethod(_scipy_matrix_to_values)


def rasas_scipy_matrix_to_values() -> Any:
    """Rasa's own conversion, installed or not (to compare with it)."""
    from rasa.utils.tensorflow.data_generator import RasaDataGenerator

    current = RasaDataGenerator._scipy_matrix_to_values
    return getattr(current, _RASAS_OWN, current)
