"""The sections an answer may cite: the policy page's, and those of the practice's own addendum.

Every answer names its sources by section id. The policy page's ids are listed in
docs/source/SECTIONS.md. A practice that answers questions the page does not cover writes
its own sections in an addendum beside it, a Markdown (or plain text) file where each
section starts with a heading line `## <id>: <title>`; anything before the first heading is
an introduction that no answer can cite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, List

POLICY_SECTIONS_PATH = Path(__file__).resolve().parent.parent / "docs" / "source" / "SECTIONS.md"
_TABLE_ROW_ID = re.compile(r"^\|\s*([a-z][a-z0-9-]*)\s*\|", re.M)
_HEADING = re.compile(r"^##(?!#)(.*)$")
_SECTION_HEADING = re.compile(r"^##\s+([a-z][a-z0-9-]*)\s*:\s*(\S.*?)\s*$")


class AddendumError(ValueError):
    """The addendum file is missing or a section heading cannot be read."""


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    text: str


def policy_section_ids(path: Path = POLICY_SECTIONS_PATH) -> FrozenSet[str]:
    """The ids of the policy page's sections (the table in SECTIONS.md)."""
    return frozenset(_TABLE_ROW_ID.findall(path.read_text(encoding="utf-8"))) - {"id"}


def read_addendum(path: Path, policy_ids: FrozenSet[str] = frozenset()) -> Dict[str, Section]:
    """The addendum's sections by id; refuses headings it cannot read, empty or repeated ids."""
    if not path.is_file():
        raise AddendumError(f"the addendum file {path} does not exist")
    sections: Dict[str, Section] = {}
    problems: List[str] = []
    current: List[str] = []
    heading: tuple = ()

    def close() -> None:
        if heading:
            section_id, title, line_number = heading
            text = "\n".join(current).strip()
            if not text:
                problems.append(f"line {line_number}: section {section_id!r} has no text")
            sections[section_id] = Section(section_id, title, text)

    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not _HEADING.match(line):
            current.append(line)
            continue
        close()
        current = []
        match = _SECTION_HEADING.match(line)
        if not match:
            heading = ()
            problems.append(
                f"line {line_number}: a section heading is `## <id>: <title>`, the id in lower case "
                f"letters, digits and hyphens (found {line.strip()!r})"
            )
            continue
        section_id, title = match.groups()
        if section_id in sections:
            problems.append(f"line {line_number}: the section id {section_id!r} is used twice")
        elif section_id in policy_ids:
            problems.append(f"line {line_number}: {section_id!r} is already a section of the policy page")
        heading = (section_id, title, line_number)
    close()
    if problems:
        raise AddendumError(f"the addendum {path} cannot be read: " + "; ".join(problems))
    return sections
