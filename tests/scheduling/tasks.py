"""Task functions for the scheduler tests, importable in worker processes."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any


def inc(x: int) -> int:
    return x + 1


def add(*xs: Any) -> Any:
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    return total


def combine(xs: list[int], c: int) -> int:
    return sum(xs) * 3 + c


def fail(x: Any) -> Any:
    raise ZeroDivisionError(f"failing on purpose with {x!r}")


class CustomError(Exception):
    """A user exception type that must come back as itself."""


def raise_custom(x: Any) -> Any:
    raise CustomError(f"custom {x}")


class Unpicklable(Exception):
    """An exception that cannot be pickled (it holds a lock)."""

    def __init__(self) -> None:
        super().__init__("holds a lock")
        self.lock = threading.Lock()


def raise_unpicklable(x: Any) -> Any:
    raise Unpicklable()


def exit_process(code: int) -> None:
    os._exit(code)


def kill_self(x: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def segfault(x: Any) -> None:
    import ctypes

    ctypes.string_at(0)


def pid(x: Any) -> int:
    return os.getpid()


def return_lock(x: Any) -> Any:
    return threading.Lock()


def nested_compute(n: int, scheduler: str) -> Any:
    """A task that itself computes a graph (a nested compute)."""
    from tessera.scheduling.registry import get_scheduler

    get = get_scheduler(scheduler)
    return get({("x", i): (inc, i) for i in range(n)}, [("x", i) for i in range(n)])


def identity(x: Any) -> Any:
    return x
