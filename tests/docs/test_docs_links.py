"""The docs name what exists: links, their anchors, repository paths and Python modules.

Files move (channels, review, evaluation data); a page that sends its reader to a file or a
heading that is no longer there is wrong in a way no reader can tell. This reads README.md and
every page under docs/ (the policy in docs/source/ is the practice's own text and is left out).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Iterator, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(p for p in (ROOT / "docs").rglob("*.md") if "source" not in p.parts)])

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
# Where a repository path starts: the project's folders and its files at the top.
TOP_FOLDERS = (
    "confidant",
    "review",
    "actions",
    "tests",
    "scripts",
    "data",
    "docs",
    "web",
    "deploy",
    "benchmarks",
    "heldout",
    "requirements",
    ".ci",
)
TOP_FILES = re.compile(
    r"^(?:(?:practice|domain|config|endpoints[\w.]*|credentials[\w.]*)\.yml|Makefile|pyproject\.toml)$"
)
REPO_PATH = re.compile(r"^(?:" + "|".join(re.escape(f) for f in TOP_FOLDERS) + r")/[\w./-]*$")
# Made at run time, never committed.
GENERATED = re.compile(r"(^|/)(test-results|story-results|cross-validation)(/|$)")
MODULE_RUN = re.compile(r"-m\s+((?:confidant|review|actions|benchmarks|scripts)(?:\.\w+)+)")
DOTTED = re.compile(r"^((?:confidant|review|actions|benchmarks)(?:\.\w+)+)$")


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(page: Path) -> Set[str]:
    return {slug(match) for match in re.findall(r"^#{1,6}\s+(.+)$", prose(page), re.M)}


@cache
def prose(page: Path) -> str:
    return FENCE.sub("", page.read_text(encoding="utf-8"))


def where(page: Path) -> str:
    return str(page.relative_to(ROOT))


def links() -> Iterator[Tuple[str, Path, str]]:
    for page in PAGES:
        for target in LINK.findall(prose(page)):
            if not re.match(r"^[a-z]+:", target):
                yield where(page), page, target


def repository_paths() -> Iterator[Tuple[str, str]]:
    for page in PAGES:
        for span in CODE_SPAN.findall(prose(page)):
            for token in span.split():
                token = token.rstrip(".,;:)")
                if any(mark in token for mark in "<>*…{}") or "..." in token or GENERATED.search(token):
                    continue
                if REPO_PATH.match(token) or TOP_FILES.match(token) and "/" not in token:
                    yield where(page), token


def module_names() -> Iterator[Tuple[str, str, bool]]:
    """(page, dotted name, whether it is run with -m and so must be a module, not a class)."""
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for name in MODULE_RUN.findall(text):
            yield where(page), name, True
        for span in CODE_SPAN.findall(prose(page)):
            match = DOTTED.match(span.strip())
            if match:
                yield where(page), match.group(1), False


def is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_the_pages_and_what_they_name_are_found() -> None:
    """The readers below see the pages' links, paths and modules (so the checks cannot pass on nothing)."""
    assert ROOT / "docs" / "README.md" in PAGES and ROOT / "README.md" in PAGES
    assert len(list(links())) > 50
    assert ("README.md", "practice.yml") in set(repository_paths())
    assert any(name == "confidant.settings" and run for _, name, run in module_names())


@pytest.mark.parametrize("page_name, page, target", list(links()))
def test_a_link_reaches_a_file_and_its_heading(page_name: str, page: Path, target: str) -> None:
    path_part, _, anchor = target.partition("#")
    destination = (page.parent / path_part).resolve() if path_part else page
    assert destination.exists(), f"{page_name} links to {target}: no such file"
    if anchor and destination.suffix == ".md":
        assert anchor in anchors(destination), f"{page_name} links to {target}: no such heading"


@pytest.mark.parametrize("page_name, path", sorted(set(repository_paths())))
def test_a_named_repository_path_exists(page_name: str, path: str) -> None:
    assert (ROOT / path).exists(), f"{page_name} names {path}, which is not in the repository"


@pytest.mark.parametrize("page_name, name, run", sorted(set(module_names())))
def test_a_named_python_module_exists(page_name: str, name: str, run: bool) -> None:
    parts: List[str] = name.split(".")
    # `confidant.store.redis_lock_store.AtomicRedisLockStore` names a class of a module.
    found = is_module(name) or not run and len(parts) > 2 and is_module(".".join(parts[:-1]))
    assert found, f"{page_name} names {name}: no such module"
