"""The sentence encoder's speed against its former layout. Prints figures; asserts nothing.

    python -m benchmarks.encoder_speed [--rounds 2] [--threads 1] [--examples 3186]

Encodes the NLU training examples (the nearest-examples step's training) and, one at a time,
the first 300 of them (what each message costs at run time), alternating in one run between
the encoder as it is and the two layouts before it: a matrix product per window and per
projection, which numpy runs as one small product for each window in the batch ("former"), and
the products on the flattened batch by numpy ("numpy"), where OpenBLAS uses generic kernels on
a processor it does not recognise. Prints seconds, the ratio of each to the former layout, and
the largest difference between each one's vectors and the former's (they must agree to rounding).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from functools import partial
from typing import Callable, Dict, List, Sequence, Tuple

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from confidant.nlu.embedding import encoder as encoder_module  # noqa: E402
from confidant.nlu.embedding.encoder import (  # noqa: E402
    SentenceEncoder,
    _gelu,
    _Layer,
    _layer_norm,
    packaged_model_directory,
)

ONE_AT_A_TIME = 300


class ProductPerWindowEncoder(SentenceEncoder):
    """The encoder before 2026-12-06: the same arithmetic, each product on the 3-D batch."""

    def _attend(self, x: np.ndarray, mask: np.ndarray, layer: _Layer) -> np.ndarray:
        batch, length, _ = x.shape
        size = self.dimension // self.heads
        query_weights, key_weights, value_weights = np.split(layer.query_key_value, 3, axis=1)
        query_bias, key_bias, value_bias = np.split(layer.query_key_value_bias, 3)

        def heads(projection: np.ndarray) -> np.ndarray:
            return projection.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        query = heads(x @ query_weights + query_bias)
        key = heads(x @ key_weights + key_bias)
        value = heads(x @ value_weights + value_bias)
        scores = query @ key.transpose(0, 1, 3, 2) / np.sqrt(size) + mask[:, None, None, :]
        scores -= scores.max(axis=-1, keepdims=True)
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
        context = (probabilities @ value).transpose(0, 2, 1, 3).reshape(batch, length, self.dimension)
        x = _layer_norm(
            x + context @ layer.attention_out + layer.attention_out_bias, layer.attention_norm, self.epsilon
        )
        hidden = _gelu(x @ layer.intermediate + layer.intermediate_bias)
        return _layer_norm(x + hidden @ layer.out + layer.out_bias, layer.out_norm, self.epsilon)


class NumpyProductEncoder(SentenceEncoder):
    """The encoder from 2026-12-06 to 2026-12-07: every product by numpy, at any size."""

    def states(self, sequences: Sequence[Sequence[int]]) -> List[np.ndarray]:
        threshold = encoder_module.TENSORFLOW_FROM_ROWS
        encoder_module.TENSORFLOW_FROM_ROWS = sys.maxsize
        try:
            return super().states(sequences)
        finally:
            encoder_module.TENSORFLOW_FROM_ROWS = threshold


def training_texts() -> List[str]:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(
        config_path="config.yml", domain_path="domain.yml", training_data_paths=["data/nlu"]
    )
    return [example.get("text") for example in importer.get_nlu_data().intent_examples if example.get("text")]


def _timed(run: Callable[[], np.ndarray]) -> Tuple[float, np.ndarray]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def _one_at_a_time(encoder: SentenceEncoder, texts: List[str]) -> np.ndarray:
    return np.concatenate([encoder.sentence_vectors([text]) for text in texts])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0, help="BLAS threads (0: numpy's default)")
    parser.add_argument("--examples", type=int, default=0, help="encode only the first N (0: all)")
    arguments = parser.parse_args(argv)

    texts = training_texts()
    texts = texts[: arguments.examples] if arguments.examples else texts
    directory = packaged_model_directory()
    encoders = {
        "former": ProductPerWindowEncoder.from_directory(directory),
        "numpy": NumpyProductEncoder.from_directory(directory),
        "now": SentenceEncoder.from_directory(directory),
    }
    whole: Dict[str, List[float]] = {name: [] for name in encoders}
    single: Dict[str, List[float]] = {name: [] for name in encoders}
    vectors: Dict[str, np.ndarray] = {}
    with threadpool_limits(arguments.threads or None):
        for _ in range(arguments.rounds):
            for name, encoder in encoders.items():
                seconds, vectors[name] = _timed(partial(encoder.sentence_vectors, texts))
                whole[name].append(seconds)
                single[name].append(_timed(partial(_one_at_a_time, encoder, texts[:ONE_AT_A_TIME]))[0])
    threads = arguments.threads or "numpy's default"
    print(f"{len(texts)} training examples, {arguments.rounds} rounds alternating, BLAS threads: {threads}")
    print(f"{'encoder':<8} {'all examples, s':>16} {'ratio':>6} {'one at a time, ms':>18} {'ratio':>6}  (medians)")
    for name in encoders:
        all_s = statistics.median(whole[name])
        one_ms = 1000 * statistics.median(single[name]) / min(ONE_AT_A_TIME, len(texts))
        all_ratio = all_s / statistics.median(whole["former"])
        one_ratio = statistics.median(single[name]) / statistics.median(single["former"])
        print(f"{name:<8} {all_s:>16.1f} {all_ratio:>5.2f}x {one_ms:>18.2f} {one_ratio:>5.2f}x")
    for name in ("numpy", "now"):
        difference = np.abs(vectors[name] - vectors["former"]).max()
        print(f"largest difference between the {name} and the former encoder's vectors: {difference:.1e}")
    pools = threadpool_info()
    blas = ", ".join(sorted({str(pool.get("architecture")) for pool in pools if pool["user_api"] == "blas"}))
    print(f"OpenBLAS kernels in use: {blas}")


if __name__ == "__main__":
    main()
