"""Offline dependency audit: the locked versions against a vendored advisory snapshot.

pip-audit needs PyPI's JSON API or api.osv.dev, neither of which this network (or CI) reaches, so
this does the same check against requirements/advisories.json, a snapshot of the PyPA advisory
database (OSV format) refreshed by hand with scripts/vendor_advisories.py.

Fails (exit 1) when
- an advisory affects a locked version and requirements/audit-exceptions.yml does not accept it;
- an exception has no reason, or names an advisory that no longer affects any locked version
  (a stale exception must be removed);
- requirements/lock.txt pins a package or version the snapshot was not built from (re-run
  scripts/vendor_advisories.py so that advisories for the new versions are vendored).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
ADVISORIES = ROOT / "requirements" / "advisories.json"
EXCEPTIONS = ROOT / "requirements" / "audit-exceptions.yml"


def normalise(name: str) -> str:
    """PEP 503 name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> Dict[str, str]:
    """Normalised package name -> pinned version, from `name==version` lines."""
    locked: Dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
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

    @property
    def ok(self) -> bool:
        return not (self.unaccepted or self.stale or self.unreasoned or self.uncovered)

    def summary(self) -> str:
        return (
            f"dependency audit: {self.packages} packages checked, {len(self.affecting)} advisories affecting, "
            f"{len(self.accepted)} accepted with reasons, {len(self.unaccepted)} unaccepted"
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


def load_exceptions(path: Path) -> List[Dict[str, Any]]:
    entries = yaml.safe_load(path.read_text()) or []
    if not isinstance(entries, list) or not all(isinstance(entry, dict) and "id" in entry for entry in entries):
        raise ValueError(f"{path}: expected a list of entries with an 'id'")
    return entries


def audit(lock: Path = LOCK, advisories: Path = ADVISORIES, exceptions: Path = EXCEPTIONS) -> AuditResult:
    locked = read_lock(lock)
    snapshot = json.loads(advisories.read_text())
    accepted = {str(entry["id"]): entry for entry in load_exceptions(exceptions)}
    result = AuditResult(packages=len(locked))

    vendored_from = {normalise(name): version for name, version in snapshot.get("locked", {}).items()}
    for package, version in sorted(locked.items()):
        if vendored_from.get(package) != version:
            result.uncovered.append(f"{package}=={version} (snapshot built from {vendored_from.get(package)})")

    for advisory in snapshot["advisories"]:
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
    return result


def main(argv: Optional[List[str]] = None) -> int:
    del argv  # no options: the paths are the repository's
    result = audit()
    for problem in result.problems():
        print(problem)
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
