"""One start-up step installs the project's changes to Rasa, and refuses a Rasa it was not tested with."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import yaml
from rasa.utils.endpoints import EndpointConfig

from confidant import rasa_internals
from confidant.practice_nlg import PracticeResponseGenerator
from confidant.rasa_internals import version
from confidant.settings import PROJECT_ROOT


def test_the_tested_rasa_is_the_installed_one() -> None:
    assert version.check_rasa_version() == version.installed_rasa_version() == "3.6.21"


def test_an_untested_rasa_is_refused_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(version.ALLOW_UNTESTED_ENV_VAR, raising=False)
    with pytest.raises(version.UntestedRasaError) as refused:
        version.check_rasa_version("3.7.0")
    message = str(refused.value)
    assert "Rasa 3.7.0 is installed" in message and "3.6.21" in message
    assert "make install" in message and version.ALLOW_UNTESTED_ENV_VAR in message


def test_an_upgrade_can_be_tried_on_purpose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(version.ALLOW_UNTESTED_ENV_VAR, "1")
    assert version.check_rasa_version("3.7.0") == "3.7.0"


def test_install_checks_the_version_before_it_changes_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(version.ALLOW_UNTESTED_ENV_VAR, raising=False)
    monkeypatch.setattr(version, "installed_rasa_version", lambda: "4.0.0")
    from confidant.rasa_internals import form_validation

    with mock.patch.object(form_validation, "install") as patched, pytest.raises(rasa_internals.UntestedRasaError):
        rasa_internals.install()
    patched.assert_not_called()


def test_the_rasa_command_refuses_an_untested_rasa_with_a_message_not_a_traceback() -> None:
    script = (
        "from confidant.rasa_internals import version; version.installed_rasa_version = lambda: '3.5.0'; "
        "from confidant.rasa_command import main; main(['--version'])"
    )
    env = {"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(PROJECT_ROOT), "HOME": str(PROJECT_ROOT)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith("Rasa 3.5.0 is installed, but Confidant is tested with Rasa 3.6.21 only")
    assert "Traceback" not in result.stderr


def test_a_response_generator_rasa_builds_from_endpoints_refuses_a_process_that_skipped_the_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rasa_internals, "_installed", False)
    endpoint = EndpointConfig(type="confidant.practice_nlg.PracticeResponseGenerator")
    with pytest.raises(rasa_internals.NotInstalledError, match="python -m confidant.rasa_command run"):
        PracticeResponseGenerator(endpoint_config=endpoint)
    monkeypatch.setattr(rasa_internals, "_installed", True)
    PracticeResponseGenerator(endpoint_config=endpoint)
    monkeypatch.setattr(rasa_internals, "_installed", False)
    PracticeResponseGenerator()  # built directly (tests, tools): nothing to refuse


def test_both_endpoint_files_use_that_response_generator() -> None:
    for name in ("endpoints.yml", "endpoints.production.yml"):
        endpoints = yaml.safe_load((PROJECT_ROOT / name).read_text())
        assert endpoints["nlg"]["type"] == "confidant.practice_nlg.PracticeResponseGenerator", name


def test_every_script_starts_rasa_through_the_start_up_step() -> None:
    """A plain `rasa run|shell|test` would be refused by the response generator at start-up."""
    starts = []
    for path in [PROJECT_ROOT / "Makefile", *sorted((PROJECT_ROOT / "scripts").glob("*.sh"))]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            words = line.split()
            for index, word in enumerate(words[:-1]):
                if word in ("rasa", ".venv/bin/rasa") and words[index + 1] in ("run", "shell", "test"):
                    starts.append(f"{path.name}:{number}: {line.strip()}")
    assert starts == []
    plain_rasa = "parent / " + '"rasa"'  # how a test once named the rasa executable
    plain = [str(path) for path in (PROJECT_ROOT / "tests").rglob("*.py") if plain_rasa in path.read_text()]
    assert plain == [], "test servers start through tests/support/servers.py rasa_run_command"


def test_installing_twice_keeps_rasas_own_model_loading_once() -> None:
    from rasa.utils.tensorflow.models import RasaModel

    from confidant.rasa_internals import model_loading

    rasa_internals.install()
    first = RasaModel.__dict__["load"]
    rasa_internals.install()
    assert RasaModel.__dict__["load"] is first
    assert RasaModel.__dict__[model_loading._RASAS_LOAD_ATTRIBUTE] is not first
    assert rasa_internals.installed()


# A fresh process importing Rasa and TensorFlow: about 20 s of CPU, like the tests that start Rasa.
@pytest.mark.services
def test_installing_raises_no_warning_from_this_package(tmp_path: Path) -> None:
    """Rasa's deprecation warnings stay visible: the package itself must not add to them (a fresh process)."""
    script = "from confidant import rasa_internals; rasa_internals.install(); print('installed')"
    # HOME apart: Keras writes its settings file there on import, which must not land in the checkout.
    env = {"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(PROJECT_ROOT), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.stdout.strip() == "installed", result.stderr[-2000:]
    ours = [
        line for line in result.stderr.splitlines() if "Warning" in line and str(PROJECT_ROOT / "confidant") in line
    ]
    assert ours == []


def test_the_action_server_refuses_an_untested_rasa_before_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    """It reads Rasa's events table (the reconciler): only as the tested Rasa writes it."""
    from confidant import action_server

    monkeypatch.delenv(version.ALLOW_UNTESTED_ENV_VAR, raising=False)
    monkeypatch.setattr(version, "installed_rasa_version", lambda: "3.5.0")
    monkeypatch.setattr(sys, "argv", ["confidant.action_server"])
    monkeypatch.setenv(action_server.SECRET_ENV_VAR, "a-secret")
    with mock.patch.object(action_server, "build_app") as build, pytest.raises(SystemExit) as stopped:
        action_server.main()
    assert str(stopped.value).startswith("Rasa 3.5.0 is installed, but Confidant is tested with Rasa 3.6.21 only")
    build.assert_not_called()
