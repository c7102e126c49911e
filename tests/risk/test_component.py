"""The union of the two layers, as the Rasa component applies it to a parsed message."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from confidant.risk.component import RiskScreenComponent, decide
from confidant.risk.findings import NO_RISK, Evidence, RiskFinding
from confidant.risk.writer import WriterCues
from tests.risk.conftest import DATA_DIR

CURRENT = RiskFinding("self_harm", "current", (Evidence("kms", 8, 11, "self_harm.slang"),))
NEGATED = RiskFinding("self_harm", "negated", (Evidence("suicidal", 8, 16, "self_harm.suicidal"),))
FRIEND = RiskFinding("self_harm", "third_party", ())
THREAT_BY_OTHER = RiskFinding(
    "harm_others", "third_party", (Evidence("kill my mom", 30, 41, "harm_others.kill_person"),)
)
# The screen matched no risk expression, but the writer says they are safe.
SAYS_SAFE = RiskFinding(None, "none", (), safety_statement="nobody got hurt")
# The screen matched no risk expression, and found a plain figure of speech.
FIGURE_OF_SPEECH = RiskFinding(None, "none", (), figure_of_speech="dying to")
CURRENT_SAYS_SAFE = RiskFinding(
    "self_harm", "current", (Evidence("kms", 8, 11, "self_harm.slang"),), safety_statement="I'm safe"
)


def top(name: str, confidence: float) -> dict:
    return {"name": name, "confidence": confidence}


@pytest.mark.parametrize(
    "finding, classifier, intent, layers",
    [
        (CURRENT, top("faq", 0.9), "risk_self_harm", ["screen"]),
        (NO_RISK, top("risk_abuse_disclosure", 0.6), "risk_abuse_disclosure", ["classifier"]),
        (CURRENT, top("risk_self_harm", 0.9), "risk_self_harm", ["screen", "classifier"]),
        (NEGATED, top("deny", 0.9), None, []),
        # The classifier cannot overrule the screen's evidence of negation...
        (NEGATED, top("risk_self_harm", 0.95), None, []),
        (NO_RISK, top("risk_harm_others", 0.2), None, []),  # below the classifier's floor
        # Someone else at risk now is escalated too, with the reply for a worried friend.
        (FRIEND, top("faq", 0.5), "concern_for_someone", ["screen"]),
        (NO_RISK, top("concern_for_someone", 0.8), "concern_for_someone", ["classifier"]),
        # The classifier alone names the writer through its own intent.
        (NO_RISK, top("risk_child_abuse", 0.7), "risk_child_abuse", ["classifier"]),
        # Someone else threatening harm is escalated too, with the reply for one who speaks up
        # for others: never "put space between you and anything you could hurt them with".
        (THREAT_BY_OTHER, top("faq", 0.5), "concern_abuse", ["screen"]),
        # The writer's own words that they are safe outweigh DIET alone unless DIET is near-certain...
        (SAYS_SAFE, top("risk_harm_others", 0.7), None, []),
        (SAYS_SAFE, top("risk_self_harm", 0.95), "risk_self_harm", ["classifier"]),
        # So does a plain figure of speech ("dying to see it"), up to a higher bar...
        (FIGURE_OF_SPEECH, top("risk_self_harm", 0.78), None, []),
        (FIGURE_OF_SPEECH, top("risk_self_harm", 0.95), None, []),
        (FIGURE_OF_SPEECH, top("risk_self_harm", 0.98), "risk_self_harm", ["classifier"]),
        # ...and never the screen's evidence of current risk.
        (CURRENT_SAYS_SAFE, top("risk_self_harm", 0.7), "risk_self_harm", ["screen", "classifier"]),
        # Unwanted thoughts are told with a negation ("I don't want to die, but I keep picturing
        # it"): a sure DIET reading of them stands, with their own calm reply...
        (NEGATED, top("intrusive_thoughts", 0.85), "intrusive_thoughts", ["classifier"]),
        # ...an unsure one does not.
        (NEGATED, top("intrusive_thoughts", 0.6), None, []),
    ],
)
def test_union_of_the_layers(finding, classifier, intent, layers) -> None:
    decision = decide(finding, classifier, 0.3)
    assert decision["intent"] == intent
    assert decision["layers"] == layers


@pytest.fixture(scope="module")
def component() -> RiskScreenComponent:
    from pathlib import Path

    return RiskScreenComponent.from_directory({"classifier_min_confidence": 0.3}, Path("data/risk"))


def parsed(text: str, intent: str, confidence: float) -> Message:
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": intent, "confidence": confidence}]
    return Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})


@pytest.mark.parametrize(
    ("text", "escalated"),
    [
        ("i'd rather die than go back to that job on monday. i have a plan", True),
        ("i'd rather die than go back to that job on monday lol", False),
    ],
)
def test_a_figure_of_dying_outweighs_diet_only_where_no_plan_is_told(component, text, escalated) -> None:
    [message] = component.process([parsed(text, "risk_self_harm", 0.9)])
    assert (message.get("intent")["name"] == "risk_self_harm") is escalated


def test_risk_overrides_whatever_came_before(component) -> None:
    [message] = component.process([parsed("will you tell my parents? honestly i just want to kms", "faq", 0.9)])
    assert message.get("intent") == {"name": "risk_self_harm", "confidence": 1.0}
    assert message.get("risk")["screen"]["evidence"][0]["text"] == "kms"
    assert "risk" in message.as_dict(only_output_properties=True)


def test_the_classifier_is_read_past_a_fallback(component) -> None:
    [message] = component.process([parsed("something vague", "risk_harm_others", 0.4)])
    assert message.get("intent")["name"] == "risk_harm_others"


def test_ordinary_questions_are_left_alone(component) -> None:
    [message] = component.process([parsed("this exam is killing me, is therapy private?", "faq", 0.9)])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("risk")["intent"] is None


def test_unwanted_thoughts_told_with_a_negation_get_their_calm_reply(component) -> None:
    text = "i would never kill myself, these thoughts just show up and freak me out"
    [message] = component.process([parsed(text, "intrusive_thoughts", 0.95)])
    assert message.get("intent")["name"] == "intrusive_thoughts"
    assert message.get("risk")["level"] == "current" and message.get("risk")["writer"] == "intrusive_thoughts"
    # The same words read by DIET as the writer's own risk stay negated: no crisis reply.
    [message] = component.process([parsed("i dont want to die, im just exhausted", "risk_self_harm", 0.95)])
    assert message.get("risk")["intent"] is None


def test_a_risk_guess_the_screen_explained_away_is_demoted(component) -> None:
    ranking = [{"name": "risk_self_harm", "confidence": 0.55}, {"name": "share_feelings", "confidence": 0.45}]
    message = Message(data={"text": "I'm not suicidal, just stressed", "intent": ranking[0], "intent_ranking": ranking})
    [processed] = component.process([message])
    assert processed.get("intent")["name"] == "share_feelings"
    assert processed.get("risk")["vetoed"] is True


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ({"name": "request_appointment", "confidence": 0.0001}, "nlu_fallback"),
        ({"name": "greet", "confidence": 0.02}, "nlu_fallback"),
        ({"name": "faq", "confidence": 0.01}, "faq"),
        ({"name": "share_feelings", "confidence": 0.4}, "share_feelings"),
    ],
)
def test_after_a_veto_a_near_zero_reading_starts_nothing(component, second, expected) -> None:
    """A risk guess explained away must not leave a 0.0001 'book an appointment' to act on."""
    ranking = [{"name": "risk_self_harm", "confidence": 0.99}, second]
    message = Message(data={"text": "I'm not suicidal, just stressed", "intent": ranking[0], "intent_ranking": ranking})
    [processed] = component.process([message])
    assert processed.get("intent")["name"] == expected


@pytest.mark.parametrize(
    "text, intent, writer",
    [
        ("my stepdad comes in my room at night and touches me, im 13", "risk_child_abuse", "child_victim"),
        ("my husband hit me again last night and took my phone", "risk_partner_violence", "adult_victim_ipv"),
        # a partner named only as "he": the children's father, years together, the phone smashed
        ("he said hell kill me if i take the kids", "risk_partner_violence", "adult_victim_ipv"),
        (
            "weve been together 6 years and last night he smashed my phone and shoved me into the wall",
            "risk_partner_violence",
            "adult_victim_ipv",
        ),
        ("my dad took my phone and hit me again", "risk_child_abuse", "child_victim"),
        ("i slapped my son and it left a mark, i feel sick about it", "risk_harm_others", "harming_others"),
        ("me and my gf both smack my 7 yr old around when he mouths off", "risk_harm_others", "harming_others"),
        ("horrible thoughts of hurting my baby keep coming, i would never", "intrusive_thoughts", "intrusive_thoughts"),
        ("my friend texted me she is going to kill herself tonight", "concern_for_someone", "concern_self_harm"),
        ("my neighbours kid has bruises all over his arms again", "concern_abuse", "concern_abuse"),
        ("i was raped at a party last weekend", "risk_sexual_assault", "adult_victim_sexual_assault"),
        (
            "my housemate's friend crashed on our couch and came into my room. he did things to me i didnt want",
            "risk_sexual_assault",
            "adult_victim_sexual_assault",
        ),
        ("my uncle abused me as a kid and now he babysits my niece", "concern_abuse", "concern_abuse"),
        # a past abuser near children now, in other words
        ("the guy who abused me when i was little coaches little league these days", "concern_abuse", "concern_abuse"),
        ("the man who molested me as a kid just married a mom with two little girls", "concern_abuse", "concern_abuse"),
        ("my mother beat me growing up and now she has custody of my half-brother", "concern_abuse", "concern_abuse"),
        ("i want to kill myself", "risk_self_harm", "self_at_risk"),
        (
            "my sisters husband makes my 12 yr old niece sit on his lap and touches her",
            "concern_abuse",
            "concern_abuse",
        ),  # noqa: E501
        ("im a 14 yo girl and my stepdad touches me at night", "risk_child_abuse", "child_victim"),
        ("moms bf hits me when shes at work", "risk_child_abuse", "child_victim"),
        # Someone wishing the writer dead is not the writer's own wish; the water is violence to them.
        ("mom said she wishes i was dead and held me under the bath water. i am 8", "risk_child_abuse", "child_victim"),
        (
            "dont want to go home. dads drunk again and last time he threw a chair at me",
            "risk_child_abuse",
            "child_victim",
        ),
        # A parent in the story is a child's cue only where no partner is in it.
        (
            "my girlfriend slaps me when she is angry and my dad says i deserve it",
            "risk_partner_violence",
            "adult_victim_ipv",
        ),
        # The victim's own words of a sexual assault outweigh pushing the attacker off.
        (
            "a man at the bar put his hand up my skirt and i shoved him away, i am still shaking",
            "risk_sexual_assault",
            "adult_victim_sexual_assault",
        ),
        ("my wife forces sex on me when i say no", "risk_sexual_assault", "adult_victim_sexual_assault"),
        # ... also where the writer's anger at the attacker makes it a threat against him
        (
            "a guy at work put his hand down my shirt and im going to hurt him if he tries it again",
            "risk_sexual_assault",
            "adult_victim_sexual_assault",
        ),
        # Marks beside someone hurting the writer are the abuse's, not self-harm.
        ("my dad burns me with his cigarette, i have marks on my arm. im 12", "risk_child_abuse", "child_victim"),
        # A child's age said of someone else, by a grown-up whose work is with children.
        (
            "im a teacher and today a 7 year old told me her moms boyfriend touches her at bath time",
            "concern_abuse",
            "concern_abuse",
        ),
        # A grown-up who works with children quotes one of them: the child's "me" is not the writer.
        (
            "Nursery teacher. One of my little ones said 'mummy's friend smacks me with a spoon' and showed me a welt",
            "concern_abuse",
            "concern_abuse",
        ),
        (
            "i help run our church youth group and a boy told us his dad locks him in the garage overnight",
            "concern_abuse",
            "concern_abuse",
        ),
        # Burns on a small child someone else sees are someone hurting the child, not self-harm.
        (
            "I drive a school bus and one little girl keeps getting on with small round burns on her arms",
            "concern_abuse",
            "concern_abuse",
        ),
        # ...but their own harm, told in their own words, is theirs.
        ("im a teacher and my husband hits me when he drinks", "risk_partner_violence", "adult_victim_ipv"),
        (
            "I coach my little brother's team and my dad beats me when we get home",
            "risk_child_abuse",
            "child_victim",
        ),
        # Someone else hurting the writer's own children.
        ("my ex's new husband hits my kids when im not home, my daughter told me", "concern_abuse", "concern_abuse"),
        # Pictures held over a teenager.
        (
            "im 15. a guy made me send him pics and now he says he will post them online unless i send more",
            "risk_child_abuse",
            "child_victim",
        ),
        (
            "my husband keeps having sex with me when i tell him no",
            "risk_sexual_assault",
            "adult_victim_sexual_assault",
        ),
        # The one who abused the writer now has a foster child.
        (
            "im 31. my stepdad abused me when i was little and now they have a 6 year old girl placed with them",
            "concern_abuse",
            "concern_abuse",
        ),
    ],
)
def test_the_reply_fits_who_is_writing(component, text, intent, writer) -> None:
    [message] = component.process([parsed(text, "faq", 0.9)])
    assert message.get("intent")["name"] == intent
    assert message.get("risk")["writer"] == writer
    assert message.get("risk")["writer_reason"]


def processed_with_answer(component, text: str, diet_intent: str, answer: str, answer_confidence: float) -> Message:
    """A message DIET read as `diet_intent`, the selector's answer beside it, through the component."""
    message = parsed(text, diet_intent, 0.9)
    selected = {"intent_response_key": answer, "confidence": answer_confidence}
    message.set("response_selector", {"faq": {"response": selected}})
    [processed] = component.process([message])
    assert processed.get("intent")["name"] == "risk_self_harm"
    return processed


