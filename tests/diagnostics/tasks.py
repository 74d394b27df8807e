"""Task functions for the diagnostics tests, importable in worker processes."""

from __future__ import annotations

import threading
import time
from typing import Any


def inc(x: int) -> int:
    return x + 1


def add(*xs: int) -> int:
    return sum(xs)


def fail(x: Any) -> Any:
    raise ZeroDivisionError(f"failing on purpose with {x!r}")


def chain_and_fan(n: int) -> dict[Any, Any]:
    """A graph with chains (batched together) and a fan-in: ``n`` inputs, one total."""
    dsk: dict[Any, Any] = {}
    for i in range(n):
        dsk[("x", i)] = i
        dsk[("y", i)] = (inc, ("x", i))
        dsk[("z", i)] = (inc, ("y", i))
    dsk["total"] = (add, *[("z", i) for i in range(n)])
    return dsk


def wait_until(predicate: Any, timeout: float = 30.0) -> bool:
    """Wait for ``predicate()`` to be true, polling with bounded event waits."""
    tick = threading.Event()
    for _ in range(int(timeout / 0.001)):
        if predicate():
            return True
        tick.wait(0.001)
    return bool(predicate())


def stamp(*deps: Any) -> float:
    """A task that returns the time it ran, read with ``time.time()`` in the worker."""
    return time.time()


def stamped_graph(n: int) -> dict[Any, Any]:
    """``n`` independent stamping tasks, a chain of three (run in one batch), a total."""
    dsk: dict[Any, Any] = {("stamp", i): (stamp,) for i in range(n)}
    dsk["c0"] = (stamp,)
    dsk["c1"] = (stamp, "c0")
    dsk["c2"] = (stamp, "c1")
    dsk["out"] = (max, [*[("stamp", i) for i in range(n)], "c2"])
    return dsk
