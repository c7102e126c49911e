"""Benchmark the running assistant: start-up, memory, single-message latency, throughput.

Starts a real action server and Rasa server(s) (as the tests do) on loopback with scratch
stores, then prints figures. It asserts nothing: these machines are shared and noisy.

- default: one Rasa instance with the embedded profile (SQLite, in-memory lock store);
- `--instances N`: the production profile, N instances sharing a scratch PostgreSQL
  database and Redis; the load generator sends each conversation's messages to the
  instances in turn (the round robin nginx does in scripts/run_production.sh);
- `--workers N`: each instance runs N Sanic worker processes (SANIC_WORKERS; production
  profile only, since workers of one instance share conversations through the Redis lock);
- `--paced`: also N conversations each sending one message every few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.load import FAQ, lost_events, percentile, run_load  # noqa: E402
from tests.support.receivers import free_port  # noqa: E402
from tests.support.servers import ManagedProcess, model_path, scratch_environment  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> List[int]:
    """A process and its direct children (Sanic workers, TensorFlow helpers)."""
    pids = [pid]
    for child in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = child.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                pids.append(int(child.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    for each in process_tree(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children."""
    total = 0
    for each in process_tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all cores, every process), from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def cpu_per_message(before: Dict[str, float], after: Dict[str, float], messages: int) -> Dict[str, float]:
    """Milliseconds of CPU per answered message, per part: steadier than throughput on a shared machine."""
    return {
        f"cpu_ms_per_message_{name}": round(1000 * (after[name] - before[name]) / max(messages, 1), 1)
        for name in before
    }


async def single_latency(url: str, count: int) -> List[float]:
    """One conversation, one message at a time: the latency a single person sees."""
    timings = []
    async with aiohttp.ClientSession() as session:
        sender = "bench-single-" + uuid.uuid4().hex
        for number in range(count + 1):
            text = "hi" if number == 0 else FAQ[number % len(FAQ)]
            started = time.perf_counter()
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as reply:
                await reply.read()
                if reply.status != 200:
                    raise RuntimeError(f"HTTP {reply.status}")
            if number:
                timings.append(time.perf_counter() - started)
    return timings


def production_environment(env: Dict[str, str]) -> Dict[str, str]:
    """A scratch PostgreSQL database and Redis prefix for the production profile."""
    from confidant.store.ensure_database import ensure_database

    url = f"postgresql://postgres@127.0.0.1:5432/confidant_bench_{uuid.uuid4().hex[:8]}"
    ensure_database(url)
    env.update(
        {
            "CONFIDANT_DATABASE_URL": url,
            "CONFIDANT_REDIS_HOST": "127.0.0.1",
            "CONFIDANT_REDIS_PORT": "6379",
            "CONFIDANT_REDIS_DB": "0",
            "CONFIDANT_REDIS_PREFIX": "bench" + uuid.uuid4().hex[:8],
        }
    )
    return env


def drop_database(url: str) -> None:
    import sqlalchemy as sa

    admin_url, name = url.rsplit("/", 1)
    admin = sa.create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
        )
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=200, help="sequential messages for latency")
    parser.add_argument("--conversations", type=int, default=20, help="conversations sending without pause")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--instances", type=int, default=0, help="production profile with N Rasa instances")
    parser.add_argument("--workers", type=int, default=1, help="Sanic workers per instance (production profile)")
    parser.add_argument("--paced", type=int, default=0, help="also N conversations, one message every --pace s")
    parser.add_argument("--pace", type=float, default=10.0)
    parser.add_argument("--paced-seconds", type=float, default=60)
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="confidant-bench-"))
    action_port = free_port()
    env = scratch_environment(state)
    env.update(
        {
            "CONFIDANT_ACTION_ENDPOINT": f"http://127.0.0.1:{action_port}/webhook",
            "CONFIDANT_LOG_LEVEL": "WARNING",
        }
    )
    endpoints = "endpoints.yml"
    if args.workers > 1 and not args.instances:
        parser.error("--workers needs the production profile (--instances N): workers share the Redis lock")
    if args.instances:
        env = production_environment(env)
        env["SANIC_WORKERS"] = str(args.workers)
        endpoints = "endpoints.production.yml"
    actions = ManagedProcess(
        "action-server",
        [sys.executable, "-m", "confidant.action_server", "--port", str(action_port)],
        env,
        f"http://127.0.0.1:{action_port}/health",
        state,
    )
    ports = [free_port() for _ in range(max(1, args.instances))]
    instances = [
        ManagedProcess(
            f"rasa-{number}",
            [
                sys.executable,
                "-m",
                "confidant.rasa_command",
                "run",
                "--model",
                str(model_path()),
                "--endpoints",
                endpoints,
                "--credentials",
                "credentials.yml",
                "--interface",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env,
            f"http://127.0.0.1:{port}/",
            state,
        )
        for number, port in enumerate(ports)
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        started = time.perf_counter()
        actions.start()
        with ThreadPoolExecutor(len(instances)) as pool:
            list(pool.map(lambda instance: instance.start(timeout=300), instances))
        first = asyncio.run(single_latency(urls[0], 1))
        start_to_first_answer = time.perf_counter() - started
        single = asyncio.run(single_latency(urls[0], args.single))

        def cpu_now() -> Dict[str, float]:
            return {
                **{instance.name: cpu_seconds(instance.process.pid) for instance in instances},
                "action_server": cpu_seconds(actions.process.pid),
                "load_generator": time.process_time(),
                "machine": machine_busy_seconds(),
            }

        cpu_before = cpu_now()
        load = asyncio.run(run_load(urls, args.conversations, args.seconds))
        cpu_after = cpu_now()
        figures = {
            "profile": (
                f"production, {len(urls)} instance(s) x {args.workers} worker(s)"
                if args.instances
                else "embedded, 1 instance"
            ),
            "start_to_first_answer_s": round(start_to_first_answer, 1),
            "first_answer_ms": round(first[0] * 1000, 1),
            "single_p50_ms": round(statistics.median(single) * 1000, 1),
            "single_p95_ms": round(percentile(single, 95) * 1000, 1),
            **{f"rss_{instance.name}_mb": round(rss_mb(instance.process.pid)) for instance in instances},
            "rss_action_server_mb": round(rss_mb(actions.process.pid)),
            "unpaced": {
                "conversations": args.conversations,
                "seconds": args.seconds,
                **load.figures(),
                **lost_events(load, env["CONFIDANT_DATABASE_URL"]),
                **cpu_per_message(cpu_before, cpu_after, len(load.ok)),
            },
        }
        if args.paced:
            paced = asyncio.run(run_load(urls, args.paced, args.paced_seconds, pace_seconds=args.pace))
            figures["paced"] = {
                "conversations": args.paced,
                "one_message_every_s": args.pace,
                "seconds": args.paced_seconds,
                **paced.figures(),
                **lost_events(paced, env["CONFIDANT_DATABASE_URL"]),
            }
        print(json.dumps(figures, indent=2))
    finally:
        for instance in instances:
            instance.stop()
        actions.stop()
        if args.instances:
            drop_database(env["CONFIDANT_DATABASE_URL"])


if __name__ == "__main__":
    main()
