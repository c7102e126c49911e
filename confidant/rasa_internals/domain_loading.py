"""The model's domain read once when the model loads, not four times and schema-checked.

Rasa 3.6's `DomainProvider.load` reads the domain file that its own training wrote into the
model through `Domain.from_directory`, which parses the YAML four times (to see that it is a
domain, to check it against the schema, to build a domain it throws away, and to merge it) and
runs the schema check: about 0.9 s of the server's start-up (docs/performance.md). Here the
model's single `domain.yml` is parsed once and built the way `from_directory` builds it (merged
into an empty domain, then `Domain.from_dict`); the file was checked when the training read the
project's domain. Anything else in the model's folder goes Rasa's way. A test compares the two
domains.
"""

from __future__ import annotations

import functools
from typing import Any

_RASAS_OWN = "_confidant_rasas_own"
PERSISTED_DOMAIN_FILE = "domain.yml"  # what DomainProvider._persist writes


def domain_from_model_folder(folder: Any) -> Any:
    """The domain Rasa's `Domain.from_path` gives for a model's domain folder, read once."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.utils.io import read_file, read_yaml

    files = [path for path in folder.iterdir() if path.is_file()]
    if [path.name for path in files] != [PERSISTED_DOMAIN_FILE]:
        return Domain.from_path(folder)
    return Domain.from_dict(Domain.merge_domain_dicts(read_yaml(read_file(files[0])), {}))


def install() -> None:
    """Load a model's domain from its one persisted file (idempotent)."""
    from rasa.graph_components.providers.domain_provider import DomainProvider

    current = DomainProvider.load.__func__
    if hasattr(current, _RASAS_OWN):
        return

    @functools.wraps(current)  # Rasa's graph validation reads the signature and type hints
    def load(cls: Any, config: Any, model_storage: Any, resource: Any, execution_context: Any, **kwargs: Any) -> Any:
        with model_storage.read_from(resource) as folder:
            domain = domain_from_model_folder(folder)
        return cls(model_storage, resource, domain)

    setattr(load, _RASAS_OWN, current)
    DomainProvider.load = classmethod(load)


def rasas_load() -> Any:
    """Rasa's own `DomainProvider.load` function (unbound), installed or not."""
    from rasa.graph_components.providers.domain_provider import DomainProvider

    current = DomainProvider.load.__func__
    return getattr(current, _RASAS_OWN, current)
