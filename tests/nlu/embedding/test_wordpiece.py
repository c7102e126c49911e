"""The tokenizer gives the ids BERT's own uncased tokenizer gives (ids read off transformers 5.25)."""

from __future__ import annotations

import pytest

from confidant.nlu.embedding.wordpiece import basic_words

# Text -> ids between [CLS] and [SEP], as transformers' BertTokenizer gives them for this vocabulary.
REFERENCE_IDS = {
    "Can my parents see what I say in therapy?": [2064, 2026, 3008, 2156, 2054, 1045, 2360, 1999, 7242, 1029],
    "héllo!! naïve café — 50% off?? @you #tag": [
        7592,
        999,
        999,
        15743,
        7668,
        1517,
        2753,
        1003,
        2125,
        1029,
        1029,
        1030,
        2017,
        1001,
        6415,
    ],
    "日本語 and English mixed": [1864, 1876, 1950, 1998, 2394, 3816],
    "unaffordable psychotherapists' notes aren't shared": [
        14477,
        4246,
        8551,
        3085,
        18224,
        12399,
        9331,
        5130,
        1005,
        3964,
        4995,
        1005,
        1056,
        4207,
    ],
}


@pytest.mark.parametrize("text", sorted(REFERENCE_IDS))
def test_ids_match_bert_tokenizer(encoder, text: str) -> None:
    assert encoder.wordpiece.ids(text) == REFERENCE_IDS[text]


def test_basic_words_lowercase_strip_accents_and_split_punctuation() -> None:
    assert basic_words("Naïve, CAFÉ!\u0000ok\tno") == ["naive", ",", "cafe", "!", "ok", "no"]


def test_a_word_with_no_pieces_is_unknown(encoder) -> None:
    assert encoder.wordpiece.ids("\u2603" * 3) == [encoder.wordpiece.unknown_id]


def test_empty_text_has_no_pieces(encoder) -> None:
    assert encoder.wordpiece.ids("   ") == []
