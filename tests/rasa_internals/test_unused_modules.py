"""JAX and h5py, which TensorFlow's import drags in for nothing, stay out of Rasa's processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from confidant.rasa_internals import unused_modules
from confidant.settings import PROJECT_ROOT


def run_python(script: str) -> str:
    env = {"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(PROJECT_ROOT), "HOME": str(PROJECT_ROOT)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_after_the_start_up_step_tensorflow_and_rasa_import_without_jax_or_h5py() -> None:
    script = (
        "import sys\n"
        "from confidant import rasa_internals\n"
        "rasa_internals.install()\n"
        "import tensorflow, rasa.core.agent, rasa.server\n"
        "from tensorflow.lite.python import util\n"
        "from keras.engine import training\n"
        "print(sys.modules['jax'] is None, util._xla_computation is None, training.h5py is None,"
        " tensorflow.constant(2).numpy() * 3)\n"
    )
    assert run_python(script) == "True True True 6"


@pytest.mark.parametrize("name", unused_modules.UNUSED_MODULES)
def test_without_the_step_tensorflow_would_load_each_unused_module(name: str) -> None:
    # The reason for the step: if this ever prints False, TensorFlow stopped importing the
    # module and it can leave the list.
    script = f"import sys, tensorflow; print({name!r} in sys.modules and sys.modules[{name!r}] is not None)"
    assert run_python(script) == "True"


def test_a_module_already_loaded_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = object()
    monkeypatch.setitem(sys.modules, "jax", loaded)
    monkeypatch.delitem(sys.modules, "jaxlib", raising=False)
    unused_modules.keep_out()
    assert sys.modules["jax"] is loaded
    assert sys.modules["jaxlib"] is None


def test_the_running_rasa_server_has_no_jax_or_h5py_mapped(rasa_server: Any) -> None:
    assert rasa_server.process.process is not None
    maps = Path(f"/proc/{rasa_server.process.process.pid}/maps").read_text()
    assert "libtensorflow" in maps or "_pywrap_tensorflow" in maps  # the right process: TensorFlow is there
    assert "jaxlib" not in maps
    assert "/h5py/" not in maps and "libhdf5" not in maps
