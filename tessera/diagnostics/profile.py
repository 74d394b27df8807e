"""A task profiler: when each task ran, and on which worker.

Map
---
- :class:`TaskData` -- one record per task: ``key, task, start_time, end_time,
  worker_id`` (Dask's field names, so analysis code written for Dask ports over).
- :class:`Profiler` -- a :class:`~tessera.callbacks.Callback` that collects them in
  :attr:`Profiler.results`.

State and policy
----------------
``_pretask`` stores the start time of the key in a dict; ``_posttask`` pops it and
appends a :class:`TaskData`.  Times are ``time.perf_counter()`` seconds read in the
thread that called ``compute``, the same clock as
:class:`~tessera.diagnostics.ResourceProfiler`.  With batching (threads and processes
hand a batch of tasks to a worker at once) ``start_time`` is when the task was handed
out and ``end_time`` when its batch came back, so durations include queueing and the
other tasks of the batch; timestamps taken inside the worker are future work.  Every
task that finished is recorded exactly once; a task that never finished (the compute
failed) is not recorded.  Records accumulate over the computes run while the profiler is
active; entering it as a context manager clears them first.

>>> from operator import add
>>> from tessera.scheduling import synchronous
>>> with Profiler() as prof:
...     synchronous.get({"a": 1, "b": (add, "a", 1)}, "b")
2
>>> [t.key for t in prof.results]
['a', 'b']
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from tessera.scheduling.callbacks import Callback

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


class Profiler(Callback):
    """Record the start time, end time and worker of every task.

    Notes
    -----
    Times are measured in the calling thread (see the module docstring): for a task
    run in a batch, the time it was handed out and the time its batch came back.

    Examples
    --------
    >>> from tessera.scheduling import threaded
    >>> dsk = {"x": 1, "y": (abs, "x"), "z": (sum, ["x", "y"])}
    >>> with Profiler() as prof:
    ...     threaded.get(dsk, "z")
    2
    >>> len(prof.results), sorted(t.key for t in prof.results)
    (3, ['x', 'y', 'z'])
    >>> all(t.start_time <= t.end_time for t in prof.results)
    True
    >>> prof.clear(); prof.results
    []
    """

    def __init__(self) -> None:
        super().__init__()
        self.results: list[TaskData] = []
        self._starts: dict[Any, float] = {}

    def __enter__(self) -> Profiler:
        self.clear()
        super().__enter__()
        return self

    def clear(self) -> None:
        """Forget the records collected so far."""
        self.results = []
        self._starts = {}

    def _pretask(self, key: Any, dsk: Mapping[Any, Any], state: Any) -> None:
        self._starts[key] = time.perf_counter()

    def _posttask(
        self, key: Any, result: Any, dsk: Mapping[Any, Any], state: Any, worker_id: Any
    ) -> None:
        end = time.perf_counter()
        start = self._starts.pop(key, end)
        self.results.append(TaskData(key, dsk.get(key), start, end, worker_id))

    def _finish(self, dsk: Mapping[Any, Any], state: Any, errored: bool) -> None:
        for key in dsk:  # tasks that never came back (the compute failed)
            self._starts.pop(key, None)
