"""Files that hold client data or secrets: readable by this account only, whatever the umask.

Conversations, the outbox, call-back details, the SMS number store, the event spool, review
accounts, sessions and the audit log, and the local keys all live under `var/` (or where an
environment variable puts them). Every one of them is opened through this module: directories
are created 0700 and files 0600 (never briefly wider: the mode is given when the file is made,
then set exactly, since a umask only narrows), and an existing one found wider is tightened with
a warning that names it. `python -m confidant.private_files` checks the whole data directory at
start-up (scripts/run.sh), fixes what it can and says what it changed; `--check` only reports.

A directory outside the project's `var/` that this module did not create (a path an operator
chose, or /tmp) is never changed: only reported, since it may be shared on purpose.
"""

from __future__ import annotations

import argparse
import logging
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Callable, List, Optional

from sqlalchemy.engine import make_url

from confidant.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

DATA_DIR = PROJECT_ROOT / "var"
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _inside_data_dir(path: Path) -> bool:
    resolved = path.resolve()
    data_dir = DATA_DIR.resolve()
    return resolved == data_dir or data_dir in resolved.parents


def _tighten(path: Path, wanted: int) -> None:
    """Set `wanted` on an existing path that has more bits, with a warning naming it."""
    current = _mode(path)
    if current & ~wanted:
        os.chmod(path, wanted)
        logger.warning("%s was mode %o (open to other accounts); made %o", path, current, wanted)


def private_directory(path: Path) -> Path:
    """Make `path` (and missing parents) 0700; tighten it and its ancestors inside var/ if wider."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIRECTORY_MODE)
        except FileExistsError:
            pass  # another process made it first: tightened below
        os.chmod(directory, DIRECTORY_MODE)
    for directory in [path, *path.parents]:
        if not _inside_data_dir(directory):
            break
        _tighten(directory, DIRECTORY_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists, mode 0600, in a private directory (an existing file is tightened)."""
    path = Path(path)
    private_directory(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _tighten(path, FILE_MODE)
    else:
        os.fchmod(descriptor, FILE_MODE)
        os.close(descriptor)
    return path


def open_private(path: Path, mode: str = "a", encoding: Optional[str] = "utf-8") -> IO:
    """`open(path, mode)` for appending or writing, the file created 0600 if it is new."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    private_directory(Path(path).parent)
    descriptor = os.open(path, flags, FILE_MODE)
    if stat.S_IMODE(os.fstat(descriptor).st_mode) & ~FILE_MODE:
        os.fchmod(descriptor, FILE_MODE)
    return os.fdopen(descriptor, mode, encoding=None if "b" in mode else encoding)


def private_sqlite(path: Path) -> Path:
    """A SQLite database file (and its journal, WAL and shared-memory files) made or kept 0600.

    SQLite gives the journal and WAL files the database file's own mode, so creating the
    database 0600 before SQLite opens it keeps them private too.
    """
    path = private_file(path)
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            _tighten(companion, FILE_MODE)
    return path


def private_sqlite_url(url: Optional[str]) -> None:
    """For a SQLAlchemy URL naming a SQLite file: `private_sqlite` on it; other databases: nothing."""
    if not url:
        return
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    if parsed.database.startswith("file:"):  # a SQLite URI filename: left to SQLite
        return
    private_sqlite(Path(parsed.database))


def read_or_create_secret(path: Path, make: Callable[[], bytes]) -> bytes:
    """A local key file: read it, or write `make()` to it, 0600 (when processes or threads race, the first wins).

    The key is written to a private temporary file of its own (a unique name: two threads of one
    process must not share it) and linked into place, so no one ever reads a half-written key.
    """
    path = Path(path)
    private_directory(path.parent)
    if not path.exists():
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        temporary = Path(name)
        with os.fdopen(descriptor, "wb") as key_file:
            key_file.write(make())
            key_file.flush()
            os.fsync(key_file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first
        finally:
            temporary.unlink(missing_ok=True)
    _tighten(path, FILE_MODE)
    return path.read_bytes().strip()


def problems_in(root: Path) -> List[str]:
    """Every directory under `root` (itself included) wider than 0700, and file wider than 0600."""
    found: List[str] = []
    if not root.exists():
        return found
    for directory, subdirectories, files in os.walk(root):
        base = Path(directory)
        if _mode(base) & ~DIRECTORY_MODE:
            found.append(f"{base}/ is {_mode(base):o}, should be {DIRECTORY_MODE:o}")
        for name in files:
            file_path = base / name
            if file_path.is_symlink() or not file_path.is_file():
                continue
            if _mode(file_path) & ~FILE_MODE:
                found.append(f"{file_path} is {_mode(file_path):o}, should be {FILE_MODE:o}")
        subdirectories[:] = [name for name in subdirectories if not (base / name).is_symlink()]
    return found


def secure_tree(root: Path) -> List[str]:
    """Tighten every directory and file under `root` to 0700/0600; returns what was changed."""
    changed = problems_in(root)
    for directory, subdirectories, files in os.walk(root):
        base = Path(directory)
        os.chmod(base, DIRECTORY_MODE)
        for name in files:
            file_path = base / name
            if file_path.is_file() and not file_path.is_symlink():
                os.chmod(file_path, _mode(file_path) & FILE_MODE)
        subdirectories[:] = [name for name in subdirectories if not (base / name).is_symlink()]
    return changed


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Check (and by default fix) the modes of the data directory.")
    parser.add_argument("directory", nargs="?", type=Path, default=DATA_DIR)
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if anything is too open")
    args = parser.parse_args(argv)
    if args.check:
        found = problems_in(args.directory)
        for problem in found:
            print(f"too open: {problem}")
        if found:
            print(f"run `python -m confidant.private_files {args.directory}` to fix", file=sys.stderr)
        return 1 if found else 0
    if not args.directory.exists():
        private_directory(args.directory)
    for change in secure_tree(args.directory):
        print(f"private data: fixed {change}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