def test_a_risk_message_that_asks_a_question_keeps_the_answer_it_asked_for(component) -> None:
    text = "im 14 and i cut myself, will you tell my parents?"
    processed = processed_with_answer(component, text, "faq", "faq/tell_parents", 0.8)
    assert processed.get("risk")["also_asked"] == "faq/tell_parents"


@pytest.mark.parametrize(
    ("diet_intent", "answer_confidence", "answered"),
    [("faq", 0.55, True), ("risk_self_harm", 0.55, False), ("risk_self_harm", 0.75, True), ("faq", 0.45, False)],
)
def test_a_question_about_the_rules_that_became_a_risk_message_keeps_a_fairly_sure_answer(
    component, diet_intent: str, answer_confidence: float, answered: bool
) -> None:
    """Where DIET reads the message partly as a question, its answer needs less certainty to come too."""
    text = "i have been cutting again. if i tell my therapist will she tell my mom?"
    processed = processed_with_answer(component, text, diet_intent, "faq/tell_parents", answer_confidence)
    assert processed.get("risk")["also_asked"] == ("faq/tell_parents" if answered else None)


def test_what_happens_after_death_is_never_guessed_at_beside_a_crisis_reply(component) -> None:
    text = "i want to die. are my records private?"
    processed = processed_with_answer(component, text, "faq", "faq/beyond_after_death", 0.6)
    assert processed.get("risk")["also_asked"] is None


