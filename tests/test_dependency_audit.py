"""scripts/audit_dependencies.py: the offline dependency audit against the vendored advisory snapshot."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def load_audit_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", ROOT / "scripts" / "audit_dependencies.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


audit_dependencies = load_audit_module()

SNAPSHOT_DAY = date(2024, 10, 10)
FRESH = SNAPSHOT_DAY + timedelta(days=10)  # "today" for the fake repository: its snapshot is fresh


def run_audit(repo: dict, today: date = FRESH):
    return audit_dependencies.audit(repo["lock"], repo["advisories"], repo["exceptions"], today=today)


# Affected from 1.0 up to (not including) 1.4, and again from 2.0 up to and including 2.1.
AFFECTED = [
    {
        "package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
        "ranges": [
            {"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "abc123"}]},
            {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.4"}]},
            {"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"last_affected": "2.1"}]},
        ],
    }
]


@pytest.fixture
def fake_repo(tmp_path: Path) -> dict:
    """A lock with two packages, a snapshot with two advisories affecting them, both accepted."""
    lock = tmp_path / "lock.txt"
    lock.write_text("# comment\nDemo_Pkg==1.2\nother.pkg==0.5.0\nclean==3.0\n")
    snapshot = {
        "source": "pypa/advisory-database",
        "commit": "0" * 40,
        "commit_date": "2024-10-10T17:35:05+00:00",
        "locked": {"demo-pkg": "1.2", "other-pkg": "0.5.0", "clean": "3.0"},
        "advisories": [
            {
                "id": "PYSEC-0000-1",
                "package": "demo-pkg",
                "version_locked": "1.2",
                "summary": "demo",
                "aliases": ["CVE-0000-1"],
                "fixed_in": ["1.4"],
                "affected": AFFECTED,
            },
            {
                "id": "PYSEC-0000-2",
                "package": "other-pkg",
                "version_locked": "0.5.0",
                "summary": "other",
                "aliases": [],
                "fixed_in": [],
                "affected": [
                    {
                        "package": {"name": "other-pkg"},
                        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                    }
                ],
            },
        ],
    }
    advisories = tmp_path / "advisories.json"
    advisories.write_text(json.dumps(snapshot))
    exceptions = tmp_path / "audit-exceptions.yml"
    entries = [
        {"id": "PYSEC-0000-1", "package": "demo-pkg", "version": "1.2", "constraint": "none", "reason": "r1"},
        {"id": "PYSEC-0000-2", "package": "other-pkg", "version": "0.5.0", "constraint": "none", "reason": "r2"},
    ]
    exceptions.write_text(yaml.safe_dump(entries))
    return {"lock": lock, "advisories": advisories, "exceptions": exceptions, "entries": entries}


def test_the_repository_passes_the_audit(capsys: pytest.CaptureFixture[str]) -> None:
    assert audit_dependencies.main() == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith("dependency audit: ") and "0 unaccepted" in summary


def test_the_snapshot_records_its_source_and_covers_the_lock() -> None:
    snapshot = json.loads((ROOT / "requirements" / "advisories.json").read_text())
    assert snapshot["source"] == "pypa/advisory-database"
    assert len(snapshot["commit"]) == 40 and snapshot["commit_date"].startswith("2024-10-10")
    assert snapshot["locked"] == audit_dependencies.read_pins(audit_dependencies.DEV_LOCK)
    assert audit_dependencies.read_lock(audit_dependencies.LOCK).items() <= snapshot["locked"].items()


def test_the_runtime_lock_holds_no_test_or_development_tool() -> None:
    """Production installs requirements/lock.txt only; the development lock is it plus the tools."""
    runtime = audit_dependencies.read_lock(audit_dependencies.LOCK)
    development = audit_dependencies.read_lock(audit_dependencies.DEV_LOCK)
    tools = audit_dependencies.read_lock(ROOT / "requirements" / "direct-dev.txt")
    assert {"pytest", "ruff", "mypy", "pre-commit", "playwright"} <= set(tools)
    assert not set(tools) & set(runtime)
    assert tools.items() <= development.items() and runtime.items() <= development.items()
    assert {"rasa", "rasa-sdk", "spacy", "argon2-cffi"} <= set(runtime)


def test_the_production_profile_installs_the_runtime_lock_and_make_the_development_one() -> None:
    install = (ROOT / "scripts" / "install.sh").read_text()
    assert "--runtime) set_name=runtime lock=requirements/lock.txt" in install
    assert '"") set_name=development lock=requirements/lock-dev.txt' in install
    assert 'install.sh" --runtime' in (ROOT / "scripts" / "run_production.sh").read_text()
    assert "scripts/install.sh\n" in (ROOT / "scripts" / "run.sh").read_text()


def test_a_lock_reads_the_locks_it_includes_and_the_audit_covers_them(fake_repo: dict) -> None:
    runtime = fake_repo["lock"]
    development = runtime.parent / "lock-dev.txt"
    development.write_text("# tools\n-r lock.txt\ntool==1.0\n")
    assert audit_dependencies.read_lock(development) == {
        "demo-pkg": "1.2",
        "other-pkg": "0.5.0",
        "clean": "3.0",
        "tool": "1.0",
    }
    fake_repo["exceptions"].write_text(yaml.safe_dump(fake_repo["entries"][1:]))
    result = audit_dependencies.audit(development, fake_repo["advisories"], fake_repo["exceptions"], today=FRESH)
    assert [advisory["id"] for advisory in result.unaccepted] == ["PYSEC-0000-1"]  # found through the include
    assert result.uncovered == ["tool==1.0 (snapshot built from None)"]


def test_the_tooling_pins_are_what_the_venv_gets() -> None:
    """pip, setuptools and uv are audited from requirements/tooling.txt: it must say what is installed."""
    tooling = audit_dependencies.read_lock(ROOT / "requirements" / "tooling.txt")
    assert set(tooling) == {"pip", "setuptools", "uv"}
    install = (ROOT / "scripts" / "install.sh").read_text()
    # install.sh takes pip's and uv's versions from tooling.txt itself, so the two cannot drift apart
    assert "requirements/tooling.txt" in install
    assert 'pip_quiet "$(tooling_pin pip)"' in install and 'pip_quiet "$(tooling_pin uv)"' in install
    assert tooling["setuptools"] == importlib.metadata.version("setuptools")


def test_the_snapshot_holds_the_advisories_of_the_locked_packages() -> None:
    """Every advisory about a locked package, not only those affecting its pin: the audit has something to check."""
    snapshot = json.loads((ROOT / "requirements" / "advisories.json").read_text())
    packages = {advisory["package"] for advisory in snapshot["advisories"]}
    assert len(snapshot["advisories"]) > 100
    assert {"protobuf", "pydantic", "scikit-learn", "aiohttp", "tensorflow"} <= packages
    assert packages <= set(snapshot["locked"])
    # an old advisory whose range the pin is past: vendored, evaluated, not affecting
    pydantic = next(a for a in snapshot["advisories"] if a["id"] == "PYSEC-2021-47")
    assert audit_dependencies.is_affected("1.8.1", pydantic["affected"])
    assert not audit_dependencies.is_affected(snapshot["locked"]["pydantic"], pydantic["affected"])


def test_an_empty_snapshot_fails(fake_repo: dict) -> None:
    snapshot = json.loads(fake_repo["advisories"].read_text())
    fake_repo["advisories"].write_text(json.dumps(dict(snapshot, advisories=[])))
    fake_repo["exceptions"].write_text("accepted: []\n")
    result = run_audit(fake_repo)
    assert not result.ok
    assert any(problem.startswith("EMPTY snapshot") for problem in result.problems())


def waiver(until: date, commit: str = "0" * 40, reason: str = "no newer mirror reachable") -> dict:
    return {"commit": commit, "until": until, "reason": reason}


def write_exceptions(repo: dict, **parts: object) -> None:
    repo["exceptions"].write_text(yaml.safe_dump({"accepted": repo["entries"], **parts}))


def test_a_snapshot_older_than_90_days_fails(fake_repo: dict) -> None:
    assert run_audit(fake_repo, today=SNAPSHOT_DAY + timedelta(days=90)).ok
    result = run_audit(fake_repo, today=SNAPSHOT_DAY + timedelta(days=91))
    assert not result.ok
    assert any(problem.startswith("STALE SNAPSHOT") for problem in result.problems())


@pytest.mark.parametrize(
    ("days_after_today", "commit", "reason", "ok"),
    [
        (30, "0" * 40, "no newer mirror reachable", True),
        (90, "0" * 40, "no newer mirror reachable", True),
        (91, "0" * 40, "no newer mirror reachable", False),  # a waiver may not run further than the limit
        (-1, "0" * 40, "no newer mirror reachable", False),  # it ran out
        (30, "1" * 40, "no newer mirror reachable", False),  # for another snapshot
        (30, "0" * 40, " ", False),  # without a reason
    ],
)
def test_a_stale_snapshot_passes_only_with_a_live_waiver(
    fake_repo: dict, days_after_today: int, commit: str, reason: str, ok: bool
) -> None:
    today = SNAPSHOT_DAY + timedelta(days=400)
    write_exceptions(fake_repo, snapshot_age=waiver(today + timedelta(days=days_after_today), commit, reason))
    result = run_audit(fake_repo, today=today)
    assert result.ok is ok, list(result.problems())
    assert bool(result.snapshot_notes) is ok


def test_a_known_outside_advisory_must_be_reviewed_again_when_its_pin_moves(fake_repo: dict) -> None:
    known = [{"id": "CVE-0000-9", "package": "Clean", "version": "3.0", "fixed_in": "3.1", "reason": "unreachable"}]
    write_exceptions(fake_repo, known_outside_snapshot=known)
    result = run_audit(fake_repo)
    assert result.ok and result.known_outside == 1
    fake_repo["lock"].write_text("Demo_Pkg==1.2\nother.pkg==0.5.0\nclean==3.1\n")
    result = run_audit(fake_repo)
    assert any(entry.startswith("CVE-0000-9") for entry in result.stale)
    known[0].update(version="3.0", reason="")
    write_exceptions(fake_repo, known_outside_snapshot=known)
    fake_repo["lock"].write_text("Demo_Pkg==1.2\nother.pkg==0.5.0\nclean==3.0\n")
    assert run_audit(fake_repo).unreasoned == ["CVE-0000-9"]


def test_the_fake_repository_passes(fake_repo: dict) -> None:
    result = run_audit(fake_repo)
    assert result.ok, list(result.problems())
    assert result.packages == 3
    assert sorted(result.accepted) == ["PYSEC-0000-1", "PYSEC-0000-2"]


def test_an_affecting_advisory_without_an_exception_fails(fake_repo: dict) -> None:
    fake_repo["exceptions"].write_text(yaml.safe_dump(fake_repo["entries"][1:]))
    result = run_audit(fake_repo)
    assert not result.ok
    assert [advisory["id"] for advisory in result.unaccepted] == ["PYSEC-0000-1"]
    assert any(problem.startswith("UNACCEPTED PYSEC-0000-1") for problem in result.problems())
    assert "1 unaccepted" in result.summary()


def test_a_stale_exception_fails(fake_repo: dict) -> None:
    entries = fake_repo["entries"] + [{"id": "PYSEC-9999-9", "package": "gone", "reason": "was accepted once"}]
    fake_repo["exceptions"].write_text(yaml.safe_dump(entries))
    result = run_audit(fake_repo)
    assert not result.ok and result.stale == ["PYSEC-9999-9"]


def test_a_pin_moved_out_of_range_makes_its_exception_stale(fake_repo: dict) -> None:
    fake_repo["lock"].write_text("Demo_Pkg==1.4\nother.pkg==0.5.0\nclean==3.0\n")
    result = run_audit(fake_repo)
    assert result.stale == ["PYSEC-0000-1"]
    # ... and the snapshot, built from 1.2, does not cover 1.4 until it is vendored again
    assert result.uncovered and result.uncovered[0].startswith("demo-pkg==1.4")


def test_an_exception_without_a_reason_fails(fake_repo: dict) -> None:
    fake_repo["entries"][0]["reason"] = " "
    fake_repo["exceptions"].write_text(yaml.safe_dump(fake_repo["entries"]))
    result = run_audit(fake_repo)
    assert not result.ok and result.unreasoned == ["PYSEC-0000-1"]
    assert result.accepted == ["PYSEC-0000-2"]


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ("0.9", False),
        ("1.0", True),
        ("1.3.9", True),
        ("1.4", False),
        ("1.9", False),
        ("2.0", True),
        ("2.1", True),
        ("2.1.1", False),
        ("3.0", False),
    ],
)
def test_osv_ranges(version: str, affected: bool) -> None:
    assert audit_dependencies.is_affected(version, AFFECTED) is affected


def test_osv_introduced_zero_explicit_versions_and_fixed_versions() -> None:
    unfixed = [{"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]
    assert audit_dependencies.is_affected("0.0.1", unfixed) and audit_dependencies.is_affected("99", unfixed)
    listed = [{"versions": ["5.0", "5.1"]}]
    assert audit_dependencies.is_affected("5.1", listed) and not audit_dependencies.is_affected("5.2", listed)
    assert audit_dependencies.fixed_versions(AFFECTED) == ["1.4"]


def test_lock_names_are_normalised(tmp_path: Path) -> None:
    lock = tmp_path / "lock.txt"
    lock.write_text("# header\n\nruamel.yaml==0.17.21\nTyping_Extensions==4.16.0\n")
    assert audit_dependencies.read_lock(lock) == {"ruamel-yaml": "0.17.21", "typing-extensions": "4.16.0"}
