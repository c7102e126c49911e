"""The risk screen inside Rasa's NLU pipeline: the union of two independent layers.

Layer one is the rule-based spaCy screen (`confidant.risk.screen`), layer two is DIET's
`risk_*` intents. Either layer finding current risk is enough (except that DIET cannot
overrule the screen's own evidence that a risk phrase is negated, hypothetical, past, an idiom
or about someone else: DIET does not model those contexts): the message's intent becomes
the matching `risk_*` intent, whatever the FAQ or fallback components decided, so the rules
that give crisis resources always fire. The finding, its evidence and what each layer said
are added to the parse result for the escalation action and the review tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from confidant.nlu.language import detect_language
from confidant.nlu.message_focus import also_asked, diet_risk_share, nearest_risk_share
from confidant.risk.findings import RiskFinding, figure_outweighs_classifier, safety_outweighs_classifier
from confidant.risk.screen import RiskScreen
from confidant.risk.spanish import SPANISH_FILE, SpanishScreen
from confidant.risk.writer import WRITER_CUES_FILE, WriterChoice, WriterCues, choose_writer
from confidant.settings import PROJECT_ROOT
from confidant.vocabulary import (
    ABUSE,
    CATEGORY_FOR_INTENT,
    CONCERN_INTENT,
    FAQ_INTENT,
    HARM_OTHERS,
    INTRUSIVE_INTENT,
    OTHER_LANGUAGE_INTENT,
    REPLY_CATEGORY_PROPERTY,
    RISK_INTENTS,
    RISK_PROPERTY,
    SELF_HARM,
    SPANISH_RISK_INTENT,
    WHOLE_MESSAGE_METADATA,
    WRITER_FOR_INTENT,
)

# After a veto, DIET's next reading counts only from here on (Rasa's own fallback threshold).
OTHER_READING_MIN_CONFIDENCE = 0.35
# Unwanted thoughts of harm are told with a negation ("I don't want to die, but I keep picturing
# ..."): the screen's "negated" does not veto DIET's reading of them from this confidence on
# (docs/evaluation.md, "Unwanted thoughts told with a negation"; ordinary messages it read so
# scored 0.34 and 0.58, unwanted thoughts 0.81 to 1.0).
INTRUSIVE_DESPITE_NEGATION = 0.8
EXPLAINED_LEVELS = frozenset({"negated", "informational", "past", "idiom", "third_party"})
# DIET's risk guess under the bar escalates only where the nearest training examples see some
# risk too: "are u open on holidays like thanksgiving weekend" (DIET 0.39 self-harm, nearest
# examples 0.0) is a question. On the four read sets the weak guesses on ordinary messages had
# 0.03 and 0.11, the real ones 0.50 and over (docs/evaluation.md, "Who is writing, and a weak
# risk guess with no witness").
MIN_NEAREST_RISK_FOR_A_WEAK_GUESS = 0.2


def classifier_top_intent(ranking: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """DIET's own best guess, looking past any `nlu_fallback` put in front of it."""
    for candidate in ranking:
        if candidate.get("name") != DEFAULT_NLU_FALLBACK_INTENT_NAME:
            return candidate
    return None


def best_other_intent(
    ranking: List[Dict[str, Any]], min_confidence: float = OTHER_READING_MIN_CONFIDENCE
) -> Dict[str, Any]:
    """DIET's best reading that is neither a risk intent nor the fallback, if it is a real one.

    Used when the screen explains a risk guess away: what remains is often a near-zero
    confidence for some unrelated intent (a request to book, a greeting), which must not start
    anything. A question keeps `faq` (the selector chose its answer); anything else too weak
    becomes Rasa's clarifying question.
    """
    for candidate in ranking:
        name = candidate.get("name")
        if name in RISK_INTENTS | {DEFAULT_NLU_FALLBACK_INTENT_NAME}:
            continue
        if name == FAQ_INTENT or float(candidate.get("confidence") or 0.0) >= min_confidence:
            return dict(candidate)
        break
    return {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 0.0}


