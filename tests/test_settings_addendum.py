"""practice.yml `addendum`: a practice's own answers, refused at start-up unless they can be sent."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from confidant.policy_sections import read_addendum
from confidant.settings import SettingsError, addendum_path, load_settings
from tests.support.practice_answers import INSURANCE_ANSWER, INSURANCE_SECTION, write_practice
from tests.support.practice_file import practice_data
from tests.support.servers import ROOT


def answer(**changes: object) -> dict:
    written = copy.deepcopy(INSURANCE_ANSWER)
    written.update(changes)
    return written


def refusal(tmp_path: Path, **kwargs: object) -> str:
    with pytest.raises(SettingsError) as error:
        load_settings(write_practice(tmp_path, **kwargs))
    return str(error.value)


def test_a_relative_addendum_path_is_read_from_the_project_folder(practice) -> None:
    # The fixture practice names the shipped addendum as the demo does, relative to the project.
    path = addendum_path(practice)
    assert path == ROOT / "docs" / "source" / "addendum.md"
    assert isinstance(read_addendum(path), dict)
    assert practice.addendum.answers == {}


def test_the_worked_example_is_accepted(tmp_path: Path) -> None:
    settings = load_settings(write_practice(tmp_path))
    insurance = settings.addendum.answers["insurance"]
    assert insurance.sources == ["insurance-billing", "definition", "contact"]
    assert insurance.web.startswith("We bill your insurance only if you ask us to.")


def test_the_readmes_worked_example_passes_the_check_and_is_the_one_tested(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"```markdown\n(## insurance-billing.*?)```", readme, re.S).group(1)
    answers = yaml.safe_load(re.search(r"```yaml\n(addendum:.*?)```", readme, re.S).group(1))["addendum"]["answers"]
    assert section == INSURANCE_SECTION and answers == {"insurance": INSURANCE_ANSWER}
    assert load_settings(write_practice(tmp_path, answers=answers, addendum=section)).addendum.answers


def test_an_unknown_topic_is_refused_naming_the_topics(tmp_path: Path) -> None:
    message = refusal(tmp_path, answers={"insurence": INSURANCE_ANSWER})
    assert "addendum.answers: 'insurence' is not a question" in message
    assert "insurance, own_records" in message


def test_a_cited_section_missing_from_policy_and_addendum_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, answers={"insurance": answer(sources=["insurance-billing", "billing-rules"])})
    assert "addendum.answers.insurance.sources: cites 'billing-rules'" in message
    assert "cites 'insurance-billing'" not in message  # the addendum's own section is found


def test_citing_an_addendum_section_needs_the_addendum(tmp_path: Path) -> None:
    message = refusal(tmp_path, addendum="# Addendum, no sections yet\n")
    assert "addendum.answers.insurance.sources: cites 'insurance-billing'" in message


def test_an_answer_citing_only_the_policy_needs_no_addendum_file(tmp_path: Path) -> None:
    data = practice_data()
    data["addendum"] = {"answers": {"insurance": answer(sources=["definition", "contact"])}}
    path = tmp_path / "practice.yml"
    path.write_text(yaml.safe_dump(data))
    assert load_settings(path).addendum.answers["insurance"].sources == ["definition", "contact"]


def test_an_answer_without_sources_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, answers={"insurance": answer(sources=[])})
    assert "addendum.answers.insurance.sources:" in message


def test_an_answer_without_sms_wording_is_refused(tmp_path: Path) -> None:
    written = answer()
    del written["sms"]
    assert "addendum.answers.insurance.sms: field required" in refusal(tmp_path, answers={"insurance": written})


def test_an_sms_answer_too_long_once_filled_in_is_refused(tmp_path: Path, practice_variables) -> None:
    # 289 characters as written; the practice's details make it longer than one SMS.
    sms = (
        "Call {practice_name} at {practice_phone}, email {practice_email} or see {practice_website}. "
        + "We can tell you more. " * 9
    )
    assert len(sms.strip()) <= 300 < len(sms.strip().format(**practice_variables))
    message = refusal(tmp_path, answers={"insurance": answer(sms=sms.strip())})
    assert "addendum.answers.insurance.sms:" in message and "over the SMS limit of 300" in message


def test_an_answer_above_grade_8_is_refused(tmp_path: Path) -> None:
    web = (
        "Reimbursement documentation necessitates diagnostic categorisation communicated to insurers. "
        "Psychotherapeutic documentation remains confidential. Contact {practice_phone}."
    )
    message = refusal(tmp_path, answers={"insurance": answer(web=web)})
    assert "addendum.answers.insurance.web: reads at grade" in message and "above grade 8" in message
    assert "addendum.answers.insurance.sms" not in message


def test_a_web_answer_longer_than_five_sentences_is_refused(tmp_path: Path) -> None:
    web = "We bill you. " * 6 + "Call {practice_phone}."
    assert "addendum.answers.insurance.web: 7 sentences" in refusal(tmp_path, answers={"insurance": answer(web=web)})


def test_a_placeholder_the_assistant_cannot_fill_is_refused(tmp_path: Path) -> None:
    sms = "We bill insurance only if you ask. Fax us at {practice_fax}."
    message = refusal(tmp_path, answers={"insurance": answer(sms=sms)})
    assert "addendum.answers.insurance.sms: names {practice_fax}, which the assistant cannot fill in" in message
    assert "{practice_phone}" in message  # and says what it can fill


@pytest.mark.parametrize("sms", ["Call us :} at {practice_phone}.", "Call us at {{practice_phone}}.", "Call { us."])
def test_a_brace_that_is_not_a_placeholder_is_refused(tmp_path: Path, sms: str) -> None:
    # Rasa would fail the whole turn on it ("Single '}' encountered in format string").
    message = refusal(tmp_path, answers={"insurance": answer(sms=sms)})
    assert "addendum.answers.insurance.sms: has a { or } that is not part of a placeholder" in message


def test_send_time_and_crisis_placeholders_are_accepted(tmp_path: Path) -> None:
    sms = "Ask us about billing: {practice_phone}. {next_reader} In danger now? {first_line_general}."
    assert load_settings(write_practice(tmp_path, answers={"insurance": answer(sms=sms)})).addendum.answers


def test_a_missing_addendum_file_is_named(tmp_path: Path) -> None:
    path = write_practice(tmp_path)
    (tmp_path / "addendum.md").unlink()
    with pytest.raises(SettingsError, match=r"addendum\.file: the addendum file .*addendum\.md does not exist"):
        load_settings(path)


@pytest.mark.parametrize(
    ("addendum", "expected"),
    [
        ("## Insurance and billing\nWe bill.\n", "line 1: a section heading is `## <id>: <title>`"),
        ("## limit-court: Court\nOur own words.\n", "line 1: 'limit-court' is already a section of the policy page"),
        (INSURANCE_SECTION + "\n" + INSURANCE_SECTION, "line 6: the section id 'insurance-billing' is used twice"),
        ("## insurance-billing: Insurance\n\n## other: Other\nText.\n", "section 'insurance-billing' has no text"),
    ],
)
def test_an_addendum_it_cannot_read_is_refused_naming_the_line(tmp_path: Path, addendum: str, expected: str) -> None:
    message = refusal(tmp_path, addendum=addendum)
    assert "addendum.file: the addendum" in message and expected in message


def test_sections_keep_their_title_and_text_and_subheadings(tmp_path: Path) -> None:
    path = tmp_path / "addendum.md"
    path.write_text("# Title\nIntro.\n\n" + INSURANCE_SECTION + "### Claims\nMore.\n")
    section = read_addendum(path)["insurance-billing"]
    assert section.title == "Insurance and billing"
    assert section.text.startswith("We bill your insurance") and section.text.endswith("### Claims\nMore.")


def test_the_check_command_refuses_a_bad_answer_naming_the_field(tmp_path: Path) -> None:
    path = write_practice(tmp_path, answers={"insurance": answer(sources=["billing-rules"])})
    result = subprocess.run(
        [sys.executable, "-m", "confidant.settings", str(path)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "addendum.answers.insurance.sources: cites 'billing-rules'" in result.stderr


def test_the_check_command_lists_the_answered_topics(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "confidant.settings", str(write_practice(tmp_path))],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "the practice's own answers: insurance" in result.stdout
