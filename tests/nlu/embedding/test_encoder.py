"""The numpy forward pass gives the sentence vectors of the reference implementation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from confidant.nlu.embedding.encoder import BATCH_PIECES, MAX_POSITIONS

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
    from confidant.nlu.embedding.encoder import _batches_by_length

    windows = [(index, [0] * length) for index, length in enumerate([3, 200, 5, 256, 4, 199] * 20)]
    batches = _batches_by_length(windows)
    assert sorted(index for batch in batches for index, _ in batch) == list(range(len(windows)))
    for batch in batches:
        assert len(batch) * max(len(window) for _, window in batch) <= BATCH_PIECES
        assert max(len(w) for _, w in batch) - min(len(w) for _, w in batch) <= 60


def test_the_gelu_is_the_exact_one_the_model_was_trained_with() -> None:
    """TensorFlow's erf, not the tanh approximation: scipy's exact erf agrees to float precision."""
    from scipy.special import erf

    from confidant.nlu.embedding.encoder import _gelu

    x = np.linspace(-6, 6, 4001, dtype=np.float32).reshape(1, 1, -1)
    exact = 0.5 * x.astype(np.float64) * (1.0 + erf(x.astype(np.float64) / np.sqrt(2.0)))
    assert _gelu(x).dtype == np.float32
    assert np.max(np.abs(_gelu(x) - exact)) < 2e-6
    tanh_approximation = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    assert np.max(np.abs(tanh_approximation - exact)) > 1e-4  # so the test above tells them apart


def test_the_dense_products_by_tensorflow_are_numpys_to_rounding() -> None:
    from confidant.nlu.embedding.encoder import TENSORFLOW_FROM_ROWS, _dense

    generator = np.random.default_rng(7)
    rows = generator.standard_normal((300, 384)).astype(np.float32)
    weight = generator.standard_normal((384, 1152)).astype(np.float32) / 20
    bias = generator.standard_normal(1152).astype(np.float32)
    for count in (300, TENSORFLOW_FROM_ROWS, 1200):  # a message's rows by numpy, a batch's by TensorFlow
        some = np.resize(rows, (count, 384))
        product = _dense(some, weight, bias)
        exact = some.astype(np.float64) @ weight.astype(np.float64) + bias
        assert product.dtype == np.float32 and product.shape == (count, 1152)
        assert np.max(np.abs(product - exact)) < 1e-4
        assert np.max(np.abs(_dense(some, weight, bias * 0) - exact)) > 1e-2  # the bias is added


def test_a_message_is_multiplied_by_numpy_and_a_training_batch_by_tensorflow(monkeypatch) -> None:
    from confidant.nlu.embedding import encoder

    calls = []
    matmul = encoder.tf.linalg.matmul
    monkeypatch.setattr(encoder.tf.linalg, "matmul", lambda a, b: calls.append(len(a)) or matmul(a, b))
    weight, bias = np.ones((4, 2), dtype=np.float32), np.zeros(2, dtype=np.float32)
    encoder._dense(np.ones((MAX_POSITIONS, 4), dtype=np.float32), weight, bias)
    assert calls == []
    encoder._dense(np.ones((BATCH_PIECES, 4), dtype=np.float32), weight, bias)
    assert calls == [BATCH_PIECES]


def test_the_cache_key_changes_with_the_encoders_code(tmp_path, monkeypatch) -> None:
    """Rasa's training cache must not reuse vectors an older encoder computed."""
    from confidant.nlu.embedding import encoder as encoder_module

    before = encoder_module.encoder_fingerprint()
    assert before == encoder_module.encoder_fingerprint()
    copy = tmp_path / "embedding"
    copy.mkdir()
    for path in Path(encoder_module.__file__).parent.glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    (copy / "encoder.py").write_text((copy / "encoder.py").read_text() + "\n# changed\n")
    monkeypatch.setattr(encoder_module, "__file__", str(copy / "encoder.py"))
    assert encoder_module.encoder_fingerprint() != before


def test_the_word_table_is_held_in_half_precision_and_the_layers_compute_in_full(encoder) -> None:
    """Half the model's memory is the word table; the reference vectors above still match to 2e-5."""
    assert encoder.words.dtype == np.float16
    assert encoder.words.nbytes < 24 * 1024 * 1024
    [states] = encoder.states([encoder.windows(encoder.wordpiece.ids("who reads my notes"))[0]])
    assert states.dtype == np.float32