def decide(
    finding: RiskFinding,
    classifier_top: Optional[Dict[str, Any]],
    min_confidence: float,
    writer: Optional[WriterContext] = None,
    another_reading_leans: bool = True,
) -> Dict[str, Any]:
    """Union of the two layers: which risk intent (if any) this message must get, and why.

    The category comes from the layers; the intent within it (so the reply) from who is
    writing (`confidant.risk.writer`), when `writer` gives the message's context. A finding
    said of nobody ("a documentary about abuse") counts only where `another_reading_leans`
    (DIET's or the nearest examples' reading of the message leans to risk).
    """
    classifier_intent = (classifier_top or {}).get("name")
    classifier_confidence = float((classifier_top or {}).get("confidence") or 0.0)
    # The screen's context rules veto the classifier only where the screen matched a risk
    # expression and found, with evidence, that it is negated, informational, past, an idiom
    # or about someone else. Where the screen matched nothing, the classifier alone decides.
    screen_explained_it = finding.level in EXPLAINED_LEVELS and bool(finding.evidence)
    unwanted_thoughts = (
        finding.level == "negated"
        and classifier_intent == INTRUSIVE_INTENT
        and classifier_confidence >= max(min_confidence, INTRUSIVE_DESPITE_NEGATION)
    )
    screen_explained_it = screen_explained_it and not unwanted_thoughts
    # Where the screen matched nothing, the writer's own words that they are safe ("nobody got
    # hurt", "I'm not in danger") or a plain figure of speech ("dying to see it") outweigh DIET
    # alone unless DIET is near-certain.
    writer_says_safe = finding.level == "none" and (
        safety_outweighs_classifier(finding.safety_statement, classifier_confidence)
        or figure_outweighs_classifier(finding.figure_of_speech, classifier_confidence)
    )
    classifier_category = (
        CATEGORY_FOR_INTENT.get(classifier_intent or "")
        if classifier_confidence >= min_confidence and not screen_explained_it and not writer_says_safe
        else None
    )

    decision: Dict[str, Any] = {
        "intent": None,
        "vetoed": (screen_explained_it or writer_says_safe) and classifier_intent in CATEGORY_FOR_INTENT,
        "category": None,
        "level": finding.level,
        "layers": [],
        "screen": finding.as_dict(),
        "classifier": {"intent": classifier_intent, "confidence": classifier_confidence},
    }
    # Someone else at risk is escalated too: someone else threatening to hurt people is a
    # serious and imminent threat (limit-harm), and a friend's suicide plan needs a person.
    unwitnessed = finding.said_of_nobody and not another_reading_leans
    if unwitnessed:
        decision["said_of_nobody_unwitnessed"] = True
    if (finding.is_current or finding.level == "third_party") and finding.category and not unwitnessed:
        decision["category"] = finding.category
        decision["layers"].append("screen")
    elif writer is not None and writer.past_abuse_with_current_access(finding):
        # "he abused me as a kid and now he babysits my niece": a child may be at risk now.
        decision["category"] = finding.category
        decision["layers"].append("screen")
    if classifier_category:
        decision["layers"].append("classifier")
        decision["category"] = decision["category"] or classifier_category
    if not decision["category"]:
        return decision
    context = writer or WriterContext("", [], WriterCues.none())
    if context.past_abuse_with_current_access(finding):
        choice = WriterChoice("concern_abuse", "a past abuser has access to a child now")
    elif "screen" not in decision["layers"] and (finding.level == "none" or unwanted_thoughts):
        # DIET alone: its own intent names the writer unless a reviewed cue says otherwise.
        choice = context.choose(decision["category"], "none", [])
        if choice.default and classifier_intent:  # always named here: the classifier set the category
            choice = WriterChoice(classifier_intent, "classifier")
    else:
        level = "third_party" if finding.level == "third_party" else "current"
        choice = context.choose(decision["category"], level, finding.as_dict()["evidence"])
    decision["level"] = "current"
    if decision["category"] == SELF_HARM and CATEGORY_FOR_INTENT[choice.intent] != SELF_HARM:
        # DIET's self-harm guess, where the writer says they hurt someone else.
        decision["category"] = CATEGORY_FOR_INTENT[choice.intent]
    elif decision["category"] == HARM_OTHERS and CATEGORY_FOR_INTENT[choice.intent] == SELF_HARM:
        # DIET's harm-to-others guess, where the writer says the means are for themselves.
        decision["category"] = SELF_HARM
    elif decision["category"] == ABUSE and choice.intent == CONCERN_INTENT:
        # DIET alone read a worry about abuse, where the words tell of self-harm only.
        decision["category"] = SELF_HARM
    decision["intent"] = choice.intent
    decision["writer"] = WRITER_FOR_INTENT[choice.intent]
    decision["writer_reason"] = choice.reason
    return decision


