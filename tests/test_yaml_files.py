"""libyaml's parser reads every YAML file of the project as PyYAML's own does."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from confidant.settings import PROJECT_ROOT
from confidant.yaml_files import SafeLoader, load_yaml


def project_yaml_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*.yml", "*.yaml"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [PROJECT_ROOT / name for name in listed]


def test_the_pinned_pyyaml_has_the_c_parser() -> None:
    assert SafeLoader is yaml.CSafeLoader


def test_there_are_files_to_compare() -> None:
    names = {path.name for path in project_yaml_files()}
    assert {"domain.yml", "config.yml", "practice.yml", "endpoints.yml"} <= names


@pytest.mark.parametrize("path", project_yaml_files(), ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_each_file_reads_as_pyyaml_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            load_yaml(text)
        return
    assert load_yaml(text) == expected


def test_tricky_values_read_alike() -> None:
    text = (
        'yes_word: yes\noff_word: off\nnumber: 0o17\ndate: 2026-12-07\nempty:\nemoji: "\\U0001F600"\n'
        "quoted: 'it''s'\nfolded: >\n  two\n  lines\nanchor: &a {k: 1}\nalias: *a\n"
    )
    assert load_yaml(text) == yaml.safe_load(text)


def test_a_python_object_tag_is_refused_as_by_safe_load() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']")
