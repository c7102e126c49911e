"""`make train` with the components trained side by side, against Rasa's one-at-a-time runner.

    python -m benchmarks.training_side_by_side [--rounds 2] [--processes N]

Trains the whole assistant (config.yml, domain, data: NLU and dialogue) from an empty Rasa cache
each time, alternating Rasa's runner (CONFIDANT_TRAINING_PROCESSES=0) and the side-by-side one
(confidant/rasa_internals/parallel_training.py) round by round, so that the shared machine's
load falls on both alike. Prints each training's wall and CPU seconds and the largest process,
the median ratio side-by-side / one-at-a-time, and whether each trained component is the same,
file for file, as the first one-at-a-time training's. Asserts nothing (machines differ).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from confidant.rasa_internals.parallel_training import PROCESSES_ENVIRONMENT_VARIABLE

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Training:
    runner: str
    wall: float
    cpu: float
    peak_mb: float
    components: Path


def _same_files(first: Path, second: Path) -> bool:
    comparison = filecmp.dircmp(first, second)
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(first, second, comparison.common_files, shallow=False)
    return not mismatch and not errors and all(_same_files(first / d, second / d) for d in comparison.common_dirs)


def train(folder: Path, name: str, processes: Optional[int]) -> Training:
    """One whole training as `make train` runs it, from an empty cache; its figures."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_CACHE_DIRECTORY": str(folder / f"cache-{name}"),
        PROCESSES_ENVIRONMENT_VARIABLE: "0" if processes is None else str(processes),
    }
    command = [sys.executable, "-m", "confidant.training_progress", "--log", str(folder / f"{name}.log"), "--"]
    command += ["train", "--config", "config.yml", "--domain", "domain.yml"]
    command += ["--data", "data/nlu", "data/rules", "data/stories", "--out", str(folder), "--fixed-model-name", name]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    # This training's own figures (its children's included), not the benchmark's running totals.
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    cpu = usage.ru_utime + usage.ru_stime
    unpacked = folder / name
    with tarfile.open(folder / f"{name}.tar.gz") as archive:
        archive.extractall(unpacked)
    runner = "one at a time" if processes is None else f"side by side ({processes} at once)"
    return Training(runner, wall, cpu, usage.ru_maxrss / 1024, unpacked / "components")


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="children at once")
    args = parser.parse_args(argv)
    trainings: List[Training] = []
    with tempfile.TemporaryDirectory(prefix="confidant-training-") as folder:
        for round_ in range(args.rounds):
            for processes in (None, args.processes):
                name = f"round{round_ + 1}-{'parallel' if processes else 'sequential'}"
                trainings.append(train(Path(folder), name, processes))
                done = trainings[-1]
                print(f"{name}: {done.wall:.0f} s wall, {done.cpu:.0f} s CPU", file=sys.stderr, flush=True)
        print(f"{'round':<6} {'runner':<28} {'wall s':>7} {'CPU s':>7} {'largest process MB':>19}  same model")
        reference = trainings[0].components
        for index, done in enumerate(trainings):
            same = "yes" if _same_files(reference, done.components) else "NO"
            figures = f"{done.wall:>7.0f} {done.cpu:>7.0f} {done.peak_mb:>19.0f}"
            print(f"{index // 2 + 1:<6} {done.runner:<28} {figures}  {same}")
    pairs = list(zip(trainings[::2], trainings[1::2], strict=True))
    wall = statistics.median(side_by_side.wall / one.wall for one, side_by_side in pairs)
    cpu = statistics.median(side_by_side.cpu / one.cpu for one, side_by_side in pairs)
    print(f"side by side / one at a time (median over rounds): wall {wall:.2f}x, CPU {cpu:.2f}x")


if __name__ == "__main__":
    main()
