"""Where a Rasa server's start-up time and memory go: imports, unpacking, each component, first answer.

Loads the model in this process the way `rasa run` does (Agent with the project's endpoints),
timing and measuring resident memory after each phase: importing TensorFlow, importing Rasa's
server side, unpacking the model archive, loading each graph component (its class and node),
then the first and second answers. Prints one JSON object. Environment settings are
inherited, so this also measures them: e.g. `MALLOC_ARENA_MAX=2 python -m benchmarks.startup_profile`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STARTED = time.perf_counter()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024)
    return 0.0


class Phases:
    """Seconds and memory at the end of each phase."""

    def __init__(self) -> None:
        self.rows: List[Dict[str, Any]] = []
        self.last = time.perf_counter()

    def done(self, name: str, **extra: Any) -> None:
        now = time.perf_counter()
        self.rows.append({"phase": name, "seconds": round(now - self.last, 2), "rss_mb": rss_mb(), **extra})
        self.last = now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="default: the model for the current data (scripts/model.sh)")
    parser.add_argument("--endpoints", default="endpoints.yml", help="'' for none (the stock assistant)")
    args = parser.parse_args()
    phases = Phases()
    phases.done("python start", seconds_since_process_start=round(time.perf_counter() - STARTED, 2))
    if args.endpoints:  # ours: the start-up step keeps JAX out before TensorFlow is imported
        from confidant.rasa_internals import unused_modules

        unused_modules.keep_out()

    import tensorflow  # noqa: F401

    phases.done("import tensorflow")
    import rasa.core.agent
    import rasa.core.run  # noqa: F401
    from rasa.core.utils import AvailableEndpoints
    from rasa.engine.graph import GraphNode
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    phases.done("import rasa (server side)")
    import logging

    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # its debug lines would go to stdout, before the figures

    components: List[Dict[str, Any]] = []
    unpack = LocalModelStorage.from_model_archive.__func__
    load_component = GraphNode._load_component

    def timed_unpack(cls: Any, *a: Any, **k: Any) -> Any:
        started = time.perf_counter()
        result = unpack(cls, *a, **k)
        components.append({"what": "unpack the model archive", "seconds": round(time.perf_counter() - started, 2)})
        return result

    def timed_load(self: Any, **kwargs: Any) -> None:
        started, memory = time.perf_counter(), rss_mb()
        load_component(self, **kwargs)
        components.append(
            {
                "what": f"{self._node_name} ({self._component_class.__name__})",
                "seconds": round(time.perf_counter() - started, 2),
                "rss_added_mb": rss_mb() - memory,
            }
        )

    LocalModelStorage.from_model_archive = classmethod(timed_unpack)
    GraphNode._load_component = timed_load

    # A scratch tracker store: the conversations of this run are thrown away.
    import tempfile

    os.environ["CONFIDANT_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='startup-profile-')}/t.sqlite3"
    if args.model is None:
        from tests.support.servers import model_path

        args.model = model_path()
    endpoints = AvailableEndpoints.read_endpoints(args.endpoints) if args.endpoints else AvailableEndpoints()
    if args.endpoints:  # ours: the start-up step `python -m confidant.rasa_command` takes
        from confidant import rasa_internals

        rasa_internals.install()

    async def serve() -> None:
        agent = await rasa.core.agent.load_agent(model_path=str(args.model), endpoints=endpoints)
        phases.done("load the model", components=sorted(components, key=lambda c: -c["seconds"])[:12])
        for name, text in (
            ("first answer", "hi"),
            ("second answer", "will you tell my parents?"),
            ("third answer", "who can see my notes"),
        ):
            await agent.handle_text(text, sender_id="startup-profile")
            phases.done(name)

    asyncio.run(serve())
    settings = {k: v for k, v in os.environ.items() if k.startswith(("TF_", "MALLOC_", "OMP_", "RASA_"))}
    print(
        json.dumps(
            {"settings": settings, "total_seconds": round(time.perf_counter() - STARTED, 1), "phases": phases.rows},
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
