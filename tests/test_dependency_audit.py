"""scripts/audit_dependencies.py: the offline dependency audit against the vendored advisory snapshot."""

from __future__ import annotations

import importlib.util
import json
import sys
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
    assert snapshot["locked"] == audit_dependencies.read_lock(ROOT / "requirements" / "lock.txt")


def test_the_fake_repository_passes(fake_repo: dict) -> None:
    result = audit_dependencies.audit(fake_repo["lock"], fake_repo["advisories"], fake_repo["exceptions"])
    assert result.ok, list(result.problems())
    assert result.packages == 3
    assert sorted(result.accepted) == ["PYSEC-0000-1", "PYSEC-0000-2"]


def test_an_affecting_advisory_without_an_exception_fails(fake_repo: dict) -> None:
    fake_repo["exceptions"].write_text(yaml.safe_dump(fake_repo["entries"][1:]))
    result = audit_dependencies.audit(fake_repo["lock"], fake_repo["advisories"], fake_repo["exceptions"])
    assert not result.ok
    assert [advisory["id"] for advisory in result.unaccepted] == ["PYSEC-0000-1"]
    assert any(problem.startswith("UNACCEPTED PYSEC-0000-1") for problem in result.problems())
    assert "1 unaccepted" in result.summary()


def test_a_stale_exception_fails(fake_repo: dict) -> None:
    entries = fake_repo["entries"] + [{"id": "PYSEC-9999-9", "package": "gone", "reason": "was accepted once"}]
    fake_repo["exceptions"].write_text(yaml.safe_dump(entries))
    result = audit_dependencies.audit(fake_repo["lock"], fake_repo["advisories"], fake_repo["exceptions"])
    assert not result.ok and result.stale == ["PYSEC-9999-9"]


def test_a_pin_moved_out_of_range_makes_its_exception_stale(fake_repo: dict) -> None:
    fake_repo["lock"].write_text("Demo_Pkg==1.4\nother.pkg==0.5.0\nclean==3.0\n")
    result = audit_dependencies.audit(fake_repo["lock"], fake_repo["advisories"], fake_repo["exceptions"])
    assert result.stale == ["PYSEC-0000-1"]
    # ... and the snapshot, built from 1.2, does not cover 1.4 until it is vendored again
    assert result.uncovered and result.uncovered[0].startswith("demo-pkg==1.4")


def test_an_exception_without_a_reason_fails(fake_repo: dict) -> None:
    fake_repo["entries"][0]["reason"] = " "
    fake_repo["exceptions"].write_text(yaml.safe_dump(fake_repo["entries"]))
    result = audit_dependencies.audit(fake_repo["lock"], fake_repo["advisories"], fake_repo["exceptions"])
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
