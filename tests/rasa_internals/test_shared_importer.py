"""`rasa train` hands the importer it checked the files with on to the training, unless a file changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from rasa.shared.importers.importer import TrainingDataImporter

from confidant.rasa_internals import shared_importer

TINY_PROJECT = Path(__file__).parents[1] / "support" / "tiny_project"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The tiny project, with the change installed for this test only (it is for training processes)."""
    shutil.copytree(TINY_PROJECT, tmp_path / "project")
    monkeypatch.setattr(TrainingDataImporter, "load_from_config", TrainingDataImporter.__dict__["load_from_config"])
    shared_importer.install()
    shared_importer.install()  # idempotent
    yield tmp_path / "project"
    shared_importer._waiting.clear()


def paths(project: Path) -> tuple[str, str, list[str]]:
    return str(project / "config.yml"), str(project / "domain.yml"), [str(project / "data")]


def test_the_training_gets_the_importer_the_check_read_with(project: Path) -> None:
    config, domain, data = paths(project)
    checked = TrainingDataImporter.load_from_config(config_path=config, domain_path=domain, training_data_paths=data)
    intents = checked.get_nlu_data().intents
    training = TrainingDataImporter.load_from_config(config, domain, data, {"augmentation_factor": 50})
    assert training is checked and training.get_nlu_data().intents == intents
    assert TrainingDataImporter.load_from_config(config, domain, data) is not checked  # handed on once only


def test_a_file_changed_in_between_is_read_again(project: Path) -> None:
    config, domain, data = paths(project)
    checked = TrainingDataImporter.load_from_config(config, domain, data)
    nlu_file = next((project / "data").rglob("*.yml"))
    stat = nlu_file.stat()
    os.utime(nlu_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert TrainingDataImporter.load_from_config(config, domain, data) is not checked


def test_other_files_get_another_importer(project: Path, tmp_path: Path) -> None:
    config, domain, data = paths(project)
    checked = TrainingDataImporter.load_from_config(config, domain, data)
    other = tmp_path / "other"
    shutil.copytree(project, other)
    assert TrainingDataImporter.load_from_config(*paths(other)[:2], paths(other)[2]) is not checked


def test_a_config_naming_its_own_importers_keeps_rasas_way(project: Path) -> None:
    config_file = project / "config.yml"
    config_file.write_text(
        config_file.read_text(encoding="utf-8") + "\nimporters:\n- name: RasaFileImporter\n", encoding="utf-8"
    )
    config, domain, data = paths(project)
    checked = TrainingDataImporter.load_from_config(config, domain, data)
    assert TrainingDataImporter.load_from_config(config, domain, data) is not checked
