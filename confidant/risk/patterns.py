"""Load and validate the risk screen's reviewed data files (data/risk/*.yml).

The patterns and word lists are DATA that clinicians and reviewers read and change, so a
mistake in them must stop start-up with a message naming the file and the pattern, never
silently weaken the screen. Everything is checked here, once, before any matcher is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import yaml
from spacy.matcher import Matcher
from spacy.vocab import Vocab

from confidant.risk.normalize import SpellingData
from confidant.risk.spanish import SPANISH_FILE
from confidant.risk.writer import WRITER_CUES_FILE
from confidant.vocabulary import CATEGORIES, FALLBACK_CATEGORY

PERSONS = ("first", "third", "detect", "victim_first", "any")
STRENGTHS = ("strong", "weak")
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

REQUIRED_FILES = (
    "lexicon.yml",
    "spelling.yml",
    "self_harm.yml",
    "harm_others.yml",
    "abuse.yml",
    "third_party.yml",
    "negation.yml",
    "informational.yml",
    "past.yml",
    "idioms.yml",
)
# Files beside the screen's own in data/risk that other parts of the risk layer read.
COMPANION_FILES = (WRITER_CUES_FILE, SPANISH_FILE)  # who is writing; risk phrases in Spanish
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_MACRO = re.compile(r"^\$[a-z][a-z0-9_]*$")


class PatternError(ValueError):
    """A data file under data/risk is malformed; the message names the file and the pattern."""

    def __init__(self, file: str, pattern: str | None, problem: str) -> None:
        where = f"{file}" + (f", pattern {pattern!r}" if pattern else "")
        super().__init__(f"risk data error in {where}: {problem}")
        self.file = file
        self.pattern = pattern
        self.problem = problem


@dataclass(frozen=True)
class Pattern:
    """One named pattern: spaCy token patterns and/or literal phrases."""

    id: str
    source: str
    token_patterns: tuple[tuple[dict[str, Any], ...], ...] = ()
    phrases: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Trigger(Pattern):
    """A pattern that signals a risk topic; context decides its level."""

    category: str = FALLBACK_CATEGORY
    person: str = "detect"  # first | third | detect | victim_first | any
    strength: str = "strong"  # weak triggers are demoted to idiom by a joke marker ("lol")
    topic: bool = False  # a bare mention of the topic ("self harm"): a question about it is informational


@dataclass(frozen=True)
class NegationRules:
    cues: frozenset[str]
    fillers: frozenset[str]
    max_fillers: int
    doubters: frozenset[str]
    doubt_words: frozenset[str]
    cancel: tuple[Pattern, ...]
    cancel_window: int


@dataclass(frozen=True)
class InformationalRules:
    frames: tuple[Pattern, ...]
    max_gap: int
    breakers: frozenset[str]
    question_starters: frozenset[str]
    rule_words: frozenset[str]
    question_aux: frozenset[str]
    question_subjects: frozenset[str]
    disclosure: tuple[Pattern, ...]


@dataclass(frozen=True)
class PastRules:
    past_markers: tuple[Pattern, ...]
    current_markers: tuple[Pattern, ...]  # in the trigger's sentence: "last night", "tonight"
    recurrence_markers: tuple[Pattern, ...]  # anywhere in the message: "again", "relapsed"
    past_forms: frozenset[str]
    present_forms: frozenset[str]
    window: int
    lookbehind: int


@dataclass(frozen=True)
class SubjectRules:
    first_person: frozenset[str]
    third_person: frozenset[str]
    breakers: frozenset[str]
    max_lookback: int
    # Words that make someone else's harm a story ("a podcast about a man who poisoned...").
    fiction: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RiskData:
    """Everything the screen needs, validated."""

    lexicon: Mapping[str, tuple[str, ...]]
    spelling: SpellingData
    triggers: tuple[Trigger, ...]
    idioms: tuple[Pattern, ...]
    humour: frozenset[str]
    negation: NegationRules
    informational: InformationalRules
    past: PastRules
    subjects: SubjectRules
    vocabulary: frozenset[str] = field(default_factory=frozenset)


class _FileReader:
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
            data = yaml.safe_load(raw)
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
        return frozenset(_word_list(value, lexicon or {}, lambda problem: self.fail(f"{key}: {problem}")))

    def integer(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(f"{key!r} must be a non-negative integer")
        return value


def _word_list(value: Any, lexicon: Mapping[str, tuple[str, ...]], fail: Any) -> list[str]:
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


class _PatternReader:
    """Turns pattern entries into validated Pattern objects."""

    def __init__(self, lexicon: Mapping[str, tuple[str, ...]]) -> None:
        self.lexicon = lexicon
        self.seen_ids: dict[str, str] = {}
        self._matcher = Matcher(Vocab(), validate=True)

    def read(
        self, reader: _FileReader, key: str, entry_keys: Iterable[str] = (), id_prefix: str | None = None
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

    def _phrases(self, reader: _FileReader, pattern_id: str, value: Any) -> tuple[str, ...]:
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
        self, reader: _FileReader, pattern_id: str, value: Any
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

    def _expand(self, reader: _FileReader, pattern_id: str, token: dict[str, Any]) -> dict[str, Any]:
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


def _read_lexicon(reader: _FileReader) -> dict[str, tuple[str, ...]]:
    reader.check_keys(["lists"], ["lists"])
    lists = reader.data["lists"]
    if not isinstance(lists, dict) or not lists:
        raise reader.fail("'lists' must map names to word lists")
    lexicon: dict[str, tuple[str, ...]] = {}
    for name, words in lists.items():
        if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9_]*$", name):
            raise reader.fail(f"list name {name!r} must be lower_case_with_underscores")
        lexicon[name] = tuple(_word_list(words, lexicon, lambda problem, n=name: reader.fail(f"list {n!r}: {problem}")))
    return lexicon


def _read_spelling(reader: _FileReader) -> SpellingData:
    reader.check_keys(
        ["words", "phrases", "fuzzy_targets", "humour_emoji", "keep_emoji", "lemmas"], ["words", "fuzzy_targets"]
    )

    def mapping(key: str) -> dict[str, str]:
        value = reader.data.get(key) or {}
        if not isinstance(value, dict):
            raise reader.fail(f"{key!r} must map text to its replacement")
        out = {}
        for source, target in value.items():
            if not isinstance(source, str) or not isinstance(target, str) or not source.strip() or not target.strip():
                raise reader.fail(f"{key}: {source!r} -> {target!r} must be non-empty text on both sides")
            if source != source.lower() or target != target.lower():
                raise reader.fail(f"{key}: {source!r} -> {target!r} must be lower case")
            out[source] = target
        return out

    emoji = reader.data.get("humour_emoji") or []
    keep = reader.data.get("keep_emoji") or {}
    if not isinstance(emoji, list) or not all(isinstance(e, str) and e for e in emoji):
        raise reader.fail("'humour_emoji' must be a list of emoji")
    if not isinstance(keep, dict):
        raise reader.fail("'keep_emoji' must map emoji to a word")
    return SpellingData(
        words=mapping("words"),
        phrases=mapping("phrases"),
        fuzzy_targets=reader.words("fuzzy_targets"),
        humour_emoji=frozenset(emoji),
        keep_emoji={str(k): str(v) for k, v in keep.items()},
        lemmas=mapping("lemmas"),
    )


def _read_triggers(reader: _FileReader, patterns: _PatternReader) -> list[Trigger]:
    reader.check_keys(["category", "patterns"], ["category", "patterns"])
    category = reader.data["category"]
    expected = reader.name.removesuffix(".yml")
    if category not in CATEGORIES or category != expected:
        raise reader.fail(f"'category' must be {expected!r} (one of {CATEGORIES})")
    triggers = []
    for entry, pattern in patterns.read(reader, "patterns", ("person", "strength", "topic"), id_prefix=category):
        person = entry.get("person", "detect")
        strength = entry.get("strength", "strong")
        topic = entry.get("topic", False)
        if person not in PERSONS:
            raise reader.fail(f"'person' must be one of {PERSONS}", pattern.id)
        if strength not in STRENGTHS:
            raise reader.fail(f"'strength' must be one of {STRENGTHS}", pattern.id)
        if not isinstance(topic, bool):
            raise reader.fail("'topic' must be true or false", pattern.id)
        triggers.append(
            Trigger(
                pattern.id,
                pattern.source,
                pattern.token_patterns,
                pattern.phrases,
                pattern.note,
                category=category,
                person=person,
                strength=strength,
                topic=topic,
            )
        )
    return triggers


def _vocabulary(
    data_patterns: Iterable[Pattern], lexicon: Mapping[str, tuple[str, ...]], extra: Iterable[str]
) -> frozenset[str]:
    """Every word the data mentions: the normaliser may correct a misspelling towards these."""
    words: set[str] = set()
    for text in extra:
        words.update(re.findall(r"[a-z]+", text))
    for values in lexicon.values():
        words.update(values)
    for pattern in data_patterns:
        for phrase in pattern.phrases:
            words.update(re.findall(r"[a-z]+", phrase))
        for tokens in pattern.token_patterns:
            for token in tokens:
                for attr in ("LOWER", "NORM", "LEMMA", "ORTH", "TEXT"):
                    spec = token.get(attr)
                    if isinstance(spec, str):
                        words.add(spec)
                    elif isinstance(spec, dict):
                        for value in spec.get("IN", []):
                            if isinstance(value, str):
                                words.add(value)
    return frozenset(w for w in words if w.isalpha() and len(w) > 1)


def check_lemmas(data: RiskData, lemmatize: Callable[[str], str]) -> None:
    """Every LEMMA value must be what the lemmatizer gives for that word itself.

    spaCy's lookup table has surprises ("dying" -> "dye", "feed" -> "fee"); a LEMMA value the
    lemmatizer never produces silently never matches, so it is an error, not a warning.
    """
    patterns: list[Pattern] = [
        *data.triggers,
        *data.idioms,
        *data.negation.cancel,
        *data.informational.frames,
        *data.informational.disclosure,
        *data.past.past_markers,
        *data.past.current_markers,
        *data.past.recurrence_markers,
    ]
    for pattern in patterns:
        for tokens in pattern.token_patterns:
            for token in tokens:
                spec = token.get("LEMMA")
                values = [spec] if isinstance(spec, str) else (spec.get("IN", []) if isinstance(spec, dict) else [])
                for value in values:
                    lemma = lemmatize(value)
                    if lemma != value:
                        raise PatternError(
                            pattern.source,
                            pattern.id,
                            f"LEMMA {value!r} never matches: the lemmatizer turns {value!r} into {lemma!r} "
                            f"(use {lemma!r}, a LOWER list, or a fix under 'lemmas' in spelling.yml)",
                        )


def load_directory(path: str | Path) -> RiskData:
    """Read and validate every data file of the screen; raise PatternError on any problem."""
    directory = Path(path)
    if not directory.is_dir():
        raise PatternError(str(directory), None, "is not a directory of risk data files")
    present = {p.name for p in directory.glob("*.yml")}
    for name in REQUIRED_FILES:
        if name not in present:
            raise PatternError(name, None, f"is missing from {directory}")
    for name in sorted(present - set(REQUIRED_FILES) - set(COMPANION_FILES)):
        raise PatternError(
            name,
            None,
            f"is not a file the screen knows (expected {', '.join(REQUIRED_FILES)}); it would be silently ignored",
        )

    files = {name: _FileReader(directory / name) for name in REQUIRED_FILES}
    lexicon = _read_lexicon(files["lexicon.yml"])
    spelling = _read_spelling(files["spelling.yml"])
    patterns = _PatternReader(lexicon)

    triggers: list[Trigger] = []
    for name in ("self_harm.yml", "harm_others.yml", "abuse.yml"):
        triggers.extend(_read_triggers(files[name], patterns))

    idioms_file = files["idioms.yml"]
    idioms_file.check_keys(["humour", "benign"], ["humour", "benign"])
    idioms = tuple(p for _, p in patterns.read(idioms_file, "benign", id_prefix="idiom"))
    humour = idioms_file.words("humour", lexicon)

    negation_file = files["negation.yml"]
    negation_file.check_keys(
        ["cues", "fillers", "max_fillers", "doubters", "doubt_words", "cancel", "cancel_window"],
        ["cues", "fillers", "cancel"],
    )
    negation = NegationRules(
        cues=negation_file.words("cues", lexicon),
        fillers=negation_file.words("fillers", lexicon),
        max_fillers=negation_file.integer("max_fillers", 5),
        doubters=negation_file.words("doubters", lexicon, required=False),
        doubt_words=negation_file.words("doubt_words", lexicon, required=False),
        cancel=tuple(p for _, p in patterns.read(negation_file, "cancel", id_prefix="negation")),
        cancel_window=negation_file.integer("cancel_window", 12),
    )

    info_file = files["informational.yml"]
    info_file.check_keys(
        [
            "frames",
            "max_gap",
            "breakers",
            "question_starters",
            "rule_words",
            "question_aux",
            "question_subjects",
            "disclosure",
        ],
        ["frames", "disclosure"],
    )
    informational = InformationalRules(
        frames=tuple(p for _, p in patterns.read(info_file, "frames", id_prefix="info")),
        max_gap=info_file.integer("max_gap", 12),
        breakers=info_file.words("breakers", lexicon),
        question_starters=info_file.words("question_starters", lexicon),
        rule_words=info_file.words("rule_words", lexicon),
        question_aux=info_file.words("question_aux", lexicon),
        question_subjects=info_file.words("question_subjects", lexicon),
        disclosure=tuple(p for _, p in patterns.read(info_file, "disclosure", id_prefix="disclose")),
    )

    past_file = files["past.yml"]
    past_file.check_keys(
        [
            "past_markers",
            "current_markers",
            "recurrence_markers",
            "past_forms",
            "present_forms",
            "window",
            "lookbehind",
        ],
        ["past_markers", "current_markers", "recurrence_markers"],
    )
    past = PastRules(
        past_markers=tuple(p for _, p in patterns.read(past_file, "past_markers", id_prefix="past")),
        current_markers=tuple(p for _, p in patterns.read(past_file, "current_markers", id_prefix="now")),
        recurrence_markers=tuple(p for _, p in patterns.read(past_file, "recurrence_markers", id_prefix="again")),
        past_forms=past_file.words("past_forms", lexicon),
        present_forms=past_file.words("present_forms", lexicon),
        window=past_file.integer("window", 15),
        lookbehind=past_file.integer("lookbehind", 4),
    )

    subject_file = files["third_party.yml"]
    subject_file.check_keys(
        ["first_person", "third_person", "breakers", "max_lookback", "fiction"], ["first_person", "third_person"]
    )
    subjects = SubjectRules(
        first_person=subject_file.words("first_person", lexicon),
        third_person=subject_file.words("third_person", lexicon),
        breakers=subject_file.words("breakers", lexicon, required=False),
        max_lookback=subject_file.integer("max_lookback", 12),
        fiction=subject_file.words("fiction", lexicon, required=False),
    )

    everything: list[Pattern] = [
        *triggers,
        *idioms,
        *negation.cancel,
        *informational.frames,
        *informational.disclosure,
        *past.past_markers,
        *past.current_markers,
        *past.recurrence_markers,
    ]
    vocabulary = _vocabulary(
        everything, lexicon, [*spelling.fuzzy_targets, *spelling.words.values(), *spelling.phrases.values()]
    )
    return RiskData(
        lexicon=lexicon,
        spelling=spelling,
        triggers=tuple(triggers),
        idioms=idioms,
        humour=humour,
        negation=negation,
        informational=informational,
        past=past,
        subjects=subjects,
        vocabulary=vocabulary,
    )
