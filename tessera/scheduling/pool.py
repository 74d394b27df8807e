"""tessera's own process pool: warm worker processes, one pipe each.

Map
---
- :class:`ProcessPool` -- the workers of one multiprocessing context; computes
  :meth:`~ProcessPool.lease` some and give them back; a dead or killed worker is
  replaced on the next lease.
- :func:`get_pool` -- the shared pool of a context (``"spawn"`` by default), made on
  first use and kept warm until the interpreter exits.
- :class:`ProcessBackend` -- the engine's backend over leased workers.

Why not ``concurrent.futures.ProcessPoolExecutor``: with one pipe per worker the parent
knows which batch each worker holds, so a dead worker names its tasks and takes down
nothing else, and Ctrl-C kills exactly the busy workers.

Policy: one batch per worker at a time (a worker never has a second message waiting, so
the pipes cannot fill up in both directions); workers ignore SIGINT, the parent decides;
workers exit when their pipe closes.  The parent's waits wake every
:data:`~tessera.scheduling.local.WAKE_SECONDS` so that Ctrl-C is never missed.

Ctrl-C in the parent never leaves a worker unaccounted for: every worker is in exactly
one place -- the pool's ``idle`` list, or the list of the backend that leased it -- and
moves between them, or is started into one of them, in a step that Ctrl-C cannot split
(:func:`~tessera.scheduling.local.defer_interrupt`).  A worker is marked busy *before* its
batch is sent, so a worker that may hold a batch, or half of one, is never taken back as
idle (it is killed instead).

>>> pool = get_pool("spawn")
>>> pool is get_pool("spawn")
True
"""

from __future__ import annotations

import atexit
import multiprocessing
import signal
import threading
from multiprocessing.connection import Connection, wait
from typing import Any

from tessera.errors import SerializationError
from tessera.scheduling.batch import Batch, Outcome
from tessera.scheduling.local import WAKE_SECONDS, defer_interrupt
from tessera.scheduling.serialize import (
    BatchPicklingError,
    pack_batch,
    serve,
    unpack_outcome,
)

__all__ = ["ProcessBackend", "ProcessPool", "get_pool", "shutdown_pools"]

CONTEXTS = ("spawn", "forkserver", "fork")


def _worker_main(conn: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        conn.send_bytes(serve(data))


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: Any) -> None:
        parent, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=_worker_main, args=(child,), daemon=True, name="tessera-worker"
        )
        self.proc.start()
        child.close()
        self.conn: Connection = parent
        self.batch: int | None = None
        self.answered = 0

    def kill(self) -> None:
        """Kill the process and close the pipe."""
        self.proc.kill()
        self.proc.join()
        self.conn.close()

    def stop(self) -> None:
        """Ask the process to exit (close its pipe) and reap it."""
        self.conn.close()
        self.proc.join(timeout=5)
        if self.proc.is_alive():  # pragma: no cover - a worker stuck in a task
            self.kill()


class ProcessPool:
    """Warm worker processes of one multiprocessing context."""

    def __init__(self, context: str) -> None:
        self.ctx = multiprocessing.get_context(context)
        self.idle: list[Worker] = []
        self.workers: set[Worker] = set()
        self.cond = threading.Condition()

    def lease(self, n: int, into: list[Worker]) -> None:
        """Move up to ``n`` workers (at least one) into the empty list ``into``.

        Idle workers come first; new ones are started as needed.  Each worker enters
        ``into`` in the step that takes or starts it, so after a Ctrl-C ``into`` holds
        exactly the workers to :meth:`give_back`.
        """
        with self.cond:
            while True:
                with defer_interrupt():
                    while self.idle and len(into) < n:
                        w = self.idle.pop()
                        if w.proc.is_alive():
                            into.append(w)
                        else:
                            self.workers.discard(w)
                while len(self.workers) < n and len(into) < n:
                    with defer_interrupt():  # one start at a time: Ctrl-C waits for one only
                        w = Worker(self.ctx)
                        self.workers.add(w)
                        into.append(w)
                if into:
                    return
                self.cond.wait(WAKE_SECONDS)

    def give_back(self, workers: list[Worker]) -> None:
        """Take back (and remove from ``workers``) a compute's workers; dead or busy ones die."""
        with self.cond, defer_interrupt():
            while workers:
                w = workers.pop()
                if w.batch is None and w.proc.is_alive():
                    self.idle.append(w)
                else:
                    self.discard(w)
            self.cond.notify_all()

    def discard(self, w: Worker) -> None:
        """Kill ``w`` and forget it."""
        with self.cond, defer_interrupt():
            self.workers.discard(w)
            w.kill()
            self.cond.notify_all()

    def shutdown(self) -> None:
        """Stop every worker."""
        with self.cond:
            for w in list(self.workers):
                w.stop()
            self.workers.clear()
            self.idle.clear()


