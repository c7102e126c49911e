"""The CountVectorsFeaturizer's features for a batch of messages in one pass.

Rasa 3.6 featurizes the training data a message at a time, and each message twice: sklearn's
`transform` on its tokens (the token features), then on the tokens joined into one text (the
sentence features). Most of that time went to analysing the same words again and again (some
150,000 tokens, a few thousand of them distinct; docs/performance.md, "The count vectors in one
pass"). Here the distinct tokens of all the messages go through one `transform`; a message's
rows of it are its token features, and where a
text's counts are its tokens' counts added up (words one at a time, or character n-grams
inside words, counted, not only marked) its sentence features are that sum. They are the same
matrices as Rasa's, value for value and type for type: `tests/rasa_internals/test_count_vectors.py`
compares them on the project's training data. Other analyzers (word n-grams, plain character
n-grams, which cross the spaces between tokens) keep Rasa's way, and so does a message at a
time (`ONE_PASS_FROM`), where the one pass costs more than it saves.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional, Tuple

_RASAS_OWN = "_confidant_rasas_own"

Features = Tuple[List[Optional[Any]], List[Optional[Any]]]
# Fewer messages than this keep Rasa's way: for one message (a message at run time, a sentence
# of it) two sklearn calls cost less than gathering the distinct tokens and adding up rows.
ONE_PASS_FROM = 32


def sentence_is_sum_of_tokens(vectorizer: Any) -> bool:
    """True when sklearn counts a joined text as the sum of its tokens' counts, and is fitted."""
    if not hasattr(vectorizer, "vocabulary_") or getattr(vectorizer, "binary", False):
        return False
    if vectorizer.analyzer == "char_wb":  # n-grams never cross the space between two tokens
        return True
    return vectorizer.analyzer == "word" and tuple(vectorizer.ngram_range)[1] == 1


def summed_rows(rows: Any) -> Any:
    """One row holding the column sums of a CSR matrix, as COO with sorted columns, as sklearn gives it."""
    import numpy as np
    import scipy.sparse

    summed = scipy.sparse.csr_matrix(
        (rows.data, rows.indices, np.array([0, rows.nnz], dtype=rows.indptr.dtype)), shape=(1, rows.shape[1])
    )
    summed.sum_duplicates()
    return summed.tocoo()


def features_in_one_pass(vectorizer: Any, all_tokens: List[List[str]], with_sentences: bool) -> Features:
    """Token and sentence features of every message, from one `transform` of their distinct tokens."""
    import numpy as np

    row_of_token: Dict[str, int] = {}  # each distinct token analysed once: most tokens recur
    rows_in_order = [row_of_token.setdefault(token, len(row_of_token)) for tokens in all_tokens for token in tokens]
    if not rows_in_order:
        return [None] * len(all_tokens), [None] * len(all_tokens)
    matrix = vectorizer.transform(list(row_of_token))[np.array(rows_in_order)]
    sequences: List[Optional[Any]] = []
    sentences: List[Optional[Any]] = []
    start = 0
    for tokens in all_tokens:
        if not tokens:
            sequences.append(None)
            sentences.append(None)
            continue
        rows = matrix[start : start + len(tokens)]
        start += len(tokens)
        rows.sort_indices()
        sequences.append(rows.tocoo())
        sentences.append(summed_rows(rows) if with_sentences else None)
    return sequences, sentences


def install() -> None:
    """Featurize a batch of messages in one pass where the analyzer allows it (idempotent)."""
    from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer

    if hasattr(CountVectorsFeaturizer.process, _RASAS_OWN):
        return
    rasas_process = CountVectorsFeaturizer.process

    @functools.wraps(rasas_process)  # Rasa's graph validation reads the signature and type hints
    def process(self: Any, messages: List[Any]) -> List[Any]:
        if self.vectorizers is None or len(messages) < ONE_PASS_FROM:
            return rasas_process(self, messages)  # Rasa's error message; or a message at a time
        for attribute in self._attributes:
            all_tokens = [self._get_processed_message_tokens_by_attribute(message, attribute) for message in messages]
            vectorizer = self.vectorizers.get(attribute)
            if vectorizer is not None and sentence_is_sum_of_tokens(vectorizer):
                with_sentences = attribute in DENSE_FEATURIZABLE_ATTRIBUTES
                sequences, sentences = features_in_one_pass(vectorizer, all_tokens, with_sentences)
            else:
                each = [self._create_features(attribute, [tokens]) for tokens in all_tokens]
                sequences = [sequence[0] for sequence, _ in each]
                sentences = [sentence[0] for _, sentence in each]
            for message, sequence, sentence in zip(messages, sequences, sentences, strict=True):
                self.add_features_to_message(sequence, sentence, attribute, message)
        return messages

    setattr(process, _RASAS_OWN, rasas_process)
    CountVectorsFeaturizer.process = process


def rasas_process() -> Any:
    """Rasa's own `CountVectorsFeaturizer.process`, installed or not (to compare with it)."""
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer

    current = CountVectorsFeaturizer.process
    return getattr(current, _RASAS_OWN, current)
