"""The context checks that decide a trigger's level: idiom, question, negation, past, someone else.

Each check reads the reviewed rules of data/risk (confidant.risk.pattern_types) and the context
pattern matches of the message; when in doubt a trigger stays "current", because a missed crisis
costs far more than a false alarm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from confidant.risk.pattern_types import RiskData, Trigger
from confidant.risk.writer import THREAT_TO_WRITER_PATTERNS
from confidant.vocabulary import ABUSE, HARM_OTHERS, SELF_HARM

_QUESTION_MARK = "?"
# Humour words that a negation a few words before turns into "I am serious" ("this is not a
# joke", "I don't mean that as a joke"); a laugh ("lol", "haha") is negated only right before it.
JOKE_WORDS = frozenset({"joke", "jokes", "joking", "kidding", "jk", "jking"})
NEGATED_JOKE_REACH = 5
# The reason a trigger gets when the writer takes back their own threat just after it.
DISCLAIMED = "disclaimed by the writer"
# The reason a threat right after "I could" gets with a joke marker ("I could strangle him lol").
EXASPERATED = "'I could ...'"
EXASPERATION_FILLERS = frozenset({"just", "literally", "honestly", "actually", "seriously", "totally", "so", "really"})
# The reason of a current trigger that names a subject said of nobody ("a documentary about abuse").
SAID_OF_NOBODY = "a subject named, said of nobody"
# The last word of a topic trigger that names the topic rather than telling of harm.
TOPIC_NOUNS = frozenset({"abuse", "neglect", "maltreatment", "violence"})


@dataclass
class Candidate:
    """One trigger match in a doc, with the level its context gives it and why."""

    trigger: Trigger
    start: int  # token indices into the doc
    end: int
    level: str = "current"
    reason: str = ""


@dataclass
class Context:
    """Context pattern matches of one doc, by kind, as (start, end, id) token spans."""

    idioms: list[tuple[int, int, str]]
    cancels: list[tuple[int, int, str]]
    frames: list[tuple[int, int, str]]
    disclosures: list[tuple[int, int, str]]
    past: list[tuple[int, int, str]]
    now: list[tuple[int, int, str]]
    recurrence: list[tuple[int, int, str]]
    disclaimers: list[tuple[int, int, str]] = field(default_factory=list)
    accidents: list[tuple[int, int, str]] = field(default_factory=list)
    discipline: list[tuple[int, int, str]] = field(default_factory=list)
    feelings: list[tuple[int, int, str]] = field(default_factory=list)
    in_care: list[tuple[int, int, str]] = field(default_factory=list)
    laughed_off: list[tuple[int, int, str]] = field(default_factory=list)
    taken_seriously: list[tuple[int, int, str]] = field(default_factory=list)
    threats_if_telling: list[tuple[int, int, str]] = field(default_factory=list)
    deaths: list[tuple[int, int, str]] = field(default_factory=list)
    fatal: list[tuple[int, int, str]] = field(default_factory=list)
    denials: list[tuple[int, int, str]] = field(default_factory=list)


# The id prefix of a context pattern (data/risk) names the Context list its matches go to.
CONTEXT_KINDS = {
    "idiom": "idioms",
    "negation": "cancels",
    "info": "frames",
    "disclose": "disclosures",
    "past": "past",
    "now": "now",
    "again": "recurrence",
    "disclaim": "disclaimers",
    "accident": "accidents",
    "discipline": "discipline",
    "feelings": "feelings",
    "care": "in_care",
    "laughed": "laughed_off",
    "serious": "taken_seriously",
    "telling": "threats_if_telling",
    "death": "deaths",
    "fatal": "fatal",
    "denied": "denials",
}


# How many words before a suicide that ended a life a word of `death_doubters` (third_party.yml)
# may stand: "tried to take her own life", "she nearly killed herself".
DOUBTER_REACH = 3

# How many words before "hurt" a word of `emotional_hurt_feared` (idioms.yml) may stand.
FEARED_REACH = 4

# "four year old", "3-year-old": the words between a small child's age and its "old".
AGE_WORDS = frozenset({"-", "year", "years", "yr", "yrs"})
# Quotation marks as the normalizer leaves them (curly quotes become straight ones).
QUOTATION_MARKS = frozenset({'"', "'", "“", "”", "‘", "’"})


def _is_one_of(token: Token, words: frozenset[str]) -> bool:
    """Is the token one of `words`, as written or by its lemma (the data lists either form)?"""
    return token.lower_ in words or token.lemma_ in words


def _overlaps(candidate: Candidate, start: int, end: int) -> bool:
    """Does the token span start..end share a token with the trigger?"""
    return start < candidate.end and candidate.start < end


class TriggerLevels:
    """Decides each trigger's level from its context, with the rules of the data files."""

    def __init__(self, data: RiskData) -> None:
        self.data = data
        self._first = data.subjects.first_person
        self._third = data.subjects.third_person

    def level(self, doc: Doc, candidate: Candidate, context: Context) -> tuple[str, str]:
        """The level of one trigger in its context, with the reason (pattern id or rule)."""
        sentence = doc[candidate.start].sent
        trigger = candidate.trigger

        told = any(_overlaps(candidate, start, end) for start, end, _ in context.threats_if_telling)
        for start, end, pattern_id in context.idioms:
            if (
                _overlaps(candidate, start, end)
                and not told
                and not self._someone_struck_first(doc, candidate, start)
                and not (end < len(doc) and doc[end].lower_ in self.data.idiom_undone_by_next)
                and not self.idiom_undone(doc, sentence, pattern_id)
            ):
                return "idiom", pattern_id
        accident = self._accidental_dose(candidate, sentence, context)
        if accident:
            return "idiom", accident
        discipline = self._mild_discipline(doc, candidate, context)
        if discipline:
            return "informational", discipline
        feelings = self._emotional_hurt(doc, candidate, sentence, context)
        if feelings:
            return "idiom", feelings
        if trigger.strength == "weak" and not told:
            joke = self._joke_marker(doc, sentence)
            if joke:
                return "idiom", f"weak trigger with joke marker {joke!r}"
            if trigger.id in self.data.petty_occasion.own_triggers:
                petty = self._petty_occasion(doc, candidate, sentence, context)
                if petty:
                    return "idiom", f"a groan over something petty ({petty!r})"
        elif self._exasperated(doc, candidate, sentence):
            joke = self._joke_marker(doc, sentence)
            if joke:
                return "idiom", f"{EXASPERATED} with joke marker {joke!r}"

        info = self._informational(doc, candidate, sentence, context)
        if info:
            return "informational", info
        disclosures = self._disclosures(sentence, context)
        if disclosures and self._informational(doc, candidate, sentence, context, ignore_disclosure=True):
            # "what happens if someone says they want to die? asking because I do": the
            # question was about the writer all along.
            return "current", f"disclosure after a question ({disclosures[0][2]})"
        negation = self._negated(doc, candidate, sentence, context)
        if negation:
            return "negated", negation
        disclaimer = self._disclaimed(candidate, context)
        if disclaimer:
            return "negated", disclaimer
        denial = self._screening_question_denied(doc, candidate, sentence, context)
        if denial:
            return "negated", denial
        past = self._past(doc, candidate, sentence, context)
        if past:
            return "past", past
        death = self._death_told(doc, candidate, context)
        if death:
            return "past", f"a death told ({death})"
        child = self._small_childs_words(doc, candidate, sentence)
        if child:
            return "idiom", f"a small child's words ({child!r})"

        person = trigger.person
        if person == "first" and self._quoted_speaker(doc, candidate, sentence) == "third":
            person = "third"  # "my coworker says 'im gonna kill myself'": the coworker's words
        elif person == "detect":
            person = self._subject(doc, candidate, sentence)
        if person == "third" and trigger.category != ABUSE:
            laughed = self._quoted_and_laughed_off(doc, candidate, sentence, context)
            if laughed:
                return "idiom", f"someone else's words, laughed off ({laughed})"
            if trigger.id in self.data.petty_occasion.triggers:
                petty = self._petty_occasion(doc, candidate, sentence, context)
                if petty:
                    return "idiom", f"someone else's words over something petty ({petty!r})"
            story = self._fiction_before(doc, candidate, sentence)
            if story:
                return "idiom", f"someone else in a story ({story!r})"
            care = self._in_care(doc, candidate, sentence, context)
            if care:
                return "past", f"someone else, in care now ({care})"
            return "third_party", "about someone else"
        if self._said_of_nobody(doc, candidate, sentence):
            return "current", SAID_OF_NOBODY
        return "current", "no mitigating context"

    def _said_of_nobody(self, doc: Doc, candidate: Candidate, sentence: Span) -> bool:
        """A noun naming the subject ("overdoses", "abuse", "suicidal thoughts"), no first-person word just before it.

        Still current: the component asks another reading of the message to lean to risk too.
        "my overdose", "I had a suicide attempt" and "want to overdose" are not said of nobody.
        """
        rules = self.data.subjects
        if candidate.trigger.id not in rules.said_of_nobody_triggers:
            return False
        if doc[candidate.end - 1].lower_ not in rules.subject_nouns:
            return False
        if self._first_person_near(doc, candidate.start, sentence, rules.said_of_nobody_reach):
            return False
        return not (candidate.start > sentence.start and doc[candidate.start - 1].lower_ in rules.verb_before_a_noun)

    def idiom_undone(self, doc: Doc, sentence: Span, pattern_id: str, figure: tuple[int, int] | None = None) -> bool:
        """Does the trigger's sentence hold a word that makes this figure the real thing?

        "my dad will kill me when he gets home, he has a belt", "i'm going to end it with a rope":
        the figure's own `undone_by` words (idioms.yml), as written or as their lemma. Its own
        sentence ("I'd rather get hit by a bus. After exams I want to see someone" is still a
        figure), and the next one for a weapon ("just shoot me. I have the gun right here").
        `figure`, where given, is the figure's own span, whose words undo nothing ("dying" in
        "dying to see it" is no "die").
        """
        words = self.data.idiom_undone_by.get(pattern_id)
        if not words:
            return False
        start, end = figure or (0, 0)
        if any(_is_one_of(t, words) for t in sentence if not start <= t.i < end):
            return True
        if sentence.end >= len(doc):
            return False
        nearby = words & self.data.idiom_undone_from_the_next_sentence
        return any(_is_one_of(t, nearby) for t in doc[sentence.end].sent)

    def _someone_struck_first(self, doc: Doc, candidate: Candidate, idiom_start: int) -> bool:
        """An abuse trigger that names who did it before an idiom's words ("he hit my head" holds "hit my head").

        The idiom is for the writer's own bump ("I hit my head on the cupboard"); with someone else
        as the one who struck, it explains nothing.
        """
        if candidate.trigger.category != ABUSE or idiom_start <= candidate.start:
            return False
        return any(token.lower_ in self._third for token in doc[candidate.start : idiom_start])

    def _death_told(self, doc: Doc, candidate: Candidate, context: Context) -> str | None:
        """A self-harm trigger inside a suicide that ended a life ("we lost my dad to suicide"),
        unless a doubter comes just before it ("nearly killed himself": alive, and at risk)."""
        if candidate.trigger.category != SELF_HARM:
            return None
        for start, end, pattern_id in context.fatal:
            if _overlaps(candidate, start, end):
                before = {token.lower_ for token in doc[max(0, start - DOUBTER_REACH) : start]}
                if not before & self.data.subjects.death_doubters:
                    return pattern_id
        return None

    def _fiction_before(self, doc: Doc, candidate: Candidate, sentence: Span) -> str | None:
        """A film, song, book or game named before someone else's harm in the same sentence."""
        fiction = self.data.subjects.fiction
        for token in doc[sentence.start : candidate.start]:
            if token.lower_ in fiction and not self._in_a_phrase(doc, token, self.data.subjects.fiction_not_in):
                return token.text
        return None

    @staticmethod
    def _in_a_phrase(doc: Doc, token: Token, phrases: frozenset[str]) -> bool:
        """Is the token part of one of these phrases ("story" in "long story short")?"""
        for phrase in phrases:
            words = phrase.split()
            for offset, word in enumerate(words):
                start = token.i - offset
                if word != token.lower_ or start < 0 or start + len(words) > len(doc):
                    continue
                if [t.lower_ for t in doc[start : start + len(words)]] == words:
                    return True
        return False

    def _quoted_and_laughed_off(self, doc: Doc, candidate: Candidate, sentence: Span, context: Context) -> str | None:
        """Someone else's quoted wish to die that the message laughs off, and nothing in it takes seriously.

        "my coworker says 'im gonna kill myself' every time the printer jams, it's a running joke";
        "she said 'I literally want to die' because of the dishwasher, totally fine five minutes
        later". Only self-harm words inside someone else's quotation: a threat to the writer or
        to a child ("my dad said 'I'll kill you'") is never laughed off here, and a laugh inside
        the quotation ("she texted 'i want to die lol'") is not the message laughing it off.
        """
        if candidate.trigger.category != SELF_HARM or self._taken_seriously(candidate, context):
            return None
        if self._quoted_speaker(doc, candidate, sentence) != "third":
            return None
        return context.laughed_off[0][2] if context.laughed_off else None

    @staticmethod
    def _taken_seriously(candidate: Candidate, context: Context) -> bool:
        """Does the message take the words seriously anywhere but in the trigger's own words?

        "she says 'I'm gonna jump off a bridge' every time they lose, it's a running joke": the
        bridge is the figure itself, not a sign that anyone means it.
        """
        return any(not _overlaps(candidate, start, end) for start, end, _ in context.taken_seriously)

    def _petty_occasion(self, doc: Doc, candidate: Candidate, sentence: Span, context: Context) -> str | None:
        """The petty occasion a wish to die or a groan is said over, in its sentence, if any.

        "my friend said 'just shoot me' when she saw the seating chart", "he yells 'I'm going
        to die' every time his team loses": a connective after the trigger, then an everyday
        occasion within a few words. Not where the message takes the words seriously anywhere
        ("she means it", "I'm worried", "she has pills"): that is the same bar as a laugh.
        """
        rules = self.data.petty_occasion
        if self._taken_seriously(candidate, context):
            return None
        tokens = doc[candidate.end : sentence.end]
        for token in tokens:
            if token.lower_ not in rules.connectives:
                continue
            for word in doc[token.i + 1 : min(sentence.end, token.i + 1 + rules.window)]:
                if _is_one_of(word, rules.occasions):
                    return f"{token.text} ... {word.text}"
        return None

    def _in_care(self, doc: Doc, candidate: Candidate, sentence: Span, context: Context) -> str | None:
        """Someone else's crisis now in professional care ("my son is in a residential program for self harm").

        Not when it recurs ("again", "lately"), is too recent ("last night", "today"), or is told
        in the present ("she still wants to die"): then the writer needs a person now.
        """
        if not context.in_care or context.recurrence:
            return None
        if any(t.lower_ in self.data.subjects.in_care_too_recent for t in sentence):
            return None
        region = doc[max(sentence.start, candidate.start - self.data.past.lookbehind) : candidate.end]
        if ({t.lower_ for t in region} | {t.norm_ for t in region}) & self.data.past.present_forms:
            return None
        return context.in_care[0][2]

    def _joke_marker(self, doc: Doc, sentence: Span) -> str | None:
        humour = self.data.humour
        cues = self.data.negation.cues

        def negated(token: Token, reach: int) -> bool:
            return any(t.lower_ in cues or t.norm_ in cues for t in doc[max(sentence.start, token.i - reach) : token.i])

        # "this is not a joke", "I don't mean that as a joke": the writer says it is serious, and
        # a laugh elsewhere in the sentence does not undo that.
        if any(t.lower_ in JOKE_WORDS and negated(t, NEGATED_JOKE_REACH) for t in sentence):
            return None
        for token in sentence:
            if token.lower_ in humour and not negated(token, 2):  # "not joking"
                return token.text
        return None

    def _subject(self, doc: Doc, candidate: Candidate, sentence: Span) -> str:
        """Who the trigger is about: the speaker of a quotation it is in, else the nearest person word before it."""
        rules = self.data.subjects
        speaker = self._quoted_speaker(doc, candidate, sentence)
        if speaker is not None:
            return speaker
        owner = self._body_owner_after(doc, candidate, sentence)
        if owner is not None:
            return owner
        index = candidate.start - 1
        steps = 0
        while index >= sentence.start and steps < rules.max_lookback:
            word = doc[index].lower_
            if word in rules.breakers:
                break
            if word in self._first:
                return "first"
            if word in self._third:
                return "third"
            index -= 1
            steps += 1
        return "first"  # nobody else named: it is about the writer (err towards escalation)

    def _body_owner_after(self, doc: Doc, candidate: Candidate, sentence: Span) -> str | None:
        """`third` or `first` for a self-harm mark told with whose body it is on, else None.

        "I saw fresh cuts on his forearms": the one who saw is the writer, the one at risk is not.
        """
        rules = self.data.subjects
        if candidate.trigger.category != SELF_HARM or not rules.owner_prepositions:
            return None
        reach_end = min(sentence.end, candidate.end + rules.owner_reach)
        for index in range(candidate.end, reach_end):
            if doc[index].lower_ not in rules.owner_prepositions:
                continue
            words = [token.lower_ for token in doc[index + 1 : min(sentence.end, index + 4)]]
            while words and words[0] in rules.owner_prepositions:  # "all over her arms"
                words = words[1:]
            if not words:
                return None
            if words[0] in rules.owner_third:
                return "third"
            if words[0] in self._first:
                # "on my son's arm" is the son's; "on my arms" the writer's own
                return "third" if len(words) > 2 and words[1] in self._third and words[2] in {"'s", "s"} else "first"
            return None
        return None

    def _quoted_speaker(self, doc: Doc, candidate: Candidate, sentence: Span) -> str | None:
        """`first` or `third` for a trigger inside quotation marks after a speech verb, else None.

        Inside an open quotation (an odd number of quotation marks before the trigger in its
        sentence), the speaker is the person word just before the speech verb that opens it.
        """
        rules = self.data.subjects
        marks = [token.i for token in doc[sentence.start : candidate.start] if token.text in QUOTATION_MARKS]
        if len(marks) % 2 == 0:
            return None
        index, steps, verb_seen = marks[-1] - 1, 0, False
        while index >= sentence.start and steps < rules.max_lookback:
            word = doc[index].lower_
            if word in rules.speech_verbs:
                verb_seen = True
            elif verb_seen and word in self._third:
                return "third"
            elif verb_seen and word in self._first:
                return "first"
            index -= 1
            steps += 1
        return None

    def _small_childs_words(self, doc: Doc, candidate: Candidate, sentence: Span) -> str | None:
        """A threat quoted from a small child ("my four year old yells 'I'm gonna kill you!' when we play tag").

        Only threats (harm to others, or to the one the child speaks to), never a small child's
        words of self-harm or of abuse ("my 5yo said 'daddy hits me'"), which are taken seriously.
        Returns the word that makes the speaker a small child.
        """
        rules = self.data.subjects
        if candidate.trigger.category != HARM_OTHERS or not rules.small_children:
            return None
        marks = [token.i for token in doc[sentence.start : candidate.start] if token.text in QUOTATION_MARKS]
        if len(marks) % 2 == 0:
            return None
        verbs = [t.i for t in doc[sentence.start : marks[-1]] if t.lower_ in rules.speech_verbs]
        if not verbs:
            return None
        # The speaker is the nearest one named before the speech verb: in "my four year old watched
        # his dad yell '...'" it is the dad.
        for token in reversed(doc[sentence.start : verbs[-1]]):
            if token.lower_ in rules.small_children:
                return token.text
            after_the_age = [t.lower_ for t in doc[token.i + 1 : token.i + 4] if t.lower_ not in AGE_WORDS]
            if token.lower_ in rules.small_child_ages and after_the_age[:1] == ["old"]:
                return f"{token.text} year old"
            if token.lower_ in self._third:
                return None
        return None

    def _disclosures(self, sentence: Span, context: Context) -> list[tuple[int, int, str]]:
        """The disclosures that bear on a question in `sentence`: anywhere, or from it on for some."""
        after_only = self.data.informational.disclosure_after_the_question
        return [d for d in context.disclosures if d[2] not in after_only or d[0] >= sentence.start]

    @staticmethod
    def _writers_own_threat(trigger: Trigger) -> bool:
        """A threat against someone else, which the writer may take back or laugh off; not one against the writer."""
        return trigger.category == HARM_OTHERS and trigger.id not in THREAT_TO_WRITER_PATTERNS

    def _disclaimed(self, candidate: Candidate, context: Context) -> str | None:
        """The writer takes back their own threat against someone else just after it."""
        if not self._writers_own_threat(candidate.trigger):
            return None
        rules = self.data.negation
        for start, end, pattern_id in context.disclaimers:
            if not candidate.end <= start <= candidate.end + rules.disclaimer_window:
                continue
            if any(end <= cancel <= end + rules.cancel_window for cancel, _end, _id in context.cancels):
                return None  # "I don't mean it, but part of me wants to"
            return f"{DISCLAIMED} ({pattern_id})"
        return None

    def _screening_question_denied(
        self, doc: Doc, candidate: Candidate, sentence: Span, context: Context
    ) -> str | None:
        """A question someone asked the writer about their own harm, answered no ("asked if I'd had
        thoughts of harming myself. I said no"); not where the answer is undone ("I lied and said no")."""
        rules = self.data.negation
        if candidate.trigger.category == ABUSE or candidate.trigger.id in THREAT_TO_WRITER_PATTERNS:
            return None
        item = self._screening_item_answered_no(doc, candidate, sentence)
        if item:
            return f"a screening question answered no ({item})"
        before = doc[max(sentence.start, candidate.start - rules.screening_reach) : candidate.start]
        asked = [t.i for t in before if _is_one_of(t, rules.screening_askers)]
        if not asked or not any(t.lower_ in rules.screening_links for t in doc[asked[-1] : candidate.start]):
            return None
        for start, end, pattern_id in context.denials:
            if not candidate.end <= start <= candidate.end + rules.denial_reach:
                continue
            after = doc[candidate.end : min(len(doc), end + rules.denial_reach)]
            if self._denial_undone(doc, after):
                return None
            return f"a screening question answered no ({pattern_id})"
        return None

    def _denial_undone(self, doc: Doc, after: Span) -> bool:
        """A word that undoes a "no" ("I lied", "that wasn't true") before any word that confirms
        it ("and that's true", after which "because ..." tells why they came, not why they lied)."""
        rules = self.data.negation
        for token in after:
            if token.lower_ in rules.denial_undone_by or token.norm_ in rules.denial_undone_by:
                return not (token.i > 0 and doc[token.i - 1].lower_ in rules.denial_confirmed_after)
        return False

    def _screening_item_answered_no(self, doc: Doc, candidate: Candidate, sentence: Span) -> str | None:
        """ "I said no to the hurting others question", "ticked no on the self-harm box"."""
        rules = self.data.negation
        if not rules.screening_no:
            return None
        after = doc[candidate.end : min(sentence.end, candidate.end + 3)]
        item = next((t for t in after if t.lower_ in rules.screening_items), None)
        if item is None:
            return None
        before = doc[max(sentence.start, candidate.start - rules.screening_reach) : candidate.start]
        for token in before:
            if token.lower_ in rules.screening_no and token.i + 1 < len(doc):
                if doc[token.i + 1].lower_ in rules.screening_no_links:
                    return f"no to the {item.text}"
        return None

    def _accidental_dose(self, candidate: Candidate, sentence: Span, context: Context) -> str | None:
        """A question about an extra dose taken by mistake ("can you overdose on melatonin? took 2 instead of 1").

        Only a question: "I accidentally overdosed and my heart is racing" is an emergency, and
        the crisis reply's emergency number is the right answer to it.
        """
        rules = self.data.accidental_dose
        if candidate.trigger.id not in rules.triggers or not self._is_question(sentence):
            return None
        if any(_is_one_of(t, rules.never_with) for t in sentence):
            return None  # "took the whole bottle by accident", "how many would it take"
        for start, end, pattern_id in context.accidents:
            if start - rules.window <= candidate.start and candidate.end <= end + rules.window:
                return f"an extra dose by mistake ({pattern_id})"
        return None

    def _mild_discipline(self, doc: Doc, candidate: Candidate, context: Context) -> str | None:
        """A parent asking whether mild discipline counts ("I spanked him once on the bottom, over
        his jeans. Would you have to report that?").

        The whole message must ask something and tell of nothing worse anywhere: an injury, an
        implement, a loss of control or a habit ("hard enough to leave bruises", "with a belt",
        "I lost it", "every day") keeps it risk, as does a message that only tells.
        """
        rules = self.data.mild_discipline
        if candidate.trigger.id not in rules.triggers:
            return None
        act = doc[candidate.start : candidate.end]
        if rules.acts and not any(_is_one_of(t, rules.acts) for t in act):
            return None
        if any(_is_one_of(t, rules.never_with) for t in doc):
            return None
        if not any(self._is_question(sentence, strict=True) for sentence in doc.sents):
            return None
        for start, end, pattern_id in context.discipline:
            if start - rules.window <= candidate.start and candidate.end <= end + rules.window:
                return f"mild discipline, asked about ({pattern_id})"
        return None

    def _emotional_hurt(self, doc: Doc, candidate: Candidate, sentence: Span, context: Context) -> str | None:
        """Hurting someone's feelings ("I'm afraid of hurting him. How do I say no without crushing him?").

        Only the verb "hurt" itself, feared or avoided ("afraid of", "without"), with a sign of
        feelings in its sentence or either neighbour, and
        no word of violence or of unwanted thoughts in them ("I'm scared of hurting him, I get so
        angry", "I keep picturing hurting her"): those stay risk.
        """
        rules = self.data.emotional_hurt
        if candidate.trigger.id not in rules.triggers:
            return None
        verbs = [token.i for token in doc[candidate.start : candidate.end] if token.lemma_ == "hurt"]
        if not verbs:
            return None
        # Feared or avoided ("afraid of hurting him", "without hurting her"), never wanted.
        if not any(t.lower_ in rules.feared for t in doc[max(sentence.start, verbs[0] - FEARED_REACH) : verbs[0]]):
            return None
        before = doc[sentence.start - 1].sent if sentence.start > 0 else sentence
        after = doc[sentence.end].sent if sentence.end < len(doc) else sentence
        reach = (before.start, after.end)
        if any(_is_one_of(t, rules.never_with) for t in doc[reach[0] : reach[1]]):
            return None
        for start, end, pattern_id in context.feelings:
            if reach[0] <= start and end <= reach[1]:
                return f"hurting someone's feelings ({pattern_id})"
        return None

    def _exasperated(self, doc: Doc, candidate: Candidate, sentence: Span) -> bool:
        """A threat of the writer's own against someone else, right after "I could" ("I could strangle him")."""
        if not self._writers_own_threat(candidate.trigger):
            return False
        index = candidate.start - 1
        while index > sentence.start and doc[index].lower_ in EXASPERATION_FILLERS:
            index -= 1
        return (
            index > sentence.start
            and doc[index].lower_ in self.data.joke_demotes_after_i
            and doc[index - 1].lower_ == "i"
        )

    @staticmethod
    def share_demotions(candidates: list[Candidate]) -> None:
        """An abuse trigger inside the writer's own disclaimed or laughed-off threat goes with it.

        "im gonna push him down the stairs (i won't)" matches a threat (harm_others) and, on
        "push him", violence to a dependent (abuse): the writer took back both. So with "I could
        strangle my brother lol".
        """
        disclaimed = [c for c in candidates if c.reason.startswith((DISCLAIMED, EXASPERATED))]
        for candidate in candidates:
            if candidate.trigger.category != ABUSE or candidate.level != "current":
                continue
            threat = next((d for d in disclaimed if candidate.start < d.end and d.start < candidate.end), None)
            if threat is not None:
                candidate.level, candidate.reason = threat.level, threat.reason

    def _first_person_near(self, doc: Doc, start: int, sentence: Span, distance: int) -> bool:
        return any(t.lower_ in self._first for t in doc[max(sentence.start, start - distance) : start])

    def _informational(
        self, doc: Doc, candidate: Candidate, sentence: Span, context: Context, ignore_disclosure: bool = False
    ) -> str | None:
        rules = self.data.informational
        if not ignore_disclosure and self._disclosures(sentence, context):
            return None  # "... because I do want to die": a disclosure wins over the question
        reason = None
        frame_spans: list[tuple[int, int]] = []
        question_like = None
        for start, end, pattern_id in context.frames:
            if start < sentence.start or end > candidate.end or start >= candidate.start:
                continue
            reporting = doc[max(sentence.start, start - rules.reported_reach) : start]
            if any(t.lower_ in rules.reported_by for t in reporting):
                continue  # "my dad said if I tell anyone he'll kill me": his threat, not a question
            if question_like is None:
                question_like = self._is_question(sentence, strict=True)
            if not question_like:
                continue  # "if I tell anyone I want to die they'll lock me up" is a disclosure
            gap = doc[min(end, candidate.start) : candidate.start]
            if len(gap) > rules.max_gap or any(t.lower_ in rules.breakers for t in gap):
                continue
            reason = pattern_id
            frame_spans.append((start, end))
        if reason is None and candidate.trigger.topic and self._is_question(sentence):
            if not self._first_person_near(doc, candidate.start, sentence, 3):
                reason = "question about the topic"
        if reason is None:
            return None
        if candidate.trigger.category == ABUSE and not self._names_the_topic(doc, candidate):
            # "will you tell my mum if my stepdad hits me?" is a disclosure: abuse questions
            # only count as informational when nobody in them is the writer or theirs. The
            # word for the topic itself asks what counts ("is it abuse if my mom makes me do
            # all the chores?"); any harm told in the same sentence is a trigger of its own.
            for token in sentence:
                if token.lower_ in self._first and not any(s <= token.i < e for s, e in frame_spans):
                    return None
        return reason

    @staticmethod
    def _names_the_topic(doc: Doc, candidate: Candidate) -> bool:
        """Is the trigger the noun for the topic ("abuse", "neglect"), not a verb of harm ("abuses")?"""
        return candidate.trigger.topic and doc[candidate.end - 1].lower_ in TOPIC_NOUNS

    def _is_question(self, sentence: Span, strict: bool = False) -> bool:
        """Does the sentence read as a question (about the rules)?

        strict: "if ..." at the start is not enough ("if I tell anyone they'll lock me up").
        """
        rules = self.data.informational
        if _QUESTION_MARK in sentence.text:
            return True
        first = next((t for t in sentence if not t.is_space and not t.is_punct), None)
        if first is not None and first.lower_ in rules.question_starters and not (strict and first.lower_ == "if"):
            return True
        words = [t.lower_ for t in sentence]
        if any(w in rules.rule_words for w in words):
            return True
        pairs = zip(words, words[1:], strict=False)
        return any(a in rules.question_aux and b in rules.question_subjects for a, b in pairs)

    def _negated(self, doc: Doc, candidate: Candidate, sentence: Span, context: Context) -> str | None:
        rules = self.data.negation
        if doc[candidate.start].lower_ in rules.stopping:
            return None  # "I can't stop cutting", "I won't quit cutting": a negated stop goes on
        index = candidate.start - 1
        fillers = 0
        while index >= sentence.start:
            token = doc[index]
            if token.lower_ in rules.cues or token.norm_ in rules.cues:
                window = doc[max(sentence.start, index - 4) : index]
                if any(t.lower_ in rules.doubt_words for t in window):
                    return None  # "idk if i won't"
                for t in window:
                    if t.lower_ in rules.doubters:
                        before = doc[max(sentence.start, t.i - 2) : t.i]
                        if any(b.lower_ in rules.cues or b.norm_ in rules.cues for b in before):
                            return None  # "not sure I won't", "can't promise I won't"
                for start, _end, _pattern_id in context.cancels:
                    if candidate.end - 1 <= start <= candidate.end + rules.cancel_window:
                        return None  # "I'm not going to kill myself yet", "... but part of me wants to"
                if token.lower_ == "never" and self._degree_after(doc, candidate, sentence):
                    return None  # "I've never wanted to die this badly"
                return f"negation {token.text!r}"
            if token.lower_ in rules.fillers or token.norm_ in rules.fillers:
                fillers += 1
                if fillers > rules.max_fillers:
                    return None
                index -= 1
                continue
            return None
        return None

    def _degree_after(self, doc: Doc, candidate: Candidate, sentence: Span) -> bool:
        """A degree right after the trigger ("... to die this badly", "... so much", "... more"):
        "never" then says how much, not that it is not so."""
        rules = self.data.negation
        after = doc[candidate.end : min(sentence.end, candidate.end + rules.never_degree_reach)]
        for token in after:
            if token.lower_ not in rules.never_degrees:
                continue
            if token.lower_ == "more" or (token.i > 0 and doc[token.i - 1].lower_ in rules.never_degree_markers):
                return True
        return False

    def _past(self, doc: Doc, candidate: Candidate, sentence: Span, context: Context) -> str | None:
        rules = self.data.past
        for start, end, _pattern_id in context.recurrence:
            if candidate.start - rules.window <= start and end <= candidate.end + rules.window:
                return None  # "again", "relapsed", "the urges are back": not over
        low = max(sentence.start, candidate.start - rules.window)
        high = min(sentence.end, candidate.end + rules.window)
        past = [(s, e, p) for s, e, p in context.past if s >= low and e <= high]
        if not past:
            return None
        for start, end, _pattern_id in context.now:
            if sentence.start <= start and end <= sentence.end:
                if not any(ps <= start and end <= pe for ps, pe, _ in past):  # "safe now" is a past marker
                    return None
        region_start = max(sentence.start, candidate.start - rules.lookbehind)
        for start, end, pattern_id in past:
            if start <= candidate.end and end > region_start:
                # "used to cut", "history of self harm", "as a child I was abused", and a marker
                # right after the trigger: "abuse from my own childhood", "abused as a kid"
                return pattern_id
        region = doc[region_start : candidate.end]
        words = {t.lower_ for t in region} | {t.norm_ for t in region}
        if words & rules.present_forms:
            return None  # "I want to die since my dad died years ago"
        if words & rules.past_forms:
            return past[0][2]
        return None
