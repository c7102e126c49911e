"""Refuse a Rasa this project was not tested with: the code here depends on its private parts.

Rasa's private methods and tables can change in any release without notice; a changed one
would not fail loudly but behave differently (a form that swallows a crisis turn again, a
tracker read wrongly). So every entry point checks the installed version against the ones the
whole test suite passed with, and stops with a message saying what to do.
"""

from __future__ import annotations

import os
from importlib import metadata

# Versions of Rasa the whole suite (`make test`) passed with.
TESTED_RASA_VERSIONS = ("3.6.21",)
# Set to 1 to run with another Rasa anyway: only to try an upgrade, with `make test`.
ALLOW_UNTESTED_ENV_VAR = "CONFIDANT_ALLOW_UNTESTED_RASA"


class UntestedRasaError(RuntimeError):
    """The installed Rasa is not one this project's Rasa-dependent code was tested with."""


def installed_rasa_version() -> str:
    """The installed Rasa's version, read from its package metadata (without importing Rasa)."""
    try:
        return metadata.version("rasa")
    except metadata.PackageNotFoundError:
        return "none"


def check_rasa_version(version: str | None = None) -> str:
    """The installed Rasa's version, if it was tested; else `UntestedRasaError` saying what to do."""
    version = version or installed_rasa_version()
    if version in TESTED_RASA_VERSIONS or os.environ.get(ALLOW_UNTESTED_ENV_VAR) == "1":
        return version
    raise UntestedRasaError(
        f"Rasa {version} is installed, but Confidant is tested with Rasa {', '.join(TESTED_RASA_VERSIONS)} only: "
        "it replaces parts of Rasa's internals (confidant/rasa_internals/) that another version may have changed. "
        "Install the tested version (`make install` installs requirements/lock.txt). To try an upgrade, set "
        f"{ALLOW_UNTESTED_ENV_VAR}=1, run `make test`, and add the version to TESTED_RASA_VERSIONS "
        "(confidant/rasa_internals/version.py) once everything passes."
    )
