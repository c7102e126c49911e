"""BERT's uncased WordPiece tokenizer, so the encoder needs no tokenizer library.

The same steps as BERT's `BasicTokenizer` + `WordpieceTokenizer` (do_lower_case, Chinese
characters split, accents stripped): words are split on whitespace and punctuation, then each
word into the longest pieces found in the vocabulary, continuation pieces prefixed with "##".
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Dict, List

UNKNOWN = "[UNK]"
MAX_WORD_CHARACTERS = 100


def _is_control(character: str) -> bool:
    if character in "\t\n\r":
        return False
    return unicodedata.category(character).startswith("C")


def _is_whitespace(character: str) -> bool:
    return character in " \t\n\r" or unicodedata.category(character) == "Zs"


def _is_punctuation(character: str) -> bool:
    code = ord(character)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(character).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def basic_words(text: str) -> List[str]:
    """Lower-cased, accent-free words and punctuation marks, as BERT's basic tokenizer gives them."""
    cleaned = []
    for character in text:
        code = ord(character)
        if code == 0 or code == 0xFFFD or _is_control(character):
            continue
        if _is_whitespace(character):
            cleaned.append(" ")
        elif _is_cjk(code):
            cleaned.append(f" {character} ")
        else:
            cleaned.append(character)
    words: List[str] = []
    for word in "".join(cleaned).split():
        word = unicodedata.normalize("NFD", word.lower())
        word = "".join(c for c in word if unicodedata.category(c) != "Mn")
        current = ""
        for character in word:
            if _is_punctuation(character):
                if current:
                    words.append(current)
                    current = ""
                words.append(character)
            else:
                current += character
        if current:
            words.append(current)
    return words


class WordPiece:
    """Text to vocabulary ids, with BERT's special tokens."""

    def __init__(self, vocabulary: Dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self.unknown_id = vocabulary[UNKNOWN]
        self.cls_id = vocabulary["[CLS]"]
        self.sep_id = vocabulary["[SEP]"]

    @classmethod
    def from_file(cls, path: Path) -> "WordPiece":
        """Reads vocab.txt: one piece per line, its line number the id."""
        lines = path.read_text(encoding="utf-8").splitlines()
        return cls({piece: index for index, piece in enumerate(lines)})

    def _word_ids(self, word: str) -> List[int]:
        if len(word) > MAX_WORD_CHARACTERS:
            return [self.unknown_id]
        ids: List[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocabulary:
                    found = self.vocabulary[piece]
                    break
                end -= 1
            if found is None:
                return [self.unknown_id]
            ids.append(found)
            start = end
        return ids

    def ids(self, text: str) -> List[int]:
        """The pieces of `text`, without [CLS] and [SEP]."""
        return [piece for word in basic_words(text) for piece in self._word_ids(word)]
