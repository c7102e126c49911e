"""Imported by pytest before any test phase (`-p tests.support.warning_order` in pyproject.toml).

sanic's import calls `warnings.filterwarnings("once", category=DeprecationWarning)`, which goes in
front of pyproject.toml's `filterwarnings` for the rest of the phase that imports it (conftest
loading, collection): every library imported after it printed its own deprecation notices.
Imported here, once, with that change undone, pyproject.toml's filters decide alone.
"""

import warnings

with warnings.catch_warnings():
    import sanic  # noqa: F401
