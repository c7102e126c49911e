"""Running the suite in another order, to show no test depends on the ones before it.

`pytest --test-order reverse` runs the files and the tests in each file backwards;
`--test-order random` shuffles the files and the tests within each file (`--test-order-seed N`
repeats an order; the seed is printed at the start). A file's tests stay together, so fixtures
scoped to a module (a browser, a server) are still started once.
"""

from __future__ import annotations

import random
from typing import Dict, List, Sequence, TypeVar

Item = TypeVar("Item")
ORDERS = ("file", "reverse", "random")


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def reordered(items: Sequence[Item], nodeids: Sequence[str], order: str, seed: int = 0) -> List[Item]:
    """`items` (with their `nodeids`) in `order`: as collected, reversed, or shuffled by `seed`."""
    if order not in ORDERS:
        raise ValueError(f"unknown test order {order!r}: one of {', '.join(ORDERS)}")
    if order == "file":
        return list(items)
    if order == "reverse":
        return list(reversed(items))
    by_file: Dict[str, List[Item]] = {}
    for item, nodeid in zip(items, nodeids, strict=True):
        by_file.setdefault(file_of(nodeid), []).append(item)
    shuffler = random.Random(seed)
    files = list(by_file)
    shuffler.shuffle(files)
    result: List[Item] = []
    for name in files:
        tests = by_file[name]
        shuffler.shuffle(tests)
        result.extend(tests)
    return result
