"""A cache profiler: how big each result is, and how long the scheduler holds it.

Map
---
- :class:`CacheData` -- one record per task: ``key, task, metric, cache_time,
  free_time`` (Dask's field names).
- :class:`CacheProfiler` -- a :class:`~tessera.diagnostics.recorder.Recorder` (a
  callback) that collects them in :attr:`CacheProfiler.results`.
- :func:`default_metric` -- the default size of a result: ``nbytes`` when it has one
  (NumPy arrays, pandas Series and Index), else ``sys.getsizeof`` (deep for pandas
  DataFrames, shallow for lists and dicts).

State and policy
----------------
``_start_state`` reads each key's dependencies and counts its dependents.  ``_posttask``
(in the thread that called ``compute``) measures the result with the metric and stamps
``cache_time``; it then counts down the dependents of the task's dependencies and
stamps ``free_time`` on those whose last dependent has finished, which is when the
engine drops them.  Results nothing depends on (the outputs) are freed when the compute
ends.  Times are ``time.time()`` seconds, the clock of the other profilers.  The
metric runs on every result, so keep it cheap.  Records accumulate over computes;
entering the profiler as a context manager clears them.

>>> from operator import add
>>> from tessera.scheduling import synchronous
>>> with CacheProfiler(metric=lambda x: 1, metric_name="count") as cprof:
...     synchronous.get({"a": 1, "b": (add, "a", 1)}, "b")
2
>>> [(r.key, r.metric) for r in cprof.results]
[('a', 1), ('b', 1)]
>>> all(r.cache_time <= r.free_time for r in cprof.results)
True
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from tessera.diagnostics.recorder import Recorder

__all__ = ["CacheData", "CacheProfiler", "default_metric"]


class CacheData(NamedTuple):
    """What the :class:`CacheProfiler` records about one result.

    >>> CacheData("x", (abs, -1), 28, 1.0, 2.0).metric
    28
    """

    key: Any
    task: Any
    metric: float
    cache_time: float
    free_time: float


def default_metric(value: Any) -> int:
    """Return the size of ``value`` in bytes: ``nbytes`` if it has it, else ``getsizeof``.

    >>> import numpy as np
    >>> default_metric(np.zeros(10)), default_metric(b"") == sys.getsizeof(b"")
    (80, True)
    """
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    return sys.getsizeof(value)


class CacheProfiler(Recorder):
    """Record the size of every result and when the scheduler held it.

    Parameters
    ----------
    metric : callable, optional
        ``metric(result) -> number``; default :func:`default_metric` (bytes).
    metric_name : str, optional
        What the metric measures, for plots; default ``"bytes"`` for the default
        metric, else the metric's ``__name__``.

    Examples
    --------
    >>> from tessera.scheduling import threaded
    >>> dsk = {"x": (list, range(1000)), "n": (len, "x")}
    >>> with CacheProfiler() as cprof:
    ...     threaded.get(dsk, "n")
    1000
    >>> sizes = {r.key: r.metric for r in cprof.results}
    >>> sizes["x"] > sizes["n"] > 0, cprof.metric_name
    (True, 'bytes')
    """

    def __init__(
        self, metric: Callable[[Any], float] | None = None, metric_name: str | None = None
    ) -> None:
        super().__init__()
        if metric is not None and not callable(metric):
            raise TypeError(
                f"CacheProfiler(metric=...) must be a callable taking a result, got "
                f"{type(metric).__name__}: {metric!r}."
            )
        self._metric: Callable[[Any], float] = default_metric if metric is None else metric
        if metric_name is None:
            metric_name = "bytes" if metric is None else getattr(metric, "__name__", "metric")
        self.metric_name = metric_name
        self.results: list[CacheData] = []
        self._held: dict[Any, tuple[float, float]] = {}
        self._deps: Mapping[Any, Any] = {}
        self._left: dict[Any, int] = {}

    def clear(self) -> None:
        """Forget the records collected so far."""
        self.results = []

    def _start_state(self, dsk: Mapping[Any, Any], state: Any) -> None:
        self._held = {}
        self._deps = state["dependencies"]
        self._left = {k: len(v) for k, v in state["dependents"].items()}

    def _posttask(
        self, key: Any, result: Any, dsk: Mapping[Any, Any], state: Any, worker_id: Any
    ) -> None:
        now = time.time()
        self._held[key] = (self._metric(result), now)
        left = self._left
        for d in self._deps.get(key, ()):
            left[d] -= 1
            if not left[d]:
                self._free(d, dsk, now)

    def _free(self, key: Any, dsk: Mapping[Any, Any], now: float) -> None:
        held = self._held.pop(key, None)
        if held is not None:
            self.results.append(CacheData(key, dsk.get(key), held[0], held[1], now))

    def _finish(self, dsk: Mapping[Any, Any], state: Any, errored: bool) -> None:
        now = time.time()
        for key in list(self._held):
            self._free(key, dsk, now)
        self._deps, self._left = {}, {}