_pools: dict[str, ProcessPool] = {}
_pools_lock = threading.Lock()


def get_pool(context: str) -> ProcessPool:
    """Return the shared pool for a multiprocessing ``context`` name."""
    if context not in CONTEXTS:
        raise ValueError(
            f"Unknown multiprocessing context {context!r}; expected one of {CONTEXTS}. "
            'Set it with tessera.config.set({"multiprocessing.context": "spawn"}).'
        )
    with _pools_lock:
        pool = _pools.get(context)
        if pool is None:
            pool = _pools[context] = ProcessPool(context)
        return pool


@atexit.register
def shutdown_pools() -> None:
    """Stop all shared pools (runs at interpreter exit)."""
    with _pools_lock:
        for pool in _pools.values():
            pool.shutdown()
        _pools.clear()


class ProcessBackend:
    """Run batches on leased worker processes (inputs pickled, results sent back)."""

    shares_memory = False
    target_seconds = 0.01

    def __init__(self, pool: ProcessPool, num_workers: int) -> None:
        self.pool = pool
        self.workers: list[Worker] = []
        self.num_workers = num_workers

    def lease(self) -> None:
        """Lease the workers; call it inside the ``try`` whose ``finally`` calls :meth:`close`.

        (A Ctrl-C may come at any point of the lease: whatever was leased so far is in
        ``workers``, and :meth:`close` gives it back.)
        """
        self.pool.lease(self.num_workers, self.workers)
        self.num_workers = len(self.workers)

    @property
    def capacity(self) -> int:
        """One batch per live worker."""
        return len(self.workers)

    def submit(self, batch: Batch, store: Any) -> None:
        """Send ``batch`` to an idle worker."""
        w = next(w for w in self.workers if w.batch is None)
        try:
            data = pack_batch(batch, store)
        except BatchPicklingError as e:
            raise _pickling_error(e) from e.cause
        w.batch = batch.number  # first: if the send is cut short, the worker is not idle
        w.conn.send_bytes(data)

    def wait(self) -> list[Outcome]:
        """Block until a busy worker answers or dies."""
        busy = [w for w in self.workers if w.batch is not None]
        watched = [w.conn for w in busy] + [w.proc.sentinel for w in busy]
        ready: set[Any] = set()
        while not ready:
            ready = set(wait(watched, timeout=WAKE_SECONDS))
        outs = []
        for w in busy:
            number = w.batch
            assert number is not None
            if w.conn in ready:
                try:
                    out = unpack_outcome(w.conn.recv_bytes())
                except (EOFError, OSError):
                    out = self._died(w, number)
                else:
                    out.number = number
                    w.batch = None
                    w.answered += 1
                outs.append(out)
            elif w.proc.sentinel in ready:
                outs.append(self._died(w, number))
        return outs

    def _died(self, w: Worker, number: int) -> Outcome:
        w.proc.join()
        code = w.proc.exitcode
        w.batch = None
        self.pool.discard(w)
        self.workers.remove(w)
        return Outcome(number, None, None, 0.0, 0, 0, exitcode=code, fresh_worker=not w.answered)

    def abort(self) -> None:
        """Kill the busy workers (the pool replaces them on the next lease)."""
        for w in [w for w in self.workers if w.batch is not None]:
            self.pool.discard(w)  # first: a Ctrl-C in between leaves w here, busy, for close
            self.workers.remove(w)

    def close(self) -> None:
        """Give the workers back to the pool."""
        self.pool.give_back(self.workers)


def _pickling_error(e: BatchPicklingError) -> SerializationError:
    what = "its input data" if e.position < 0 else "a task's function or arguments"
    err = SerializationError(
        f"Could not send work to a worker process: {what} cannot be pickled "
        f"({e}). Use scheduler='threads' (or 'sync'), or make the object picklable."
    )
    err.position = e.position  # type: ignore[attr-defined]
    return err
