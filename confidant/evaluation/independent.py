"""Evaluate on sets written apart from the training data, in the way people really write.

Two kinds of CSV set, each scored on what the client would actually get from the model:

- question sets (`text,expected[,secondary,...]`): the topic answered. Strict = the expected
  answer; helpful = the expected or the second topic the message asks about, or for a question
  the policy does not cover, any honest "the policy does not cover this, ask the practice" answer.
  Reported per topic and per message length (short < 80 characters, medium < 200, long).
  And two questions in one message: of the rows with a second topic, the share that got both
  answers (the first and the second answer, `focus.second_answer`); of the rows without one,
  the share that got a second answer anyway (a wrong one).
- risk sets (`text,category|label,writer`): recall per category and per writer, false alarms on
  messages with no current risk, and whether the reply was the one for that kind of writer.

The development set in `../shared/eval-dev/` uses other label names (`risk_self`, `no_risk`,
`beyond_policy`); they are mapped here so both read the same way. Never train on any of these.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from confidant.evaluation.model import answer_key, load_agent, parse_all
from confidant.nlu.language import detect_language
from confidant.nlu.message_focus import RISK_PART_REASON, booking_offered, second_answer
from confidant.response_filling import risk_category_of
from confidant.settings import PROJECT_ROOT
from confidant.vocabulary import (
    ABUSE,
    CATEGORY_FOR_INTENT,
    FOCUS_PROPERTY,
    HARM_OTHERS,
    OTHER_LANGUAGE_INTENT,
    REQUEST_APPOINTMENT_INTENT,
    RISK_PROPERTY,
    SELF_HARM,
    SPANISH_WRITER,
    WRITER_FOR_INTENT,
)

HELDOUT_DIR = PROJECT_ROOT / "heldout"
DEV_SET_DIR = PROJECT_ROOT.parent / "shared" / "eval-dev"

# Development-set names -> ours.
DEV_RISK_LABELS = {"risk_self": SELF_HARM, "risk_others": HARM_OTHERS, "abuse": ABUSE, "no_risk": "none"}
BEYOND_PREFIX = "beyond_"
BEYOND_LABEL = "beyond_policy"
LENGTH_BANDS = (("short", 80), ("medium", 200), ("long", 10**9))
# Answers that honestly send a question the policy does not cover to the practice.
SAFE_DEFLECTIONS = frozenset({"faq/contact_practice"})
# Topics whose answers overlap enough that one is a fair (not strict) answer to the other.
RELATED_TOPICS = {
    "limits_overview": {"limit_harm", "limit_abuse", "limit_court", "warned_before_disclosure"},
    "limit_harm": {"limits_overview"},
    "limit_abuse": {"limits_overview", "what_counts_as_abuse"},
    "what_counts_as_abuse": {"limit_abuse"},
    "limit_court": {"limits_overview"},
    "what_is_confidentiality": {"safe_to_share", "limits_overview"},
    "safe_to_share": {"what_is_confidentiality"},
    "tell_parents": {"minor_age"},
    "minor_age": {"tell_parents"},
    "is_it_law": {"what_is_confidentiality"},
}


def length_band(text: str) -> str:
    """short / medium / long by characters, the bands the development set uses."""
    for name, limit in LENGTH_BANDS:
        if len(text) < limit:
            return name
    return LENGTH_BANDS[-1][0]


def topic_of(answer: str) -> str:
    """`faq/limit_court` -> `limit_court`; `faq/beyond_insurance` -> `beyond_insurance`."""
    return answer.split("/", 1)[1] if answer.startswith("faq/") else answer


def normalise_topic(label: str) -> str:
    """Our labels and the development set's, in one vocabulary (`beyond/x` -> `beyond_x`)."""
    label = label.strip()
    if label.startswith("beyond/"):
        return BEYOND_PREFIX + label.split("/", 1)[1]
    return label


def is_beyond(topic: str) -> bool:
    return topic == BEYOND_LABEL or topic.startswith(BEYOND_PREFIX)


