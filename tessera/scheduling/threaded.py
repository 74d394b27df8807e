"""The threaded scheduler: tasks run on a thread pool; best for NumPy and pandas work.

Map
---
- :func:`get` -- compute keys of a graph on threads.
- :class:`ThreadBackend` -- the engine's backend over any ``concurrent.futures`` thread pool.
- :func:`default_pool` -- the one shared default pool (one thread per core), made on
  first use and reused by every compute from every thread.
- :class:`WorkerPool` -- the ``ThreadPoolExecutor`` of tessera's own pools (the shared
  one and the temporary ones): a Ctrl-C cannot split the start of a thread from its
  record in the pool.

Policy: ``pool=`` (or ``config.set(pool=...)``) runs on that executor, which stays the
caller's to shut down; ``num_workers=`` different from the default size runs on a
temporary pool that is shut down when the compute ends.  A compute started from inside a
task (a nested compute) runs synchronously in that worker thread, so it can never wait
for the pool it is occupying.  Names: ``"threads"``, ``"threading"``.

Ctrl-C: a ``ThreadPoolExecutor`` starts its threads one by one inside ``submit`` and
records each one only after ``Thread.start`` returns; a ``KeyboardInterrupt`` in between
left a thread running that its pool neither counts nor joins.  :class:`WorkerPool` runs
``submit`` under :func:`~tessera.scheduling.local.defer_interrupt` until all its threads
have started (afterwards ``submit`` starts none, and runs at full speed).  A pool the user
passes (``pool=``) is theirs and is used as it is.

>>> from operator import add
>>> dsk = {'a': 1, 'b': 2, 'c': (add, 'a', 'b'), 'd': (sum, ['a', 'b', 'c'])}
>>> get(dsk, 'd')
6
>>> get(dsk, ['a', ['b', 'c']], num_workers=2)
[1, [2, 3]]
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from functools import partial
from queue import SimpleQueue
from typing import Any, TypeVar

from tessera.scheduling.batch import Batch, Outcome, TaskFailure, in_worker, run_batch
from tessera.scheduling.callbacks import Callback
from tessera.scheduling.local import (
    check_num_workers,
    default_num_workers,
    defer_interrupt,
    run_graph,
    take_all,
)

__all__ = ["ThreadBackend", "WorkerPool", "default_pool", "get"]

T = TypeVar("T")

_pool_lock = threading.Lock()
_default_pool: WorkerPool | None = None


class WorkerPool(ThreadPoolExecutor):
    """A thread pool that Ctrl-C cannot leave with a thread it does not know about.

    Parameters
    ----------
    size : int
        The number of threads (started on demand, never more).
    prefix : str
        Thread names are ``f"{prefix}_{i}"``.

    Examples
    --------
    >>> with WorkerPool(2, "tessera-doc") as pool:
    ...     pool.submit(sum, [1, 2]).result(), pool.size
    (3, 2)
    """

    def __init__(self, size: int, prefix: str) -> None:
        self.size = size
        self._started: list[None] = []  # one item per thread that has begun to run
        super().__init__(size, prefix, initializer=partial(self._started.append, None))

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Queue ``fn(*args, **kwargs)``; a thread it starts is recorded even on Ctrl-C."""
        if len(self._started) >= self.size:  # every thread runs: submit starts none
            return super().submit(fn, *args, **kwargs)
        with defer_interrupt():
            return super().submit(fn, *args, **kwargs)


def default_pool() -> WorkerPool:
    """Return the shared default thread pool, creating it on first use.

    >>> default_pool() is default_pool()
    True
    """
    global _default_pool
    with _pool_lock:
        if _default_pool is None:
            _default_pool = WorkerPool(default_num_workers(), "tessera-worker")
        return _default_pool


def _job(batch: Batch, store: Any, done: SimpleQueue[Outcome]) -> None:
    try:
        out = run_batch(batch, store, send_back=False)
    except BaseException as e:  # pragma: no cover - a bug in run_batch itself
        out = Outcome(batch.number, None, TaskFailure(0, e, ""), 0.0, 0, 0)
    done.put(out)


class ThreadBackend:
    """Run batches on ``executor``'s threads, sharing the engine's result list.

    Parameters
    ----------
    executor : concurrent.futures.Executor
        A thread-based executor.
    num_workers : int
        How many of its threads to keep busy.
    owned : bool
        Shut the executor down on :meth:`close` (a temporary pool).
    """

    shares_memory = True
    target_seconds = 0.002

    def __init__(self, executor: Executor, num_workers: int, owned: bool = False) -> None:
        self.executor = executor
        self.num_workers = num_workers
        self.capacity = 2 * num_workers
        self.owned = owned
        self.aborted = False
        self.done: SimpleQueue[Outcome] = SimpleQueue()
        self.futures: dict[int, Future[None]] = {}

    def submit(self, batch: Batch, store: Any) -> None:
        """Queue ``batch`` on the pool."""
        self.futures[batch.number] = self.executor.submit(_job, batch, store, self.done)

    def wait(self) -> list[Outcome]:
        """Return the batches finished so far, blocking for at least one."""
        outs = take_all(self.done)
        for o in outs:
            self.futures.pop(o.number, None)
        return outs

    def abort(self) -> None:
        """Cancel the queued batches; running ones stop at their next task boundary."""
        self.aborted = True
        for f in self.futures.values():
            f.cancel()
        self.futures.clear()

    def close(self) -> None:
        """Shut down a temporary pool (without waiting for an aborted task)."""
        if self.owned:
            self.executor.shutdown(wait=not self.aborted, cancel_futures=True)


def get(
    dsk: Mapping[Any, Any],
    keys: Any,
    *,
    num_workers: int | None = None,
    pool: Executor | None = None,
    callbacks: Iterable[Callback] | Callback | None = None,
    rerun_exceptions_locally: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Compute ``keys`` of the graph ``dsk`` on a thread pool.

    Parameters
    ----------
    dsk : mapping
        The task graph.
    keys : key or list
        A key, or a (nested) list of keys; the result has the same structure.
    num_workers : int, optional
        Threads to use; default: ``config.get("num-workers")`` or one per core.
    pool : concurrent.futures.Executor, optional
        Run on this executor; default: ``config.get("pool")`` or the shared pool.
    callbacks : Callback or list of Callback, optional
        Callbacks for this call, on top of the registered ones.
    rerun_exceptions_locally : bool, optional
        Re-run a failing task in the calling thread (for ``pdb``).

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(3) as ex:
    ...     get({'x': (sum, [1, 2]), 'y': (max, 'x', 7)}, 'y', pool=ex)
    7
    """
    from tessera import config

    if in_worker():
        return run_graph(dsk, keys, None, callbacks=callbacks)
    pool = pool if pool is not None else config.get("pool", None)
    if num_workers is None:
        num_workers = config.get("num-workers", None)
    backend = thread_backend(pool, num_workers)
    try:
        return run_graph(
            dsk,
            keys,
            backend,
            callbacks=callbacks,
            rerun_exceptions_locally=rerun_exceptions_locally,
        )
    finally:
        backend.close()


def thread_backend(pool: Executor | None, num_workers: int | None) -> ThreadBackend:
    """Pick the executor for a threaded compute (see the module's policy)."""
    num_workers = check_num_workers(num_workers)
    if pool is not None:
        return ThreadBackend(pool, num_workers or default_num_workers())
    if num_workers is None or num_workers == default_num_workers():
        return ThreadBackend(default_pool(), default_num_workers())
    return ThreadBackend(WorkerPool(num_workers, "tessera-temp"), num_workers, owned=True)
