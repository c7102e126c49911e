"""Keep out of the process the modules Rasa's imports drag in and nothing here ever runs.

TensorFlow imports TensorFlow Lite's converter at its own import, and the converter imports
JAX (`from jax import xla_computation`, inside `try ... except ImportError`) only to convert
JAX models, which neither Rasa nor this project does. JAX and jaxlib cost the Rasa process,
every training child and every evaluation about 85 MB of resident memory and seconds of import
(docs/performance.md, "JAX kept out"). Keras imports h5py (inside `try ... except ImportError`)
for weights saved as `.h5` files; Rasa saves and loads its models in TensorFlow's own checkpoint
format, so h5py is 13 MB for nothing. A `None` entry in `sys.modules` makes `import jax` raise
ImportError, which TensorFlow and Keras already handle. It has to happen before TensorFlow is imported;
in a process that already imported JAX nothing changes.
"""

from __future__ import annotations

import sys

UNUSED_MODULES = ("jax", "jaxlib", "h5py")


def keep_out() -> None:
    """Make each unused module's import fail, unless it is already loaded (idempotent)."""
    for name in UNUSED_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
