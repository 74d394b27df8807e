"""What every local ``get`` function shares: keys in, nested results out.

Map
---
- :func:`run_graph` -- compile the part of a graph that some (nested lists of) keys need,
  run it with :func:`tessera.scheduling.engine.execute` and return the values in the
  same nested structure as the keys.
- :func:`default_num_workers` -- the number of cores this process may use.
- :func:`check_num_workers` -- validate a ``num_workers`` argument.
- :func:`take_all` -- a backend's wait for finished work that Ctrl-C can always end;
  ``WAKE_SECONDS`` -- the longest any backend's wait blocks before it looks again.
- :func:`defer_interrupt` -- hold Ctrl-C back while a pool starts a worker (or hands it
  work) and records it; raise it right after.

Ctrl-C: Python runs signal handlers in the main thread only, between bytecodes.  A
SIGINT that the OS delivers to another thread, or to the main thread just as it enters a
C-level wait (a lock, a queue, ``poll``), does not end that wait, so the
``KeyboardInterrupt`` would wait for the next result.  Hence no wait in a compute's
thread blocks for longer than ``WAKE_SECONDS`` at a time.

The same ``KeyboardInterrupt`` can also surface between any two bytecodes of the main
thread: between starting a worker thread or process and recording it in its pool (the
worker then runs on, unknown to the pool), or between sending a batch to a worker and
marking the worker busy.  Those few steps run under :func:`defer_interrupt`, which is
cheap enough for a worker's start but not for every task, so pools use it only there.

>>> from operator import add
>>> run_graph({"a": 1, "b": (add, "a", 1)}, ["a", ["b"]], None)
[1, [2]]
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterable, Mapping
from contextlib import suppress
from queue import Empty, SimpleQueue
from types import FrameType, TracebackType
from typing import Any, TypeVar

from tessera.scheduling.callbacks import Callback, active_callbacks
from tessera.scheduling.engine import Backend, execute
from tessera.scheduling.graph import compile_graph, flatten_keys

__all__ = [
    "WAKE_SECONDS",
    "check_num_workers",
    "default_num_workers",
    "defer_interrupt",
    "run_graph",
    "take_all",
]

T = TypeVar("T")

#: The longest a compute's thread blocks in one wait before it runs pending signal
#: handlers (see the module docstring): the worst extra delay of a Ctrl-C.
WAKE_SECONDS = 0.1


def default_num_workers() -> int:
    """Return the number of cores available to this process.

    >>> default_num_workers() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def check_num_workers(num_workers: object) -> int | None:
    """Validate a ``num_workers`` argument (``None`` means the default).

    >>> check_num_workers(None), check_num_workers(3)
    (None, 3)
    >>> check_num_workers(0)
    Traceback (most recent call last):
    ...
    ValueError: num_workers must be a positive integer or None, got 0.
    """
    if num_workers is None:
        return None
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 1:
        raise ValueError(f"num_workers must be a positive integer or None, got {num_workers!r}.")
    return num_workers


def take_all(q: SimpleQueue[T]) -> list[T]:
    """Block until ``q`` holds an item, then take every item it holds.

    The wait wakes every ``WAKE_SECONDS``, so a Ctrl-C always ends it promptly.

    >>> q: SimpleQueue[int] = SimpleQueue()
    >>> q.put(1)
    >>> q.put(2)
    >>> take_all(q)
    [1, 2]
    """
    items: list[T] = []
    while not items:
        with suppress(Empty):
            items.append(q.get(timeout=WAKE_SECONDS))
    while True:
        try:
            items.append(q.get_nowait())
        except Empty:
            return items


class _Held:
    """A SIGINT handler that only notes the signal, for :class:`defer_interrupt`."""

    def __init__(self) -> None:
        self.frame: FrameType | None = None
        self.caught = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.caught, self.frame = True, frame


class defer_interrupt:
    """Run a ``with`` block that Ctrl-C cannot split; a SIGINT during it acts at its end.

    Only the main thread can receive a ``KeyboardInterrupt`` from a signal; there the
    block runs with a SIGINT handler that only takes note, and on leaving the block the
    previous handler is restored and, if a SIGINT came, called (the default one raises
    ``KeyboardInterrupt``).  Elsewhere, inside another ``defer_interrupt`` block, or when
    SIGINT is not handled in Python, the block simply runs.  Keep the block short: it
    delays the user's Ctrl-C by its duration.

    >>> import signal
    >>> try:
    ...     with defer_interrupt():
    ...         signal.raise_signal(signal.SIGINT)
    ...         print("the block runs to its end")
    ... except KeyboardInterrupt:
    ...     print("then Ctrl-C acts")
    the block runs to its end
    then Ctrl-C acts
    """

    def __init__(self) -> None:
        self.held = _Held()
        self.previous: Any = None

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler) and not isinstance(handler, _Held):
            signal.signal(signal.SIGINT, self.held)
            self.previous = handler

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            if self.held.caught:
                self.previous(signal.SIGINT, self.held.frame)


def _pack(keys: Any, values: Iterable[Any]) -> Any:
    it = iter(values)

    def build(k: Any) -> Any:
        if type(k) is list:
            return [build(x) for x in k]
        return next(it)

    return build(keys)


def run_graph(
    dsk: Mapping[Any, Any],
    keys: Any,
    backend: Backend | None,
    *,
    callbacks: Iterable[Callback] | Callback | None = None,
    rerun_exceptions_locally: bool | None = None,
) -> Any:
    """Compute ``keys`` (a key or nested lists of keys) of ``dsk`` on ``backend``.

    ``backend=None`` runs in the calling thread.  ``callbacks`` are added to the
    registered ones for this call only.
    """
    from tessera import config

    if not isinstance(dsk, Mapping):
        raise TypeError(
            f"A task graph must be a mapping of keys to tasks, got {type(dsk).__name__}. "
            "Example: {'a': 1, 'b': (add, 'a', 1)}."
        )
    flat = flatten_keys(keys)
    cg = compile_graph(dsk, flat)
    if rerun_exceptions_locally is None:
        rerun_exceptions_locally = bool(config.get("rerun-exceptions-locally", False))
    values = execute(
        cg,
        backend,
        dsk=dsk,
        callbacks=active_callbacks(callbacks),
        rerun_exceptions_locally=rerun_exceptions_locally,
    )
    if type(keys) is not list:
        return values[0]
    return _pack(keys, values)
