"""Every citation of the policy names a file and a section that exist.

Answers rest on the practice's policy (docs/source/): `metadata.source` in domain.yml names its
section ids, and the comments of domain.yml, config.yml, practice.yml and the training data
name the policy's files and, above each block of examples, the sections the answer draws on
(`# source: definition, contact (...)`). A citation of a file or section that is not there
sends a reviewer checking the wording to nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest
import yaml

from confidant.policy_sections import policy_section_ids

ROOT = Path(__file__).resolve().parents[2]
COMMENTED_FILES = sorted(
    [ROOT / "domain.yml", ROOT / "config.yml", ROOT / "practice.yml", *(ROOT / "data").rglob("*.yml")]
)
# A path, from the project folder, to a file of the policy's folder: "docs/source/SECTIONS.md".
SOURCE_PATH = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*source/[\w.-]+\.[a-z]+)")
# "source: id, id (a remark)" in a comment: the ids run up to a parenthesis or the line's end.
SOURCE_IDS = re.compile(r"\bsource:\s*([^()\n]*)")


def comments(path: Path) -> Iterator[Tuple[int, str]]:
    """Each comment line of a YAML file (number and text after the #)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            yield number, stripped[1:]


def cited_paths() -> List[Tuple[str, str]]:
    return [
        (f"{path.relative_to(ROOT)}:{number}", cited)
        for path in COMMENTED_FILES
        for number, text in comments(path)
        for cited in SOURCE_PATH.findall(text)
    ]


def cited_sections() -> List[Tuple[str, str]]:
    return [
        (f"{path.relative_to(ROOT)}:{number}", section.strip())
        for path in COMMENTED_FILES
        for number, text in comments(path)
        for listed in SOURCE_IDS.findall(text)
        for section in listed.split(",")
    ]


def metadata_sources(node: Any) -> Iterator[Any]:
    """Every `metadata.source` value anywhere in the domain's responses."""
    if isinstance(node, dict):
        metadata = node.get("metadata")
        if isinstance(metadata, dict) and "source" in metadata:
            yield metadata["source"]
        for value in node.values():
            yield from metadata_sources(value)
    elif isinstance(node, list):
        for value in node:
            yield from metadata_sources(value)


def test_the_citations_are_found() -> None:
    """The readers below find the citations the files hold (so the checks cannot pass on nothing)."""
    assert any(
        where.startswith("domain.yml:") and cited == "docs/source/confidentiality-in-therapy.txt"
        for where, cited in cited_paths()
    )
    assert len(cited_sections()) >= 40
    assert any(
        where.startswith("data/nlu/faq_limits.yml:") and cited == "limit-court" for where, cited in cited_sections()
    )


@pytest.mark.parametrize("where, cited", cited_paths())
def test_a_cited_policy_file_exists(where: str, cited: str) -> None:
    assert (ROOT / cited).is_file(), f"{where} cites {cited}, which is not a file (the policy is in docs/source/)"


@pytest.mark.parametrize("where, section", cited_sections())
def test_a_commented_source_names_a_section_of_the_policy(where: str, section: str) -> None:
    assert section in policy_section_ids(), f"{where} cites {section!r}, not a section of docs/source/SECTIONS.md"


def test_every_metadata_source_of_every_response_names_sections_of_the_policy() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    sources = list(metadata_sources(domain["responses"]))
    assert sources, "no response names its source"
    unknown = {section for listed in sources for section in listed if section not in policy_section_ids()}
    assert all(isinstance(listed, list) and listed for listed in sources)
    assert unknown == set(), f"domain.yml cites sections that docs/source/SECTIONS.md does not list: {unknown}"
