"""The token pattern language of data/risk: word lists, '$name' macros and spaCy token specs.

Reviewers write patterns in YAML with a small language of their own on top of spaCy's token
patterns: '$name' pulls in a lexicon word list, ids say which file and kind a pattern belongs to,
and only the token attributes the screen supports are allowed. Each entry is checked against
spaCy's own schema here, so a typo stops start-up with the file and pattern named.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from spacy.matcher import Matcher
from spacy.vocab import Vocab

from confidant.risk.pattern_types import Pattern, PatternError
from confidant.yaml_files import load_yaml

TOKEN_ATTRS = (
    "LOWER",
    "NORM",
    "LEMMA",
    "ORTH",
    "TEXT",
    "IS_ALPHA",
    "IS_DIGIT",
    "LIKE_NUM",
    "IS_PUNCT",
    "SHAPE",
    "LENGTH",
    "OP",
    "IS_SENT_START",
)
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_MACRO = re.compile(r"^\$[a-z][a-z0-9_]*$")


class FileReader:
    """Reads one YAML file and reports problems with its name attached."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        try:
            raw = path.read_text(encoding="utf8")
        except OSError as error:
            raise PatternError(self.name, None, f"cannot be read ({error})") from error
        if not raw.lstrip().startswith("#"):
            raise PatternError(self.name, None, "must start with a comment saying what the file is for")
        try:
            data = load_yaml(raw)
        except yaml.YAMLError as error:
            raise PatternError(self.name, None, f"is not valid YAML ({error})") from error
        if not isinstance(data, dict):
            raise PatternError(self.name, None, "must be a mapping at the top level")
        self.data: dict[str, Any] = data

    def fail(self, problem: str, pattern: str | None = None) -> PatternError:
        return PatternError(self.name, pattern, problem)

    def check_keys(self, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
        allowed = set(allowed)
        for key in self.data:
            if key not in allowed:
                raise self.fail(f"unknown top-level key {key!r} (expected one of {sorted(allowed)})")
        for key in required:
            if key not in self.data:
                raise self.fail(f"missing top-level key {key!r}")

    def words(
        self, key: str, lexicon: Mapping[str, tuple[str, ...]] | None = None, required: bool = True
    ) -> frozenset[str]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.fail(f"missing word list {key!r}")
            return frozenset()
        return frozenset(word_list(value, lexicon or {}, lambda problem: self.fail(f"{key}: {problem}")))

    def integer(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(f"{key!r} must be a non-negative integer")
        return value


def word_list(value: Any, lexicon: Mapping[str, tuple[str, ...]], fail: Any) -> list[str]:
    """A list of lower-case words; '$name' items pull in a lexicon list."""
    if not isinstance(value, list) or not value:
        raise fail("must be a non-empty list of words")
    words: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise fail(f"{item!r} is not a word")
        if _MACRO.match(item):
            if item[1:] not in lexicon:
                raise fail(f"unknown word list {item}")
            words.extend(lexicon[item[1:]])
        elif item != item.lower():
            raise fail(f"{item!r} must be lower case (matching is on lower-cased text)")
        else:
            words.append(item)
    return words


class PatternReader:
    """Turns pattern entries into validated Pattern objects."""

    def __init__(self, lexicon: Mapping[str, tuple[str, ...]]) -> None:
        self.lexicon = lexicon
        self.seen_ids: dict[str, str] = {}
        self._matcher = Matcher(Vocab(), validate=True)

    def read(
        self, reader: FileReader, key: str, entry_keys: Iterable[str] = (), id_prefix: str | None = None
    ) -> list[tuple[dict[str, Any], Pattern]]:
        entries = reader.data.get(key)
        if entries is None:
            raise reader.fail(f"missing list {key!r}")
        if not isinstance(entries, list):
            raise reader.fail(f"{key!r} must be a list of patterns")
        allowed = {"id", "tokens", "phrases", "note", *entry_keys}
        out = []
        for position, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                raise reader.fail(f"{key}[{position}] must be a mapping with a string 'id'")
            pattern_id = entry["id"]
            if not _ID.match(pattern_id):
                raise reader.fail("id must look like 'prefix.name' (lower case, dots)", pattern_id)
            if id_prefix and not pattern_id.startswith(id_prefix + "."):
                raise reader.fail(f"id must start with {id_prefix + '.'!r}", pattern_id)
            if pattern_id in self.seen_ids:
                raise reader.fail(f"id already used in {self.seen_ids[pattern_id]}", pattern_id)
            self.seen_ids[pattern_id] = reader.name
            for entry_key in entry:
                if entry_key not in allowed:
                    raise reader.fail(f"unknown key {entry_key!r} (expected {sorted(allowed)})", pattern_id)
            token_patterns = self._token_patterns(reader, pattern_id, entry.get("tokens"))
            phrases = self._phrases(reader, pattern_id, entry.get("phrases"))
            if not token_patterns and not phrases:
                raise reader.fail("needs 'tokens' or 'phrases'", pattern_id)
            note = entry.get("note", "")
            if not isinstance(note, str):
                raise reader.fail("'note' must be text", pattern_id)
            out.append((entry, Pattern(pattern_id, reader.name, token_patterns, phrases, note)))
        return out

    def _phrases(self, reader: FileReader, pattern_id: str, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not value:
            raise reader.fail("'phrases' must be a non-empty list of strings", pattern_id)
        phrases = []
        for phrase in value:
            if not isinstance(phrase, str) or not phrase.strip():
                raise reader.fail(f"phrase {phrase!r} must be non-empty text", pattern_id)
            phrases.append(phrase.strip().lower())
        return tuple(phrases)

    def _token_patterns(
        self, reader: FileReader, pattern_id: str, value: Any
    ) -> tuple[tuple[dict[str, Any], ...], ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not value:
            raise reader.fail("'tokens' must be a non-empty list of token specs (or a list of such lists)", pattern_id)
        alternatives = value if all(isinstance(item, list) for item in value) else [value]
        out = []
        for alternative in alternatives:
            if not alternative:
                raise reader.fail("empty token pattern", pattern_id)
            tokens = []
            for token in alternative:
                if not isinstance(token, dict):
                    raise reader.fail(f"token spec {token!r} must be a mapping like {{LOWER: word}}", pattern_id)
                tokens.append(self._expand(reader, pattern_id, token))
            if all(token.get("OP") in ("?", "*") for token in tokens):
                raise reader.fail("a token pattern needs at least one required token", pattern_id)
            try:
                self._matcher.add(pattern_id, [tokens])
            except Exception as error:  # spaCy's own schema validation
                raise reader.fail(f"invalid spaCy token pattern: {error}", pattern_id) from error
            out.append(tuple(tokens))
        return tuple(out)

    def _expand(self, reader: FileReader, pattern_id: str, token: dict[str, Any]) -> dict[str, Any]:
        expanded: dict[str, Any] = {}
        for attr, spec in token.items():
            if attr not in TOKEN_ATTRS:
                raise reader.fail(
                    f"token attribute {attr!r} is not one the screen supports ({', '.join(TOKEN_ATTRS)})", pattern_id
                )
            if isinstance(spec, dict):
                new_spec = {}
                for operator, operand in spec.items():
                    if operator in ("IN", "NOT_IN"):
                        items = operand if isinstance(operand, list) else [operand]
                        values: list[Any] = []
                        for item in items:
                            if isinstance(item, str) and _MACRO.match(item):
                                if item[1:] not in self.lexicon:
                                    raise reader.fail(f"unknown word list {item}", pattern_id)
                                values.extend(self.lexicon[item[1:]])
                            else:
                                values.append(item)
                        new_spec[operator] = values
                    else:
                        new_spec[operator] = operand
                expanded[attr] = new_spec
            elif isinstance(spec, str) and _MACRO.match(spec):
                if spec[1:] not in self.lexicon:
                    raise reader.fail(f"unknown word list {spec}", pattern_id)
                expanded[attr] = {"IN": list(self.lexicon[spec[1:]])}
            else:
                expanded[attr] = spec
        return expanded
