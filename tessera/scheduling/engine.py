"""The one execution engine behind every local scheduler.

Map
---
- :class:`Backend` -- what an executor must offer the engine: submit a batch, wait for
  finished batches, abort, close.  Threads, processes and user executors implement it.
- :func:`execute` -- run a compiled graph: in the caller's thread when there is no
  backend (the synchronous scheduler), else on the backend.
- :mod:`~tessera.scheduling.tracker` -- the state of a compute (results, reference
  counts, statuses, the ready heap, the callbacks' ``state`` view) and the step taken
  when a task finishes, shared by both runners here: the inline one (the synchronous
  scheduler with callbacks) and :class:`_Parallel`.  Without callbacks and backend, a
  plain loop over the static order runs the graph with no bookkeeping at all.

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

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from tessera.errors import SerializationError, WorkerDiedError, add_task_note
from tessera.scheduling.batch import Batch, Outcome, _worker_id, timed_runner
from tessera.scheduling.graph import CompiledGraph, run_op
from tessera.scheduling.order import order
from tessera.scheduling.tracker import RUNNING, StateView, Tracker

__all__ = ["Backend", "StateView", "execute"]


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
    ordering = order(cg)
    if backend is None and not callbacks:
        return _run_plain(cg, ordering)
    dsk = {} if dsk is None else dsk
    tracker = Tracker(cg, ordering, dsk, callbacks)
    state = tracker.state
    started: list[Any] = []  # callbacks whose _start ran: they get _finish whatever happens
    errored = True
    try:
        for cb in callbacks:
            cb._start(dsk)
            started.append(cb)
        for cb in callbacks:
            cb._start_state(dsk, state)
        if backend is None:
            _run_inline(tracker)
        else:
            _Parallel(tracker, backend).run(rerun_exceptions_locally)
        errored = False
    finally:
        for cb in started:
            cb._finish(dsk, state, errored)
    return [tracker.results[o] for o in cg.outputs]


def _run_plain(cg: CompiledGraph, ordering: list[int]) -> list[Any]:
    """Run ``cg`` in the calling thread with no callbacks: no statuses, no ready set."""
    ops, deps, keys = cg.ops, cg.deps, cg.keys
    results: list[Any] = [None] * len(cg)
    refcount = [len(d) for d in cg.dependents]
    for o in cg.outputs:
        refcount[o] += 1
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
    return [results[o] for o in cg.outputs]


def _run_inline(t: Tracker) -> None:
    """Run the tasks one by one in the calling thread, with the callbacks' hooks."""
    ops, keys, results, status = t.cg.ops, t.cg.keys, t.results, t.status
    worker = _worker_id()
    times: list[float] = []
    run = timed_runner(times) if t.timers else run_op
    while t.ready:
        i = t.next_ready()
        key = keys[i]
        status[i] = RUNNING
        for cb in t.callbacks:
            cb._pretask(key, t.dsk, t.state)
        try:
            results[i] = run(ops[i], results)
        except Exception as e:
            add_task_note(e, key)
            raise
        t.complete(i, worker, iter(times) if times else None)
        times.clear()


class _Parallel:
    """One parallel compute on a backend; see the module docstring for the policy."""

    def __init__(self, tracker: Tracker, backend: Backend) -> None:
        self.t, self.cg, self.backend = tracker, tracker.cg, backend
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
        share = -(-len(self.t.ready) // self.backend.num_workers)
        if not self.tasks_timed:
            return 1
        per_task = self.seconds / self.tasks_timed
        want = int(self.backend.target_seconds / per_task) if per_task > 0 else share
        return max(1, min(want, share))

    def _submit_one(self) -> None:
        t = self.t
        status, chain_next, keep_all = t.status, self.chain_next, bool(t.callbacks)
        size = self._batch_size()
        ids: list[int] = []
        internal: list[bool] = []
        while t.ready and len(ids) < size:
            i = t.next_ready()
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
        if t.timers:
            batch.timed = True
        self.numbers += 1
        if t.callbacks:
            keys = self.cg.keys
            for i in ids:
                for cb in t.callbacks:
                    cb._pretask(keys[i], t.dsk, t.state)
        store = t.results if self.backend.shares_memory else t.inputs(ids)
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
                while self.t.ready and len(self.inflight) < backend.capacity:
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
        results, complete, values = self.t.results, self.t.complete, out.values
        ticks = iter(out.times) if out.times is not None else None
        for i in batch.ids:
            if values is not None and i in values:
                results[i] = values[i]
            complete(i, out.worker, ticks)
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
        store = self.t.inputs(ids)
        for k, i in enumerate(ids):
            try:
                store[i] = run_op(batch.ops[start + k], store)
            except Exception as e:
                add_task_note(e, self.cg.keys[i])
                raise
