"""Fingerprint training messages' tokens and sparse features in one hash each, not thousands.

While training, Rasa 3.6 fingerprints every component's output to key its training cache, and
a message's fingerprint is taken again each time a featurizer adds to it. Two parts of it were
most of the featurizers' time in `make train` (docs/performance.md):
- each token (about 60,000 in the training data) hashed field by field, an md5 and a JSON dump
  per field, for every message each time;
- sparse features written as a line of text per non-zero value ("  (0, 17)\t1"), about a
  million values once the character n-grams are in.
Here a token is one hash of one JSON dump of the same fields, and a sparse matrix one hash of
its shape, types, coordinates and values as bytes: the same things told apart (a sparse
matrix's shape too, which Rasa's text left out). Only the training cache's keys change: a
cache written before simply misses once.

And the training data is not read again for each fingerprint. Rasa took the whole data's
fingerprint twice per featurizer (its output, then the next node's input) and three more
times for the classifiers, each time over every message's tokens and features. Now:
- a featurizer's output (`process_training_data`) is fingerprinted from its node's key, which
  Rasa computes from the component's code, configuration and input fingerprints: any change
  there changes it, as Rasa's own reuse of the node's cached work assumes (what is lost is
  only a cache hit downstream when a changed featurizer happens to write the same features);
- the fingerprint a node's output was given stays with that data, so the next node's key
  reads it instead of hashing the data again, until a featurizer starts changing the data.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

_INSTALLED = "_confidant_fingerprints_in_one_hash"
# Where training data keeps the fingerprint its last node's output was given.
_KNOWN_FINGERPRINT = "_confidant_known_fingerprint"
_CHANGES_DATA = "process_training_data"


def sparse_fingerprint(matrix: Any) -> str:
    """A stable hash of a scipy sparse matrix: shape, types, coordinates and values, in COO order."""
    coo = matrix.tocoo()
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((coo.shape, str(coo.row.dtype), str(coo.col.dtype), str(coo.data.dtype))).encode())
    for array in (coo.row, coo.col, coo.data):
        digest.update(array.tobytes())
    return digest.hexdigest()


def token_fingerprint(text: str, start: int, end: int, lemma: Any, data: Any) -> str:
    """A stable hash of a token's fields (its data dict in key order; other types by their text)."""
    dumped = json.dumps([text, start, end, lemma, data], sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.blake2b(dumped.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def output_fingerprint(fingerprint_key: str) -> str:
    """The fingerprint of what a node made of its inputs, named by the node's own key."""
    return hashlib.blake2b(f"output of {fingerprint_key}".encode(), digest_size=16).hexdigest()


def install() -> None:
    """Make `Token.fingerprint` and `Features.fingerprint` one hash each, and the training data's
    fingerprint taken once per node (idempotent)."""
    import rasa.shared.utils.io
    from rasa.engine.training.components import PrecomputedValueProvider
    from rasa.engine.training.hooks import TrainingHook
    from rasa.nlu.tokenizers.tokenizer import Token
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.training_data import TrainingData

    if getattr(Features.fingerprint, _INSTALLED, False):
        return
    rasas_token_fingerprint = Token.fingerprint

    def fingerprint_token(self: Token) -> str:
        try:
            return token_fingerprint(self.text, self.start, self.end, self.lemma, self.data)
        except (TypeError, ValueError):  # keys json cannot sort (mixed types): Rasa's own way
            return rasas_token_fingerprint(self)

    def fingerprint_features(self: Features) -> str:
        if self._cached_fingerprint is None:
            matrix = self.features.tobytes() if self.is_dense() else sparse_fingerprint(self.features)
            self._cached_fingerprint = rasa.shared.utils.io.deep_container_fingerprint(
                [self.type, self.origin, self.attribute, matrix]
            )
        return self._cached_fingerprint

    rasas_data_fingerprint = TrainingData.fingerprint

    def fingerprint_data(self: TrainingData) -> str:
        known = self.__dict__.get(_KNOWN_FINGERPRINT)
        return known if known is not None else rasas_data_fingerprint(self)

    rasas_before_node = TrainingHook.on_before_node
    rasas_after_node = TrainingHook.on_after_node

    def on_before_node(
        self: TrainingHook, node_name: str, execution_context: Any, config: Any, received_inputs: Any
    ) -> Any:
        hook_data = rasas_before_node(self, node_name, execution_context, config, received_inputs)
        if self._pruned_schema.nodes[node_name].fn == _CHANGES_DATA:
            for value in received_inputs.values():  # the featurizer is about to add to them
                if isinstance(value, TrainingData):
                    value.__dict__.pop(_KNOWN_FINGERPRINT, None)
        return hook_data

    def on_after_node(
        self: TrainingHook, node_name: str, execution_context: Any, config: Any, output: Any, input_hook_data: Any
    ) -> None:
        node = self._pruned_schema.nodes[node_name]
        if not isinstance(output, TrainingData) or node.uses is PrecomputedValueProvider:
            return rasas_after_node(self, node_name, execution_context, config, output, input_hook_data)
        if node.fn == _CHANGES_DATA:
            fingerprint = output_fingerprint(input_hook_data["fingerprint_key"])
        else:
            fingerprint = rasa.shared.utils.io.deep_container_fingerprint(output)
        self._cache.cache_output(
            fingerprint_key=input_hook_data["fingerprint_key"],
            output=output,
            output_fingerprint=fingerprint,
            model_storage=self._model_storage,
        )
        output.__dict__[_KNOWN_FINGERPRINT] = fingerprint
        return None

    for replacement in (fingerprint_token, fingerprint_features):
        setattr(replacement, _INSTALLED, True)
    Token.fingerprint = fingerprint_token
    Features.fingerprint = fingerprint_features
    TrainingData.fingerprint = fingerprint_data
    TrainingHook.on_before_node = on_before_node
    TrainingHook.on_after_node = on_after_node
