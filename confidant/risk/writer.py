"""Who is writing a risk message, so the reply speaks to that person.

The screen and DIET decide WHAT the risk is (the category) and whether it is current. This
module decides which risk intent, and so which reply, fits the writer: a teenager hit at home
needs the child line and "you are not in trouble", a man who hits his partner must never be told
"this is not your fault", a new mother frightened by her own thoughts needs calm, not police.

Reviewed cues in data/risk/writers.yml come first (they are precise where they match); DIET's
ranking among the category's intents comes next; the category's default reply last. None of
this can stop an escalation: it only chooses among the replies of the category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

from confidant.vocabulary import (
    ABUSE,
    CONCERN_INTENT,
    CONCERN_INTENT_FOR_CATEGORY,
    HARM_OTHERS,
    INTENT_FOR_CATEGORY,
    INTRUSIVE_INTENT,
    RISK_INTENTS,
    SELF_HARM,
    intents_of,
)
from confidant.yaml_files import load_yaml

WRITER_CUES_FILE = "writers.yml"
CUE_KINDS = (
    "child",
    "child_at_home",
    "adult",
    "partner",
    "partner_signs",
    "writer_harmed",
    "sexual_assault",
    "harming",
    "intent_to_harm",
    "own_means",
    "intrusive",
    "bystander",
    "works_with_children",
    "elder",
    "access_to_children",
    "injured_by_another",
    "signs_found_in_their_things",
    "abuse_words",
    "self_harm_words",
    "own_preparation",
)
THREAT_TO_WRITER_PATTERNS = ("harm_others.threat_to_me", "harm_others.threat_to_me_weak")
VICTIM_IS_WRITER_PATTERNS = ("abuse.violence_to_me", "abuse.fear_at_home")
# Where the screen found the harm is done to the writer, only these replies speak to them: DIET's
# sense of "someone hurting someone" must not turn a victim into the one who hurts.
VICTIM_INTENTS = frozenset(
    {"risk_partner_violence", "risk_sexual_assault", "risk_child_abuse", "risk_abuse_disclosure"}
)
_WRITER_AS_OBJECT = re.compile(r"\b(me|us|my (room|bed|body|privates))\b")
# "grabbed her by the arm" matches the screen's violence-to-me expression too (it escalates what
# is seen done to anyone), but the one hurt there is someone else.
_OTHER_AS_OBJECT = re.compile(r"\b(her|him|them)\b")
# The screen's self-harm evidence that tells of despair only ("I can't take it anymore", "I'm so
# tired of living"), not of a plan or a method: beside the writer's own words of hurting someone
# ("tonight I shook her", "I'm going to shoot him"), the reply for the one who may hurt fits.
DESPAIR_PATTERNS = frozenset(
    {"self_harm.cant_go_on", "self_harm.tired_of_living", "self_harm.hate_being_alive", "self_harm.do_something_stupid"}
)
# A quotation opens after a space or at the start and closes before a space, punctuation or the
# end: "told me 'daddy bites me when I'm bad'" quotes the child; the apostrophe in "I'm" is no quote.
_OPENING_QUOTE = re.compile(r"(?:(?<=\s)|^)['\"\u201c\u2018]")
_CLOSING_QUOTE = re.compile(r"['\"\u201d\u2019](?=[\s.,!?;:)]|$)")
_WRITER_AS_SUBJECT = re.compile(r"\b(i|i'?m|im|i am|i'?ve|ive)\b")
# DIET's say on the writer counts from this confidence (within the category's intents).
CLASSIFIER_MIN_SHARE = 0.4
# Where DIET alone read self-harm, its harm-to-others intent holding at least this share of the
# two (self-harm and harm to others) means the writer is angry at someone, not at risk alone.
# On nine independent sets the writers at risk themselves that DIET alone raised all had under
# 0.07 (60 messages), and four of twelve who meant to hurt someone had more (docs/evaluation.md,
# "Anger DIET half hears"): a low bar, since DIET's own intent already decided the category.
HARM_OTHERS_MIN_SHARE = 0.1


class WriterCueError(ValueError):
    """The cue file is missing a kind or holds an expression that does not compile."""


@dataclass(frozen=True)
class WriterCues:
    """Compiled cue expressions by kind."""

    expressions: Dict[str, Sequence[re.Pattern[str]]]

    @classmethod
    def none(cls) -> "WriterCues":
        """No cues at all: every choice falls to the screen's level, DIET or the default."""
        return cls({kind: () for kind in CUE_KINDS})

    @classmethod
    def from_file(cls, path: Path) -> "WriterCues":
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
        compiled: Dict[str, Sequence[re.Pattern[str]]] = {}
        for kind in CUE_KINDS:
            if kind not in raw:
                raise WriterCueError(f"{path.name}: no '{kind}' cues")
            try:
                compiled[kind] = tuple(re.compile(expression) for expression in raw[kind])
            except re.error as error:
                raise WriterCueError(f"{path.name}: a '{kind}' cue does not compile: {error}") from error
        return cls(compiled)

    def found(self, kind: str, text: str) -> Optional[str]:
        """The first text that a cue of `kind` matches, or None."""
        for expression in self.expressions[kind]:
            match = expression.search(text)
            if match:
                return match.group(0)
        return None


