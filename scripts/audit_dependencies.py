"""Offline dependency audit: the locked versions against a vendored advisory snapshot.

Both locks are audited: requirements/lock-dev.txt, which includes requirements/lock.txt (what
runs) with `-r` and adds the tests' and tools' packages, and pip and setuptools from
requirements/tooling.txt.

pip-audit needs PyPI's JSON API or api.osv.dev, neither of which this network (or CI) reaches, so
this does the same check against requirements/advisories.json, a snapshot of the PyPA advisory
database (OSV format) refreshed by hand with scripts/vendor_advisories.py.

Fails (exit 1) when
- an advisory affects a locked version and requirements/audit-exceptions.yml does not accept it;
- an exception has no reason, or names an advisory that no longer affects any locked version
  (a stale exception must be removed);
- a lock pins a package or version the snapshot was not built from (re-run
  scripts/vendor_advisories.py so that advisories for the new versions are vendored);
- the snapshot holds no advisory at all (an empty file would pass every lock), or its commit is
  older than MAX_SNAPSHOT_AGE_DAYS, unless audit-exceptions.yml accepts that commit's age with a
  reason until a date at most MAX_SNAPSHOT_AGE_DAYS ahead (a waiver that runs out by itself);
- an advisory known from outside the snapshot (`known_outside_snapshot`) no longer matches the
  locked version it was reviewed for, or has no reason.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
# The development lock: `-r lock.txt` plus the tests and tools; reading it reads both.
DEV_LOCK = ROOT / "requirements" / "lock-dev.txt"
# pip and setuptools are in every venv but left out of the lock (`make lock` drops them): their
# versions are pinned here so that they are audited too (tests/test_dependency_audit.py checks
# them against scripts/install.sh and the installed setuptools).
TOOLING = ROOT / "requirements" / "tooling.txt"
ADVISORIES = ROOT / "requirements" / "advisories.json"
EXCEPTIONS = ROOT / "requirements" / "audit-exceptions.yml"
MAX_SNAPSHOT_AGE_DAYS = 90


def normalise(name: str) -> str:
    """PEP 503 name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(lock: Path, tooling: Optional[Path] = TOOLING) -> Dict[str, str]:
    """Everything audited: the lock, plus the tooling pins if that file exists."""
    pins = read_lock(lock)
    if tooling is not None and tooling.exists():
        pins.update(read_lock(tooling))
    return pins


def read_lock(path: Path) -> Dict[str, str]:
    """Normalised package name -> pinned version, from `name==version` lines and `-r` includes."""
    locked: Dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):  # another lock, relative to this one (as pip reads it)
            locked.update(read_lock(path.parent / line[3:].strip()))
            continue
        name, separator, version = line.partition("==")
        if not separator:
            raise ValueError(f"{path}: not a 'name==version' pin: {raw!r}")
        locked[normalise(name.split("[", 1)[0].strip())] = version.split(";", 1)[0].strip()
    return locked


def _version(text: str) -> Optional[Version]:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def _in_range(version: Version, events: List[Dict[str, Any]]) -> bool:
    """OSV ECOSYSTEM range evaluation: walk the events in version order (introduced "0" first)."""
    ordered = []
    for event in events:
        kind, value = next(iter(event.items()))
        bound = Version("0") if kind == "introduced" and str(value) == "0" else _version(value)
        if bound is None:  # an unparseable bound cannot be evaluated; an unmatched fix keeps it affected
            continue
        ordered.append((bound, kind))
    affected = False
    for bound, kind in sorted(ordered, key=lambda item: item[0]):
        if kind == "introduced" and version >= bound:
            affected = True
        elif kind == "fixed" and version >= bound:
            affected = False
        elif kind == "last_affected" and version > bound:
            affected = False
        elif kind == "limit" and version >= bound:
            affected = False
    return affected


def is_affected(version: str, affected: List[Dict[str, Any]]) -> bool:
    """Whether `version` is in an OSV `affected` list: its explicit versions or an ECOSYSTEM range."""
    parsed = _version(version)
    for entry in affected:
        listed = entry.get("versions") or []
        if version in listed or (parsed is not None and parsed in {_version(v) for v in listed}):
            return True
        if parsed is None:
            continue
        for range_ in entry.get("ranges") or []:
            if range_.get("type") == "ECOSYSTEM" and _in_range(parsed, range_.get("events") or []):
                return True
    return False


