"""Ours against the stock `rasa init` assistant: same Rasa, same machine, same run, same load.

Absolute figures on this shared two-core machine move by tens of percent from one hour to the
next, so every figure is printed with its ratio to the stock assistant measured in the same
run, with the same load generator and the same messages. Measurements alternate between the
two (ours, stock, ours, stock ...) and a ratio is the median of the per-round ratios, so a
slow minute slows both sides of a pair.

1. Training: `rasa init --no-prompt` builds and trains the stock assistant in a temporary
   folder; ours is trained as `make train` trains it (`confidant.training_progress`, its
   classifiers side by side), forced, into another (both with an empty cache of their own).
   Wall time, CPU time and peak memory of each training process and its children.
   `--no-train` uses our model in models/ and prints no training figures for ours.
2. Start-up: from starting the servers (ours: Rasa and the action server, as `make run` does)
   to the first answer, `--startups` times each, alternating; CPU spent until then.
3. Both servers then run side by side (only one is under load at a time):
   single messages, one conversation, one message at a time (p50, p95);
   20 conversations without pause (messages a second, p50, p95, errors, CPU per message);
   one 200-turn conversation (median turn time at turns 1-10 and 191-200);
   resident memory of each process at the end (and its peak).

Both run with the same environment (scripts/env.sh); what makes ours differ is its own code
and configuration (e.g. confidant/rasa_internals, installed by our start-up step).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.assistant import cpu_seconds, machine_busy_seconds  # noqa: E402
from tests.support.load import FAQ, UNCLEAR, percentile, run_load  # noqa: E402
from tests.support.receivers import free_port  # noqa: E402
from tests.support.servers import ManagedProcess, model_path, scratch_environment  # noqa: E402

RASA = str(Path(sys.executable).parent / "rasa")
LONG_MESSAGES = FAQ + UNCLEAR


@dataclass
class Figures:
    """Every figure of one assistant, as lists over the rounds."""

    values: Dict[str, List[float]] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        self.values.setdefault(name, []).append(value)

    def median(self, name: str) -> Optional[float]:
        values = self.values.get(name)
        return statistics.median(values) if values else None


def process_memory_mb(pid: int) -> Dict[str, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM) of one process, in MB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            figures[key] = int(value.split()[0]) / 1024
    return figures


def timed_process(command: List[str], cwd: Path, env: Dict[str, str], log: Path) -> Dict[str, float]:
    """Run a command to its end: wall seconds, CPU seconds and peak memory (its largest process)."""
    started = time.perf_counter()
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{' '.join(command[:3])} failed ({process.returncode}); see {log}")
    return {
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),
    }


class Assistant:
    """One assistant's servers: started, asked, measured, stopped."""

    def __init__(
        self,
        name: str,
        project: Path,
        model: Path,
        env: Dict[str, str],
        logs: Path,
        endpoints: Optional[str],
        with_actions: bool,
    ) -> None:
        self.name, self.project, self.model, self.env, self.logs = name, project, model, env, logs
        self.endpoints, self.with_actions = endpoints, with_actions
        self.figures = Figures()
        self.rasa: Optional[subprocess.Popen] = None
        self.actions: Optional[ManagedProcess] = None
        self.url = ""

    def processes(self) -> Dict[str, int]:
        found = {}
        if self.rasa:
            found["rasa"] = self.rasa.pid
        if self.actions and self.actions.process:
            found["action server"] = self.actions.process.pid
        return found

    def start(self) -> float:
        """Start the servers; seconds until the first answer (records CPU used until then)."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        env = dict(self.env)
        if self.with_actions:
            action_port = free_port()
            env["CONFIDANT_ACTION_ENDPOINT"] = f"http://127.0.0.1:{action_port}/webhook"
            self.actions = ManagedProcess(
                f"{self.name}-actions",
                [sys.executable, "-m", "confidant.action_server", "--port", str(action_port)],
                env,
                f"http://127.0.0.1:{action_port}/health",
                self.logs,
            )
            self.actions.start()  # returns once healthy; Rasa, started next, takes far longer
        # Ours starts through its start-up step (confidant/rasa_command.py); the stock one is plain Rasa.
        start = [sys.executable, "-m", "confidant.rasa_command", "run"] if self.endpoints else [RASA, "run"]
        command = [
            *start,
            "--model",
            str(self.model),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--credentials",
            "credentials.yml",
        ]
        if self.endpoints:
            command += ["--endpoints", self.endpoints]
        log = open(self.logs / f"{self.name}-rasa.log", "ab")
        self.rasa = subprocess.Popen(
            command, cwd=self.project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        asyncio.run(self._first_answer(timeout=600))
        seconds = time.perf_counter() - started
        self.figures.add("startup_s", seconds)
        self.figures.add("startup_cpu_s", sum(cpu_seconds(pid) for pid in self.processes().values()))
        return seconds

    async def _first_answer(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while True:
                if self.rasa.poll() is not None:
                    raise RuntimeError(f"{self.name}: Rasa exited during start-up; see {self.logs}")
                try:
                    async with session.post(
                        f"{self.url}/webhooks/rest/webhook",
                        json={"sender": "startup-" + uuid.uuid4().hex, "message": "hi"},
                    ) as reply:
                        body = await reply.json(content_type=None)
                        if reply.status == 200 and body:
                            return
                except (aiohttp.ClientError, ValueError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name}: no answer after {timeout} s")
                await asyncio.sleep(0.2)

    def stop(self) -> None:
        if self.rasa and self.rasa.poll() is None:
            os.killpg(self.rasa.pid, 15)
            try:
                self.rasa.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.rasa.pid, 9)
                self.rasa.wait()
        self.rasa = None
        if self.actions:
            self.actions.stop()
            self.actions = None

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.processes().values())


async def conversation_timings(url: str, messages: List[str]) -> List[float]:
    """One conversation, one message at a time: seconds per answer (the first, "hi", not counted)."""
    timings = []
    sender = "bench-" + uuid.uuid4().hex
    async with aiohttp.ClientSession() as session:
        for number, text in enumerate(["hi", *messages]):
            started = time.perf_counter()
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as reply:
                await reply.read()
                if reply.status != 200:
                    raise RuntimeError(f"HTTP {reply.status} from {url}")
            if number:
                timings.append(time.perf_counter() - started)
    return timings


def measure_single(assistant: Assistant, count: int) -> None:
    timings = asyncio.run(conversation_timings(assistant.url, [FAQ[i % len(FAQ)] for i in range(count)]))
    assistant.figures.add("single_p50_ms", 1000 * statistics.median(timings))
    assistant.figures.add("single_p95_ms", 1000 * percentile(timings, 95))


def measure_unpaced(assistant: Assistant, conversations: int, seconds: float) -> None:
    cpu_before, machine_before = assistant.cpu(), machine_busy_seconds()
    load = asyncio.run(run_load([assistant.url], conversations, seconds))
    answered = max(len(load.ok), 1)
    figures = load.figures()
    assistant.figures.add("unpaced_per_s", figures["per_second"])
    assistant.figures.add("unpaced_p50_ms", figures["p50_ms"])
    assistant.figures.add("unpaced_p95_ms", figures["p95_ms"])
    assistant.figures.add("unpaced_errors", figures["errors"])
    assistant.figures.add("cpu_ms_per_message", 1000 * (assistant.cpu() - cpu_before) / answered)
    assistant.figures.add("machine_cpu_ms_per_message", 1000 * (machine_busy_seconds() - machine_before) / answered)


def measure_long(assistant: Assistant, turns: int) -> None:
    timings = asyncio.run(
        conversation_timings(assistant.url, [LONG_MESSAGES[i % len(LONG_MESSAGES)] for i in range(turns)])
    )
    first, last = statistics.median(timings[:10]), statistics.median(timings[-10:])
    assistant.figures.add("long_first10_ms", 1000 * first)
    assistant.figures.add("long_last10_ms", 1000 * last)
    assistant.figures.add("long_last_over_first", last / first)


def measure_memory(assistant: Assistant) -> None:
    total = 0.0
    for name, pid in assistant.processes().items():
        memory = process_memory_mb(pid)
        assistant.figures.add(f"rss_{name.replace(' ', '_')}_mb", memory["VmRSS"])
        assistant.figures.add(f"peak_{name.replace(' ', '_')}_mb", memory["VmHWM"])
        total += memory["VmRSS"]
    assistant.figures.add("rss_all_processes_mb", total)


FIGURES = [
    # name, what, lower is better
    ("train_wall_s", "training, wall (s)"),
    ("train_cpu_s", "training, CPU (s)"),
    ("train_peak_mb", "training, peak memory (MB)"),
    ("startup_s", "start to first answer (s)"),
    ("startup_cpu_s", "start-up CPU (s)"),
    ("single_p50_ms", "one message at a time, p50 (ms)"),
    ("single_p95_ms", "one message at a time, p95 (ms)"),
    ("unpaced_per_s", "20 conversations without pause, msg/s"),
    ("unpaced_p50_ms", "  the same, p50 (ms)"),
    ("unpaced_p95_ms", "  the same, p95 (ms)"),
    ("unpaced_errors", "  the same, errors"),
    ("cpu_ms_per_message", "CPU per message, our processes (ms)"),
    ("machine_cpu_ms_per_message", "CPU per message, whole machine (ms)"),
    ("long_first10_ms", "200-turn conversation, turns 1-10 (ms)"),
    ("long_last10_ms", "200-turn conversation, turns 191-200 (ms)"),
    ("long_last_over_first", "  turn 200 / turn 1 (x)"),
    ("rss_rasa_mb", "memory, Rasa process (MB)"),
    ("peak_rasa_mb", "memory, Rasa process at its peak (MB)"),
    ("rss_action_server_mb", "memory, action server (MB)"),
    ("rss_all_processes_mb", "memory, all processes (MB)"),
]


def paired_ratio(ours: List[float], stock: List[float]) -> Optional[float]:
    """Median of the round-by-round ratios (rounds measured back to back)."""
    pairs = [a / b for a, b in zip(ours, stock, strict=False) if b]
    return statistics.median(pairs) if pairs else None


def report(ours: Assistant, stock: Assistant) -> Dict[str, Any]:
    rows = {}
    print(f"\n{'figure':<44} {'ours':>10} {'stock':>10} {'ours/stock':>11}")
    for name, label in FIGURES:
        a, b = ours.figures.median(name), stock.figures.median(name)
        if a is None and b is None:
            continue
        ratio = paired_ratio(ours.figures.values.get(name, []), stock.figures.values.get(name, []))
        rows[name] = {"ours": a, "stock": b, "ratio": ratio, "rounds": len(ours.figures.values.get(name, []))}

        def shown(value: Optional[float]) -> str:
            return "-" if value is None else f"{value:,.1f}"

        print(f"{label:<44} {shown(a):>10} {shown(b):>10} {('-' if ratio is None else f'{ratio:.2f}x'):>11}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-train", action="store_true", help="use our model in models/ (stock is always trained)")
    parser.add_argument("--startups", type=int, default=3, help="start-ups of each, alternating")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each load, alternating")
    parser.add_argument("--single", type=int, default=50, help="messages per single-message round")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20, help="seconds per unpaced round")
    parser.add_argument("--turns", type=int, default=200, help="turns of the long conversation")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench", help="folder for the JSON figures")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="confidant-versus-stock-"))
    logs = work / "logs"
    logs.mkdir()
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    stock_env = dict(base)
    stock_env.update({"RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": "WARNING"})
    ours_env = scratch_environment(work / "ours-state")
    ours_env.update({"CONFIDANT_LOG_LEVEL": "WARNING", "LOG_LEVEL": "WARNING"})
    print(f"Working in {work} (logs in {logs})")

    print("Training the stock assistant (rasa init --no-prompt) ...", flush=True)
    (work / "stock").mkdir()  # rasa init --no-prompt wants the folder to exist
    stock_training = timed_process(
        [RASA, "init", "--no-prompt", "--init-dir", str(work / "stock")],
        work,
        {**stock_env, "RASA_CACHE_DIRECTORY": str(work / "stock-cache")},
        logs / "stock-train.log",
    )
    stock_model = next((work / "stock" / "models").glob("*.tar.gz"))
    ours_training = None
    if args.no_train:
        ours_model = model_path()
    else:
        print("Training ours (make train's command, forced) ...", flush=True)
        ours_training = timed_process(
            [
                sys.executable,
                "-m",
                "confidant.training_progress",
                "--log",
                str(logs / "ours-rasa-train.log"),
                "--",
                "train",
                "--config",
                "config.yml",
                "--domain",
                "domain.yml",
                "--data",
                "data/nlu",
                "data/rules",
                "data/stories",
                "--out",
                str(work / "ours-models"),
                "--force",
            ],
            ROOT,
            {**ours_env, "RASA_CACHE_DIRECTORY": str(work / "ours-cache")},
            logs / "ours-train.log",
        )
        ours_model = next((work / "ours-models").glob("*.tar.gz"))

    ours = Assistant("ours", ROOT, ours_model, ours_env, logs, "endpoints.yml", with_actions=True)
    stock = Assistant("stock", work / "stock", stock_model, stock_env, logs, None, with_actions=False)
    for assistant, training in ((ours, ours_training), (stock, stock_training)):
        if training:
            for key, value in training.items():
                assistant.figures.add(f"train_{key}", value)

    pair = [ours, stock]
    try:
        for number in range(args.startups):
            for assistant in pair if number % 2 == 0 else pair[::-1]:
                seconds = assistant.start()
                print(f"start-up {number + 1}: {assistant.name} {seconds:.1f} s", flush=True)
                if number < args.startups - 1:
                    assistant.stop()
        for number in range(args.rounds):
            for assistant in pair if number % 2 == 0 else pair[::-1]:
                measure_single(assistant, args.single)
                measure_unpaced(assistant, args.conversations, args.seconds)
                print(
                    f"round {number + 1}: {assistant.name} single p50 "
                    f"{assistant.figures.values['single_p50_ms'][-1]:.1f} ms, "
                    f"{assistant.figures.values['unpaced_per_s'][-1]:.1f} msg/s",
                    flush=True,
                )
        for assistant in pair:
            measure_long(assistant, args.turns)
            measure_memory(assistant)
        rows = report(ours, stock)
    finally:
        for assistant in pair:
            assistant.stop()
    today = datetime.date.today().isoformat()
    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "date": today,
        "command": "make bench (benchmarks/versus_stock.py)",
        "arguments": vars(args) | {"out": str(args.out)},
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "figures": rows,
    }
    path = args.out / f"versus-stock-{today}.json"
    path.write_text(json.dumps(result, indent=1))
    print(f"\nFigures also in {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    shutil.rmtree(work / "stock-cache", ignore_errors=True)
    shutil.rmtree(work / "ours-cache", ignore_errors=True)


if __name__ == "__main__":
    main()
