"""Events that could not be written to the tracker store yet, kept on local disk in order.

One append-only JSON-lines file per conversation; each line is one event row as the SQL
tracker store would have written it. A file is removed only after its rows are committed.
Every read-write-remove of a conversation's file happens under `locked(sender_id)`, an
flock that also holds across the Rasa processes of one machine sharing the directory: a
conversation's spool is never written to the database twice, and its next turn waits for a
flush in progress, so it reads the database with those events already in it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

from confidant.private_files import open_private, private_directory
from confidant.settings import PROJECT_ROOT

LOCK_STRIPES = 256
SPOOL_DIR_ENV_VAR = "CONFIDANT_EVENT_SPOOL_DIR"
DEFAULT_SPOOL_DIR = PROJECT_ROOT / "var" / "event-spool"


class EventSpool:
    def __init__(self, directory: Path) -> None:
        self.directory = private_directory(directory)
        self._locks = private_directory(self.directory / ".locks")

    @staticmethod
    def _digest(sender_id: str) -> str:
        return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()

    def _path(self, sender_id: str) -> Path:
        return self.directory / (self._digest(sender_id) + ".jsonl")

    @contextlib.contextmanager
    def locked(self, sender_id: str) -> Iterator[None]:
        """Exclusive access to one conversation's spool, across threads and processes."""
        stripe = int(self._digest(sender_id)[:4], 16) % LOCK_STRIPES
        with open_private(self._locks / f"{stripe:03d}.lock") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    def append(self, sender_id: str, rows: List[Dict[str, Any]]) -> None:
        with self.locked(sender_id), open_private(self._path(sender_id)) as spool:
            for row in rows:
                spool.write(json.dumps({"sender_id": sender_id, **row}) + "\n")
            spool.flush()
            os.fsync(spool.fileno())

    def has(self, sender_id: str) -> bool:
        return self._path(sender_id).exists()

    def _files(self) -> List[Path]:
        """The conversations' spool files, in a stable order."""
        return sorted(self.directory.glob("*.jsonl"))

    def pending_senders(self) -> List[str]:
        """Conversations with spooled events (read from each file's first row)."""
        senders = []
        for path in self._files():
            with contextlib.suppress(OSError, ValueError), open(path, encoding="utf-8") as spool:
                senders.append(json.loads(spool.readline())["sender_id"])
        return senders

    def is_empty(self) -> bool:
        """No spool file at all, readable or not (one being created counts as pending)."""
        return not self._files()

    def pending(self) -> Iterator[Tuple[Path, List[Dict[str, Any]]]]:
        for path in self._files():
            yield path, self.read(path)

    def read_for(self, sender_id: str) -> Tuple[Path, List[Dict[str, Any]]]:
        path = self._path(sender_id)
        return path, self.read(path) if path.exists() else []

    @staticmethod
    def read(path: Path) -> List[Dict[str, Any]]:
        rows = []
        with contextlib.suppress(FileNotFoundError):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rows.append(json.loads(line))
        return rows

    def forget(self, sender_id: str) -> int:
        """Erase a conversation's spooled events (deletion, retention): they must not reach the database later."""
        with self.locked(sender_id):
            path, rows = self.read_for(sender_id)
            self.remove(path)
        return len(rows)

    def senders_older_than(self, cutoff: float) -> List[str]:
        """Conversations whose spool file was last written before `cutoff` (epoch seconds)."""
        senders = []
        for path in self._files():
            with contextlib.suppress(OSError, ValueError):
                if path.stat().st_mtime < cutoff:
                    with open(path, encoding="utf-8") as spool:
                        senders.append(json.loads(spool.readline())["sender_id"])
        return senders

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def count(self) -> int:
        return sum(len(rows) for _, rows in self.pending())
