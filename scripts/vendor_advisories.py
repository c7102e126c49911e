"""Refresh requirements/advisories.json from a local mirror of the PyPA advisory database.

Run by hand (not in CI), after `make lock` or to pick up newer advisories:

    source scripts/env.sh
    python scripts/vendor_advisories.py [--mirror /work/.mirror/pypa+advisory-database/repo]

The mirror is a git directory of https://github.com/pypa/advisory-database (no work tree needed):
it is read with `git ls-tree` and `git show`. Only the advisories that affect a version pinned in
requirements/lock.txt are kept, with their raw `affected` list so that scripts/audit_dependencies.py
can re-evaluate them offline. The snapshot also records every locked version it was built from, so
the audit notices a lock change that the snapshot does not cover yet.
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
    LOCK,
    fixed_versions,
    is_affected,
    normalise,
    read_lock,
)

DEFAULT_MIRROR = Path("/work/.mirror/pypa+advisory-database/repo")


def git(mirror: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(mirror), *args], check=True, capture_output=True, text=True).stdout


def advisory_directories(mirror: Path) -> Dict[str, List[str]]:
    """Normalised package name -> the advisory directories under vulns/ spelling it."""
    directories: Dict[str, List[str]] = {}
    for line in git(mirror, "ls-tree", "--name-only", "HEAD", "vulns/").splitlines():
        name = line.split("/", 1)[1]
        directories.setdefault(normalise(name), []).append(line)
    return directories


def summary_of(advisory: Dict[str, Any]) -> str:
    summary = advisory.get("summary") or (advisory.get("details") or "").strip().split("\n", 1)[0]
    return " ".join(str(summary).split())


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="git directory of pypa/advisory-database")
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--out", type=Path, default=ADVISORIES)
    args = parser.parse_args(argv)

    locked = read_lock(args.lock)
    directories = advisory_directories(args.mirror)
    kept: List[Dict[str, Any]] = []
    for package, version in sorted(locked.items()):
        for directory in directories.get(package, []):
            for path in git(args.mirror, "ls-tree", "-r", "--name-only", "HEAD", directory).splitlines():
                if not path.endswith((".yaml", ".yml")):
                    continue
                advisory = yaml.safe_load(git(args.mirror, "show", f"HEAD:{path}"))
                if advisory.get("withdrawn"):
                    continue
                affected = [
                    entry
                    for entry in advisory.get("affected", [])
                    if normalise(entry.get("package", {}).get("name", "")) == package
                ]
                if not is_affected(version, affected):
                    continue
                kept.append(
                    {
                        "id": advisory["id"],
                        "package": package,
                        "version_locked": version,
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
    args.out.write_text(json.dumps(snapshot, indent=1, sort_keys=False, default=str) + "\n")
    print(f"{len(kept)} advisories affect {len(locked)} locked packages; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
