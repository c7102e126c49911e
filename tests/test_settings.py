"""practice.yml: one file, checked at start-up, errors that name the field.

The shipped demo file is checked once (it must pass the check); every other test works on the
fixture practice (tests/fixtures/practice.yml) or a changed copy of it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
import yaml

from confidant.action_filled import ACTION_FILLED_VARIABLES
from confidant.response_filling import check_responses
from confidant.settings import SITUATIONS, PracticeSettings, SettingsError, load_settings
from tests.support.practice_file import PRACTICE_FILE, practice_data

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings_data() -> dict:
    return practice_data()


def line_by_id(data: dict, line_id: str) -> dict:
    return next(line for line in data["crisis"]["lines"] if line["id"] == line_id)


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "practice.yml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def test_the_shipped_settings_are_valid() -> None:
    """The demo practice.yml passes the settings check and fills every response in the domain.

    The one test of the shipped file: every other test uses the fixture practice, so a practice
    that edits its own practice.yml keeps a passing suite (and this test checks its file).
    """
    settings = load_settings(ROOT / "practice.yml")
    variables = settings.response_variables()
    assert variables["practice_name"] and variables["emergency_number"]
    assert variables["crisis_line"] == settings.crisis.lines_for("general")[0].how
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    check_responses(
        domain["responses"],
        variables,
        domain.get("slots", {}),
        ACTION_FILLED_VARIABLES,
        settings.crisis.situations_open_any_time(),
    )


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


# ---- crisis lines per situation ---------------------------------------------------------


def test_every_situation_has_its_first_line_and_list_as_placeholders(practice: PracticeSettings) -> None:
    variables = practice.response_variables()
    for situation in SITUATIONS:
        lines = practice.crisis.lines_for(situation)
        assert variables[f"first_line_{situation}"] == f"{lines[0].how} ({lines[0].name})"
        assert all(line.how in variables[f"lines_{situation}"] for line in lines)
    # As the file lists them: the first line, then the rest joined with commas and a last "or".
    data = practice_data()
    first, second = (line_by_id(data, line_id) for line_id in data["crisis"]["situations"]["general"])
    assert variables["first_line_self_at_risk"] == "{how} ({name})".format(
        **line_by_id(data, data["crisis"]["situations"]["self_at_risk"][0])
    )
    assert variables["lines_general"] == f"{first['how']} ({first['name']}), or {second['how']} ({second['name']})"
    # The footer and the existing placeholders are the general lines.
    assert variables["crisis_line"] == first["how"]
    assert variables["crisis_lines"] == f"{first['name']}: {first['how']}; {second['name']}: {second['how']}"


def spanish_of(data: dict, line_id: str) -> Optional[str]:
    [line] = [line for line in data["crisis"]["lines"] if line["id"] == line_id]
    return line.get("spanish")


def test_the_spanish_phrase_comes_from_the_lines(practice: PracticeSettings) -> None:
    data = practice_data()
    situations = data["crisis"]["situations"]
    variables = practice.response_variables()
    assert variables["first_line_spanish"] == spanish_of(data, situations["general"][0])
    # Someone being hurt by a partner is sent to the partner-violence line's Spanish option.
    assert variables["first_line_spanish_adult_victim_ipv"] == spanish_of(data, situations["adult_victim_ipv"][0])
    assert variables["first_line_spanish_child_victim"] == spanish_of(data, situations["child_victim"][0])
    assert variables["first_line_spanish_adult_victim_ipv"] != variables["first_line_spanish"]


def test_a_situation_whose_first_line_has_no_spanish_takes_its_next_line_with_one(
    tmp_path: Path, settings_data: dict
) -> None:
    situations = settings_data["crisis"]["situations"]
    first, *rest = situations["adult_victim_ipv"]
    [line] = [line for line in settings_data["crisis"]["lines"] if line["id"] == first]
    line.pop("spanish")
    with_spanish = [line_id for line_id in rest if spanish_of(settings_data, line_id)]
    variables = load_settings(write(tmp_path, settings_data)).response_variables()
    assert variables["first_line_spanish_adult_victim_ipv"] == spanish_of(settings_data, with_spanish[0])


def test_without_a_spanish_line_there_is_no_spanish_placeholder(tmp_path: Path, settings_data: dict) -> None:
    for line in settings_data["crisis"]["lines"]:
        line.pop("spanish", None)
    variables = load_settings(write(tmp_path, settings_data)).response_variables()
    assert not [name for name in variables if name.startswith("first_line_spanish")]


def test_the_crisis_card_has_the_widgets_shape(practice: PracticeSettings) -> None:
    data = practice_data()
    card = practice.crisis.crisis_card("child_victim")
    assert card == {
        "crisis_card": {
            "situation": "child_victim",
            "emergency": {"name": "Emergency", "call": data["crisis"]["emergency_number"]},
            "lines": [
                {field: line_by_id(data, line_id).get(field) for field in ("name", "call", "text", "text_body", "note")}
                for line_id in data["crisis"]["situations"]["child_victim"]
            ],
        }
    }
    assert len(card["crisis_card"]["lines"]) >= 2


def test_a_situation_naming_an_unknown_line_is_refused(tmp_path: Path, settings_data: dict) -> None:
    settings_data["crisis"]["situations"]["child_victim"] = [settings_data["crisis"]["lines"][0]["id"], "childline"]
    with pytest.raises(SettingsError, match=r"crisis: situations\.child_victim: no line has the id 'childline'"):
        load_settings(write(tmp_path, settings_data))


def test_a_missing_situation_is_named(tmp_path: Path, settings_data: dict) -> None:
    del settings_data["crisis"]["situations"]["intrusive_thoughts"]
    with pytest.raises(SettingsError, match=r"crisis\.situations\.intrusive_thoughts: field required"):
        load_settings(write(tmp_path, settings_data))


def test_an_unknown_situation_is_refused(tmp_path: Path, settings_data: dict) -> None:
    settings_data["crisis"]["situations"]["teen_at_risk"] = [settings_data["crisis"]["lines"][0]["id"]]
    with pytest.raises(SettingsError, match=r"crisis\.situations\.teen_at_risk: extra fields not permitted"):
        load_settings(write(tmp_path, settings_data))


def test_an_empty_situation_is_refused(tmp_path: Path, settings_data: dict) -> None:
    settings_data["crisis"]["situations"]["general"] = []
    with pytest.raises(SettingsError, match=r"crisis\.situations\.general: ensure this value has at least 1"):
        load_settings(write(tmp_path, settings_data))


def test_a_line_without_a_number_is_refused(tmp_path: Path, settings_data: dict) -> None:
    line = settings_data["crisis"]["lines"][3]
    line["call"] = line["text"] = line["text_body"] = None
    with pytest.raises(SettingsError, match=r"crisis\.lines\.3: a crisis line needs a number to call or to text"):
        load_settings(write(tmp_path, settings_data))


def test_a_line_id_used_twice_is_refused(tmp_path: Path, settings_data: dict) -> None:
    first_id = settings_data["crisis"]["lines"][0]["id"]
    settings_data["crisis"]["lines"][1]["id"] = first_id
    with pytest.raises(SettingsError, match=f"the id '{first_id}' is used twice"):
        load_settings(write(tmp_path, settings_data))


def test_a_malformed_number_is_named(tmp_path: Path, settings_data: dict) -> None:
    settings_data["crisis"]["lines"][0]["call"] = "call 988"
    with pytest.raises(SettingsError, match=r"crisis\.lines\.0\.call: string does not match"):
        load_settings(write(tmp_path, settings_data))


def test_a_first_line_too_long_for_a_short_message_is_refused(tmp_path: Path, settings_data: dict) -> None:
    settings_data["crisis"]["lines"][0]["how"] = "call or text 988, or chat at 988lifeline.org"
    settings_data["crisis"]["lines"][0]["name"] = "988 Suicide and Crisis Lifeline (United States)"
    with pytest.raises(SettingsError, match=r"situations\.general: the first line reads .* longer than 90"):
        load_settings(write(tmp_path, settings_data))


# ---- office hours ------------------------------------------------------------------------


def test_the_hours_clients_read_are_written_from_the_office_hours(tmp_path: Path, settings_data: dict) -> None:
    # The fixture practice: Monday to Friday, 9 to 5.
    assert load_settings(PRACTICE_FILE).practice.hours == "Monday to Friday, 9 a.m. to 5 p.m."
    settings_data["practice"]["office_hours"]["friday"] = {"open": "09:30", "close": "12:00"}
    settings = load_settings(write(tmp_path, settings_data))
    assert settings.response_variables()["practice_hours"] == (
        "Monday to Thursday, 9 a.m. to 5 p.m.; Friday, 9:30 a.m. to noon"
    )


def test_hours_too_long_to_read_are_refused(tmp_path: Path, settings_data: dict) -> None:
    settings_data["practice"]["office_hours"]["friday"] = {"open": "09:30", "close": "12:00"}
    settings_data["practice"]["office_hours"]["saturday"] = {"open": "10:00", "close": "13:00"}
    with pytest.raises(SettingsError, match=r"practice: office_hours read as .* longer than 80 characters"):
        load_settings(write(tmp_path, settings_data))


def test_hand_written_hours_are_refused_naming_the_replacement(tmp_path: Path, settings_data: dict) -> None:
    settings_data["practice"]["hours"] = "Mon-Fri 9-5"
    with pytest.raises(SettingsError, match=r"practice: hours is no longer written by hand.*practice\.office_hours"):
        load_settings(write(tmp_path, settings_data))


def test_an_unquoted_time_is_refused_not_misread(tmp_path: Path) -> None:
    # YAML reads 17:00 unquoted as 1020 (base 60); it must not become 00:17.
    text = PRACTICE_FILE.read_text().replace('close: "17:00"}', "close: 17:00}", 1)
    with pytest.raises(SettingsError, match=r"practice\.office_hours\.monday\.close: write the time in quotes"):
        load_settings(write(tmp_path, text))


def test_closing_before_opening_is_refused(tmp_path: Path, settings_data: dict) -> None:
    settings_data["practice"]["office_hours"]["tuesday"] = {"open": "17:00", "close": "09:00"}
    with pytest.raises(SettingsError, match=r"practice\.office_hours\.tuesday: close must be later than open"):
        load_settings(write(tmp_path, settings_data))


def test_a_week_with_no_open_day_is_refused(tmp_path: Path, settings_data: dict) -> None:
    settings_data["practice"]["office_hours"] = {}
    with pytest.raises(SettingsError, match=r"practice\.office_hours: the practice must be open at least one day"):
        load_settings(write(tmp_path, settings_data))


def test_an_unknown_time_zone_is_named(tmp_path: Path, settings_data: dict) -> None:
    settings_data["practice"]["timezone"] = "Eastern"
    with pytest.raises(SettingsError, match=r"practice\.timezone: unknown time zone 'Eastern'"):
        load_settings(write(tmp_path, settings_data))


def test_a_bad_holiday_is_named(tmp_path: Path, settings_data: dict) -> None:
    settings_data["practice"]["holidays"] = ["2025-12-25", "Christmas"]
    with pytest.raises(SettingsError, match=r"practice\.holidays\.1: invalid date format"):
        load_settings(write(tmp_path, settings_data))


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


# ---- retention --------------------------------------------------------------------------


def test_unsent_appointment_drafts_have_a_short_retention_by_default(tmp_path: Path, settings_data: dict) -> None:
    del settings_data["assistant"]["appointment_draft_hours"]
    assert load_settings(write(tmp_path, settings_data)).assistant.appointment_draft_hours == 24


@pytest.mark.parametrize(
    "assistant, message",
    [
        ({"appointment_draft_hours": 0}, "greater than or equal to 1"),
        ({"retention_days": 1, "appointment_draft_hours": 48}, "must not be longer than retention_days"),
    ],
)
def test_a_draft_retention_that_makes_no_sense_is_named(
    tmp_path: Path, settings_data: dict, assistant: dict, message: str
) -> None:
    settings_data["assistant"].update(assistant)
    with pytest.raises(SettingsError, match=r"assistant\.appointment_draft_hours: .*" + message):
        load_settings(write(tmp_path, settings_data))