@pytest.mark.parametrize(
    "text, intent",
    [
        ("ya no quiero vivir, no le encuentro sentido a nada", "risk_spanish"),
        ("mi papá me pega cuando llega borracho", "risk_spanish"),
        ("¿mis papás pueden ver lo que le digo a la terapeuta?", "other_language"),
        ("no quiero morir, solo estoy cansada de todo", "other_language"),
        # A question about the rules that names the topic, and the topic told as one's own.
        (
            "¿en qué casos tiene que romper la confidencialidad? por ejemplo si alguien menciona el suicidio",
            "other_language",
        ),
        ("pienso en el suicidio todos los días y ya no aguanto", "risk_spanish"),
        ("¿tienen que avisar a mis papás? me quiero suicidar", "risk_spanish"),
        # A resolved past, told as over; and the same past that has come back, or last night's.
        ("Hace varios años intenté suicidarme. Ya estoy bien. ¿Eso queda en mi expediente?", "other_language"),
        ("hace años quise quitarme la vida y últimamente lo pienso otra vez", "risk_spanish"),
        ("anoche intenté quitarme la vida", "risk_spanish"),
        ("hace dos días me corté y nadie lo sabe, tengo miedo de que mis papás se enteren", "risk_spanish"),
        # Wishes not to wake, the writer as a burden, means, someone else at risk, harm and abuse.
        ("quiero dormir y no despertar nunca", "risk_spanish"),
        ("a veces siento que soy una carga para mi familia", "risk_spanish"),
        ("me voy a tirar del puente esta noche", "risk_spanish"),
        ("mi hija de 15 se quiere matar, encontré una carta de despedida en su cuarto", "risk_spanish"),
        ("a veces me dan ganas de hacerle daño a mi bebé y me asusta", "risk_spanish"),
        ("mi padrastro me tocaba cuando mi mamá trabajaba", "risk_spanish"),
        ("tengo miedo de mi marido, me ahorcó la semana pasada", "risk_spanish"),
        ("mi tío le quita el dinero a mi abuela y no la deja salir", "risk_spanish"),
        ("me quiero matar, ya no puedo con esto", "risk_spanish"),
        ("estoy juntando pastillas desde hace una semana", "risk_spanish"),
        ("me hago cortes en las piernas para que no se vean", "risk_spanish"),
        ("nadie se daría cuenta si me muero", "risk_spanish"),
        ("le voy a romper la cara a mi cuñado cuando lo vea", "risk_spanish"),
        ("mi papá me pegó anoche con el cinturón", "risk_spanish"),
        ("mi esposo me quiere matar, me lo dijo ayer", "risk_spanish"),
        ("abusaron de mí y no se lo he dicho a nadie", "risk_spanish"),
        ("en mi casa no me dan de comer si saco malas notas", "risk_spanish"),
        ("ya tengo las pastillas guardadas en el cajón", "risk_spanish"),
        ("mi vida ya no tiene sentido desde que me dejó", "risk_spanish"),
        ("el novio de mi mamá me toca en la noche y dice que es nuestro secreto", "risk_spanish"),
        # Someone else's bruises, and a carer stealing from the one in their care.
        ("el domingo le vi moretones en el cuello a mi hermana y no me quiso decir quién fue", "risk_spanish"),
        ("creo que el enfermero del asilo le está robando a mi abuela, le faltan sus anillos", "risk_spanish"),
        # Wishing to be dead, a plan, poison, blows only a person gives, an older relative not fed.
        ("quisiera estar muerta, nadie entiende nada", "risk_spanish"),
        ("me voy a quitar la vida cuando todos se duerman", "risk_spanish"),
        ("tengo el veneno para ratas en la mochila y me lo voy a tomar", "risk_spanish"),
        ("ya no aguanto vivir así, todo me sale mal", "risk_spanish"),
        ("le voy a dar un balazo a ese desgraciado", "risk_spanish"),
        ("mi novio me dio una bofetada delante de sus amigos", "risk_spanish"),
        ("mi pareja me tiene encerrada y me quitó el teléfono", "risk_spanish"),
        ("en la residencia no le dan de comer a mi abuela si no pagamos extra", "risk_spanish"),
        # A question about the rules for a hypothetical someone, or "if I said" in the subjunctive;
        # "si le digo" (the present) is how someone frightened tells it.
        ("si alguien le cuenta al terapeuta que quiere matarse, ¿llaman a su familia?", "other_language"),
        ("si yo le dijera que a veces quiero morirme, ¿me mandarían al hospital?", "other_language"),
        ("si le digo que me quiero matar, ¿me van a encerrar?", "risk_spanish"),
        ("mi hijo dice que quiere morirse, ¿qué hago?", "risk_spanish"),
        # Everyday Spanish that shares words with them.
        ("mejor me muero de risa con tus mensajes jaja", "other_language"),
        ("me dio una patada el caballo de mi tío, ¿atienden mañana?", "other_language"),
        ("ya no aguanto el calor de esta ciudad", "other_language"),
        ("me pegó la gripe y no fui a la escuela, ¿puedo cambiar la cita?", "other_language"),
        ("mi mamá me va a matar si llego tarde a la cita jaja", "other_language"),
        ("quiero dejar de fumar, ¿ustedes ayudan con eso?", "other_language"),
        ("me corto el pelo mañana y estoy nerviosa jaja", "other_language"),
        ("me tiré a la cama después del trabajo, ¿a qué hora abren mañana?", "other_language"),
        ("me toca a mí llevar a los niños a la escuela esta semana", "other_language"),
        ("me lastimé la rodilla jugando fútbol, ¿atienden los sábados?", "other_language"),
        ("mi vida tiene sentido otra vez gracias a la terapia", "other_language"),
        ("le toca a mi hermano guardar nuestro secreto de la fiesta sorpresa", "other_language"),
        ("le vi moretones en la rodilla a mi hijo, se cayó de la bici", "other_language"),
        ("alguien le está robando el wifi a mi vecino jaja", "other_language"),
    ],
)
def test_spanish_is_screened_in_spanish_and_never_guessed_at(component, text, intent) -> None:
    # The classifier's guess on Spanish text (here a risk intent) is ignored.
    [message] = component.process([parsed(text, "risk_self_harm", 0.9)])
    assert message.get("intent")["name"] == intent