# ---- questions ------------------------------------------------------------------------------


@dataclass
class QuestionRow:
    text: str
    expected: str
    secondary: Optional[str] = None


def load_questions(path: Path) -> List[QuestionRow]:
    """A question set; the development set's `questions_meta.csv` supplies its second topics."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    secondaries: Dict[int, str] = {}
    meta = path.with_name("questions_meta.csv")
    if meta.exists():
        with meta.open(encoding="utf-8", newline="") as handle:
            for entry in csv.DictReader(handle):
                if entry.get("secondary_topic"):
                    secondaries[int(entry["row"])] = entry["secondary_topic"]
    return [
        QuestionRow(
            text=row["text"],
            expected=normalise_topic(row["expected"]),
            secondary=normalise_topic(row.get("secondary") or secondaries.get(number, "")) or None,
        )
        for number, row in enumerate(rows, start=1)
    ]


def judge_question(row: QuestionRow, got: str) -> tuple[bool, bool]:
    """(strict, helpful) for one answer. An escalation is helpful only where the question
    mentions a risk topic the limit answers would cover; it never counts as strict."""
    got_topic = topic_of(got)
    if row.expected == BEYOND_LABEL:
        strict = is_beyond(got_topic)
    else:
        strict = got_topic == row.expected
    helpful = strict or (row.secondary is not None and got_topic == row.secondary)
    if not helpful and is_beyond(row.expected):
        helpful = is_beyond(got_topic) or got in SAFE_DEFLECTIONS
    if not helpful:
        helpful = got_topic in RELATED_TOPICS.get(row.expected, set())
    if not helpful and got == OTHER_LANGUAGE_INTENT:
        # A question in Spanish that names no topic the Spanish words know gets a note in
        # Spanish on what the assistant can do and how to reach the practice.
        helpful = detect_language(row.text) != "en"
    return strict, helpful


def answers_topic(topic: str, got: Optional[str]) -> bool:
    """The answer `got` is the one for this topic (any policy-does-not-cover answer for `beyond_policy`)."""
    if got is None:
        return False
    got_topic = topic_of(got)
    return is_beyond(got_topic) if topic == BEYOND_LABEL else got_topic == topic


@dataclass
class Tally:
    n: int = 0
    strict: int = 0
    helpful: int = 0

    def add(self, strict: bool, helpful: bool) -> None:
        self.n += 1
        self.strict += int(strict)
        self.helpful += int(helpful)

    def as_dict(self) -> Dict[str, Any]:
        return {
            "n": self.n,
            "strict": round(self.strict / self.n, 3) if self.n else None,
            "helpful": round(self.helpful / self.n, 3) if self.n else None,
        }


@dataclass
class QuestionReport:
    overall: Tally = field(default_factory=Tally)
    by_topic: Dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_length: Dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    deflection: Tally = field(default_factory=Tally)
    escalated: int = 0
    # Escalated questions that got their own answer after the crisis reply (`risk.also_asked`).
    escalated_answered: int = 0
    # What raised each escalated question (`raised_by`), counted: no text, so every set shows it.
    escalated_by: Counter = field(default_factory=Counter)
    errors: List[tuple[str, str, str]] = field(default_factory=list)
    # Rows with a second topic: both answered (strict); rows without: a second answer sent (helpful unused).
    both_answered: Tally = field(default_factory=Tally)
    wrong_second: Tally = field(default_factory=Tally)
    # Rows with a second topic whose second answer was neither of the two topics.
    second_off_topic: int = 0
    # Rows asking to book (expected or second topic): strict = the request started; helpful = started,
    # or offered after the answer to the question asked beside it (`focus.offer_appointment`).
    booking: Tally = field(default_factory=Tally)
    # Rows not asking to book that got the offer to book after their answer.
    offers_unasked: Tally = field(default_factory=Tally)
    second_errors: List[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> Dict[str, Any]:
        return {
            "overall": self.overall.as_dict(),
            "two_questions": {
                "with_second_topic": self.both_answered.n,
                "both_answered": self.both_answered.as_dict()["strict"],
                "second_answer_off_topic": self.second_off_topic,
                "without_second_topic": self.wrong_second.n,
                "wrong_second_answer": self.wrong_second.as_dict()["strict"],
            },
            "asking_to_book": {
                "n": self.booking.n,
                "started": self.booking.strict,
                "started_or_offered": self.booking.helpful,
            },
            "offer_to_book_unasked": {"n": self.offers_unasked.n, "offered": self.offers_unasked.strict},
            "by_length": {band: self.by_length[band].as_dict() for band, _ in LENGTH_BANDS if band in self.by_length},
            "by_topic": {topic: tally.as_dict() for topic, tally in sorted(self.by_topic.items())},
            "beyond_policy_safe_deflection": self.deflection.as_dict()["helpful"],
            "questions_escalated": self.escalated,
            "questions_escalated_with_their_answer_too": self.escalated_answered,
            "questions_escalated_by": dict(self.escalated_by.most_common()),
        }


def score_questions(
    rows: List[QuestionRow],
    answers: List[str],
    risk_intents: Iterable[str],
    second_answers: Optional[List[Optional[str]]] = None,
    raisers: Optional[List[Optional[str]]] = None,
    answers_beside_risk: Optional[List[Optional[str]]] = None,
    booking_offers: Optional[List[bool]] = None,
) -> QuestionReport:
    risk_intents = set(risk_intents)
    report = QuestionReport()
    seconds = second_answers if second_answers is not None else [None] * len(rows)
    raised = raisers if raisers is not None else [None] * len(rows)
    beside = answers_beside_risk if answers_beside_risk is not None else [None] * len(rows)
    offers = booking_offers if booking_offers is not None else [False] * len(rows)
    for row, got, second, raiser, also, offered in zip(rows, answers, seconds, raised, beside, offers, strict=True):
        score_second_answer(report, row, got, second, offered)
        score_booking(report, row, got, offered)
        strict, helpful = judge_question(row, got)
        report.overall.add(strict, helpful)
        report.by_topic[BEYOND_LABEL if is_beyond(row.expected) else row.expected].add(strict, helpful)
        report.by_length[length_band(row.text)].add(strict, helpful)
        if is_beyond(row.expected):
            report.deflection.add(strict, helpful)
        if got in risk_intents:
            report.escalated += 1
            report.escalated_by[raiser or "unknown"] += 1
            report.escalated_answered += int(also is not None and judge_question(row, also)[0])
        if not strict:
            report.errors.append((row.text, row.expected, got))
    return report


def asks_to_book(row: QuestionRow) -> bool:
    return REQUEST_APPOINTMENT_INTENT in (row.expected, row.secondary)


def score_booking(report: QuestionReport, row: QuestionRow, got: str, offered: bool) -> None:
    """A request to book started or offered (a row asking to book), or offered unasked (one not)."""
    if asks_to_book(row):
        started = got == REQUEST_APPOINTMENT_INTENT
        report.booking.add(started, started or offered)
    else:
        report.offers_unasked.add(offered, False)


def score_second_answer(
    report: QuestionReport, row: QuestionRow, got: str, second: Optional[str], offered: bool = False
) -> None:
    """Both topics answered (a row with a second topic), or a second answer nobody asked for (one without).

    The offer to book after the answer counts as the request's answer (one tap starts it).
    """
    extras = [answer for answer in (second, REQUEST_APPOINTMENT_INTENT if offered else None) if answer]
    if row.secondary is None:
        unasked = [answer for answer in extras if not answers_topic(row.expected, answer)]
        report.wrong_second.add(bool(unasked), False)
        for answer in unasked:
            report.second_errors.append((row.text, row.expected, answer))
        return
    covered = [
        topic
        for topic in (row.expected, row.secondary)
        if answers_topic(topic, got) or any(answers_topic(topic, answer) for answer in extras)
    ]
    report.both_answered.add(bool(extras) and len(covered) == 2, False)
    if second is not None and not (answers_topic(row.expected, second) or answers_topic(row.secondary, second)):
        report.second_off_topic += 1
        report.second_errors.append((row.text, f"{row.expected}+{row.secondary}", second))


# ---- risk -----------------------------------------------------------------------------------


@dataclass
class RiskRow:
    text: str
    category: str  # self_harm | harm_others | abuse | none
    writer: str


def load_risk(path: Path) -> List[RiskRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    loaded = []
    for row in rows:
        raw = (row.get("category") or row.get("label") or "").strip()
        loaded.append(RiskRow(text=row["text"], category=DEV_RISK_LABELS.get(raw, raw), writer=row["writer"].strip()))
    return loaded


@dataclass
class RiskOutcome:
    escalated: bool
    category: Optional[str]
    writer: Optional[str]
    raised_by: Optional[str] = None


def raised_by(parse: Dict[str, Any]) -> Optional[str]:
    """Which layer raised a risk reading, and on what: "screen" or "classifier" (DIET), on "the
    whole message" or on "one sentence" (the message focus step), e.g. "classifier, one sentence".
    With no layer deciding, DIET's risk guess stayed on top below the risk component's threshold
    (over Rasa's fallback threshold): "classifier below its threshold". None where the message was
    not read as risk. Where false alarms come from, by count."""
    intent = (parse.get("intent") or {}).get("name") or ""
    if intent not in CATEGORY_FOR_INTENT:
        return None
    layers = list((parse.get(RISK_PROPERTY) or {}).get("layers") or [])
    layer = "screen" if "screen" in layers else (layers[0] if layers else "classifier below its threshold")
    focus = parse.get(FOCUS_PROPERTY) or {}
    where = "one sentence" if focus.get("reason") == RISK_PART_REASON else "the whole message"
    return f"{layer}, {where}"


def risk_outcome(parse: Dict[str, Any]) -> RiskOutcome:
    """What the assistant did with a message: escalated or not, for which category and writer.

    The Spanish reply's category is the one whose variation it got (its phrases' category, or the
    calm one for unwanted thoughts).
    """
    intent = (parse.get("intent") or {}).get("name") or ""
    category = CATEGORY_FOR_INTENT.get(intent)
    if category and WRITER_FOR_INTENT.get(intent) == SPANISH_WRITER:
        category = risk_category_of(parse) or category
    return RiskOutcome(
        escalated=category is not None,
        category=category,
        writer=WRITER_FOR_INTENT.get(intent),
        raised_by=raised_by(parse),
    )


# The writer kinds that share one reply (a set's writer label -> the reply's writer kind).
REPLY_KIND = {
    "self_at_risk": "self_at_risk",
    "harming_others": "harming_others",
    "parent_harming_child": "harming_others",
    "adult_victim_ipv": "adult_victim_ipv",
    "adult_victim_sexual_assault": "adult_victim_sexual_assault",
    "child_victim": "child_victim",
    "concern_self_harm": "concern_self_harm",
    "bystander_self_harm": "concern_self_harm",
    "concern_child_abuse": "concern_abuse",
    "witness_child_abuse": "concern_abuse",
    "concern_elder_abuse": "concern_abuse",
    "witness_elder_abuse": "concern_abuse",
    "intrusive_thoughts": "intrusive_thoughts",
    "past_abuse_adult": "concern_abuse",
}


# The writers each variation of the Spanish crisis reply is written for (domain.yml,
# utter_crisis_spanish, by `risk_category`).
SPANISH_REPLY_FITS = {
    SELF_HARM: frozenset({"self_at_risk", "concern_self_harm", "intrusive_thoughts"}),
    HARM_OTHERS: frozenset({"harming_others"}),
    ABUSE: frozenset({"adult_victim_ipv", "adult_victim_sexual_assault", "child_victim", "concern_abuse"}),
}


@dataclass
class RiskReport:
    recall_by_category: Dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    recall_by_writer: Dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    recall_by_length: Dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    false_alarms: Tally = field(default_factory=Tally)
    # What raised each false alarm (`raised_by`), counted.
    false_alarms_by: Counter = field(default_factory=Counter)
    reply_fits: Tally = field(default_factory=Tally)
    misses: List[tuple[str, str, str]] = field(default_factory=list)
    alarms: List[str] = field(default_factory=list)
    wrong_reply: List[tuple[str, str, str]] = field(default_factory=list)
    # wanted reply kind -> the reply each escalated message got, counted (texts stay out, so
    # the unread sets can show it too)
    replies_given: Dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def as_dict(self) -> Dict[str, Any]:
        def recall(tallies: Dict[str, Tally]) -> Dict[str, Any]:
            return {key: f"{t.strict}/{t.n}" for key, t in sorted(tallies.items())}

        risk_total = sum(t.n for t in self.recall_by_category.values())
        caught = sum(t.strict for t in self.recall_by_category.values())
        return {
            "recall": round(caught / risk_total, 3) if risk_total else None,
            "recall_by_category": recall(self.recall_by_category),
            "recall_by_writer": recall(self.recall_by_writer),
            "recall_by_length": recall(self.recall_by_length),
            "false_alarm_rate": (
                round(self.false_alarms.strict / self.false_alarms.n, 3) if self.false_alarms.n else None
            ),
            "false_alarms": f"{self.false_alarms.strict}/{self.false_alarms.n}",
            "false_alarms_by": dict(self.false_alarms_by.most_common()),
            "reply_for_another_writer": f"{self.reply_fits.n - self.reply_fits.strict}/{self.reply_fits.n}",
            "replies_given_by_wanted_reply": {
                wanted: dict(given.most_common()) for wanted, given in sorted(self.replies_given.items())
            },
        }


def score_risk(rows: List[RiskRow], outcomes: List[RiskOutcome]) -> RiskReport:
    report = RiskReport()
    for row, outcome in zip(rows, outcomes, strict=True):
        if row.category == "none":
            report.false_alarms.add(outcome.escalated, False)
            if outcome.escalated:
                report.alarms.append(row.text)
                report.false_alarms_by[outcome.raised_by or "unknown"] += 1
            continue
        report.recall_by_category[row.category].add(outcome.escalated, False)
        report.recall_by_writer[row.writer].add(outcome.escalated, False)
        report.recall_by_length[length_band(row.text)].add(outcome.escalated, False)
        if not outcome.escalated:
            report.misses.append((row.text, row.category, row.writer))
            continue
        wanted = REPLY_KIND.get(row.writer)
        if wanted:
            # A message in Spanish gets the Spanish crisis reply's variation for its category.
            in_spanish = (
                outcome.writer == SPANISH_WRITER
                and detect_language(row.text) == "es"
                and wanted in SPANISH_REPLY_FITS.get(outcome.category or "", ())
            )
            fits = outcome.writer == wanted or in_spanish
            report.reply_fits.add(fits, False)
            report.replies_given[wanted][outcome.writer or "?"] += 1
            if not fits:
                report.wrong_reply.append((row.text, wanted, outcome.writer or "?"))
    return report


# ---- running --------------------------------------------------------------------------------


def evaluate_questions(agent: Any, path: Path) -> QuestionReport:
    rows = load_questions(path)
    parses = parse_all(agent, [row.text for row in rows])
    return score_questions(
        rows,
        [answer_key(parse) for parse in parses],
        CATEGORY_FOR_INTENT,
        [second_answer(parse) for parse in parses],
        [raised_by(parse) for parse in parses],
        [(parse.get(RISK_PROPERTY) or {}).get("also_asked") for parse in parses],
        [booking_offered(parse) for parse in parses],
    )


def evaluate_risk(agent: Any, path: Path) -> RiskReport:
    rows = load_risk(path)
    parses = parse_all(agent, [row.text for row in rows])
    return score_risk(rows, [risk_outcome(parse) for parse in parses])


# Sets whose messages stay unread: `--errors` never prints them, so their figures stay honest.
UNREAD_SETS = frozenset(
    {
        "independent_b",
        "independent_c",
        "independent_d",
        "independent_f",
        "independent_h",
        "independent_j",
        "independent_k",
        "independent_l",
        "independent_o",
        "development",
    }
)


def default_sets() -> Dict[str, Dict[str, Path]]:
    """Every set present: ours under heldout/, and the development set beside the checkout."""
    sets: Dict[str, Dict[str, Path]] = {}
    folders = (
        ("independent", HELDOUT_DIR / "independent"),
        ("independent_b", HELDOUT_DIR / "independent_b"),
        ("independent_c", HELDOUT_DIR / "independent_c"),
        ("independent_d", HELDOUT_DIR / "independent_d"),
        ("independent_e", HELDOUT_DIR / "independent_e"),
        ("independent_f", HELDOUT_DIR / "independent_f"),
        ("independent_g", HELDOUT_DIR / "independent_g"),
        ("independent_h", HELDOUT_DIR / "independent_h"),
        ("independent_i", HELDOUT_DIR / "independent_i"),
        ("independent_j", HELDOUT_DIR / "independent_j"),
        ("independent_k", HELDOUT_DIR / "independent_k"),
        ("independent_l", HELDOUT_DIR / "independent_l"),
        ("independent_m", HELDOUT_DIR / "independent_m"),
        ("independent_n", HELDOUT_DIR / "independent_n"),
        ("independent_o", HELDOUT_DIR / "independent_o"),
        ("development", DEV_SET_DIR),
    )
    for name, folder in folders:
        found = {kind: folder / f"{kind}.csv" for kind in ("questions", "risk") if (folder / f"{kind}.csv").exists()}
        if found:
            sets[name] = found
    return sets


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument(
        "--errors",
        action="store_true",
        help="print every miss on the sets we may read (text included); never those of UNREAD_SETS",
    )
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--sets", nargs="+", metavar="NAME", help="only these sets (default: every set present)")
    parser.add_argument(
        "--whole-messages-only",
        action="store_true",
        help="read every message whole, as plain Rasa does (to measure the message focus step against it)",
    )
    args = parser.parse_args(argv)
    agent = load_agent(args.model)
    if args.whole_messages_only:
        from confidant.rasa_internals import message_focus

        message_focus.read_parts(False)
    figures: Dict[str, Any] = {}
    sets = default_sets()
    unknown = sorted(set(args.sets or ()) - set(sets))
    if unknown:
        parser.error(f"no such set here: {', '.join(unknown)} (present: {', '.join(sets)})")
    if args.sets:
        sets = {name: paths for name, paths in sets.items() if name in args.sets}
    for name, paths in sets.items():
        figures[name] = {}
        show_errors = args.errors and name not in UNREAD_SETS
        if "questions" in paths:
            report = evaluate_questions(agent, paths["questions"])
            figures[name]["questions"] = report.as_dict()
            if show_errors:
                for text, expected, got in report.errors:
                    print(f"[{name} q] {expected:28} <- {got:34} | {text[:140]}")
                for text, expected, second in report.second_errors:
                    print(f"[{name} q2] {expected:28} <- second {second:27} | {text[:140]}")
        if "risk" in paths:
            risk = evaluate_risk(agent, paths["risk"])
            figures[name]["risk"] = risk.as_dict()
            if show_errors:
                for text, category, writer in risk.misses:
                    print(f"[{name} miss] {category}/{writer} | {text[:160]}")
                for text in risk.alarms:
                    print(f"[{name} alarm] {text[:160]}")
                for text, wanted, got in risk.wrong_reply:
                    print(f"[{name} reply] wanted {wanted} got {got} | {text[:120]}")
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