@dataclass(frozen=True)
class WriterChoice:
    """The risk intent whose reply fits the writer, and the evidence for choosing it."""

    intent: str
    reason: str
    default: bool = False  # nothing told who is writing: the category's own reply


def _confidences(ranking: Iterable[Dict[str, Any]], allowed: frozenset) -> Dict[str, float]:
    """DIET's confidence in each intent of `allowed` that its ranking holds."""
    return {item["name"]: float(item.get("confidence") or 0.0) for item in ranking if item.get("name") in allowed}


def _top_of(ranking: Iterable[Dict[str, Any]], allowed: frozenset) -> Optional[str]:
    """DIET's most confident intent among `allowed`, however small its share."""
    confidences = _confidences(ranking, allowed)
    return max(confidences, key=lambda name: confidences[name]) if confidences else None


def _classifier_pick(ranking: Iterable[Dict[str, Any]], allowed: frozenset) -> Optional[str]:
    """DIET's best intent among `allowed`, if it holds a fair share of their confidence."""
    confidences = _confidences(ranking, allowed)
    total = sum(confidences.values())
    best = _top_of(ranking, allowed)
    if best is None or total <= 0:
        return None
    return best if confidences[best] / total >= CLASSIFIER_MIN_SHARE else None


def _harm_to_others_share(ranking: Iterable[Dict[str, Any]]) -> float:
    """DIET's harm-to-others confidence as a share of its self-harm and harm-to-others confidence."""
    harm_intent, self_intent = INTENT_FOR_CATEGORY[HARM_OTHERS], INTENT_FOR_CATEGORY[SELF_HARM]
    confidences = _confidences(ranking, frozenset({harm_intent, self_intent}))
    total = sum(confidences.values())
    return confidences.get(harm_intent, 0.0) / total if total > 0 else 0.0


def _writer_is_victim(text: str, evidence: List[Dict[str, Any]]) -> bool:
    """Is the harm in the evidence done to the writer ("hits me", "I'm being abused")?"""
    for item in evidence:
        said = item.get("text", "").lower()
        if _WRITER_AS_OBJECT.search(said):
            return True
        if item.get("pattern") in VICTIM_IS_WRITER_PATTERNS and not _OTHER_AS_OBJECT.search(said):
            return True
        before = text[max(0, int(item.get("start", 0)) - 25) : int(item.get("start", 0))].lower()
        if item.get("pattern") == "abuse.being_abused" and _WRITER_AS_SUBJECT.search(before):
            return True
    return False


def _someone_else_threatens(text: str, evidence: List[Dict[str, Any]], ranking: List[Dict[str, Any]]) -> bool:
    """Is the screen's third-party threat told by a witness: unquoted, and DIET not hearing the writer's anger?"""
    told = [item for item in evidence if not _quoted(text, int(item.get("start", 0)))]
    return bool(told) and _top_of(ranking, RISK_INTENTS) != INTENT_FOR_CATEGORY[HARM_OTHERS]