def below_threshold(
    finding: RiskFinding,
    classifier_top: Optional[Dict[str, Any]],
    writer: "WriterContext",
    another_reading_leans: bool = True,
) -> Optional[Dict[str, Any]]:
    """DIET's risk guess under the component's bar that stays the message's intent.

    Over Rasa's fallback threshold it stays on top and the rules escalate it (erring towards
    safety), so its reply must still fit who is writing. No layer decided: `layers` stays empty.
    """
    decision = decide(finding, classifier_top, OTHER_READING_MIN_CONFIDENCE, writer, another_reading_leans)
    if not decision["intent"]:
        return None
    return {**decision, "layers": [], "below_threshold": True}


def weak_guess_witnessed(parse: Dict[str, Any]) -> bool:
    """Do the nearest training examples give risk some share, beside DIET's guess under the bar?

    Without the nearest examples (a pipeline without them) the guess stands: err towards escalation.
    """
    share = nearest_risk_share(parse)
    return share is None or share >= MIN_NEAREST_RISK_FOR_A_WEAK_GUESS


def said_of_nobody_witnessed(parse: Dict[str, Any]) -> bool:
    """Does another reading of the message lean to risk enough to escalate on a subject said of nobody?

    "a documentary about abuse in nursing homes" names a subject: like DIET's guess under its bar,
    it is a weak sign, and needs the nearest training examples, or DIET's risk intents together,
    at MIN_NEAREST_RISK_FOR_A_WEAK_GUESS. Without the nearest examples it stands: err towards escalation.
    """
    share = nearest_risk_share(parse)
    return share is None or max(share, diet_risk_share(parse)) >= MIN_NEAREST_RISK_FOR_A_WEAK_GUESS


def weak_guess_answers_the_form(parse: Dict[str, Any], active_form: Optional[str]) -> Dict[str, Any]:
    """Inside a form, a risk guess under the bar is taken for an answer to the form's question.

    The form has just asked something ("is it safe to call or text you?"), so "text only, my mom
    checks my calls" is an answer; DIET's weak guess at a child's risk in it must not send the
    crisis reply again. The screen and a sure DIET still interrupt any form; outside a form the
    weak guess still escalates (`below_threshold`).
    """
    decision = parse.get(RISK_PROPERTY) or {}
    if not active_form or not decision.get("below_threshold") or not decision.get("intent"):
        return parse
    ranking = [item for item in parse.get(INTENT_RANKING_KEY) or [] if item.get("name") != decision["intent"]]
    demoted = dict(parse)
    demoted[INTENT] = best_other_intent(ranking)
    demoted[RISK_PROPERTY] = {**decision, "intent": None, "form_answer": active_form}
    return demoted


