"""A resource profiler: CPU and memory of the process tree, sampled while computes run.

Map
---
- :class:`ResourceData` -- one sample: ``time, mem, cpu`` (Dask's field names):
  ``time.time()`` seconds (the clock of :class:`~tessera.diagnostics.Profiler`'s task
  times), resident memory in MB and CPU percent (100 = one core busy), summed over this
  process and all its children (tessera's worker processes).
- :class:`ResourceProfiler` -- a :class:`~tessera.diagnostics.recorder.Recorder` (a
  callback) that samples with psutil in a background daemon thread named
  ``tessera-resource-profiler``.

State and policy
----------------
The thread is started in ``_start`` and, in ``_finish`` (also after a failure), told to
stop and joined, so nothing keeps running after the compute.  It takes a sample at once
and then one every ``dt`` seconds, keeping a ``psutil.Process`` per pid so CPU percent
is measured between consecutive samples (the first sample of a new process reads 0).
Samples are appended under a lock; :attr:`ResourceProfiler.results` returns a copy.
Records accumulate over computes; entering the profiler as a context manager clears
them.  psutil is imported when a compute starts, with an error naming the extra.

>>> from tessera.scheduling import synchronous
>>> with ResourceProfiler(dt=0.01) as rprof:
...     synchronous.get({"x": (sum, [1, 2])}, "x")
3
>>> len(rprof.results) >= 1 and rprof.results[0].mem > 0
True
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from tessera.diagnostics.recorder import Recorder
from tessera.extras import import_extra

__all__ = ["ResourceData", "ResourceProfiler"]

THREAD_NAME = "tessera-resource-profiler"


class ResourceData(NamedTuple):
    """One sample of the :class:`ResourceProfiler`: when, memory (MB), CPU (%).

    >>> ResourceData(0.5, 120.0, 95.0).mem
    120.0
    """

    time: float
    mem: float
    cpu: float


def _import_psutil() -> Any:
    return import_extra("psutil", "ResourceProfiler", "complete")


class _Sampler:
    """Sum memory and CPU over a process and its children, keeping Process objects."""

    def __init__(self, psutil: Any, pid: int) -> None:
        self._psutil = psutil
        self._root = psutil.Process(pid)
        self._procs: dict[int, Any] = {pid: self._root}
        self._root.cpu_percent(interval=None)  # prime: the next call measures from now

    def sample(self) -> ResourceData:
        psutil = self._psutil
        try:
            children = self._root.children(recursive=True)
        except psutil.Error:
            children = []
        alive = {self._root.pid: self._root}
        for child in children:
            alive[child.pid] = self._procs.get(child.pid, child)
        self._procs = alive
        mem = cpu = 0.0
        for proc in alive.values():
            try:
                with proc.oneshot():
                    mem += proc.memory_info().rss
                    cpu += proc.cpu_percent(interval=None)
            except psutil.Error:  # the process ended between listing and reading
                continue
        return ResourceData(time.time(), mem / 1e6, cpu)


class ResourceProfiler(Recorder):
    """Sample CPU and memory of this process and its children while computes run.

    Parameters
    ----------
    dt : float
        Seconds between samples (a first sample is taken as the compute starts).

    Examples
    --------
    >>> from tessera.scheduling import threaded
    >>> rprof = ResourceProfiler(dt=0.01)
    >>> with rprof:
    ...     threaded.get({"x": (sum, [1, 2])}, "x")
    3
    >>> isinstance(rprof.results[0], ResourceData)
    True
    >>> import threading
    >>> any(t.name == "tessera-resource-profiler" for t in threading.enumerate())
    False
    >>> rprof.clear(); rprof.results
    []
    """

    def __init__(self, dt: float = 1.0) -> None:
        super().__init__()
        if not dt > 0:
            raise ValueError(
                f"ResourceProfiler needs dt > 0 (seconds between samples), got {dt!r}."
            )
        self._dt = dt
        self._lock = threading.Lock()
        self._results: list[ResourceData] = []
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._depth = 0  # computes running now (a nested compute shares the thread)

    @property
    def results(self) -> list[ResourceData]:
        """The samples so far, oldest first (a copy)."""
        with self._lock:
            return list(self._results)

    def clear(self) -> None:
        """Forget the samples collected so far."""
        with self._lock:
            self._results = []

    def _start(self, dsk: Mapping[Any, Any]) -> None:
        with self._lock:
            self._depth += 1
            if self._depth > 1:
                return
        try:
            sampler = _Sampler(_import_psutil(), os.getpid())
        except BaseException:
            with self._lock:
                self._depth -= 1
            raise
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(sampler, self._stop), name=THREAD_NAME, daemon=True
        )
        self._thread.start()

    def _finish(self, dsk: Mapping[Any, Any], state: Any, errored: bool) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth > 0:
                return
            thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join()

    def _run(self, sampler: _Sampler, stop: threading.Event) -> None:
        while True:
            data = sampler.sample()
            with self._lock:
                self._results.append(data)
            if stop.wait(self._dt):
                return
