"""Running a batch of tasks inside a worker (thread or process).

Map
---
- :class:`Batch` -- what a worker receives: task ids, their ops, which results stay
  inside the batch, and (for workers that do not share memory) the input values.
- :class:`Outcome` -- what comes back: the values that leave the batch, the failure if
  any, the time spent, the worker's id and, for a *timed* batch, each task's start and
  end time.
- :class:`TaskFailure` -- a task's exception with its position and traceback text.
- :func:`run_batch` -- run a batch against a store (the shared result list for threads,
  a dict of inputs for processes).
- :func:`in_worker` -- whether the calling thread is running tessera tasks (nested
  computes then run synchronously instead of waiting on the pool they occupy).

A batch is a list of tasks in execution order.  A linear chain (``a -> b -> c`` where
each link has one dependent) always travels in one batch; the results inside a chain
are *internal*: freed in the worker as soon as the next link has run and never sent
back.  This is how a 10,000-task chain runs without 10,000 round trips and without
deep nesting.

A batch is *timed* (``Batch.timed``) only when a callback asked for task times
(:attr:`~tessera.scheduling.callbacks.Callback.task_times`): each task is then run
through a wrapper that reads ``time.time()`` before and after it, in the worker, so the
times exclude queueing and compare across processes.  An untimed batch runs
:func:`~tessera.scheduling.graph.run_op` directly: no per-task cost.

>>> from operator import add
>>> from tessera.scheduling.graph import compile_graph
>>> cg = compile_graph({"a": 1, "b": (add, "a", 1), "c": (add, "b", 1)}, ["c"])
>>> out = run_batch(Batch([2, 1, 0], [cg.ops[2], cg.ops[1], cg.ops[0]], [True, True, False]), {})
>>> out.values, out.failure
({0: 3}, None)
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tessera.scheduling.graph import Op, run_op

__all__ = ["Batch", "Outcome", "TaskFailure", "in_worker", "run_batch", "timed_runner"]

_local = threading.local()


def in_worker() -> bool:
    """Return whether the calling thread is a tessera worker running tasks.

    >>> in_worker()
    False
    """
    return getattr(_local, "depth", 0) > 0


@dataclass
class Batch:
    """Tasks sent to a worker in one message.

    ``ids[k]`` runs ``ops[k]``; ``internal[k]`` says its result is used only by the next
    task of the batch (a chain link) and can be freed after it.  ``number`` is the
    engine's sequence number of the batch; ``cancel`` a shared flag (threads only);
    ``timed`` asks for each task's start and end time in :attr:`Outcome.times`.
    """

    ids: list[int]
    ops: list[Op]
    internal: list[bool]
    number: int = 0
    cancel: list[bool] = field(default_factory=lambda: [False])
    timed: bool = False


@dataclass
class TaskFailure:
    """A task raised ``exc``; ``position`` is its index in the batch."""

    position: int
    exc: BaseException
    traceback: str


@dataclass
class Outcome:
    """The result of running a batch.

    ``times`` (timed batches only) holds ``start, end`` pairs of ``time.time()``
    seconds, one pair per task that finished, in batch order.
    """

    number: int
    values: dict[int, Any] | None
    failure: TaskFailure | None
    seconds: float
    worker: int
    done: int
    exitcode: int | None = None
    fresh_worker: bool = False
    times: list[float] | None = None


def run_batch(batch: Batch, store: Any, *, send_back: bool = True) -> Outcome:
    """Run ``batch``, reading inputs from and writing results to ``store``.

    With ``send_back`` the results that leave the batch are returned in
    :attr:`Outcome.values`; otherwise they are only written to ``store`` (threads).
    Stops early when ``batch.cancel[0]`` becomes true.
    """
    _local.depth = getattr(_local, "depth", 0) + 1
    start = time.perf_counter()
    ids, ops, internal = batch.ids, batch.ops, batch.internal
    cancel = batch.cancel
    run: Callable[[Op, Any], Any] = run_op
    times: list[float] | None = None
    if batch.timed:  # the only cost of timing when no callback asked for it
        times = []
        run = timed_runner(times)
    failure = None
    k = 0
    try:
        prev = -1
        for k in range(len(ids)):
            if cancel[0]:
                break
            i = ids[k]
            store[i] = run(ops[k], store)
            if prev >= 0:
                store[prev] = None
                prev = -1
            if internal[k]:
                prev = i
        else:
            k = len(ids)
    except BaseException as e:  # includes KeyboardInterrupt raised inside a task
        failure = TaskFailure(k, e, traceback.format_exc())
    finally:
        _local.depth -= 1
    values = None
    if send_back and failure is None:
        values = {i: store[i] for i, inner in zip(ids, internal, strict=True) if not inner}
    out = Outcome(batch.number, values, failure, time.perf_counter() - start, _worker_id(), k)
    if times is not None:
        out.times = times
    return out


def timed_runner(times: list[float]) -> Callable[[Op, Any], Any]:
    """Return a :func:`run_op` that appends ``time.time()`` before and after each task.

    >>> from tessera.scheduling.graph import VALUE
    >>> times = []
    >>> timed_runner(times)((VALUE, 42, None, None), {}), len(times)
    (42, 2)
    >>> times[0] <= times[1]
    True
    """
    clock, append = time.time, times.append

    def run(op: Op, store: Any) -> Any:
        append(clock())
        value = run_op(op, store)
        append(clock())
        return value

    return run


def _worker_id() -> int:
    return (
        threading.get_ident() if threading.current_thread().name != "MainThread" else os.getpid()
    )
