"""The one execution engine behind every local scheduler.

Map
---
- :class:`Backend` -- what an executor must offer the engine: submit a batch, wait for
  finished batches, abort, close.  Threads, processes and user executors implement it.
- :func:`execute` -- run a compiled graph: in the caller's thread when there is no
  backend (the synchronous scheduler), else on the backend.
- :class:`StateView` -- the read-only ``state`` mapping handed to callbacks, built on
  demand from the engine's arrays (so it costs nothing when nobody looks).

State kept per compute (all flat lists indexed by task id): ``results``, ``refcount``
(dependents not yet finished, plus one for each output), ``waiting`` (dependencies not
yet finished) and ``status`` (waiting, ready, running, done, released).

Policy
------
- Ready tasks run in the static order of :mod:`tessera.scheduling.order`.
- A result is dropped the moment its last dependent finishes.
- At most ``backend.capacity`` batches are in flight.  A batch holds whole linear chains
  and, once task durations are known, enough ready tasks to last about
  ``backend.target_seconds`` (never more than an equal share of the ready tasks), so
  trivial tasks are cheap and slow tasks still spread over all workers.
- Task times for callbacks that set ``task_times`` are read in the worker (batches are
  then *timed*, see :mod:`tessera.scheduling.batch`) and handed to their ``_task_time``
  just before ``_posttask``; without such a callback nothing is timed.
- A failing task stops submission, lets the batches in flight finish (threads stop at
  the next task boundary), then re-raises the task's exception with its key in a note,
  or re-runs the task in the caller with ``rerun_exceptions_locally=True``.
- An interrupt (Ctrl-C) aborts the backend at once.

>>> from operator import add
>>> from tessera.scheduling.graph import compile_graph
>>> cg = compile_graph({"a": 1, "b": 2, "c": (add, "a", "b")}, ["c", "a"])
>>> execute(cg, None)
[3, 1]
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from tessera.errors import SerializationError, WorkerDiedError, add_task_note
from tessera.scheduling.batch import Batch, Outcome, _worker_id, timed_runner
from tessera.scheduling.graph import CompiledGraph, run_op
from tessera.scheduling.order import order, priorities

__all__ = ["Backend", "StateView", "execute"]

WAITING, READY, RUNNING, DONE, RELEASED = 0, 1, 2, 3, 4


class Backend(Protocol):
    """An executor as the engine sees it.

    ``capacity`` is the most batches in flight, ``num_workers`` the parallelism,
    ``target_seconds`` how long a batch should last, ``shares_memory`` whether workers
    read inputs from and write results to the engine's result list directly.
    """

    num_workers: int
    target_seconds: float
    shares_memory: bool

    @property
    def capacity(self) -> int:
        """The most batches in flight at once."""
        ...

    def submit(self, batch: Batch, store: Any) -> None:
        """Start ``batch``; ``store`` is the result list or a dict of its inputs."""

    def wait(self) -> list[Outcome]:
        """Block until at least one batch has finished; return the finished ones."""
        ...

    def abort(self) -> None:
        """Stop now (Ctrl-C): cancel queued batches, stop busy workers where possible."""

    def close(self) -> None:
        """Release what this compute holds (the engine calls it once, at the end)."""


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


def execute(
    cg: CompiledGraph,
    backend: Backend | None,
    *,
    dsk: Mapping[Any, Any] | None = None,
    callbacks: Sequence[Any] = (),
    rerun_exceptions_locally: bool = False,
) -> list[Any]:
    """Run ``cg`` and return the values of ``cg.outputs``.

    Parameters
    ----------
    cg : CompiledGraph
        The compiled graph.
    backend : Backend or None
        Where tasks run; ``None`` runs them one by one in the calling thread.
    dsk : mapping, optional
        The original graph, handed to callbacks.
    callbacks : sequence of Callback
        Active callbacks; with none, no per-task hook is called at all.  Those whose
        ``task_times`` is true also get ``_task_time`` with worker-side times.
    rerun_exceptions_locally : bool
        Re-run a failed task in the calling thread so its exception (and pdb) is local.

    >>> from tessera.scheduling.graph import compile_graph
    >>> execute(compile_graph({"x": (len, [1, 2, 3])}, ["x"]), None)
    [3]
    """
    n = len(cg)
    ordering = order(cg)
    results: list[Any] = [None] * n
    refcount = [len(d) for d in cg.dependents]
    for o in cg.outputs:
        refcount[o] += 1
    status = bytearray(n)
    for i, d in enumerate(cg.deps):
        if not d:
            status[i] = READY
    state = StateView(cg, results, status) if callbacks else None
    dsk = {} if dsk is None else dsk
    started: list[Any] = []  # callbacks whose _start ran: they get _finish whatever happens
    errored = True
    try:
        for cb in callbacks:
            cb._start(dsk)
            started.append(cb)
        for cb in callbacks:
            cb._start_state(dsk, state)
        if backend is None and not callbacks:
            _run_inline(cg, ordering, results, refcount)
        elif backend is None:
            _Inline(cg, ordering, results, refcount, status, dsk, callbacks).run()
        else:
            _Parallel(cg, ordering, results, refcount, status, backend, dsk, callbacks).run(
                rerun_exceptions_locally
            )
        errored = False
    finally:
        for cb in started:
            cb._finish(dsk, state, errored)
    return [results[o] for o in cg.outputs]


def _run_inline(
    cg: CompiledGraph, ordering: list[int], results: list[Any], refcount: list[int]
) -> None:
    ops, deps, keys = cg.ops, cg.deps, cg.keys
    for i in ordering:
        try:
            results[i] = run_op(ops[i], results)
        except Exception as e:
            add_task_note(e, keys[i])
            raise
        for d in deps[i]:
            refcount[d] -= 1
            if not refcount[d]:
                results[d] = None


def _timers(callbacks: Sequence[Any]) -> list[Any]:
    """The callbacks that asked for worker-side task times."""
    return [cb for cb in callbacks if getattr(cb, "task_times", False)]


class _Reporter:
    """Per-task hooks after a task finished: ``_task_time`` (timers only), ``_posttask``."""

    cg: CompiledGraph
    results: list[Any]
    dsk: Mapping[Any, Any]
    callbacks: Sequence[Any]
    timers: list[Any]
    state: StateView | None

    def _report(self, i: int, worker: int, ticks: Iterator[float] | None) -> None:
        key, dsk, state = self.cg.keys[i], self.dsk, self.state
        if ticks is not None:
            start, end = next(ticks), next(ticks)
            for cb in self.timers:
                cb._task_time(key, dsk, start, end, worker)
        for cb in self.callbacks:
            cb._posttask(key, self.results[i], dsk, state, worker)


class _Inline(_Reporter):
    """A compute in the calling thread with callbacks (the synchronous scheduler)."""

    def __init__(
        self,
        cg: CompiledGraph,
        ordering: list[int],
        results: list[Any],
        refcount: list[int],
        status: bytearray,
        dsk: Mapping[Any, Any],
        callbacks: Sequence[Any],
    ) -> None:
        self.cg, self.ordering, self.results = cg, ordering, results
        self.refcount, self.status = refcount, status
        self.dsk, self.callbacks, self.timers = dsk, callbacks, _timers(callbacks)
        self.state = StateView(cg, results, status)

    def run(self) -> None:
        cg, results, refcount, status = self.cg, self.results, self.refcount, self.status
        ops, deps, keys = cg.ops, cg.deps, cg.keys
        waiting = [len(d) for d in deps]
        worker = _worker_id()
        times: list[float] = []
        run = timed_runner(times) if self.timers else run_op
        for i in self.ordering:
            key = keys[i]
            status[i] = RUNNING
            for cb in self.callbacks:
                cb._pretask(key, self.dsk, self.state)
            try:
                results[i] = run(ops[i], results)
            except Exception as e:
                add_task_note(e, key)
                raise
            status[i] = DONE
            for d in deps[i]:
                refcount[d] -= 1
                if not refcount[d]:
                    results[d] = None
                    status[d] = RELEASED
            for j in cg.dependents[i]:
                waiting[j] -= 1
                if not waiting[j]:
                    status[j] = READY
            self._report(i, worker, iter(times) if times else None)
            times.clear()


class _Parallel(_Reporter):
    """One parallel compute on a backend; see the module docstring for the policy."""

    def __init__(
        self,
        cg: CompiledGraph,
        ordering: list[int],
        results: list[Any],
        refcount: list[int],
        status: bytearray,
        backend: Backend,
        dsk: Mapping[Any, Any],
        callbacks: Sequence[Any],
    ) -> None:
        self.cg, self.ordering, self.results = cg, ordering, results
        self.refcount, self.status, self.backend = refcount, status, backend
        self.dsk, self.callbacks = dsk, callbacks
        self.timers = _timers(callbacks) if callbacks else []
        self.state = StateView(cg, results, status) if callbacks else None
        self.rank = priorities(ordering)
        self.waiting = [len(d) for d in cg.deps]
        self.ready = [self.rank[i] for i, d in enumerate(cg.deps) if not d]
        heapq.heapify(self.ready)
        self.chain_next = self._chains()
        self.inflight: dict[int, Batch] = {}
        self.cancel = [False]
        self.numbers = 0
        self.seconds = 0.0
        self.tasks_timed = 0

    def _chains(self) -> list[int]:
        """``chain_next[i]``: the single dependent that may run right after ``i`` in its batch."""
        cg = self.cg
        outputs = set(cg.outputs)
        deps = cg.deps
        nxt = [-1] * len(cg)
        for i, ds in enumerate(cg.dependents):
            if len(ds) == 1 and len(deps[ds[0]]) == 1 and i not in outputs:
                nxt[i] = ds[0]
        return nxt

    def _batch_size(self) -> int:
        share = -(-len(self.ready) // self.backend.num_workers)
        if not self.tasks_timed:
            return 1
        per_task = self.seconds / self.tasks_timed
        want = int(self.backend.target_seconds / per_task) if per_task > 0 else share
        return max(1, min(want, share))

    def _submit_one(self) -> None:
        ready, ordering, status = self.ready, self.ordering, self.status
        chain_next, keep_all = self.chain_next, bool(self.callbacks)
        size = self._batch_size()
        ids: list[int] = []
        internal: list[bool] = []
        while ready and len(ids) < size:
            i = ordering[heapq.heappop(ready)]
            while True:
                ids.append(i)
                status[i] = RUNNING
                j = chain_next[i]
                internal.append(j >= 0 and not keep_all)
                if j < 0:
                    break
                i = j
        ops = self.cg.ops
        batch = Batch(ids, [ops[i] for i in ids], internal, self.numbers, self.cancel)
        if self.timers:
            batch.timed = True
        self.numbers += 1
        if self.callbacks:
            keys = self.cg.keys
            for i in ids:
                for cb in self.callbacks:
                    cb._pretask(keys[i], self.dsk, self.state)
        if self.backend.shares_memory:
            store: Any = self.results
        else:
            deps, results = self.cg.deps, self.results
            store = {d: results[d] for i in ids for d in deps[i] if status[d] == DONE}
        try:
            self.backend.submit(batch, store)
        except SerializationError as e:
            pos = getattr(e, "position", -1)
            add_task_note(e, self.cg.keys[ids[pos if pos >= 0 else 0]])
            raise
        self.inflight[batch.number] = batch

    def run(self, rerun_exceptions_locally: bool) -> None:
        backend = self.backend
        remaining = len(self.cg)
        try:
            while remaining:
                while self.ready and len(self.inflight) < backend.capacity:
                    self._submit_one()
                if not self.inflight:  # pragma: no cover - only an engine bug gets here
                    raise RuntimeError(f"{remaining} tasks can never become ready")
                finished = [(self.inflight.pop(out.number), out) for out in backend.wait()]
                for batch, out in finished:
                    if out.failure is not None or out.exitcode is not None:
                        self._fail(batch, out, rerun_exceptions_locally)
                    remaining -= self._finish(batch, out)
        except BaseException:
            self.cancel[0] = True
            if self.inflight:
                backend.abort()
            raise

    def _finish(self, batch: Batch, out: Outcome) -> int:
        self.seconds += out.seconds
        self.tasks_timed += out.done
        results, refcount, status = self.results, self.refcount, self.status
        waiting, ready, rank = self.waiting, self.ready, self.rank
        deps, dependents = self.cg.deps, self.cg.dependents
        values, callbacks = out.values, self.callbacks
        ticks = iter(out.times) if out.times is not None else None
        for i in batch.ids:
            if values is not None and i in values:
                results[i] = values[i]
            status[i] = DONE
            for d in deps[i]:
                refcount[d] -= 1
                if not refcount[d]:
                    results[d] = None
                    status[d] = RELEASED
            for j in dependents[i]:
                waiting[j] -= 1
                if not waiting[j] and status[j] == WAITING:
                    status[j] = READY
                    heapq.heappush(ready, rank[j])
            if callbacks:
                self._report(i, out.worker, ticks)
        return len(batch.ids)

    def _fail(self, batch: Batch, out: Outcome, rerun: bool) -> None:
        """Wait for the batches in flight, then raise the failure of ``batch``."""
        self.cancel[0] = True
        while self.inflight:
            for other in self.backend.wait():
                self.inflight.pop(other.number, None)
        keys = self.cg.keys
        if out.failure is None:
            raise WorkerDiedError([keys[i] for i in batch.ids], out.exitcode, out.fresh_worker)
        pos = out.failure.position
        if rerun:
            self._rerun(batch, pos)
        exc = out.failure.exc
        add_task_note(exc, keys[batch.ids[pos]])
        raise exc

    def _rerun(self, batch: Batch, pos: int) -> None:
        """Run the chain that failed again, in the calling thread, so it raises here."""
        start = pos
        while start > 0 and batch.internal[start - 1]:
            start -= 1
        ids = batch.ids[start : pos + 1]
        deps, results, status = self.cg.deps, self.results, self.status
        store = {d: results[d] for i in ids for d in deps[i] if status[d] == DONE}
        for k, i in enumerate(ids):
            try:
                store[i] = run_op(batch.ops[start + k], store)
            except Exception as e:
                add_task_note(e, self.cg.keys[i])
                raise
