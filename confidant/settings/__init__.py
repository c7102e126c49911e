"""Load and validate `practice.yml`, the one file a practice edits.

Every process reads its practice details, crisis lines and notifiers through here, so a
mistake in the file is reported once, at start-up, naming the field, instead of surfacing as
a broken sentence in the middle of a conversation. One module per part of the file (office
hours, crisis lines, limits, escalation, the practice's own answers); `loading` reads the whole.
"""

from confidant.settings.addendum import Addendum, PracticeAnswer, addendum_path
from confidant.settings.base import PROJECT_ROOT, SettingsError
from confidant.settings.crisis import (
    FIRST_LINE_LIMIT,
    LINES_LIMIT,
    SITUATIONS,
    SPANISH_LIMIT,
    CrisisLine,
    CrisisResources,
    CrisisSituations,
)
from confidant.settings.escalation import EmailNotifier, EscalationSettings, Notifier, WebhookNotifier
from confidant.settings.limits import AssistantLimits, RateLimit, RateLimits, WebSettings
from confidant.settings.loading import (
    DEFAULT_SETTINGS_PATH,
    SETTINGS_ENV_VAR,
    PracticeSettings,
    current_settings,
    load_settings,
)
from confidant.settings.office import DayHours, PracticeDetails, WeeklyHours

__all__ = [
    "DEFAULT_SETTINGS_PATH",
    "FIRST_LINE_LIMIT",
    "LINES_LIMIT",
    "PROJECT_ROOT",
    "SETTINGS_ENV_VAR",
    "SITUATIONS",
    "SPANISH_LIMIT",
    "Addendum",
    "AssistantLimits",
    "CrisisLine",
    "CrisisResources",
    "CrisisSituations",
    "DayHours",
    "EmailNotifier",
    "EscalationSettings",
    "Notifier",
    "PracticeAnswer",
    "PracticeDetails",
    "PracticeSettings",
    "RateLimit",
    "RateLimits",
    "SettingsError",
    "WebSettings",
    "WebhookNotifier",
    "WeeklyHours",
    "addendum_path",
    "current_settings",
    "load_settings",
]
