"""The bookkeeping of one compute, shared by the engine's inline and parallel runners.

Map
---
- ``WAITING``, ``READY``, ``RUNNING``, ``DONE``, ``RELEASED`` -- the status of a task.
- :class:`StateView` -- the read-only ``state`` mapping handed to callbacks, built on
  demand from the tracker's arrays (so it costs nothing when nobody looks).
- :class:`Tracker` -- what a runner knows about a compute: results, reference counts,
  statuses, the ready set (a heap of static-order ranks); :meth:`Tracker.complete`
  records a finished task (frees results whose last dependent ran, makes dependents
  ready) and reports it to the callbacks (``_task_time``, then ``_posttask``).

State (flat lists indexed by task id): ``results``, ``refcount`` (dependents not yet
finished, plus one for each output), ``waiting`` (dependencies not yet finished),
``status`` and ``ready``.  Popping ``ready`` gives the ready task that comes first in
the static order; for a runner that runs one task at a time that is the order itself.

>>> from operator import add
>>> from tessera.scheduling.graph import compile_graph
>>> cg = compile_graph({"a": 1, "b": (add, "a", 1)}, ["b"])
>>> t = Tracker(cg, [1, 0], {}, ())          # ids: "b" is 0, "a" is 1
>>> t.next_ready()
1
>>> t.results[1] = 1
>>> t.complete(1, 0, None)                   # "a" done: "b" is ready
>>> t.next_ready()
0
>>> t.results[0] = 2
>>> t.complete(0, 0, None)                   # "b" done: "a" is released
>>> t.results, t.status[1] == RELEASED
([2, None], True)
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tessera.scheduling.graph import CompiledGraph
from tessera.scheduling.order import priorities

__all__ = ["DONE", "READY", "RELEASED", "RUNNING", "WAITING", "StateView", "Tracker"]

WAITING, READY, RUNNING, DONE, RELEASED = 0, 1, 2, 3, 4


class StateView(Mapping[str, Any]):
    """The ``state`` given to callbacks, with Dask's keys, computed when read.

    Keys: ``cache`` (key -> result held now), ``ready``, ``running``, ``finished``,
    ``released``, ``waiting`` (key -> set of unfinished dependencies),
    ``dependencies`` and ``dependents`` (key -> set of keys).
    """

    _names = (
        "cache",
        "ready",
        "running",
        "finished",
        "released",
        "waiting",
        "dependencies",
        "dependents",
    )

    def __init__(self, cg: CompiledGraph, results: list[Any], status: bytearray) -> None:
        self._cg = cg
        self._results = results
        self._status = status

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def _keys_with(self, st: int) -> list[Any]:
        keys = self._cg.keys
        return [keys[i] for i, s in enumerate(self._status) if s == st]

    def __getitem__(self, name: str) -> Any:
        cg, keys, status = self._cg, self._cg.keys, self._status
        if name == "cache":
            return {keys[i]: self._results[i] for i, s in enumerate(status) if s == DONE}
        if name == "ready":
            return self._keys_with(READY)
        if name == "running":
            return set(self._keys_with(RUNNING))
        if name == "finished":
            return set(self._keys_with(DONE)) | set(self._keys_with(RELEASED))
        if name == "released":
            return set(self._keys_with(RELEASED))
        if name == "waiting":
            return {
                keys[i]: {keys[d] for d in cg.deps[i] if status[d] < DONE}
                for i, s in enumerate(status)
                if s == WAITING
            }
        if name == "dependencies":
            return {keys[i]: {keys[d] for d in ds} for i, ds in enumerate(cg.deps)}
        if name == "dependents":
            return {keys[i]: {keys[d] for d in ds} for i, ds in enumerate(cg.dependents)}
        raise KeyError(name)


class Tracker:
    """The state of one compute and the step every runner takes when a task finishes.

    Parameters
    ----------
    cg : CompiledGraph
        The compiled graph.
    ordering : list of int
        The static order (:func:`~tessera.scheduling.order.order`).
    dsk : mapping
        The original graph, handed to callbacks.
    callbacks : sequence of Callback
        Active callbacks; ``state`` is None without any.
    """

    def __init__(
        self,
        cg: CompiledGraph,
        ordering: list[int],
        dsk: Mapping[Any, Any],
        callbacks: Sequence[Any],
    ) -> None:
        n = len(cg)
        self.cg, self.ordering, self.dsk, self.callbacks = cg, ordering, dsk, callbacks
        self.results: list[Any] = [None] * n
        self.refcount = [len(d) for d in cg.dependents]
        for o in cg.outputs:
            self.refcount[o] += 1
        self.status = bytearray(n)
        self.waiting = [len(d) for d in cg.deps]
        self.rank = priorities(ordering)
        self.ready = [self.rank[i] for i, d in enumerate(cg.deps) if not d]
        heapq.heapify(self.ready)
        for i, d in enumerate(cg.deps):
            if not d:
                self.status[i] = READY
        self.state = StateView(cg, self.results, self.status) if callbacks else None
        #: the callbacks that asked for worker-side task times
        self.timers = [cb for cb in callbacks if getattr(cb, "task_times", False)]

    def next_ready(self) -> int:
        """Take the ready task that comes first in the static order (the heap is not empty)."""
        return self.ordering[heapq.heappop(self.ready)]

    def complete(self, i: int, worker: int, ticks: Iterator[float] | None) -> None:
        """Record that task ``i`` finished on ``worker``; ``ticks`` yields its start and end
        times (a timed run) or is None."""
        results, refcount, status, waiting = self.results, self.refcount, self.status, self.waiting
        status[i] = DONE
        for d in self.cg.deps[i]:
            refcount[d] -= 1
            if not refcount[d]:
                results[d] = None
                status[d] = RELEASED
        for j in self.cg.dependents[i]:
            waiting[j] -= 1
            if not waiting[j] and status[j] == WAITING:
                status[j] = READY
                heapq.heappush(self.ready, self.rank[j])
        if self.callbacks:
            self._report(i, worker, ticks)

    def inputs(self, ids: Sequence[int]) -> dict[int, Any]:
        """The finished results that the tasks ``ids`` read (a worker's store)."""
        deps, results, status = self.cg.deps, self.results, self.status
        return {d: results[d] for i in ids for d in deps[i] if status[d] == DONE}

    def _report(self, i: int, worker: int, ticks: Iterator[float] | None) -> None:
        key, dsk, state = self.cg.keys[i], self.dsk, self.state
        if ticks is not None:
            start, end = next(ticks), next(ticks)
            for cb in self.timers:
                cb._task_time(key, dsk, start, end, worker)
        for cb in self.callbacks:
            cb._posttask(key, self.results[i], dsk, state, worker)
