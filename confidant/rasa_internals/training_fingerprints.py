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
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

_INSTALLED = "_confidant_fingerprints_in_one_hash"


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


def install() -> None:
    """Make `Token.fingerprint` and `Features.fingerprint` one hash each (idempotent)."""
    import rasa.shared.utils.io
    from rasa.nlu.tokenizers.tokenizer import Token
    from rasa.shared.nlu.training_data.features import Features

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

    for replacement in (fingerprint_token, fingerprint_features):
        setattr(replacement, _INSTALLED, True)
    Token.fingerprint = fingerprint_token
    Features.fingerprint = fingerprint_features