def _quoted(text: str, start: int) -> bool:
    """Is the offset inside a quotation (someone else's words, not the writer's)?"""
    opening = [match.end() for match in _OPENING_QUOTE.finditer(text, 0, start)]
    return bool(opening) and not _CLOSING_QUOTE.search(text, opening[-1], start)


def _worry_told_in_words_of_the_other_kind(
    cue: Callable[[str], Optional[str]], ranking: List[Dict[str, Any]], category: str
) -> Optional[WriterChoice]:
    """The other worried reply, where DIET alone read one worry and the words tell only of the other.

    "My grandfather abused me ... my sister sends her girls there": DIET's worry about self-harm,
    in words of abuse alone. Only where DIET's own top intent of the category is its worry.
    """
    if _top_of(ranking, intents_of(category)) != CONCERN_INTENT_FOR_CATEGORY[category]:
        return None
    abuse, self_harm = cue("abuse_words"), cue("self_harm_words")
    if category == SELF_HARM and abuse and not self_harm:
        return WriterChoice(CONCERN_INTENT_FOR_CATEGORY[ABUSE], f"a worry told in words of abuse ({abuse!r})")
    if category == ABUSE and self_harm and not abuse:
        return WriterChoice(
            CONCERN_INTENT_FOR_CATEGORY[SELF_HARM], f"a worry told in words of self-harm ({self_harm!r})"
        )
    return None