@pytest.mark.parametrize(
    ("text", "category", "reply_category"),
    [
        ("mi esposo me pega cuando toma y tengo miedo de volver a la casa", "abuse", "abuse"),
        ("estoy tan enojado con mi vecino que lo voy a matar", "harm_others", "harm_others"),
        # A parent who hit a child: the reply for the one who hurts.
        ("le pegué a mi hijo con la chancla y le dejé marcas, no sé cómo parar", "harm_others", "harm_others"),
        # Thoughts of harm the writer fears: escalated as harm to others, answered calmly.
        ("a veces me dan ganas de hacerle daño a mi bebé y me asusta", "harm_others", "self_harm"),
        ("me vienen imágenes de lastimar a mi hija y nunca lo haría", "harm_others", "self_harm"),
        ("ya no quiero vivir, no le encuentro sentido a nada", "self_harm", "self_harm"),
    ],
)
def test_the_spanish_reply_variation_fits_the_writer(component, text, category, reply_category) -> None:
    [message] = component.process([parsed(text, "risk_self_harm", 0.9)])
    decision = message.get("risk")
    assert (decision["category"], decision["reply_category"]) == (category, reply_category)


def test_an_unwanted_image_of_self_harm_that_horrifies_the_writer_gets_the_calm_reply() -> None:
    from confidant.risk.writer import WriterCues, choose_writer

    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    text = "on the train platform i get pictures of hurting myself, it horrifies me"
    start = text.index("pictures")
    evidence = [{"text": "pictures of hurting myself", "start": start, "end": start + 26, "pattern": "x"}]
    ranking = [{"name": "risk_self_harm", "confidence": 0.7}]
    assert choose_writer("self_harm", "current", text, evidence, ranking, cues).intent == "intrusive_thoughts"


def test_the_screens_evidence_of_risk_outweighs_diet_on_unwanted_thoughts() -> None:
    """DIET leaning to 'intrusive thoughts' must not give someone who says 'I cut' the calm reply."""
    from confidant.risk.writer import WriterCues, choose_writer

    ranking = [{"name": "intrusive_thoughts", "confidence": 0.8}, {"name": "risk_self_harm", "confidence": 0.2}]
    text = "will my parents see the notes? because i cut every night"
    evidence = [{"text": "i cut every", "start": 40, "end": 51, "pattern": "self_harm.cutting_behaviour"}]
    screened = choose_writer("self_harm", "current", text, evidence, ranking, WriterCues.none())
    assert screened.intent == "risk_self_harm"
    unscreened = choose_writer("self_harm", "none", "these thoughts about the balcony", [], ranking, WriterCues.none())
    assert unscreened.intent == "intrusive_thoughts"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("since my daughter was born i get these awful thoughts of hurting her. its my ocd", "intrusive_thoughts"),
        ("belted my son last night and he has welts on his legs", "risk_harm_others"),
        ("when the baby screams i pinched her arm hard, i know its wrong", "risk_harm_others"),
        ("i use a belt on my boy when he talks back and last night it left welts", "risk_harm_others"),
        ("the marks on my stepdaughter are from me and i need help stopping", "risk_harm_others"),
    ],
)
def test_abuse_told_by_the_one_who_fears_or_does_it(text: str, intent: str) -> None:
    """Unwanted thoughts of harm get the calm reply; harm the writer does gets the reply for them."""
    from pathlib import Path

    from confidant.risk.writer import WRITER_CUES_FILE, WriterCues, choose_writer

    cues = WriterCues.from_file(Path("data/risk") / WRITER_CUES_FILE)
    assert choose_writer("abuse", "current", text, [], [], cues).intent == intent


def test_harm_the_writer_tells_of_doing_outweighs_diets_self_harm_guess(component) -> None:
    message = parsed("bruised my teenager last night and theres blood on his sheets", "concern_for_someone", 0.72)
    [processed] = component.process([message])
    assert processed.get("intent")["name"] == "risk_harm_others"
    assert processed.get("risk")["category"] == "harm_others"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # anger at a grown-up that DIET alone read as self-harm: the reply for the one who may hurt
        ("not sleeping, cant eat, i honestly want to hurt him for what he did to my sister", "risk_harm_others"),
        ("everything is ruined and im thinking about making my ex pay for it", "risk_harm_others"),
        ("cant sleep, cant eat, scared of what ill do to him if he shows up here again", "risk_harm_others"),
        ("everything is falling apart and im gonna snap on my roommate tonight", "risk_harm_others"),
        # the same words feared, or about the writer, keep the writer's own reply
        ("i get horrible thoughts that i want to hurt her, what if i snap one day", "intrusive_thoughts"),
        ("i want to end it, nobody would care", "risk_self_harm"),
        # urges that frighten the writer: the calm reply
        (
            "on the train platform i get sudden urges to jump, i have a good life, why does this happen",
            "intrusive_thoughts",
        ),
        ("the thought of swerving into oncoming traffic scares the hell out of me every morning", "intrusive_thoughts"),
    ],
)
def test_the_writers_own_words_outweigh_diets_self_harm_guess(component, text: str, intent: str) -> None:
    [processed] = component.process([parsed(text, "risk_self_harm", 0.9)])
    assert processed.get("intent")["name"] == intent


@pytest.mark.parametrize(
    ("text", "diet_intent"),
    [
        # something thrown at a child, food kept from one: the writer did it
        (
            "Threw my keys at my toddler, it split his forehead, and I told urgent care he fell.",
            "risk_partner_violence",
        ),
        ("i dont feed my son when hes bad. sometimes hes gone two days without dinner", "concern_abuse"),
        # armed where someone lives or works, knowing where they are, a vehicle pictured driven into people
        (
            "Army vet. I've been parking outside my old boss's house at night with my handgun in the glove box.",
            "risk_self_harm",
        ),
        ("ex keeps posting his new girl. i know where she parks. not joking this time", "risk_partner_violence"),
        ("kid who leaked my pics is gonna regret it. got his address and my cousins bat", "risk_child_abuse"),
        ("I picture driving my truck into the crowd at the rally. It's becoming a plan.", "risk_self_harm"),
    ],
)
def test_harm_the_writer_did_or_means_gets_their_reply_whatever_diet_read(component, text, diet_intent) -> None:
    """Never a victim's or a worried friend's words to someone who tells of hurting or meaning to hurt."""
    [processed] = component.process([parsed(text, diet_intent, 0.9)])
    assert processed.get("intent")["name"] == "risk_harm_others", processed.get("risk")


def test_a_victim_told_of_the_same_acts_keeps_the_victims_reply(component) -> None:
    """The same cues with someone else doing it: "he's been parking outside my house ... he has a gun"."""
    text = "my ex has been parking outside my house at night and he has a gun, i'm scared"
    [processed] = component.process([parsed(text, "risk_partner_violence", 0.9)])
    assert processed.get("intent")["name"] == "risk_partner_violence", processed.get("risk")


