"""Training the tiny project (tests/support/tiny_project) as `make train` trains the real one."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Dict, Optional, Tuple

TINY_PROJECT = Path(__file__).resolve().parent / "tiny_project"
ROOT = Path(__file__).resolve().parents[2]


def train_tiny_project(
    out: Path, name: str, environment: Dict[str, str], project: Optional[Path] = None
) -> Tuple[Path, str, str]:
    """`rasa train nlu` of a tiny project through the training display; the model's folder, what
    the display showed, and Rasa's log."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **environment}
    log = out / f"{name}.log"
    command = [sys.executable, "-m", "confidant.training_progress", "--log", str(log), "--"]
    command += ["train", "nlu", "--config", "config.yml", "--domain", "domain.yml", "--nlu", "data"]
    command += ["--out", str(out), "--fixed-model-name", name]
    result = subprocess.run(command, cwd=project or TINY_PROJECT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + log.read_text()[-3000:]
    unpacked = out / name
    with tarfile.open(out / f"{name}.tar.gz") as archive:
        archive.extractall(unpacked)
    return unpacked, result.stdout, log.read_text()
