"""What the message focus step costs per message. Prints figures; asserts nothing (machines differ).

    python -m benchmarks.message_focus_speed --model models/<model>.tar.gz [--repeats 3]

Parses the independent question set's messages, by length band, and 10,000-character posts
(the longest a channel accepts), first read whole as plain Rasa does, then with the focus
step, interleaved in one run so that the machine's load falls on both alike; prints median and
p95 milliseconds per message and the ratio of each to the whole reading.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from typing import Any, Dict, List

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from confidant.evaluation.independent import HELDOUT_DIR, length_band, load_questions  # noqa: E402
from confidant.evaluation.model import load_agent  # noqa: E402
from confidant.rasa_internals import message_focus  # noqa: E402


def _long_posts(texts: List[str], count: int = 5, size: int = 10_000) -> List[str]:
    """10,000-character posts made of the set's own messages, one after the other."""
    posts = []
    for offset in range(count):
        post = ""
        index = offset
        while len(post) < size:
            post += texts[index % len(texts)] + " "
            index += 7
        posts.append(post[:size])
    return posts


async def _time(agent: Any, text: str, read_parts: bool) -> float:
    message_focus.read_parts(read_parts)
    start = time.perf_counter()
    await agent.parse_message(text)
    return time.perf_counter() - start


def _figures(seconds: List[float]) -> Dict[str, float]:
    ordered = sorted(seconds)
    return {
        "median": 1000 * statistics.median(ordered),
        "p95": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
    }


async def _run(agent: Any, bands: Dict[str, List[str]], repeats: int) -> None:
    header = f"{'messages':<22} {'n':>4}  {'whole: median / p95 ms':>24}  {'focus: median / p95 ms':>24}"
    print(header + "  ratio (median, p95)")
    for band, texts in bands.items():
        whole: List[float] = []
        focused: List[float] = []
        for _ in range(repeats):
            for text in texts:
                whole.append(await _time(agent, text, False))
                focused.append(await _time(agent, text, True))
        w, f = _figures(whole), _figures(focused)
        whole_text = f"{w['median']:>11.1f} / {w['p95']:>8.1f}"
        focus_text = f"{f['median']:>11.1f} / {f['p95']:>8.1f}"
        ratios = f"{f['median'] / w['median']:.2f}x, {f['p95'] / w['p95']:.2f}x"
        print(f"{band:<22} {len(texts):>4}  {whole_text}  {focus_text}  {ratios}")
    message_focus.read_parts(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    texts = [row.text for row in load_questions(HELDOUT_DIR / "independent" / "questions.csv")]
    bands: Dict[str, List[str]] = {"short": [], "medium": [], "long": []}
    for text in texts:
        bands[length_band(text)].append(text)
    bands["10,000 characters"] = _long_posts(texts)
    agent = load_agent(args.model)
    asyncio.run(_run(agent, bands, args.repeats))


if __name__ == "__main__":
    main()
