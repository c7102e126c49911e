"""practice.yml: one file, checked at start-up, errors that name the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from confidant.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings_data() -> dict:
    return yaml.safe_load((ROOT / "practice.yml").read_text())


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "practice.yml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def test_the_shipped_settings_are_valid() -> None:
    settings = load_settings(ROOT / "practice.yml")
    variables = settings.response_variables()
    assert variables["practice_name"] and variables["emergency_number"]
    assert variables["crisis_line"] == settings.crisis.lines[0].how


def test_missing_file_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found: .*nowhere.yml"):
        load_settings(tmp_path / "nowhere.yml")


def test_malformed_yaml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings(write(tmp_path, "practice: [unclosed"))


def test_a_missing_field_is_named(tmp_path: Path, settings_data: dict) -> None:
    del settings_data["practice"]["phone"]
    with pytest.raises(SettingsError, match=r"practice\.phone: field required"):
        load_settings(write(tmp_path, settings_data))


def test_a_bad_value_is_named(tmp_path: Path, settings_data: dict) -> None:
    settings_data["practice"]["email"] = "not-an-email"
    settings_data["crisis"]["lines"] = []
    with pytest.raises(SettingsError) as error:
        load_settings(write(tmp_path, settings_data))
    assert "practice.email" in str(error.value)
    assert "crisis.lines" in str(error.value)


def test_an_unknown_field_is_refused_not_ignored(tmp_path: Path, settings_data: dict) -> None:
    settings_data["practice"]["phone_number"] = "555"
    with pytest.raises(SettingsError, match="practice.phone_number: extra fields not permitted"):
        load_settings(write(tmp_path, settings_data))


def test_the_check_command_exits_non_zero_naming_the_field(tmp_path: Path, settings_data: dict) -> None:
    del settings_data["crisis"]["emergency_number"]
    result = subprocess.run(
        [sys.executable, "-m", "confidant.settings", str(write(tmp_path, settings_data))],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "crisis.emergency_number" in result.stderr


def test_rate_limits_have_defaults_when_the_section_is_left_out(tmp_path: Path, settings_data: dict) -> None:
    del settings_data["limits"]
    del settings_data["escalation"]["unusual_volume_per_hour"]
    settings = load_settings(write(tmp_path, settings_data))
    assert settings.limits.messages.per_address >= 1 and settings.limits.new_conversations.total >= 1
    assert settings.limits.trusted_proxies == [] and settings.escalation.unusual_volume_per_hour >= 1


@pytest.mark.parametrize(
    "limits, field",
    [
        ({"messages": {"per_address": 0, "total": 10}}, "limits.messages.per_address"),
        ({"messages": {"per_address": 50, "total": 10}}, "limits.messages.total"),
        ({"new_conversations": {"per_address": 5}}, "limits.new_conversations.total"),
        ({"trusted_proxies": ["nginx.local"]}, "limits.trusted_proxies"),
        ({"trusted_proxies": ["10.0.0.0/99"]}, "limits.trusted_proxies"),
        ({"window_minutes": 0}, "limits.window_minutes"),
    ],
)
def test_a_bad_rate_limit_is_named(tmp_path: Path, settings_data: dict, limits: dict, field: str) -> None:
    settings_data["limits"] = limits
    with pytest.raises(SettingsError, match=field.replace(".", r"\.")):
        load_settings(write(tmp_path, settings_data))
