"""English word frequencies for the risk screen's typo fixes, held compactly.

The normaliser asks one thing of the table: how common is this word in English (to tell "too"
or "putting" from "diee" or "sucide")? spacy-lookups-data ships it as JSON, a million words; as
a Python dict of the 742,591 words the screen keeps it was the largest single item of the Rasa
process (113 MB, docs/performance.md). Here each word is a 64-bit hash in a sorted numpy array
beside its log-probability: 12 MB, the same values. Two of the words sharing a hash is checked
when the table is built; a word outside the table taken for one in it has a chance of about
4 in 10^14 per lookup.

Parsing the JSON and hashing its words takes a second or two, so the arrays are kept in a cache
file under var/cache/, named by the package's version and the cut-off; later start-ups read it
in milliseconds. The cache is only a copy: a missing, unreadable or foreign one is rebuilt.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Mapping, Optional

import numpy as np

from confidant.private_files import DATA_DIR, private_directory

logger = logging.getLogger(__name__)

CACHE_DIR = DATA_DIR / "cache"
UNKNOWN = -99.0


def word_key(word: str) -> int:
    """A stable 64-bit hash of a word (Python's own `hash` changes from process to process)."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class WordFrequencies:
    """Log-probabilities of English words, looked up by word; read-only and thread-safe."""

    def __init__(self, keys: np.ndarray, logprobs: np.ndarray) -> None:
        if keys.shape != logprobs.shape:
            raise ValueError("word keys and log-probabilities differ in length")
        order = np.argsort(keys, kind="stable")
        self._keys = np.ascontiguousarray(keys[order], dtype=np.uint64)
        self._logprobs = np.ascontiguousarray(logprobs[order], dtype=np.float64)
        if len(self._keys) > 1 and bool(np.any(self._keys[1:] == self._keys[:-1])):
            raise ValueError("two words of the frequency table share a hash")

    @classmethod
    def from_mapping(cls, logprobs: Mapping[str, float]) -> "WordFrequencies":
        keys = np.fromiter((word_key(word) for word in logprobs), dtype=np.uint64, count=len(logprobs))
        values = np.fromiter(logprobs.values(), dtype=np.float64, count=len(logprobs))
        return cls(keys, values)

    def _index(self, word: str) -> Optional[int]:
        key = np.uint64(word_key(word))
        index = int(np.searchsorted(self._keys, key))
        if index < len(self._keys) and self._keys[index] == key:
            return index
        return None

    def get(self, word: str, default: float = UNKNOWN) -> float:
        index = self._index(word)
        return default if index is None else float(self._logprobs[index])

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._index(word) is not None

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        return int(self._keys.nbytes + self._logprobs.nbytes)

    def save(self, path: Path) -> None:
        """Write the arrays to `path` atomically (another process may be reading or writing it)."""
        private_directory(path.parent)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                np.savez(handle, keys=self._keys, logprobs=self._logprobs)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> "WordFrequencies":
        with np.load(path, allow_pickle=False) as arrays:
            return cls(arrays["keys"], arrays["logprobs"])


def read_lookups_table(min_logprob: float) -> Optional[dict[str, float]]:
    """spacy-lookups-data's English table, words at or above `min_logprob`; None without the package."""
    try:
        import spacy_lookups_data
    except ImportError:
        return None
    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf8") as handle:
        table = json.load(handle)
    return {word: logprob for word, logprob in table.items() if logprob >= min_logprob}


def cache_path(min_logprob: float, cache_dir: Path = CACHE_DIR) -> Optional[Path]:
    """The cache file for this package version and cut-off; None without the package."""
    try:
        from importlib.metadata import version

        package_version = version("spacy-lookups-data")
    except Exception:
        return None
    return cache_dir / f"english-word-logprobs-{package_version}-at-least{min_logprob:g}.npz"


def build_or_load(min_logprob: float, cache_dir: Path = CACHE_DIR) -> WordFrequencies:
    """The table from its cache file, or built from the package's JSON (and cached)."""
    path = cache_path(min_logprob, cache_dir)
    if path is not None and path.is_file():
        try:
            return WordFrequencies.load(path)
        except Exception as error:  # a damaged or foreign file: rebuilt below
            logger.warning("word frequency cache %s unreadable (%s); rebuilding it", path, error)
    try:
        table = read_lookups_table(min_logprob)
    except Exception as error:  # a damaged package must not stop the risk screen from starting
        logger.warning("risk screen: English word frequencies unreadable (%s); typo fixing is limited", error)
        table = None
    if table is None:
        logger.warning("risk screen: no English word frequencies; typo fixing is limited")
        return WordFrequencies(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.float64))
    frequencies = WordFrequencies.from_mapping(table)
    del table
    if path is not None:
        try:
            frequencies.save(path)
        except OSError as error:  # a read-only checkout still works, only slower to start
            logger.info("word frequency cache not written to %s (%s)", path, error)
    return frequencies


_SHARED: dict[float, WordFrequencies] = {}
_SHARED_LOCK = threading.Lock()


def shared(min_logprob: float) -> WordFrequencies:
    """One table per process and cut-off, loaded on first use."""
    with _SHARED_LOCK:
        if min_logprob not in _SHARED:
            _SHARED[min_logprob] = build_or_load(min_logprob)
        return _SHARED[min_logprob]