def test_getting_ready_to_act_outweighs_diets_sense_of_unwanted_thoughts(component) -> None:
    text = "not angry at anyone, just tired. out on the balcony working up the nerve"
    [processed] = component.process([parsed(text, "intrusive_thoughts", 0.9)])
    assert processed.get("intent")["name"] == "risk_self_harm"
    assert "getting ready" in processed.get("risk")["writer_reason"]


def test_a_thought_that_no_longer_frightens_is_no_intrusive_cue() -> None:
    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    assert cues.found("intrusive", "i have a plan and the thought of jumping doesnt scare me anymore") is None
    # courage for something else, and a date for a wedding, are no preparation
    for other in ("i finally got up the nerve to ask her out", "we set a date for the wedding"):
        assert cues.found("own_preparation", other) is None


@pytest.mark.parametrize(
    "text",
    [
        "my boyfriend slept with me while i was passed out and acts like nothing happened",
        "we were at his place and i was too drunk to say no. i keep shaking",
        "he took the condom off halfway through and laughed when i noticed",
        "my fiance forces sex after every fight and tells me thats what couples do",
    ],
)
def test_sex_the_writer_could_not_refuse_gets_the_sexual_assault_reply(component, text: str) -> None:
    """DIET read partner violence; the words tell of a sexual assault, whose line the reply names."""
    [processed] = component.process([parsed(text, "risk_partner_violence", 0.9)])
    assert processed.get("intent")["name"] == "risk_sexual_assault"


def test_forced_sex_told_of_someone_else_is_not_the_writers_assault(component) -> None:
    [processed] = component.process(
        [parsed("my cousin says her boyfriend forces sex on her when he drinks", "concern_abuse", 0.9)]
    )
    assert processed.get("intent")["name"] == "concern_abuse"


@pytest.mark.parametrize(("whole_known", "intent"), [(False, "risk_child_abuse"), (True, "risk_harm_others")])
def test_a_sentence_read_alone_gets_the_writer_the_whole_message_tells_of(
    component, whole_known: bool, intent: str
) -> None:
    """The focus step reads one sentence; the reply still fits what the whole message says of the writer."""
    part = "Two nights this week I've sat in my truck down the road from his place."
    whole = f"My ex moved the kids across the state without a word. {part} I know what I'd do if he came out."
    message = parsed(part, "risk_child_abuse", 0.65)
    if whole_known:
        message.set("metadata", {"confidant_whole_message": whole})
    [processed] = component.process([message])
    assert processed.get("intent")["name"] == intent


def test_a_writer_the_screen_found_hurt_is_never_given_the_reply_for_one_who_hurts() -> None:
    """DIET leaning to 'harm to others' on "he choked me again" must not reach the victim."""
    from confidant.risk.writer import WriterCues, choose_writer

    text = "he choked me again last night. it still hurts when i swallow"
    evidence = [{"text": "choked me", "start": 3, "end": 12, "pattern": "abuse.violence_to_me"}]
    ranking = [{"name": "risk_harm_others", "confidence": 0.83}, {"name": "risk_partner_violence", "confidence": 0.09}]
    choice = choose_writer("abuse", "current", text, evidence, ranking, WriterCues.none())
    assert choice.intent == "risk_partner_violence"
    # Without the screen's evidence that the writer is the one hurt, DIET's reading stands.
    assert (
        choose_writer("abuse", "current", "he choked her", [], ranking, WriterCues.none()).intent == "risk_harm_others"
    )


def test_a_safety_statement_sends_a_diet_only_risk_guess_to_its_other_reading(component) -> None:
    ranking = [{"name": "risk_harm_others", "confidence": 0.7}, {"name": "faq", "confidence": 0.2}]
    text = "I lost my temper at the ref and shouted. Nobody got hurt, can I talk about that in therapy?"
    [message] = component.process([Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})])
    assert message.get("intent")["name"] == "faq"
    decision = message.get("risk")
    assert decision["vetoed"] and decision["intent"] is None
    assert decision["screen"]["safety_statement"] == "Nobody got hurt"


def test_means_kept_for_the_writer_get_the_reply_for_the_writer_at_risk(component) -> None:
    """DIET reads a gun as harm to others; "it's for me, not anyone else" says whose risk it is."""
    text = "bought a gun on saturday, its loaded in my closet. its for me, not anyone else"
    [message] = component.process([parsed(text, "risk_harm_others", 0.8)])
    decision = message.get("risk")
    assert message.get("intent")["name"] == "risk_self_harm"
    assert (decision["category"], decision["writer"]) == ("self_harm", "self_at_risk")
    # Without those words DIET's own reading stands.
    plain = "bought a gun on saturday, its loaded in my closet"
    [message] = component.process([parsed(plain, "risk_harm_others", 0.8)])
    assert message.get("intent")["name"] == "risk_harm_others"


def test_a_goodbye_letter_the_writer_wrote_to_a_sibling_is_the_writers_risk(component) -> None:
    [message] = component.process([parsed("cleared out my room and wrote my little sis a note for after", "faq", 0.6)])
    assert message.get("intent")["name"] == "risk_self_harm"


def test_a_note_found_in_someone_elses_things_is_their_risk(component) -> None:
    """DIET alone read self-harm; the writer found the note, the one who wrote it is at risk."""
    text = "Found a note in her backpack about being a burden. She's 15 and at practice right now, what do I do?"
    [message] = component.process([parsed(text, "risk_self_harm", 0.93)])
    assert message.get("intent")["name"] == "concern_for_someone"
    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    assert cues.found("signs_found_in_their_things", "i read his search history last night") is not None
    # the writer's own note, found by someone else, stays the writer's
    for own in ("my mom found a note in my room", "i found a note i wrote in my old diary"):
        assert cues.found("signs_found_in_their_things", own) is None


@pytest.mark.parametrize(
    ("text", "diet_intent", "intent", "category"),
    [
        # DIET's worry about self-harm, told in words of abuse only
        (
            "my sister keeps leaving her girls overnight at our grandfathers, "
            "and he was inappropriate with me when i was small",
            "concern_for_someone",
            "concern_abuse",
            "abuse",
        ),
        # DIET's worry about abuse, told in words of self-harm only
        (
            "my friend has a razor in her pencil case and wears long sleeves even in july",
            "concern_abuse",
            "concern_for_someone",
            "self_harm",
        ),
        # words of both kinds: DIET's own worry stands
        (
            "my neighbours boy has bruises again and keeps a razor hidden in his room",
            "concern_abuse",
            "concern_abuse",
            "abuse",
        ),
    ],
)
def test_the_worry_follows_the_words_where_diet_alone_read_the_other_worry(
    component, text: str, diet_intent: str, intent: str, category: str
) -> None:
    message = parsed(text, diet_intent, 0.9)
    message.set("intent", {"name": diet_intent, "confidence": 0.9})
    [processed] = component.process([message])
    assert processed.get("risk")["layers"] == ["classifier"]  # the screen matched nothing here
    assert processed.get("intent")["name"] == intent
    assert processed.get("risk")["category"] == category