def fixed_versions(affected: List[Dict[str, Any]]) -> List[str]:
    """Every `fixed` version named by the ECOSYSTEM ranges."""
    fixed = {
        str(event["fixed"])
        for entry in affected
        for range_ in entry.get("ranges") or []
        if range_.get("type") == "ECOSYSTEM"
        for event in range_.get("events") or []
        if "fixed" in event
    }
    return sorted(fixed, key=lambda v: (_version(v) is None, _version(v) or Version("0"), v))


@dataclass
class AuditResult:
    packages: int
    affecting: List[Dict[str, Any]] = field(default_factory=list)
    accepted: List[str] = field(default_factory=list)
    unaccepted: List[Dict[str, Any]] = field(default_factory=list)
    stale: List[str] = field(default_factory=list)
    unreasoned: List[str] = field(default_factory=list)
    uncovered: List[str] = field(default_factory=list)
    snapshot_problems: List[str] = field(default_factory=list)
    snapshot_notes: List[str] = field(default_factory=list)
    vendored: int = 0
    known_outside: int = 0

    @property
    def ok(self) -> bool:
        return not (self.unaccepted or self.stale or self.unreasoned or self.uncovered or self.snapshot_problems)

    def summary(self) -> str:
        return (
            f"dependency audit: {self.packages} packages checked against {self.vendored} vendored advisories, "
            f"{len(self.affecting)} affecting, {len(self.accepted)} accepted with reasons, "
            f"{self.known_outside} known outside the snapshot (reviewed), {len(self.unaccepted)} unaccepted"
        )

    def problems(self) -> Iterable[str]:
        for advisory in self.unaccepted:
            aliases = ", ".join(advisory.get("aliases") or [])
            fixed = ", ".join(advisory.get("fixed_in") or []) or "no fixed version"
            yield (
                f"UNACCEPTED {advisory['id']} ({aliases}) {advisory['package']}=={advisory['version_locked']}"
                f" [fixed in: {fixed}]: {advisory.get('summary', '')}"
            )
        for advisory_id in self.stale:
            yield f"STALE exception {advisory_id}: it no longer affects any locked version; remove it"
        for advisory_id in self.unreasoned:
            yield f"NO REASON for exception {advisory_id}: every accepted advisory needs a reason"
        for detail in self.uncovered:
            yield f"NOT IN SNAPSHOT {detail}: re-run scripts/vendor_advisories.py"
        yield from self.snapshot_problems


@dataclass
class Exceptions:
    """requirements/audit-exceptions.yml: accepted advisories, a snapshot-age waiver, advisories known from outside."""

    accepted: List[Dict[str, Any]] = field(default_factory=list)
    snapshot_age: Optional[Dict[str, Any]] = None
    known_outside_snapshot: List[Dict[str, Any]] = field(default_factory=list)


def load_exceptions(path: Path) -> Exceptions:
    document = yaml.safe_load(path.read_text()) or []
    if isinstance(document, list):  # the original form: only accepted advisories
        document = {"accepted": document}
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a mapping with 'accepted', 'snapshot_age', 'known_outside_snapshot'")
    unknown = set(document) - {"accepted", "snapshot_age", "known_outside_snapshot"}
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
    exceptions = Exceptions(
        accepted=document.get("accepted") or [],
        snapshot_age=document.get("snapshot_age"),
        known_outside_snapshot=document.get("known_outside_snapshot") or [],
    )
    for key in ("accepted", "known_outside_snapshot"):
        entries = getattr(exceptions, key)
        if not isinstance(entries, list) or not all(isinstance(entry, dict) and "id" in entry for entry in entries):
            raise ValueError(f"{path}: '{key}' must be a list of entries with an 'id'")
    return exceptions


