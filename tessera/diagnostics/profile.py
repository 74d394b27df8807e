"""A task profiler: when each task ran, and on which worker.

Map
---
- :class:`TaskData` -- one record per task: ``key, task, start_time, end_time,
  worker_id`` (Dask's field names, so analysis code written for Dask ports over).
- :class:`Profiler` -- a :class:`~tessera.diagnostics.recorder.Recorder` (a callback)
  that collects them in :attr:`Profiler.results`.

State and policy
----------------
The profiler sets ``task_times``, so the engine times each task *in the worker* (the
calling thread for the synchronous scheduler, a pool thread, or a worker process):
``start_time`` and ``end_time`` are ``time.time()`` seconds read just before and just
after the task's function ran, so durations exclude queueing and batching, and times
from different worker processes are comparable (``time.time()`` is the system clock;
:class:`~tessera.diagnostics.ResourceProfiler` samples on the same clock).
``worker_id`` is the worker's thread id, or its process id for the synchronous
scheduler and worker processes.  ``_task_time`` appends one :class:`TaskData` per
finished task, so every task that finished is recorded exactly once; a task that never
finished (the compute failed) is not recorded.  Records accumulate over the computes run
while the profiler is active; entering it as a context manager clears them first.

>>> from operator import add
>>> from tessera.scheduling import synchronous
>>> with Profiler() as prof:
...     synchronous.get({"a": 1, "b": (add, "a", 1)}, "b")
2
>>> [t.key for t in prof.results]
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from tessera.diagnostics.recorder import Recorder

__all__ = ["Profiler", "TaskData"]


class TaskData(NamedTuple):
    """What the :class:`Profiler` records about one task.

    >>> TaskData("x", (abs, -1), 1.0, 1.5, 0).end_time
    1.5
    """

    key: Any
    task: Any
    start_time: float
    end_time: float
    worker_id: Any


class Profiler(Recorder):
    """Record the start time, end time and worker of every task.

    Notes
    -----
    Times are ``time.time()`` seconds measured in the worker around the task itself
    (see the module docstring).  :meth:`visualize` draws them.

    Examples
    --------
    >>> import time
    >>> from tessera.scheduling import threaded
    >>> dsk = {"x": 1, "y": (abs, "x"), "z": (sum, ["x", "y"]), "t": (time.time,)}
    >>> with Profiler() as prof:
    ...     z, stamp = threaded.get(dsk, ["z", "t"])
    >>> len(prof.results), sorted(t.key for t in prof.results)
    (4, ['t', 'x', 'y', 'z'])
    >>> all(t.start_time <= t.end_time for t in prof.results)
    True
    >>> (rec,) = [t for t in prof.results if t.key == "t"]
    >>> rec.start_time <= stamp <= rec.end_time  # timed in the worker, around the task
    True
    >>> prof.clear(); prof.results
    []
    """

    task_times = True

    def __init__(self) -> None:
        super().__init__()
        self.results: list[TaskData] = []

    def clear(self) -> None:
        """Forget the records collected so far."""
        self.results = []

    def _task_time(
        self,
        key: Any,
        dsk: Mapping[Any, Any],
        start_time: float,
        end_time: float,
        worker_id: Any,
    ) -> None:
        self.results.append(TaskData(key, dsk.get(key), start_time, end_time, worker_id))