def test_unwanted_thoughts_read_as_abuse_keep_the_abuse_category(component) -> None:
    """Only the worry about suicide moves an abuse reading to self-harm, not the calm reply."""
    text = "since my daughter was born i keep having horrible thoughts about her, its ocd"
    [processed] = component.process([parsed(text, "concern_abuse", 0.9)])
    assert processed.get("intent")["name"] == "intrusive_thoughts"
    assert processed.get("risk")["category"] == "abuse"


def test_a_parent_and_the_writer_in_two_sentences_is_no_child_cue() -> None:
    """'...I haven't told my mom. I keep replaying it and I...' is an adult's story, not a child at home."""
    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    assert cues.found("child_at_home", "i haven't told my mom. i keep replaying it and i can't sleep") is None
    assert cues.found("child_at_home", "my stepdad comes into my room at night") is not None
    # a number after "I'm" that is not an age
    for adult in ("im 6'2 and he still shoves me around", "i am 9 years sober and my husband hits me"):
        assert cues.found("child", adult) is None
    assert cues.found("child", "im 15 and my dad hits me") == "im 15"


@pytest.mark.parametrize(
    "text, ranking_top, intent",
    [
        # An adult life told (college, an adult age) outweighs a parent in the story and DIET's child guess.
        (
            "junior at college. a guy from my dorm hit me after a party and i havent told my parents",
            "risk_child_abuse",
            "risk_abuse_disclosure",
        ),
        ("im 24 and my dad still hits me when i visit", "risk_child_abuse", "risk_abuse_disclosure"),
        # ... never a child's own words of their age
        ("im 15 and my dad hits me, i go to college classes early", "risk_abuse_disclosure", "risk_child_abuse"),
        # "my baby brother" is a sibling, not the writer's own child
        ("my dad hits me and my baby brother", "risk_child_abuse", "risk_child_abuse"),
    ],
)
def test_an_adult_writer_is_not_given_the_childs_reply(text: str, ranking_top: str, intent: str) -> None:
    from confidant.risk.writer import WriterCues, choose_writer

    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    start = text.index("hit")
    evidence = [{"text": text[start : start + 7], "start": start, "end": start + 7, "pattern": "abuse.violence_to_me"}]
    ranking = [{"name": ranking_top, "confidence": 0.8}, {"name": "risk_abuse_disclosure", "confidence": 0.1}]
    assert choose_writer("abuse", "current", text, evidence, ranking, cues).intent == intent


@pytest.mark.parametrize(
    "text, ranking_top, intent",
    [
        # The partner only as "he", with the signs of a relationship.
        (
            "whenever he drinks he throws things at me and the next day he swears it will never happen again",
            "risk_child_abuse",
            "risk_partner_violence",
        ),
        (
            "he checks my phone every night and shoved me into the door when i tried to leave",
            "risk_child_abuse",
            "risk_partner_violence",
        ),
        # ... never where a child tells of a parent ("my dad ... says sorry")
        ("im 11 and my dad hits me and then says sorry", "risk_partner_violence", "risk_child_abuse"),
        # A child's words beside someone else's: DIET tells which.
        (
            "im 13 and a man from a game wants to meet me after school and said not to tell my mom, she",
            "concern_abuse",
            "risk_child_abuse",
        ),
        # The writer's work with other people's children.
        (
            "i teach third grade and a boy in my class said his stepdad burns him with a lighter",
            "risk_child_abuse",
            "concern_abuse",
        ),
        # A past abuser around children now, though the writer was the one abused.
        (
            "my old piano teacher abused me when i was 9. im 27 now and he is still teaching, a kids choir at church",
            "risk_partner_violence",
            "concern_abuse",
        ),
        # ... but not where the violence to the writer is happening now
        (
            "im 20 and my stepdad hits me, and he watches my little sister every weekend",
            "risk_abuse_disclosure",
            "risk_abuse_disclosure",
        ),
        # The writer doing harm, however the verb is joined.
        (
            "i've been locking my son in his room without dinner when he talks back",
            "risk_child_abuse",
            "risk_harm_others",
        ),
        (
            "a stranger on the train touched me and then followed me off at my stop",
            "risk_abuse_disclosure",
            "risk_sexual_assault",
        ),
        ("i've slapped my wife twice this month and now she flinches", "risk_partner_violence", "risk_harm_others"),
        (
            "i think i was drugged at a party and woke up in a room i didnt know",
            "risk_abuse_disclosure",
            "risk_sexual_assault",
        ),
    ],
)
def test_whose_harm_it_is_read_from_the_words_where_the_screen_left_no_evidence(
    text: str, ranking_top: str, intent: str
) -> None:
    from confidant.risk.writer import WriterCues, choose_writer

    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    others = [name for name in ("risk_child_abuse", "concern_abuse", "risk_abuse_disclosure") if name != ranking_top]
    ranking = [{"name": ranking_top, "confidence": 0.8}] + [{"name": name, "confidence": 0.05} for name in others]
    assert choose_writer("abuse", "current", text, [], ranking, cues).intent == intent


@pytest.mark.parametrize(
    "text, guess, intent",
    [
        # A relative telling of children going hungry: someone else's children, not the writer.
        (
            "my nephews turn up at my place starving most weekends, their mom spends it all on pills",
            "risk_child_abuse",
            "concern_abuse",
        ),
        # The guess itself names the writer where nothing else does.
        ("everything is just so heavy lately", "risk_self_harm", "risk_self_harm"),
    ],
)
def test_a_risk_guess_under_the_bar_that_stays_on_top_gets_the_reply_for_its_writer(
    text: str, guess: str, intent: str
) -> None:
    from pathlib import Path

    component = RiskScreenComponent.from_directory({"classifier_min_confidence": 0.5}, Path("data/risk"))
    ranking = [{"name": guess, "confidence": 0.42}, {"name": "faq", "confidence": 0.3}]
    [message] = component.process([Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})])
    assert message.get("intent")["name"] == intent
    risk = message.get("risk")
    assert risk["layers"] == [] and risk["below_threshold"] is True
    assert risk["writer_reason"]
    # Under Rasa's own fallback threshold nothing is chosen: the guess is not the message's intent.
    low = [{"name": "nlu_fallback", "confidence": 0.34}, {"name": guess, "confidence": 0.34}]
    [message] = component.process([Message(data={"text": text, "intent": low[0], "intent_ranking": low})])
    assert message.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize(
    ("nearest_risk", "escalated"), [(0.0, False), (0.15, False), (0.2, True), (0.9, True), (None, True)]
)
def test_a_risk_guess_under_the_bar_needs_the_nearest_examples_as_a_witness(nearest_risk, escalated: bool) -> None:
    """A weak guess the nearest training examples do not share is answered as a question."""
    from pathlib import Path

    component = RiskScreenComponent.from_directory({"classifier_min_confidence": 0.5}, Path("data/risk"))
    ranking = [{"name": "risk_self_harm", "confidence": 0.39}, {"name": "faq", "confidence": 0.36}]
    data = {"text": "are you open over the long weekend", "intent": ranking[0], "intent_ranking": ranking}
    if nearest_risk is not None:
        data["nearest"] = {"label": "faq/contact_practice", "risk": nearest_risk}
    [message] = component.process([Message(data=data)])
    assert (message.get("intent")["name"] == "risk_self_harm") is escalated
    if not escalated:
        assert message.get("intent")["name"] == "faq"
        assert message.get("risk")["intent"] is None and message.get("risk")["unwitnessed_guess"] == "risk_self_harm"


