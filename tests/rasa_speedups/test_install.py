"""Every Rasa process this project starts installs the speed-ups."""

from __future__ import annotations

from unittest import mock

from confidant import rasa_speedups
from confidant.practice_nlg import PracticeResponseGenerator


def test_every_rasa_server_installs_them_with_its_response_generator() -> None:
    with mock.patch.object(rasa_speedups, "install") as install:
        PracticeResponseGenerator()
    install.assert_called_once()


def test_both_endpoint_files_use_that_response_generator() -> None:
    import yaml

    from confidant.settings import PROJECT_ROOT

    for name in ("endpoints.yml", "endpoints.production.yml"):
        endpoints = yaml.safe_load((PROJECT_ROOT / name).read_text())
        assert endpoints["nlg"]["type"] == "confidant.practice_nlg.PracticeResponseGenerator", name


def test_installing_the_model_loading_twice_keeps_rasas_own_once() -> None:
    from rasa.utils.tensorflow.models import RasaModel

    from confidant.rasa_speedups import model_loading

    model_loading.install()
    first = RasaModel.__dict__["load"]
    model_loading.install()
    assert RasaModel.__dict__["load"] is first
    assert RasaModel.__dict__[model_loading._RASAS_LOAD_ATTRIBUTE] is not first
