"""What every part of the settings shares: the project folder, the error, strict models."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Extra

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SettingsError(ValueError):
    """The practice settings file is missing or does not say what the assistant needs."""


class Strict(BaseModel):
    """A settings section: unknown fields are errors, values are stripped and read-only."""

    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True
        allow_mutation = False
