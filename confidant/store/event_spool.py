"""Events that could not be written to the tracker store yet, kept on local disk in order.

One append-only JSON-lines file per conversation; each line is one event row as the SQL
tracker store would have written it. A file is removed only after its rows are committed.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple


class EventSpool:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _path(self, sender_id: str) -> Path:
        return self.directory / (hashlib.sha256(sender_id.encode("utf-8")).hexdigest() + ".jsonl")

    def append(self, sender_id: str, rows: List[Dict[str, Any]]) -> None:
        with self._lock, open(self._path(sender_id), "a", encoding="utf-8") as spool:
            for row in rows:
                spool.write(json.dumps({"sender_id": sender_id, **row}) + "\n")
            spool.flush()
            os.fsync(spool.fileno())

    def has(self, sender_id: str) -> bool:
        return self._path(sender_id).exists()

    def pending(self) -> Iterator[Tuple[Path, List[Dict[str, Any]]]]:
        for path in sorted(self.directory.glob("*.jsonl")):
            yield path, self.read(path)

    def read_for(self, sender_id: str) -> Tuple[Path, List[Dict[str, Any]]]:
        path = self._path(sender_id)
        return path, self.read(path) if path.exists() else []

    @staticmethod
    def read(path: Path) -> List[Dict[str, Any]]:
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
        return rows

    def remove(self, path: Path) -> None:
        with self._lock:
            path.unlink(missing_ok=True)

    def count(self) -> int:
        return sum(len(rows) for _, rows in self.pending())
