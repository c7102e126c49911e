"""The project's YAML files read with libyaml's parser where PyYAML has it.

PyYAML's pure-Python parser took over a second of the Rasa server's start-up on the risk
patterns, the domain and the settings (docs/performance.md, "YAML read by libyaml"). The C
parser builds the same Python objects with the same safe constructors, about ten times faster;
a test compares the two on every YAML file in the repository.
"""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """What `yaml.safe_load(text)` gives, parsed by libyaml when it is there."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader, C or Python
