"""Benchmark the running assistant: start-up, memory, single-message latency, throughput.

Starts a real action server and Rasa server (as the tests do) on loopback with a scratch
database, then prints figures. It asserts nothing: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.receivers import free_port  # noqa: E402
from tests.support.servers import ManagedProcess, model_path, scratch_environment  # noqa: E402

FAQ = [
    "will you tell my parents?", "what if I'm in court?", "can my husband find out what I say?",
    "do u have to report stuff", "is it actually illegal for you to tell people?", "who can see my notes",
    "is this chat saved", "how do i book", "what does confidentiality mean", "can I tell you anything",
]
UNCLEAR = ["what's the weather", "hmm", "can you diagnose me", "pizza?"]
RISK = ["i want to kill myself", "my dad hits me", "im going to hurt him tonight"]


def percentile(values: List[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid]
    for child in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = child.read_text().split()
            if int(fields[3]) == pid:
                pids.append(int(fields[0]))
        except (OSError, ValueError, IndexError):
            continue
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def mixed_message() -> str:
    roll = random.random()
    if roll < 0.7:
        return random.choice(FAQ)
    if roll < 0.9:
        return random.choice(UNCLEAR)
    return random.choice(RISK)


async def send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    start = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
    return time.perf_counter() - start


async def single_latency(url: str, count: int) -> List[float]:
    async with aiohttp.ClientSession() as session:
        sender = "bench-" + uuid.uuid4().hex
        await send(session, url, sender, "hi")
        return [await send(session, url, sender, random.choice(FAQ)) for _ in range(count)]


async def throughput(url: str, conversations: int, seconds: float) -> Dict[str, float]:
    latencies: List[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def conversation(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        sender = "bench-" + uuid.uuid4().hex
        while time.monotonic() < deadline:
            try:
                latencies.append(await send(session, url, sender, mixed_message()))
            except Exception:  # noqa: BLE001 - counted, not raised
                errors += 1

    async with aiohttp.ClientSession() as session:
        started = time.monotonic()
        await asyncio.gather(*(conversation(session) for _ in range(conversations)))
        elapsed = time.monotonic() - started
    return {
        "messages": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=200, help="sequential messages for latency")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="confidant-bench-"))
    action_port, rasa_port = free_port(), free_port()
    env = scratch_environment(state)
    env.update({
        "CONFIDANT_ACTION_ENDPOINT": f"http://127.0.0.1:{action_port}/webhook",
        "CONFIDANT_LOG_LEVEL": "WARNING",
    })
    actions = ManagedProcess(
        "action-server", [sys.executable, "-m", "confidant.action_server", "--port", str(action_port)],
        env, f"http://127.0.0.1:{action_port}/health", state,
    )
    rasa = ManagedProcess(
        "rasa",
        [str(Path(sys.executable).parent / "rasa"), "run", "--model", str(model_path()),
         "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
         "--interface", "127.0.0.1", "--port", str(rasa_port)],
        env, f"http://127.0.0.1:{rasa_port}/", state,
    )
    url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    try:
        started = time.perf_counter()
        actions.start()
        rasa.start(timeout=300)
        first = asyncio.run(single_latency(url, 1))
        start_to_first_answer = time.perf_counter() - started
        single = asyncio.run(single_latency(url, args.single))
        load = asyncio.run(throughput(url, args.conversations, args.seconds))
        figures = {
            "start_to_first_answer_s": round(start_to_first_answer, 1),
            "first_answer_ms": round(first[0] * 1000, 1),
            "single_p50_ms": round(statistics.median(single) * 1000, 1),
            "single_p95_ms": round(percentile(single, 95) * 1000, 1),
            "rss_rasa_mb": round(rss_mb(rasa.process.pid), 0),
            "rss_action_server_mb": round(rss_mb(actions.process.pid), 0),
            "load_conversations": args.conversations,
            "load_seconds": args.seconds,
            **{f"load_{key}": round(value, 1) for key, value in load.items()},
        }
        print(json.dumps(figures, indent=2))
    finally:
        rasa.stop()
        actions.stop()


if __name__ == "__main__":
    main()
