"""pyproject.toml's warning filters: library noise hidden, Rasa's shown, confidant's an error.

confidant patches private Rasa methods (confidant.rasa_internals); a deprecation
raised in or because of that code must not be hidden by the filters that keep the libraries'
own deprecation notices out of the test output.
"""

from __future__ import annotations

import warnings
from typing import List

import pytest


def warn_from(module: str, category: type[Warning] = DeprecationWarning, message: str = "going away") -> List[str]:
    """Raise `category` as if from `module` under the test run's filters; what was shown."""
    with warnings.catch_warnings(record=True) as shown:
        warnings.warn_explicit(message, category, f"{module.replace('.', '/')}.py", 1, module=module, registry={})
    return [str(warning.message) for warning in shown]


@pytest.mark.parametrize(
    "module",
    [
        "confidant.rasa_internals.event_types",
        "confidant.rasa_internals.form_validation",
        "confidant.rasa_internals.tracker_store",
    ],
)
@pytest.mark.parametrize("category", [DeprecationWarning, PendingDeprecationWarning, FutureWarning])
def test_a_deprecation_in_confidants_code_is_an_error(module: str, category: type[Warning]) -> None:
    with pytest.raises(category, match="going away"):
        warn_from(module, category)


def test_a_sqlalchemy_deprecation_raised_from_the_store_is_an_error_too() -> None:
    with pytest.raises(DeprecationWarning):
        warn_from("confidant.store.tracker_store", message="The Query.get() method is legacy as of SQLAlchemy 1.4")


def test_a_deprecation_raised_in_rasa_is_shown() -> None:
    assert warn_from("rasa.core.actions.action") == ["going away"]
    assert warn_from("rasa.core.tracker_store", PendingDeprecationWarning) == ["going away"]


@pytest.mark.parametrize("module", ["tensorflow.lite.python.util", "spacy.cli._util", "pkg_resources", "confidantx"])
def test_a_deprecation_raised_inside_a_library_is_hidden(module: str) -> None:
    assert warn_from(module) == []


def test_setuptools_notice_about_rasas_own_pkg_resources_import_is_hidden() -> None:
    assert warn_from("rasa.shared.utils.validation", message="pkg_resources is deprecated as an API. See ...") == []