def check_snapshot(
    snapshot: Dict[str, Any], waiver: Optional[Dict[str, Any]], today: date
) -> tuple[List[str], List[str]]:
    """Problems (fail) and notes (printed) about the snapshot itself: empty, or too old without a live waiver."""
    problems: List[str] = []
    notes: List[str] = []
    if not snapshot.get("advisories"):
        problems.append(
            "EMPTY snapshot: it holds no advisory, so every lock would pass; re-run scripts/vendor_advisories.py"
        )
    commit = str(snapshot.get("commit") or "")
    try:
        committed = datetime.fromisoformat(str(snapshot["commit_date"])).astimezone(timezone.utc).date()
    except (KeyError, ValueError):
        problems.append("SNAPSHOT DATE missing or unreadable: re-run scripts/vendor_advisories.py")
        return problems, notes
    age = (today - committed).days
    if age <= MAX_SNAPSHOT_AGE_DAYS:
        return problems, notes
    stale = f"snapshot {commit[:12]} of {committed} is {age} days old (limit {MAX_SNAPSHOT_AGE_DAYS})"
    if not waiver:
        problems.append(f"STALE SNAPSHOT {stale}: refresh it with scripts/vendor_advisories.py")
        return problems, notes
    until = waiver.get("until")
    until = until if isinstance(until, date) else None
    if str(waiver.get("commit") or "") != commit:
        problems.append(f"STALE SNAPSHOT {stale}: the snapshot_age waiver names another commit")
    elif not str(waiver.get("reason") or "").strip():
        problems.append(f"STALE SNAPSHOT {stale}: the snapshot_age waiver has no reason")
    elif until is None or until < today:
        problems.append(f"STALE SNAPSHOT {stale}: the snapshot_age waiver ran out (until {waiver.get('until')})")
    elif until > today + timedelta(days=MAX_SNAPSHOT_AGE_DAYS):
        problems.append(
            f"STALE SNAPSHOT {stale}: the snapshot_age waiver runs to {until}, "
            f"more than {MAX_SNAPSHOT_AGE_DAYS} days ahead"
        )
    else:
        notes.append(f"WARNING {stale}: accepted until {until} ({str(waiver['reason']).strip()})")
    return problems, notes


def check_known_outside(entries: List[Dict[str, Any]], locked: Dict[str, str]) -> tuple[List[str], List[str]]:
    """Advisories reviewed from public text that the snapshot lacks: (stale ids, ids without a reason).

    Each names the package and the locked version it was reviewed for; once the pin moves, the
    entry must be reviewed again (removed, or its version updated with a new reason).
    """
    stale = sorted(
        str(entry["id"])
        for entry in entries
        if locked.get(normalise(str(entry.get("package") or ""))) != str(entry.get("version") or "")
    )
    unreasoned = sorted(str(entry["id"]) for entry in entries if not str(entry.get("reason") or "").strip())
    return stale, unreasoned


def audit(
    lock: Path = DEV_LOCK,
    advisories: Path = ADVISORIES,
    exceptions: Path = EXCEPTIONS,
    today: Optional[date] = None,
    tooling: Optional[Path] = None,
) -> AuditResult:
    locked = read_pins(lock, tooling if tooling is not None else (TOOLING if lock in (LOCK, DEV_LOCK) else None))
    snapshot = json.loads(advisories.read_text())
    reviewed = load_exceptions(exceptions)
    accepted = {str(entry["id"]): entry for entry in reviewed.accepted}
    result = AuditResult(packages=len(locked), vendored=len(snapshot.get("advisories") or []))
    result.snapshot_problems, result.snapshot_notes = check_snapshot(
        snapshot, reviewed.snapshot_age, today or datetime.now(timezone.utc).date()
    )

    vendored_from = {normalise(name): version for name, version in snapshot.get("locked", {}).items()}
    for package, version in sorted(locked.items()):
        if vendored_from.get(package) != version:
            result.uncovered.append(f"{package}=={version} (snapshot built from {vendored_from.get(package)})")

    for advisory in snapshot.get("advisories") or []:
        package = normalise(advisory["package"])
        if package not in locked or not is_affected(locked[package], advisory["affected"]):
            continue
        current = dict(advisory, version_locked=locked[package])
        result.affecting.append(current)
        if current["id"] in accepted:
            result.accepted.append(current["id"])
        else:
            result.unaccepted.append(current)

    affecting_ids = {advisory["id"] for advisory in result.affecting}
    result.stale = sorted(advisory_id for advisory_id in accepted if advisory_id not in affecting_ids)
    result.unreasoned = sorted(
        advisory_id for advisory_id, entry in accepted.items() if not str(entry.get("reason") or "").strip()
    )
    result.accepted = [advisory_id for advisory_id in result.accepted if advisory_id not in result.unreasoned]

    stale_known, unreasoned_known = check_known_outside(reviewed.known_outside_snapshot, locked)
    result.stale += [f"{known_id} (known_outside_snapshot: the pin moved; review it again)" for known_id in stale_known]
    result.unreasoned += unreasoned_known
    result.known_outside = len(reviewed.known_outside_snapshot)
    return result


def main(argv: Optional[List[str]] = None) -> int:
    del argv  # no options: the paths are the repository's
    result = audit()
    for note in result.snapshot_notes:
        print(note)
    for problem in result.problems():
        print(problem)
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
