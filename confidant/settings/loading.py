"""The whole of practice.yml: read once, checked once, with every problem named by its field."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Dict, Optional, Union

import yaml
from pydantic import ValidationError

from confidant.settings.addendum import Addendum, addendum_problems
from confidant.settings.base import PROJECT_ROOT, SettingsError, Strict
from confidant.settings.crisis import SITUATIONS, CrisisResources, phrase_list
from confidant.settings.escalation import EscalationSettings
from confidant.settings.limits import AssistantLimits, RateLimits, WebSettings
from confidant.settings.office import PracticeDetails
from confidant.yaml_files import load_yaml

SETTINGS_ENV_VAR = "CONFIDANT_SETTINGS"
DEFAULT_SETTINGS_PATH = PROJECT_ROOT / "practice.yml"


class PracticeSettings(Strict):
    practice: PracticeDetails
    crisis: CrisisResources
    assistant: AssistantLimits = AssistantLimits()
    web: WebSettings = WebSettings()
    limits: RateLimits = RateLimits()
    escalation: EscalationSettings
    addendum: Addendum = Addendum()

    @property
    def crisis_line(self) -> str:
        """The first general crisis line, phrased to follow 'you can' in a sentence."""
        return self.crisis.lines_for("general")[0].how

    @property
    def crisis_lines_text(self) -> str:
        """Every general crisis line, one phrase each: the page footer and `{crisis_lines}`."""
        return "; ".join(f"{line.name}: {line.how}" for line in self.crisis.lines_for("general"))

    def response_variables(self) -> Dict[str, str]:
        """The values domain responses may name, e.g. `{practice_phone}`, `{lines_child_victim}`.

        `{first_line_spanish}` is there only when some crisis line has a `spanish` phrase, and
        `{first_line_spanish_<situation>}` only when one of that kind of writer's lines has one.
        """
        variables = {
            "practice_name": self.practice.name,
            "practice_phone": self.practice.phone,
            "practice_email": self.practice.email,
            "practice_website": self.practice.website,
            "practice_hours": self.practice.hours,
            "emergency_number": self.crisis.emergency_number,
            "crisis_line": self.crisis_line,
            "crisis_lines": self.crisis_lines_text,
            "retention_days": str(self.assistant.retention_days),
            "max_message_chars": str(self.assistant.max_message_chars),
        }
        for situation in SITUATIONS:
            lines = self.crisis.lines_for(situation)
            variables[f"first_line_{situation}"] = lines[0].first_phrase
            variables[f"lines_{situation}"] = phrase_list(lines)
            spanish = self.crisis.spanish_for(situation)
            if spanish:
                variables[f"first_line_spanish_{situation}"] = spanish
        if self.crisis.spanish:
            variables["first_line_spanish"] = self.crisis.spanish
        return variables


def _describe(error: ValidationError, path: Path) -> str:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"] if part != "__root__")
        problems.append(f"  - {field}: {item['msg']}")
    return f"Practice settings in {path} are not valid:\n" + "\n".join(problems)


def load_settings(path: Optional[Union[str, Path]] = None) -> PracticeSettings:
    """Read and validate the settings file; raise `SettingsError` naming each bad field."""
    settings_path = Path(path or os.environ.get(SETTINGS_ENV_VAR) or DEFAULT_SETTINGS_PATH)
    if not settings_path.is_file():
        raise SettingsError(
            f"Practice settings file not found: {settings_path}. Copy practice.yml from the "
            f"repository or set {SETTINGS_ENV_VAR} to its path."
        )
    try:
        raw = load_yaml(settings_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise SettingsError(f"Practice settings in {settings_path} are not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise SettingsError(f"Practice settings in {settings_path} must be a YAML mapping.")
    try:
        settings = PracticeSettings.parse_obj(raw)
    except ValidationError as error:
        raise SettingsError(_describe(error, settings_path)) from None
    problems = addendum_problems(settings)
    if problems:
        raise SettingsError(
            f"Practice settings in {settings_path} are not valid:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return settings


@cache
def current_settings() -> PracticeSettings:
    """The settings of this process, read once."""
    return load_settings()
