"""The numpy forward pass gives the sentence vectors of the reference implementation."""

from __future__ import annotations

import numpy as np
import pytest

from confidant.nlu.embedding.encoder import MAX_POSITIONS

# The first six values of sentence-transformers' all-MiniLM-L6-v2 vector (mean pooling, unit
# length), computed with PyTorch 2.13 and transformers 5.25 from the same weights.
REFERENCE_VECTORS = {
    "Can my parents see what I say in therapy?": [-0.00548, 0.07376, -0.02402, -0.01804, 0.01153, 0.00998],
    "im 15 n my mom keeps asking wat i talk abt w my counselor.. does she get to know??": [
        0.00226,
        -0.02247,
        -0.03429,
        -0.01897,
        -0.02317,
        -0.03346,
    ],
}


@pytest.mark.parametrize("text", sorted(REFERENCE_VECTORS))
def test_sentence_vector_matches_reference(encoder, text: str) -> None:
    [vector] = encoder.sentence_vectors([text])
    assert vector.shape == (384,)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert vector[:6] == pytest.approx(REFERENCE_VECTORS[text], abs=2e-5)


def test_same_meaning_lands_closer_than_another_topic(encoder) -> None:
    parents, mum, fees = encoder.sentence_vectors(
        [
            "Can my parents see what I say in therapy?",
            "will my mum find out what i tell the counsellor",
            "How much is a session?",
        ]
    )
    assert parents @ mum > parents @ fees + 0.3


def test_padding_does_not_change_a_sequence(encoder) -> None:
    short = [encoder.wordpiece.cls_id, *encoder.wordpiece.ids("is this private"), encoder.wordpiece.sep_id]
    long = [
        encoder.wordpiece.cls_id,
        *encoder.wordpiece.ids("what happens to my notes when i stop coming here"),
        encoder.wordpiece.sep_id,
    ]
    alone = encoder.states([short])[0]
    batched = encoder.states([short, long])[0]
    assert np.allclose(alone, batched, atol=1e-4)


def test_a_long_text_is_encoded_in_windows(encoder) -> None:
    pieces = encoder.wordpiece.ids("my mom reads my phone " * 80)
    windows = encoder.windows(pieces)
    assert len(windows) > 1
    assert all(len(window) <= MAX_POSITIONS for window in windows)
    assert sum(len(window) - 2 for window in windows) == len(pieces)
    [vector] = encoder.sentence_vectors(["my mom reads my phone " * 80])
    assert np.isfinite(vector).all()


def test_texts_encoded_together_get_the_vectors_they_get_alone(encoder) -> None:
    """Training encodes thousands of examples in batches of similar length; each keeps its own vector."""
    texts = [
        "hi",
        "will my husband find out what I say in couples sessions if I see you alone as well?",
        "my mom reads my phone " * 80,
        "",
        "court??",
    ]
    together = encoder.sentence_vectors(texts)
    alone = np.stack([encoder.sentence_vectors([text])[0] for text in texts])
    assert together.shape == (5, 384)
    assert np.allclose(together, alone, atol=1e-5)


def test_batches_hold_similar_lengths_within_the_budget() -> None:
    from confidant.nlu.embedding.encoder import BATCH_PIECES, _batches_by_length

    windows = [(index, [0] * length) for index, length in enumerate([3, 200, 5, 256, 4, 199] * 20)]
    batches = _batches_by_length(windows)
    assert sorted(index for batch in batches for index, _ in batch) == list(range(len(windows)))
    for batch in batches:
        assert len(batch) * max(len(window) for _, window in batch) <= BATCH_PIECES
        assert max(len(w) for _, w in batch) - min(len(w) for _, w in batch) <= 60
