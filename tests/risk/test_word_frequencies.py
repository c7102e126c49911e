"""The compact English frequency table gives the same answers as the package's JSON, and caches."""

from __future__ import annotations

import random
import stat
from pathlib import Path

import numpy as np
import pytest

from confidant.risk import word_frequencies
from confidant.risk.normalize import KNOWN_WORD_LOGPROB
from confidant.risk.word_frequencies import UNKNOWN, WordFrequencies, build_or_load, cache_path, read_lookups_table

CUT_OFF = KNOWN_WORD_LOGPROB - 3


@pytest.fixture(scope="module")
def json_table() -> dict[str, float]:
    table = read_lookups_table(CUT_OFF)
    assert table is not None, "spacy-lookups-data is a pinned dependency"
    return table


@pytest.fixture(scope="module")
def compact(json_table: dict[str, float]) -> WordFrequencies:
    return WordFrequencies.from_mapping(json_table)


def test_every_word_of_a_sample_has_its_own_logprob(json_table: dict[str, float], compact: WordFrequencies) -> None:
    sample = random.Random(7).sample(sorted(json_table), 20_000)
    assert len(compact) == len(json_table)
    assert [compact.get(word) for word in sample] == [json_table[word] for word in sample]


@pytest.mark.parametrize("word", ["too", "putting", "myself", "kill", "the"])
def test_common_words_are_in_the_table(compact: WordFrequencies, word: str) -> None:
    assert word in compact
    assert compact.get(word) >= KNOWN_WORD_LOGPROB


@pytest.mark.parametrize("word", ["diee", "qqqdieqqq", "myselfff", "", "qzxqzvw", "ünïcødé"])
def test_words_outside_the_table_are_unknown(json_table: dict[str, float], compact: WordFrequencies, word: str) -> None:
    assert word not in json_table
    assert word not in compact
    assert compact.get(word) == UNKNOWN
    assert compact.get(word, 0.5) == 0.5


def test_it_is_a_tenth_of_the_dict_or_less(compact: WordFrequencies) -> None:
    assert compact.nbytes < 16 * 1024 * 1024


def test_two_words_with_one_hash_are_refused() -> None:
    with pytest.raises(ValueError, match="share a hash"):
        WordFrequencies(np.array([5, 9, 5], dtype=np.uint64), np.array([-1.0, -2.0, -3.0]))


def test_the_cache_is_written_private_and_read_back(
    tmp_path: Path, json_table: dict[str, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    built = build_or_load(CUT_OFF, tmp_path)
    path = cache_path(CUT_OFF, tmp_path)
    assert path is not None and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [path.name], "no temporary file left behind"

    def no_json(min_logprob: float) -> None:
        raise AssertionError("the cache should have been read")

    monkeypatch.setattr(word_frequencies, "read_lookups_table", no_json)
    cached = build_or_load(CUT_OFF, tmp_path)
    assert len(cached) == len(built)
    assert cached.get("putting") == json_table["putting"]


def test_a_damaged_cache_is_rebuilt(tmp_path: Path, json_table: dict[str, float]) -> None:
    path = cache_path(CUT_OFF, tmp_path)
    assert path is not None
    path.write_bytes(b"not an npz file")
    rebuilt = build_or_load(CUT_OFF, tmp_path)
    assert rebuilt.get("putting") == json_table["putting"]
    assert WordFrequencies.load(path).get("putting") == json_table["putting"]


def test_a_cache_that_cannot_be_written_still_gives_the_table(tmp_path: Path, json_table: dict[str, float]) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    table = build_or_load(CUT_OFF, blocked / "cache")
    assert table.get("too") == json_table["too"]


def test_an_unreadable_table_leaves_the_screen_working_without_typo_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def damaged(min_logprob: float) -> None:
        raise OSError("not a gzipped file")

    monkeypatch.setattr(word_frequencies, "read_lookups_table", damaged)
    table = build_or_load(CUT_OFF, tmp_path)
    assert len(table) == 0 and table.get("too") == UNKNOWN
    assert "typo fixing is limited" in caplog.text