@dataclass
class WriterContext:
    """What choosing the writer needs from one message: its text, DIET's ranking, the cues.

    For a part of a long message read on its own, `text` is the whole message and `offset` where
    the part starts in it: the cues read everything the writer said ("I'm her dad" three
    sentences before "I've been sitting outside his place with a tire iron").
    """

    text: str
    ranking: List[Dict[str, Any]]
    cues: WriterCues
    offset: int = 0

    @classmethod
    def for_message(cls, text: str, metadata: Any, ranking: List[Dict[str, Any]], cues: WriterCues) -> "WriterContext":
        """The message's own text, or the whole message a part came from (`WHOLE_MESSAGE_METADATA`)."""
        whole = metadata.get(WHOLE_MESSAGE_METADATA) if isinstance(metadata, dict) else None
        offset = whole.find(text) if isinstance(whole, str) else -1
        return cls(whole, ranking, cues, offset) if isinstance(whole, str) and offset >= 0 else cls(text, ranking, cues)

    def choose(self, category: str, level: str, evidence: List[Dict[str, Any]]) -> WriterChoice:
        moved = [
            {**item, "start": item["start"] + self.offset, "end": item["end"] + self.offset}
            if self.offset and isinstance(item.get("start"), int) and isinstance(item.get("end"), int)
            else item
            for item in evidence
        ]
        return choose_writer(category, level, self.text, moved, self.ranking, self.cues)

    def past_abuse_with_current_access(self, finding: RiskFinding) -> bool:
        return (
            finding.category == ABUSE
            and finding.level == "past"
            and self.cues.found("access_to_children", self.text.lower()) is not None
        )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RiskScreenComponent(GraphComponent):
    """Runs last in the pipeline so that nothing after it can hide a risk message."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """DIET's intent ranking is its second layer; the selector's answer is `also_asked`."""
        return [DIETClassifier, ResponseSelector]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # Reviewed pattern files; relative paths are taken from the project root.
            "patterns_dir": "data/risk",
            # DIET's risk intents count from this confidence on (err towards escalation).
            "classifier_min_confidence": 0.5,
        }

    def __init__(
        self, config: Dict[str, Any], screen: RiskScreen, writer_cues: WriterCues, spanish: SpanishScreen
    ) -> None:
        self.screen = screen
        self.writer_cues = writer_cues
        self.spanish = spanish
        self.classifier_min_confidence = float(config["classifier_min_confidence"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RiskScreenComponent":
        return cls.from_directory(config, Path(config["patterns_dir"]))

    @classmethod
    def from_directory(cls, config: Dict[str, Any], patterns_dir: Path) -> "RiskScreenComponent":
        """Build from the reviewed data files (relative paths from the project root)."""
        if not patterns_dir.is_absolute():
            patterns_dir = PROJECT_ROOT / patterns_dir
        return cls(
            config,
            RiskScreen.shared(patterns_dir),
            WriterCues.from_file(patterns_dir / WRITER_CUES_FILE),
            SpanishScreen.from_file(patterns_dir / SPANISH_FILE),
        )

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            if detect_language(text) != "en":
                self._other_language(message, text, ranking)
                continue
            finding = self.screen.screen(text)
            classifier_top = classifier_top_intent(ranking)
            writer = WriterContext.for_message(text, message.get(METADATA), list(ranking), self.writer_cues)
            leans = said_of_nobody_witnessed(message.data)
            decision = decide(finding, classifier_top, self.classifier_min_confidence, writer, leans)
            stays_risk = (message.get(INTENT) or {}).get("name") in CATEGORY_FOR_INTENT
            if not decision["intent"] and not decision["vetoed"] and stays_risk:
                weak = below_threshold(finding, classifier_top, writer, leans)
                if weak and not weak_guess_witnessed(message.data):
                    # Nothing but a weak guess that the nearest examples do not share: answer
                    # with DIET's best other reading, as after a veto.
                    message.set(INTENT, best_other_intent(ranking), add_to_output=True)
                    decision = {**decision, "unwitnessed_guess": weak["intent"]}
                else:
                    decision = weak or decision
            if decision["intent"]:
                decision["also_asked"] = also_asked(message.data)
                override = {"name": decision["intent"], "confidence": 1.0}
                message.set(INTENT, override, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [override] + list(ranking), add_to_output=True)
            elif decision["vetoed"] and (message.get(INTENT) or {}).get("name") in RISK_INTENTS:
                # DIET's own top intent was a risk intent the screen explained away: answer
                # with DIET's best other reading instead of a crisis response.
                message.set(INTENT, best_other_intent(ranking), add_to_output=True)
            message.set(RISK_PROPERTY, decision, add_to_output=True)
        return messages

    def _other_language(self, message: Message, text: str, ranking: List[Dict[str, Any]]) -> None:
        """A message the English NLU cannot read: the Spanish risk phrases, or a note in Spanish
        (which the message focus step replaces with the answer where a Spanish question names its topic).

        The classifier's guesses on it are ignored: they are guesses at words it never learned.
        """
        category = self.spanish.category(text)
        intent = SPANISH_RISK_INTENT if category else OTHER_LANGUAGE_INTENT
        decision = {
            "intent": intent if category else None,
            "vetoed": False,
            "category": category,
            "level": "current" if category else "none",
            "layers": ["spanish"] if category else [],
            "language": "es" if category or detect_language(text) == "es" else "other",
            "writer": WRITER_FOR_INTENT[SPANISH_RISK_INTENT] if category else None,
        }
        if category:
            # The variation of the Spanish reply (domain.yml, `risk_category`): the category's own,
            # except the calm one for unwanted thoughts of harm.
            decision[REPLY_CATEGORY_PROPERTY] = self.spanish.reply_category(text, category)
        override = {"name": intent, "confidence": 1.0}
        message.set(INTENT, override, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [override] + list(ranking), add_to_output=True)
        message.set(RISK_PROPERTY, decision, add_to_output=True)
