"""Refresh requirements/advisories.json from a local mirror of the PyPA advisory database.

Run by hand (not in CI), after `make lock` or to pick up newer advisories:

    source scripts/env.sh
    python scripts/vendor_advisories.py --mirror PATH/TO/advisory-database.git

The mirror is a git directory of https://github.com/pypa/advisory-database (no work tree needed):
it is read with `git ls-tree` and `git show`. Every advisory (withdrawn ones left out) about a package
pinned in requirements/lock-dev.txt (which includes requirements/lock.txt) is kept, whatever
versions it affects, with its `affected` list (ECOSYSTEM ranges, or the explicit versions where
there is no range) so that scripts/audit_dependencies.py evaluates them offline and re-evaluates
them after a pin moves. The snapshot records its commit and commit date (the audit refuses one
older than 90 days) and every locked version it was built from, so the audit notices a lock
change it does not cover yet.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_dependencies import (  # noqa: E402
    ADVISORIES,
    DEV_LOCK,
    TOOLING,
    fixed_versions,
    is_affected,
    normalise,
    read_pins,
)


def git(mirror: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(mirror), *args], check=True, capture_output=True, text=True).stdout


def advisory_directories(mirror: Path) -> Dict[str, List[str]]:
    """Normalised package name -> the advisory directories under vulns/ spelling it."""
    directories: Dict[str, List[str]] = {}
    for line in git(mirror, "ls-tree", "--name-only", "HEAD", "vulns/").splitlines():
        name = line.split("/", 1)[1]
        directories.setdefault(normalise(name), []).append(line)
    return directories


SUMMARY_CHARS = 200


def summary_of(advisory: Dict[str, Any]) -> str:
    """The advisory's summary, or its details, on one line and cut short (the id leads to the rest)."""
    summary = " ".join(str(advisory.get("summary") or advisory.get("details") or "").split())
    return summary if len(summary) <= SUMMARY_CHARS else summary[: SUMMARY_CHARS - 1].rstrip() + "…"


def render(snapshot: Dict[str, Any]) -> str:
    """JSON with one advisory per line: small, and a refresh shows as a readable diff."""
    head = {key: value for key, value in snapshot.items() if key != "advisories"}
    text = json.dumps(head, indent=1, default=str)[:-2]
    lines = [json.dumps(advisory, ensure_ascii=False, separators=(",", ":")) for advisory in snapshot["advisories"]]
    return text + ',\n "advisories": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"


def compact_affected(entry: Dict[str, Any]) -> Dict[str, Any]:
    """An OSV `affected` entry reduced to what the audit evaluates: ECOSYSTEM ranges, else versions.

    PYSEC entries also list every affected version and GIT ranges; the ECOSYSTEM range says the
    same in a few events, and keeping only it keeps the vendored file small.
    """
    ranges = [range_ for range_ in entry.get("ranges") or [] if range_.get("type") == "ECOSYSTEM"]
    compact: Dict[str, Any] = {"package": entry.get("package", {})}
    if ranges:
        compact["ranges"] = ranges
    else:
        compact["versions"] = entry.get("versions") or []
    return compact


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mirror", type=Path, required=True, help="git directory of a pypa/advisory-database clone")
    parser.add_argument("--lock", type=Path, default=DEV_LOCK, help="a lock (its -r includes are read too)")
    parser.add_argument("--tooling", type=Path, default=TOOLING, help="pip/setuptools pins (not in the lock)")
    parser.add_argument("--out", type=Path, default=ADVISORIES)
    args = parser.parse_args(argv)

    locked = read_pins(args.lock, args.tooling)
    directories = advisory_directories(args.mirror)
    kept: List[Dict[str, Any]] = []
    withdrawn = 0
    for package in sorted(locked):
        for directory in directories.get(package, []):
            for path in git(args.mirror, "ls-tree", "-r", "--name-only", "HEAD", directory).splitlines():
                if not path.endswith((".yaml", ".yml")):
                    continue
                advisory = yaml.safe_load(git(args.mirror, "show", f"HEAD:{path}"))
                if advisory.get("withdrawn"):
                    withdrawn += 1
                    continue
                affected = [
                    compact_affected(entry)
                    for entry in advisory.get("affected", [])
                    if normalise(entry.get("package", {}).get("name", "")) == package
                ]
                if not affected:
                    continue
                kept.append(
                    {
                        "id": advisory["id"],
                        "package": package,
                        "summary": summary_of(advisory),
                        "aliases": advisory.get("aliases", []),
                        "fixed_in": fixed_versions(affected),
                        "affected": affected,
                    }
                )

    snapshot = {
        "source": "pypa/advisory-database",
        "commit": git(args.mirror, "log", "-1", "--format=%H", "HEAD").strip(),
        "commit_date": git(args.mirror, "log", "-1", "--format=%cI", "HEAD").strip(),
        "locked": dict(sorted(locked.items())),
        "advisories": kept,
    }
    args.out.write_text(render(snapshot))
    affecting = sum(1 for advisory in kept if is_affected(locked[advisory["package"]], advisory["affected"]))
    print(
        f"{len(kept)} advisories about {len({a['package'] for a in kept})} of {len(locked)} locked packages "
        f"({affecting} affect a locked version; {withdrawn} withdrawn left out); wrote {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
