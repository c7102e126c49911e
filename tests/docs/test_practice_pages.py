"""The practice's pages say what the domain says: the topics, their labels and the sections they rest on."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_the_practices_table_of_topics_is_the_domains() -> None:
    """docs/practice/what-it-says.md lists every policy topic with its label and sections as domain.yml has them."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    expected = set()
    for name, variations in domain.items():
        if name.startswith("utter_faq/") and not name.startswith("utter_faq/beyond_"):
            web = next(v for v in variations if not v.get("channel"))
            metadata = web["metadata"]
            expected.add((name.split("/", 1)[1], metadata["label"], ", ".join(metadata["source"])))
    page = (ROOT / "docs" / "practice" / "what-it-says.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `(\w+)` \| ([^|]+?) \| ([^|]+?) \|$", page, re.M))
    assert len(expected) >= 16
    assert rows == expected, f"update the table in docs/practice/what-it-says.md: {rows ^ expected}"
