"""How fast is the risk screen? Prints figures; asserts nothing (machines differ).

    python benchmarks/risk_screen_speed.py [--repeats 5]

Reports start-up time, then median / p95 / max time per message of `RiskScreen.screen()`:
over the evaluation set (ordinary chat-sized messages) and over 10,000-character messages
(the longest a channel accepts), with the risk at the very end. Aim: median under 2 ms per
ordinary message.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from confidant.evaluation.risk_scoring import DEFAULT_MESSAGES, load_messages  # noqa: E402
from confidant.risk.screen import RiskScreen  # noqa: E402


def _timings(screen: RiskScreen, texts: list[str], repeats: int) -> list[float]:
    """Seconds per call, each text screened `repeats` times."""
    out = []
    for _ in range(repeats):
        for text in texts:
            start = time.perf_counter()
            screen.screen(text)
            out.append(time.perf_counter() - start)
    return out


def _summary(label: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"{label:<42} n={len(seconds):<5} median {1000 * statistics.median(ordered):7.3f} ms   "
        f"p95 {1000 * p95:7.3f} ms   max {1000 * ordered[-1]:7.3f} ms"
    )


def _long_messages(ordinary: list[str], count: int = 20, size: int = 10_000) -> tuple[list[str], list[str]]:
    """10,000-character messages built from ordinary messages, with and without risk at the end."""
    plain, risky = [], []
    ending = " anyway that's everything and honestly I have decided to kill myself tonight"
    for offset in range(count):
        body = []
        index = offset
        while sum(len(b) + 1 for b in body) < size:
            body.append(ordinary[index % len(ordinary)])
            index += 7
        text = " ".join(body)
        plain.append(text[:size])
        risky.append(text[: size - len(ending)] + ending)
    return plain, risky


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="times each message is screened")
    args = parser.parse_args()

    start = time.perf_counter()
    screen = RiskScreen.from_directory(ROOT / "data" / "risk")
    built = time.perf_counter() - start
    print(f"start-up (load + validate data, build spaCy pipeline and matchers): {built:.2f} s")

    messages = load_messages(DEFAULT_MESSAGES)
    texts = [m.text for m in messages]
    ordinary_texts = [m.text for m in messages if m.kind == "ordinary"]
    screen.screen("warm up")  # first call pays for lazy initialisation inside spaCy
    print(_summary("evaluation set, all messages", _timings(screen, texts, args.repeats)))
    print(_summary("evaluation set, ordinary messages only", _timings(screen, ordinary_texts, args.repeats)))

    plain, risky = _long_messages(ordinary_texts)
    print(_summary("10,000-char messages, no risk", _timings(screen, plain, max(1, args.repeats // 2))))
    flagged = sum(screen.screen(t).is_current for t in plain)
    found = sum(screen.screen(t).is_current for t in risky)
    print(_summary("10,000-char messages, risk at the end", _timings(screen, risky, max(1, args.repeats // 2))))
    print(f"risk at the end of a 10,000-char message found in {found}/{len(risky)} messages")
    print(f"10,000-char ordinary messages flagged current: {flagged}/{len(plain)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