def choose_writer(
    category: str,
    level: str,
    text: str,
    evidence: List[Dict[str, Any]],
    ranking: Iterable[Dict[str, Any]],
    cues: WriterCues,
) -> WriterChoice:
    """The reply for a message already judged to be current risk of `category`.

    `level` is the screen's level ("third_party" means the screen found it is about someone
    else), `text` the message, `evidence` the screen's matches (offsets into `text`).
    """
    ranking = list(ranking)
    lowered = text.lower()
    patterns = {item.get("pattern") for item in evidence}

    def cue(kind: str) -> Optional[str]:
        return cues.found(kind, lowered)

    # "he's teaching at a middle school now" tells where a past abuser is, not that the writer is a child.
    access = cue("access_to_children")
    child_text = lowered.replace(access, " ") if access else lowered

    def child_cue() -> Optional[str]:
        """A child writing: their age or school, or a parent in the story where no partner or adult life is."""
        found = cues.found("child", child_text)
        return found or (None if cue("partner") or cue("adult") else cues.found("child_at_home", child_text))

    def partner_cue() -> Optional[str]:
        """A partner named, or the signs of one ("if I leave", "making excuses for him"); call after the child check."""
        return cue("partner") or cue("partner_signs")

    def adult_writer() -> bool:
        """The writer tells of an adult life (college, their age, their own children) and no child cue."""
        return bool(cue("adult")) and not cue("child")

    if category == SELF_HARM:
        # Burns or a black eye on a four-year-old, a bruised eighty-year-old whose daughter "gets
        # frustrated": someone is hurting them, which the worried writer's abuse reply speaks to.
        injured = cue("injured_by_another")
        if injured and (level == "third_party" or not evidence):
            return WriterChoice("concern_abuse", f"someone else is being hurt ({injured!r})")
        if level == "third_party":
            return WriterChoice("concern_for_someone", "the screen found it is about someone else")
        # "Last night I found a note in his desk drawer ...": DIET alone read self-harm, and the
        # one at risk is the person whose note it is.
        signs = cue("signs_found_in_their_things")
        if signs and not evidence:
            return WriterChoice(CONCERN_INTENT, f"the writer found signs in someone else's things ({signs!r})")
        # "I'm going to shoot him", "I've worked out how I'd do it to both of them": a plan against
        # someone outweighs both "I don't want to hurt anybody" and the screen's despair.
        despair_only = all(
            item.get("pattern") in DESPAIR_PATTERNS
            for item in evidence
            if str(item.get("pattern", "")).startswith(f"{SELF_HARM}.")
        )
        intent = cue("intent_to_harm")
        if intent and despair_only:
            return WriterChoice(INTENT_FOR_CATEGORY[HARM_OTHERS], f"the writer means to hurt someone ({intent!r})")
        # "Out on the balcony working up the nerve": getting ready to act is no unwanted thought.
        preparing = cue("own_preparation")
        if preparing:
            return WriterChoice(INTENT_FOR_CATEGORY[SELF_HARM], f"the writer is getting ready to act ({preparing!r})")
        found = cue("intrusive")
        if found:
            return WriterChoice("intrusive_thoughts", f"intrusive-thought cue {found!r}")
        # The screen's own evidence that the writer is at risk ("I cut", "the pills are ready")
        # outweighs DIET's sense that the thoughts are unwanted ones: without an intrusive cue,
        # the calmer reply would be the wrong one for someone at risk. Where the screen matched
        # nothing, DIET may tell that the thoughts are unwanted, never move it to a friend's reply.
        harming = cue("harming")
        # The screen found only despair ("I can't take it anymore, the baby never stops crying and
        # tonight I shook her"), or DIET alone read self-harm, and the writer says they hurt
        # someone ("belted my teenager last night"): the reply for the one who hurts, whose
        # escalation names the child.
        if evidence and not (harming and despair_only):
            return WriterChoice(INTENT_FOR_CATEGORY[SELF_HARM], "the screen found the writer at risk", default=True)
        if harming:
            return WriterChoice("risk_harm_others", f"the writer is hurting someone ({harming!r})")
        worry = _worry_told_in_words_of_the_other_kind(cue, ranking, SELF_HARM) if not evidence else None
        if worry:
            return worry
        picked = _classifier_pick(ranking, intents_of(SELF_HARM))
        if picked == INTRUSIVE_INTENT:
            return WriterChoice(picked, "classifier")
        share = _harm_to_others_share(ranking)
        if _top_of(ranking, intents_of(SELF_HARM)) == INTENT_FOR_CATEGORY[SELF_HARM] and share >= HARM_OTHERS_MIN_SHARE:
            return WriterChoice(INTENT_FOR_CATEGORY[HARM_OTHERS], f"classifier: harm to others holds {share:.2f}")
        return WriterChoice(INTENT_FOR_CATEGORY[SELF_HARM], "the writer is at risk", default=True)

    if category == HARM_OTHERS:
        if patterns & set(THREAT_TO_WRITER_PATTERNS):
            child = child_cue()
            if child:
                return WriterChoice("risk_child_abuse", f"threat to a child writer ({child!r})")
            partner = partner_cue()
            if partner:
                return WriterChoice("risk_partner_violence", f"threat from a partner ({partner!r})")
            return WriterChoice("risk_abuse_disclosure", "threat to the writer")
        # "he put his hand down my pants. I pushed him off": the writer's pushing is not the risk.
        assault = cue("sexual_assault")
        if assault:
            child = child_cue()
            if child:
                return WriterChoice("risk_child_abuse", f"sexual assault on a child writer ({child!r})")
            return WriterChoice("risk_sexual_assault", f"sexual assault cue {assault!r}")
        intent = cue("intent_to_harm")
        if intent:
            return WriterChoice(INTENT_FOR_CATEGORY[HARM_OTHERS], f"the writer means to hurt someone ({intent!r})")
        found = cue("intrusive")
        if found:
            return WriterChoice("intrusive_thoughts", f"intrusive-thought cue {found!r}")
        # "my dad is drunk and says he's going to kill my mom": someone else threatens, and the
        # writer sees it. Never "put space between you and anything you could hurt them with".
        # Not where the words are a quotation ("everyone says 'kill him with kindness'") or DIET
        # hears the writer's own anger (its top risk intent is harm to others).
        if level == "third_party" and _someone_else_threatens(text, evidence, ranking):
            child = child_cue()
            if child:
                return WriterChoice("risk_child_abuse", f"a child sees someone threaten harm ({child!r})")
            return WriterChoice(CONCERN_INTENT_FOR_CATEGORY[ABUSE], "someone else threatens harm")
        # "got a gun last week ... it's for me, not anyone else": the means are for the writer.
        own = cue("own_means")
        if own and not patterns and not cue("harming"):
            return WriterChoice(INTENT_FOR_CATEGORY[SELF_HARM], f"the means are for the writer ({own!r})")
        if _classifier_pick(ranking, intents_of(SELF_HARM) | {INTENT_FOR_CATEGORY[HARM_OTHERS]}) == INTRUSIVE_INTENT:
            return WriterChoice(INTRUSIVE_INTENT, "classifier")
        return WriterChoice(INTENT_FOR_CATEGORY[HARM_OTHERS], "the writer may hurt someone", default=True)

    if category == ABUSE:
        assault = cue("sexual_assault")
        harming = cue("harming")
        told_as_victim = _writer_is_victim(lowered, evidence)
        harmed_now = cue("writer_harmed")
        victim = told_as_victim or bool(harmed_now)
        # The sexual assault cues are the victim's words ("groped me"); beside them, the writer's
        # own "I shoved him off" is defence, not harm done.
        if harming and not assault:
            return WriterChoice("risk_harm_others", f"the writer is hurting someone ({harming!r})")
        # "been standing over my roommate at night w a pillow": the writer's plan, not a victim's story.
        intent = cue("intent_to_harm")
        if intent and not assault and not victim:
            return WriterChoice("risk_harm_others", f"the writer means to hurt someone ({intent!r})")
        # "since my daughter was born I get thoughts of harming her (OCD)": feared, not done.
        intrusive = cue("intrusive")
        if intrusive and not told_as_victim:
            return WriterChoice(INTRUSIVE_INTENT, f"intrusive-thought cue {intrusive!r}")
        # "Daycare worker. One of my toddlers told me 'daddy bites me'": the writer works with
        # children and tells of one of them; the quoted "me" is the child's. Not where the writer
        # tells, in their own words, of being hurt or assaulted, or names a partner.
        role = cue("works_with_children")
        if role and not assault and not harmed_now and not partner_cue():
            unquoted = [item for item in evidence if not _quoted(lowered, int(item.get("start", 0)))]
            if not _writer_is_victim(lowered, unquoted):
                return WriterChoice("concern_abuse", f"the writer works with children ({role!r})")
        child = child_cue()
        if assault and not child:
            return WriterChoice("risk_sexual_assault", f"sexual assault cue {assault!r}")
        bystander = cue("bystander") or role
        if child and (victim or assault or not bystander):
            return WriterChoice("risk_child_abuse", f"child writer cue {child!r}")
        if child and bystander:
            # A child's words and someone else's story in one message ("im 13 ... my mom ... she"):
            # DIET tells which, between the child's own reply and the worried one's.
            picked = _classifier_pick(ranking, frozenset({"risk_child_abuse", "concern_abuse"}))
            if picked:
                return WriterChoice(picked, f"classifier, between child cue {child!r} and bystander cue {bystander!r}")
        partner = partner_cue()
        if victim and partner:
            return WriterChoice("risk_partner_violence", f"partner cue {partner!r}")
        # A past abuser with children around them now: the children are the ones at risk, even
        # where the writer tells of having been abused; not where violence to the writer is told
        # as it happens ("he hits me, and he watches my little sister").
        if access and not child and not harmed_now:
            return WriterChoice("concern_abuse", f"a past abuser with access to children ({access!r})")
        worry = _worry_told_in_words_of_the_other_kind(cue, ranking, ABUSE) if not evidence and not victim else None
        if worry:
            return worry
        if not victim and (bystander or cue("elder")):
            return WriterChoice("concern_abuse", "someone else is being hurt")
        allowed = VICTIM_INTENTS if victim else intents_of(ABUSE) | {"risk_harm_others"}
        if adult_writer():
            allowed = allowed - {"risk_child_abuse"}  # DIET's sense of a child, where the writer is an adult
        picked = _classifier_pick(ranking, allowed)
        if picked:
            return WriterChoice(picked, "classifier")
        if victim:
            return WriterChoice("risk_abuse_disclosure", "the writer is being hurt; who by is unclear", default=True)
        return WriterChoice(INTENT_FOR_CATEGORY[ABUSE], "who is hurt is unclear", default=True)

    return WriterChoice(INTENT_FOR_CATEGORY.get(category, INTENT_FOR_CATEGORY[SELF_HARM]), "unknown category", True)