def test_inside_a_form_a_weak_risk_guess_is_an_answer_and_a_sure_reading_still_interrupts() -> None:
    from pathlib import Path

    from confidant.risk.component import weak_guess_answers_the_form

    component = RiskScreenComponent.from_directory({"classifier_min_confidence": 0.5}, Path("data/risk"))
    ranking = [{"name": "risk_child_abuse", "confidence": 0.41}, {"name": "inform_contact", "confidence": 0.09}]
    text = "text me instead, my dad looks at my calls"
    [weak] = component.process([Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})])
    parse = weak.as_dict(only_output_properties=False)
    assert parse["intent"]["name"] == "risk_child_abuse" and parse["risk"]["below_threshold"]
    answered = weak_guess_answers_the_form(parse, "callback_form")
    assert answered["intent"]["name"] == "nlu_fallback"
    assert answered["risk"]["intent"] is None and answered["risk"]["form_answer"] == "callback_form"
    # Outside a form the weak guess still escalates; a screen finding interrupts the form.
    assert weak_guess_answers_the_form(parse, None)["intent"]["name"] == "risk_child_abuse"
    [sure] = component.process([parsed("i want to kill myself", "faq", 0.9)])
    screened = sure.as_dict(only_output_properties=False)
    assert weak_guess_answers_the_form(screened, "callback_form")["intent"]["name"] == "risk_self_harm"


@pytest.mark.parametrize(
    ("harm_to_others", "intent"),
    [(0.25, "risk_harm_others"), (0.03, "risk_self_harm")],
)
def test_diets_own_sense_of_anger_at_someone_chooses_the_reply_for_the_one_who_may_hurt(
    harm_to_others: float, intent: str
) -> None:
    """DIET alone read self-harm; where it gives harm to others a fair share, the writer is angry at someone."""
    from confidant.risk.writer import WriterCues, choose_writer

    ranking = [
        {"name": "risk_self_harm", "confidence": 0.7},
        {"name": "risk_harm_others", "confidence": harm_to_others},
        {"name": "faq", "confidence": 0.05},
    ]
    text = "i cant stop thinking about what i would do to him if i saw him again"
    assert choose_writer("self_harm", "none", text, [], ranking, WriterCues.none()).intent == intent


def _evidence(text: str, said: str, pattern: str) -> list:
    start = text.index(said)
    return [{"text": said, "start": start, "end": start + len(said), "pattern": pattern}]


@pytest.mark.parametrize(
    ("category", "text", "said", "pattern", "intent"),
    [
        # Despair the screen found, beside a plan against someone or harm done to a child.
        (
            "self_harm",
            "i can't take it anymore. my landlord laughs at me every day and i'm going to stab him friday",
            "can't take it anymore",
            "self_harm.cant_go_on",
            "risk_harm_others",
        ),
        (
            "self_harm",
            "i cant do this anymore, the twins screamed all night and i shook her hard",
            "cant do this anymore",
            "self_harm.cant_go_on",
            "risk_harm_others",
        ),
        # ... never where the screen found more than despair: the writer's own risk comes first.
        (
            "self_harm",
            "i shoved my brother today and i have the pills counted out for tonight",
            "pills counted out",
            "self_harm.pills",
            "risk_self_harm",
        ),
        # A plan said outright outweighs "I don't want to hurt anybody".
        (
            "harm_others",
            "i dont want to hurt anyone but next time he parks across my drive i'm gonna beat him",
            "gonna beat him",
            "harm_others.intent",
            "risk_harm_others",
        ),
        # Someone else grabbed "by the hair" is not the writer.
        (
            "abuse",
            "a man at the bus stop grabbed her by the hair, the little girl was crying",
            "grabbed her by",
            "abuse.violence_to_me",
            "concern_abuse",
        ),
        # A weapon at hand and the writer picturing going over with it, beside despair.
        (
            "self_harm",
            "i'm done, i can't take it anymore. the hammer is on the bench and i keep imagining going over to his flat",
            "can't take it anymore",
            "self_harm.cant_go_on",
            "risk_harm_others",
        ),
        # ... and a knife kept while the writer pictures their own harm stays the writer's risk.
        (
            "self_harm",
            "i can't take it anymore. the knife is in my drawer and i keep imagining how it would feel",
            "can't take it anymore",
            "self_harm.cant_go_on",
            "risk_self_harm",
        ),
        # Standing over someone asleep with something to hurt them: the writer's plan, not abuse told.
        (
            "abuse",
            "i stood over my stepbrother last night with a hammer while he slept",
            "stood over my stepbrother",
            "abuse.unspecified",
            "risk_harm_others",
        ),
        # A picture that arrives unasked is an unwanted thought, whatever verb it shows.
        (
            "harm_others",
            "feeding my son at 2am a picture came into my head of dropping him down the stairs",
            "dropping him",
            "harm_others.image",
            "intrusive_thoughts",
        ),
    ],
)
def test_the_writers_own_words_choose_between_despair_anger_and_fear(
    category: str, text: str, said: str, pattern: str, intent: str
) -> None:
    from confidant.risk.writer import WriterCues, choose_writer

    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    ranking = [{"name": "risk_self_harm", "confidence": 0.8}, {"name": "risk_harm_others", "confidence": 0.05}]
    evidence = _evidence(text, said, pattern)
    assert choose_writer(category, "current", text, evidence, ranking, cues).intent == intent


