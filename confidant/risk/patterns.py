"""Load and validate the risk screen's reviewed data files (data/risk/*.yml).

The patterns and word lists are DATA that clinicians and reviewers read and change, so a
mistake in them must stop start-up with a message naming the file and the pattern, never
silently weaken the screen. Everything is checked here, once, before any matcher is built.
The pattern language the files are written in is confidant.risk.pattern_language; what the
loader produces is confidant.risk.pattern_types.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Mapping

from confidant.risk.normalize import SpellingData
from confidant.risk.pattern_language import FileReader, PatternReader, word_list
from confidant.risk.pattern_types import (
    PERSONS,
    STRENGTHS,
    AskedAboutRules,
    EmotionalHurtRules,
    InformationalRules,
    NegationRules,
    PastRules,
    Pattern,
    PatternError,
    PettyOccasionRules,
    RiskData,
    SubjectRules,
    Trigger,
)
from confidant.risk.spanish import SPANISH_FILE
from confidant.risk.writer import WRITER_CUES_FILE
from confidant.vocabulary import CATEGORIES

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


def _read_lexicon(reader: FileReader) -> dict[str, tuple[str, ...]]:
    reader.check_keys(["lists"], ["lists"])
    lists = reader.data["lists"]
    if not isinstance(lists, dict) or not lists:
        raise reader.fail("'lists' must map names to word lists")
    lexicon: dict[str, tuple[str, ...]] = {}
    for name, words in lists.items():
        if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9_]*$", name):
            raise reader.fail(f"list name {name!r} must be lower_case_with_underscores")
        lexicon[name] = tuple(word_list(words, lexicon, lambda problem, n=name: reader.fail(f"list {n!r}: {problem}")))
    return lexicon


def _read_spelling(reader: FileReader) -> SpellingData:
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


def _read_triggers(reader: FileReader, patterns: PatternReader) -> list[Trigger]:
    reader.check_keys(["category", "patterns"], ["category", "patterns"])
    category = reader.data["category"]
    expected = reader.name.removesuffix(".yml")
    if category not in CATEGORIES or category != expected:
        raise reader.fail(f"'category' must be {expected!r} (one of {CATEGORIES})")
    triggers = []
    keys = ("person", "strength", "topic", "after_a_death")
    for entry, pattern in patterns.read(reader, "patterns", keys, id_prefix=category):
        person = entry.get("person", "detect")
        strength = entry.get("strength", "strong")
        topic = entry.get("topic", False)
        after_a_death = entry.get("after_a_death", False)
        if person not in PERSONS:
            raise reader.fail(f"'person' must be one of {PERSONS}", pattern.id)
        if strength not in STRENGTHS:
            raise reader.fail(f"'strength' must be one of {STRENGTHS}", pattern.id)
        if not isinstance(topic, bool):
            raise reader.fail("'topic' must be true or false", pattern.id)
        if not isinstance(after_a_death, bool):
            raise reader.fail("'after_a_death' must be true or false", pattern.id)
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
                after_a_death=after_a_death,
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
    for pattern in data.all_patterns():
        for value in pattern.lemma_values():
            lemma = lemmatize(value)
            if lemma != value:
                raise PatternError(
                    pattern.source,
                    pattern.id,
                    f"LEMMA {value!r} never matches: the lemmatizer turns {value!r} into {lemma!r} "
                    f"(use {lemma!r}, a LOWER list, or a fix under 'lemmas' in spelling.yml)",
                )


def _optional_patterns(patterns: PatternReader, reader: FileReader, key: str, id_prefix: str) -> tuple[Pattern, ...]:
    """A file's optional list of context patterns, empty where the file has none."""
    if key not in reader.data:
        return ()
    return tuple(p for _, p in patterns.read(reader, key, id_prefix=id_prefix))


