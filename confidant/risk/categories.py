"""The names that tie risk categories to Rasa intents, shared by the pipeline and the actions."""

INTENT_FOR_CATEGORY = {
    "self_harm": "risk_self_harm",
    "harm_others": "risk_harm_others",
    "abuse": "risk_abuse_disclosure",
}
CATEGORY_FOR_INTENT = {intent: category for category, intent in INTENT_FOR_CATEGORY.items()}
RISK_INTENTS = frozenset(CATEGORY_FOR_INTENT)
CONCERN_INTENT = "concern_for_someone"