@pytest.mark.parametrize(
    ("text", "ranking_top", "intent"),
    [
        # "what if I snap" and "never" are fear, not harm done.
        (
            "what if i snap. i would never hit her, i love her, but i keep seeing it",
            "risk_harm_others",
            "intrusive_thoughts",
        ),
        # A past abuser with a new family, a children's programme, a sibling's children.
        (
            "my cousin molested me when i was 8. im 30 now and he just married a woman with three little boys",
            "risk_abuse_disclosure",
            "concern_abuse",
        ),
        (
            "the scout leader who abused me in the 80s still runs the kids troop in our town",
            "risk_abuse_disclosure",
            "concern_abuse",
        ),
        (
            "my swim coach abused me from 12 to 15. im 33 and hes coaching at a middle school now",
            "risk_abuse_disclosure",
            "concern_abuse",
        ),
        (
            "my brother sends his three kids to spend weekends with our uncle, who molested me. im 30 and nobody knows",
            "risk_child_abuse",
            "concern_abuse",
        ),
        # A shared home: the partner's reply, not the child's.
        (
            "he pins me to the floor when we argue and says nobody would believe me",
            "risk_child_abuse",
            "risk_partner_violence",
        ),
        # A curfew is set for a child; the relative and what he does in the next sentence.
        ("curfew is 8 and if im late my dad takes the belt to me", "risk_abuse_disclosure", "risk_child_abuse"),
        (
            "i hate when my uncle babysits. he does things to me when mom is at work",
            "concern_abuse",
            "risk_child_abuse",
        ),
    ],
)
def test_who_is_hurt_and_who_hurts_read_from_everyday_words(text: str, ranking_top: str, intent: str) -> None:
    from confidant.risk.writer import WriterCues, choose_writer

    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    others = [name for name in ("risk_child_abuse", "concern_abuse", "risk_abuse_disclosure") if name != ranking_top]
    ranking = [{"name": ranking_top, "confidence": 0.8}] + [{"name": name, "confidence": 0.05} for name in others]
    assert choose_writer("abuse", "current", text, [], ranking, cues).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # DIET alone read self-harm; the writer tells of taking a gun in where the person is.
        (
            "my shift lead mocks me daily. my rifle is in the truck, i started thinking about bringing it into work",
            "risk_harm_others",
        ),
        # The same gun kept for the writer, with no one to take it to.
        ("my rifle is in the truck and i've started thinking about using it on myself tonight", "risk_self_harm"),
    ],
)
def test_a_weapon_taken_to_someone_is_the_reply_for_the_one_who_may_hurt_where_diet_alone_read_self_harm(
    text: str, intent: str
) -> None:
    from confidant.risk.writer import WriterCues, choose_writer

    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    ranking = [{"name": "risk_self_harm", "confidence": 0.97}, {"name": "risk_harm_others", "confidence": 0.02}]
    assert choose_writer("self_harm", "none", text, [], ranking, cues).intent == intent


@pytest.mark.parametrize(
    ("category", "ranking_top", "text", "intent"),
    [
        # Injuries on a young child or an older adult, read by DIET as self-harm or harm to others.
        (
            "self_harm",
            "concern_for_someone",
            "my niece (3) has a black eye again after her weekend at his place",
            "concern_abuse",
        ),
        (
            "self_harm",
            "concern_for_someone",
            "neighbour, 84, has bruises on both arms and her son shouts at her",
            "concern_abuse",
        ),
        # ... never where the one who hurts is the writer, or the person does it to themselves (the
        # default, which `decide` then gives DIET's own reading).
        (
            "harm_others",
            "risk_harm_others",
            "i shook my 2 year old and now there are bruises on her arms",
            "risk_harm_others",
        ),
        (
            "self_harm",
            "concern_for_someone",
            "my 9 year old keeps hitting herself and has bruises, she says she hates herself",
            "risk_self_harm",
        ),
    ],
)
def test_injuries_on_a_young_child_or_an_older_adult_are_someone_hurting_them(
    category: str, ranking_top: str, text: str, intent: str
) -> None:
    from confidant.risk.writer import WriterCues, choose_writer

    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    ranking = [{"name": ranking_top, "confidence": 0.8}, {"name": "concern_abuse", "confidence": 0.1}]
    assert choose_writer(category, "none", text, [], ranking, cues).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("my neighbor is in his 80s and his son screams at him and pushed him down the steps today", "concern_abuse"),
        ("Dad (84) lets my brother handle his money now and he seems frightened of him", "concern_abuse"),
        ("my 79-year-old aunt says her caregiver slaps her when she spills things", "concern_abuse"),
        # ... never where the writer is the one hurt
        ("my grandpa (80) hits me when i stay over at his house, im 10", "risk_child_abuse"),
    ],
)
def test_an_older_adult_named_by_age_is_someone_else_being_hurt(text: str, intent: str) -> None:
    from confidant.risk.writer import WriterCues, choose_writer

    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    ranking = [{"name": "risk_child_abuse", "confidence": 0.8}, {"name": "concern_abuse", "confidence": 0.1}]
    assert choose_writer("abuse", "current", text, [], ranking, cues).intent == intent


@pytest.mark.parametrize(
    ("nearest_risk", "diet_risk", "escalated"),
    [(0.0, 0.0, False), (0.15, 0.1, False), (0.2, 0.0, True), (0.0, 0.25, True), (None, 0.0, True)],
)
def test_a_subject_said_of_nobody_needs_another_reading_that_leans_to_risk(
    component, nearest_risk, diet_risk: float, escalated: bool
) -> None:
    """ "a unit on overdoses" alone names a subject: it escalates only where DIET or the nearest examples lean too."""
    text = "My nursing course has a unit on overdoses this term. Do you see students?"
    ranking = [{"name": "faq", "confidence": 0.9}, {"name": "risk_self_harm", "confidence": diet_risk}]
    data = {"text": text, "intent": ranking[0], "intent_ranking": ranking}
    if nearest_risk is not None:
        data["nearest"] = {"label": "faq/limits_overview", "risk": nearest_risk}
    [message] = component.process([Message(data=data)])
    assert (message.get("intent")["name"] == "risk_self_harm") is escalated
    assert message.get("risk")["screen"]["said_of_nobody"]
    if not escalated:
        assert message.get("intent")["name"] == "faq"
        assert message.get("risk")["said_of_nobody_unwitnessed"]


def test_the_writers_own_overdose_escalates_whatever_the_other_readings_say(component) -> None:
    ranking = [{"name": "faq", "confidence": 0.95}, {"name": "risk_self_harm", "confidence": 0.0}]
    data = {
        "text": "Does my GP get a letter from you? I ask because my overdose is in my notes there.",
        "intent": ranking[0],
        "intent_ranking": ranking,
        "nearest": {"label": "faq/records_access", "risk": 0.0},
    }
    [message] = component.process([Message(data=data)])
    assert message.get("intent")["name"] == "risk_self_harm"
    assert not message.get("risk")["screen"]["said_of_nobody"]


@pytest.mark.parametrize(
    ("text", "threat", "top", "intent"),
    [
        # Someone else threatens; the writer sees it: never the reply for the one who may hurt.
        (
            "my dad is drunk and says he's going to kill my mom, im in my room",
            "kill my mom",
            "risk_child_abuse",
            "risk_child_abuse",
        ),
        ("a coworker showed me a gun and said he'd shoot our manager", "shoot our manager", "faq", "concern_abuse"),
        # A quotation is not a threat seen ("everyone says 'kill him with kindness'"), and DIET hearing
        # the writer's own anger keeps the reply for the one who may hurt.
        ("they all say 'kill him with kindness'. i'm done being kind", "kill him", "faq", "risk_harm_others"),
        (
            "my brother says he'll kill the guy and honestly so will i",
            "kill the guy",
            "risk_harm_others",
            "risk_harm_others",
        ),
    ],
)
def test_someone_elses_threat_gets_the_reply_for_one_who_sees_it(text: str, threat: str, top: str, intent: str) -> None:
    from confidant.risk.writer import WriterCues, choose_writer

    cues = WriterCues.from_file(DATA_DIR / "writers.yml")
    start = text.index(threat)
    evidence = [{"text": threat, "start": start, "end": start + len(threat), "pattern": "harm_others.kill_person"}]
    ranking = [{"name": top, "confidence": 0.8}, {"name": "risk_self_harm", "confidence": 0.1}]
    assert choose_writer("harm_others", "third_party", text, evidence, ranking, cues).intent == intent