def _asked_about_rules(
    patterns: PatternReader, reader: FileReader, lexicon: Mapping[str, tuple[str, ...]], key: str, id_prefix: str
) -> AskedAboutRules:
    """One `AskedAboutRules` of idioms.yml: `<key>` (the signs), `<key>_triggers`, `_window`, `_never_with`, `_acts`."""
    return AskedAboutRules(
        markers=_optional_patterns(patterns, reader, key, id_prefix),
        triggers=frozenset(reader.data.get(f"{key}_triggers") or []),
        window=reader.integer(f"{key}_window", 25),
        never_with=reader.words(f"{key}_never_with", lexicon, required=False),
        acts=reader.words(f"{key}_acts", lexicon, required=False),
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

    files = {name: FileReader(directory / name) for name in REQUIRED_FILES}
    lexicon = _read_lexicon(files["lexicon.yml"])
    spelling = _read_spelling(files["spelling.yml"])
    patterns = PatternReader(lexicon)

    triggers: list[Trigger] = []
    for name in ("self_harm.yml", "harm_others.yml", "abuse.yml"):
        triggers.extend(_read_triggers(files[name], patterns))

    idioms_file = files["idioms.yml"]
    idioms_file.check_keys(
        [
            "humour",
            "benign",
            "outweigh_the_classifier_alone",
            "joke_demotes_after_i",
            "accidental_dose",
            "accidental_dose_triggers",
            "accidental_dose_window",
            "accidental_dose_never_with",
            "mild_discipline",
            "mild_discipline_triggers",
            "mild_discipline_window",
            "mild_discipline_never_with",
            "mild_discipline_acts",
            "emotional_hurt",
            "emotional_hurt_triggers",
            "emotional_hurt_never_with",
            "emotional_hurt_feared",
            "threat_if_telling",
            "figure_undone_by",
            "petty_occasion_triggers",
            "petty_occasion_own_triggers",
            "petty_occasion_connectives",
            "petty_occasions",
            "petty_occasion_window",
            "idiom_undone_by_next",
            "idiom_undone_from_the_next_sentence",
        ],
        ["humour", "benign", "outweigh_the_classifier_alone"],
    )
    benign = patterns.read(idioms_file, "benign", ("undone_by",), id_prefix="idiom")
    idioms = tuple(p for _, p in benign)
    idiom_undone_by = {
        pattern.id: frozenset(
            word_list(
                entry["undone_by"],
                lexicon,
                lambda problem, i=pattern.id: idioms_file.fail(f"{i}: undone_by: {problem}"),
            )
        )
        for entry, pattern in benign
        if "undone_by" in entry
    }
    humour = idioms_file.words("humour", lexicon)
    joke_demotes_after_i = idioms_file.words("joke_demotes_after_i", lexicon, required=False)
    idiom_undone_by_next = idioms_file.words("idiom_undone_by_next", lexicon, required=False)
    accidental_dose = _asked_about_rules(patterns, idioms_file, lexicon, "accidental_dose", "accident")
    mild_discipline = _asked_about_rules(patterns, idioms_file, lexicon, "mild_discipline", "discipline")
    emotional_hurt = EmotionalHurtRules(
        markers=_optional_patterns(patterns, idioms_file, "emotional_hurt", "feelings"),
        triggers=frozenset(idioms_file.data.get("emotional_hurt_triggers") or []),
        never_with=idioms_file.words("emotional_hurt_never_with", lexicon, required=False),
        feared=idioms_file.words("emotional_hurt_feared", lexicon, required=False),
    )
    petty_occasion = PettyOccasionRules(
        triggers=frozenset(idioms_file.data.get("petty_occasion_triggers") or []),
        own_triggers=frozenset(idioms_file.data.get("petty_occasion_own_triggers") or []),
        connectives=idioms_file.words("petty_occasion_connectives", lexicon, required=False),
        occasions=idioms_file.words("petty_occasions", lexicon, required=False),
        window=idioms_file.integer("petty_occasion_window", 6),
    )
    threat_if_telling = _optional_patterns(patterns, idioms_file, "threat_if_telling", "telling")
    figure_undone_by = _optional_patterns(patterns, idioms_file, "figure_undone_by", "meant")
    for key, listed in (
        ("accidental_dose_triggers", accidental_dose.triggers),
        ("mild_discipline_triggers", mild_discipline.triggers),
        ("emotional_hurt_triggers", emotional_hurt.triggers),
        ("petty_occasion_triggers", petty_occasion.triggers),
        ("petty_occasion_own_triggers", petty_occasion.own_triggers),
    ):
        unknown_triggers = sorted(listed - {trigger.id for trigger in triggers})
        if unknown_triggers:
            raise idioms_file.fail(f"'{key}' must list ids of risk triggers; unknown: {unknown_triggers}")
    outweighing = idioms_file.data.get("outweigh_the_classifier_alone")
    known_idioms = {idiom.id for idiom in idioms}
    unknown = [i for i in outweighing if i not in known_idioms] if isinstance(outweighing, list) else [outweighing]
    if unknown or not isinstance(outweighing, list):
        raise idioms_file.fail(f"'outweigh_the_classifier_alone' must list ids of benign patterns; unknown: {unknown}")

    negation_file = files["negation.yml"]
    negation_file.check_keys(
        [
            "cues",
            "fillers",
            "max_fillers",
            "doubters",
            "doubt_words",
            "cancel",
            "cancel_window",
            "safety_statements",
            "disclaimers",
            "disclaimer_window",
            "stopping",
            "screening_askers",
            "screening_links",
            "screening_reach",
            "denials",
            "denial_reach",
            "denial_undone_by",
            "denial_confirmed_after",
            "screening_no",
            "screening_no_links",
            "screening_items",
            "never_degrees",
            "never_degree_markers",
            "never_degree_reach",
        ],
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
        safety_statements=tuple(p for _, p in patterns.read(negation_file, "safety_statements", id_prefix="safe")),
        disclaimers=tuple(p for _, p in patterns.read(negation_file, "disclaimers", id_prefix="disclaim")),
        disclaimer_window=negation_file.integer("disclaimer_window", 25),
        stopping=negation_file.words("stopping", lexicon, required=False),
        screening_askers=negation_file.words("screening_askers", lexicon, required=False),
        screening_links=negation_file.words("screening_links", lexicon, required=False),
        screening_reach=negation_file.integer("screening_reach", 10),
        denials=tuple(p for _, p in patterns.read(negation_file, "denials", id_prefix="denied")),
        denial_reach=negation_file.integer("denial_reach", 8),
        denial_undone_by=negation_file.words("denial_undone_by", lexicon, required=False),
        denial_confirmed_after=negation_file.words("denial_confirmed_after", lexicon, required=False),
        screening_no=negation_file.words("screening_no", lexicon, required=False),
        screening_no_links=negation_file.words("screening_no_links", lexicon, required=False),
        screening_items=negation_file.words("screening_items", lexicon, required=False),
        never_degrees=negation_file.words("never_degrees", lexicon, required=False),
        never_degree_markers=negation_file.words("never_degree_markers", lexicon, required=False),
        never_degree_reach=negation_file.integer("never_degree_reach", 3),
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
            "disclosure_after_the_question",
            "reported_by",
            "reported_reach",
        ],
        ["frames", "disclosure"],
    )
    disclosures = tuple(p for _, p in patterns.read(info_file, "disclosure", id_prefix="disclose"))
    after_the_question = frozenset(info_file.data.get("disclosure_after_the_question") or [])
    unknown_disclosures = sorted(after_the_question - {p.id for p in disclosures})
    if unknown_disclosures:
        raise info_file.fail(
            f"'disclosure_after_the_question' must list ids of disclosures; unknown: {unknown_disclosures}"
        )
    informational = InformationalRules(
        frames=tuple(p for _, p in patterns.read(info_file, "frames", id_prefix="info")),
        max_gap=info_file.integer("max_gap", 12),
        breakers=info_file.words("breakers", lexicon),
        question_starters=info_file.words("question_starters", lexicon),
        rule_words=info_file.words("rule_words", lexicon),
        question_aux=info_file.words("question_aux", lexicon),
        question_subjects=info_file.words("question_subjects", lexicon),
        disclosure=disclosures,
        disclosure_after_the_question=after_the_question,
        reported_by=info_file.words("reported_by", lexicon, required=False),
        reported_reach=info_file.integer("reported_reach", 2),
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
        [
            "first_person",
            "third_person",
            "breakers",
            "max_lookback",
            "fiction",
            "fiction_not_in",
            "writer_as_subject",
            "owner_prepositions",
            "owner_third",
            "owner_reach",
            "speech_verbs",
            "in_care",
            "in_care_too_recent",
            "laughed_off",
            "taken_seriously",
            "deaths",
            "fatal",
            "death_doubters",
            "said_of_nobody_triggers",
            "subject_nouns",
            "verb_before_a_noun",
            "said_of_nobody_reach",
            "small_children",
            "small_child_ages",
        ],
        ["first_person", "third_person"],
    )
    subjects = SubjectRules(
        first_person=subject_file.words("first_person", lexicon),
        third_person=subject_file.words("third_person", lexicon),
        breakers=subject_file.words("breakers", lexicon, required=False),
        max_lookback=subject_file.integer("max_lookback", 12),
        fiction=subject_file.words("fiction", lexicon, required=False),
        fiction_not_in=subject_file.words("fiction_not_in", lexicon, required=False),
        writer_as_subject=subject_file.words("writer_as_subject", lexicon, required=False),
        owner_prepositions=subject_file.words("owner_prepositions", lexicon, required=False),
        owner_third=subject_file.words("owner_third", lexicon, required=False),
        owner_reach=subject_file.integer("owner_reach", 0),
        speech_verbs=subject_file.words("speech_verbs", lexicon, required=False),
        in_care=_optional_patterns(patterns, subject_file, "in_care", "care"),
        in_care_too_recent=subject_file.words("in_care_too_recent", lexicon, required=False),
        laughed_off=_optional_patterns(patterns, subject_file, "laughed_off", "laughed"),
        taken_seriously=_optional_patterns(patterns, subject_file, "taken_seriously", "serious"),
        deaths=_optional_patterns(patterns, subject_file, "deaths", "death"),
        fatal=_optional_patterns(patterns, subject_file, "fatal", "fatal"),
        death_doubters=subject_file.words("death_doubters", lexicon, required=False),
        said_of_nobody_triggers=subject_file.words("said_of_nobody_triggers", lexicon, required=False),
        subject_nouns=subject_file.words("subject_nouns", lexicon, required=False),
        verb_before_a_noun=subject_file.words("verb_before_a_noun", lexicon, required=False),
        said_of_nobody_reach=subject_file.integer("said_of_nobody_reach", 0),
        small_children=subject_file.words("small_children", lexicon, required=False),
        small_child_ages=subject_file.words("small_child_ages", lexicon, required=False),
    )
    unknown_triggers = sorted(subjects.said_of_nobody_triggers - {trigger.id for trigger in triggers})
    if unknown_triggers:
        raise subject_file.fail(
            f"'said_of_nobody_triggers' must list ids of risk triggers; unknown: {unknown_triggers}"
        )

    data = RiskData(
        lexicon=lexicon,
        spelling=spelling,
        triggers=tuple(triggers),
        idioms=idioms,
        humour=humour,
        joke_demotes_after_i=joke_demotes_after_i,
        accidental_dose=accidental_dose,
        mild_discipline=mild_discipline,
        emotional_hurt=emotional_hurt,
        petty_occasion=petty_occasion,
        idiom_undone_by_next=idiom_undone_by_next,
        idiom_undone_by=idiom_undone_by,
        idiom_undone_from_the_next_sentence=idioms_file.words(
            "idiom_undone_from_the_next_sentence", lexicon, required=False
        ),
        classifier_outweighing_idioms=frozenset(str(i) for i in outweighing),
        threat_if_telling=threat_if_telling,
        figure_undone_by=figure_undone_by,
        negation=negation,
        informational=informational,
        past=past,
        subjects=subjects,
    )
    vocabulary = _vocabulary(
        data.all_patterns(), lexicon, [*spelling.fuzzy_targets, *spelling.words.values(), *spelling.phrases.values()]
    )
    return replace(data, vocabulary=vocabulary)
