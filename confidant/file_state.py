"""The state of the files under some paths, to tell whether any of them changed since.

Kept apart from Rasa's code and the risk screen's, which both use it: the training hands its
validated files on only while they are unchanged, and a process shares one risk screen while
its pattern files are unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, List, Optional, Tuple, Union

FileState = Tuple[Tuple[str, int, int], ...]
"""(path, modification time in ns, size) of every file, in order."""


def files_state(paths: Iterable[Optional[Union[str, os.PathLike]]]) -> FileState:
    """Every file under the paths (a file, or a folder's files at any depth), with its mtime and size."""
    found: List[Tuple[str, int, int]] = []
    for path in paths:
        if not path:
            continue
        root = Path(path)
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for file in files:
            stat = file.stat()
            found.append((os.fspath(file), stat.st_mtime_ns, stat.st_size))
    return tuple(found)
