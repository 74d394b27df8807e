"""Running on an executor the user supplies: any ``concurrent.futures.Executor``.

Map
---
- :func:`get` -- compute keys of a graph on ``pool``: a thread pool runs like the
  threaded scheduler (shared memory); any other executor (``ProcessPoolExecutor``,
  a ``multiprocessing.Pool``, a third-party one) receives pickled batches.
- :class:`PickledBackend` -- the engine's backend for the second kind.

The executor stays the caller's: tessera never shuts it down.  A
``ProcessPoolExecutor`` whose worker dies reports :class:`~tessera.errors.WorkerDiedError`
naming the batch's tasks; that executor is then broken for good (a
``concurrent.futures`` rule), unlike tessera's own pool.

>>> from concurrent.futures import ThreadPoolExecutor
>>> with ThreadPoolExecutor(2) as ex:
...     get({"a": 1, "b": (abs, "a")}, "b", pool=ex)
1
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from queue import SimpleQueue
from typing import Any

from tessera.scheduling.batch import Batch, Outcome, in_worker
from tessera.scheduling.callbacks import Callback
from tessera.scheduling.local import check_num_workers, default_num_workers, run_graph, take_all
from tessera.scheduling.pool import _pickling_error
from tessera.scheduling.serialize import BatchPicklingError, pack_batch, serve, unpack_outcome

__all__ = ["PickledBackend", "get"]


class PickledBackend:
    """Send pickled batches to any executor with ``submit`` (or ``apply_async``)."""

    shares_memory = False
    target_seconds = 0.01

    def __init__(self, executor: Any, num_workers: int) -> None:
        self.executor = executor
        self.num_workers = num_workers
        self.capacity = 2 * num_workers
        self.done: SimpleQueue[tuple[int, Any, BaseException | None]] = SimpleQueue()
        self.futures: dict[int, Any] = {}

    def submit(self, batch: Batch, store: Any) -> None:
        """Pickle ``batch`` and hand it to the executor."""
        try:
            data = pack_batch(batch, store)
        except BatchPicklingError as e:
            raise _pickling_error(e) from e.cause
        number = batch.number
        if hasattr(self.executor, "submit"):
            fut: Future[bytes] = self.executor.submit(serve, data)

            def done(f: Future[bytes]) -> None:
                if f.cancelled():
                    return
                exc = f.exception()
                self.done.put((number, None if exc else f.result(), exc))

            fut.add_done_callback(done)
            self.futures[number] = fut
        else:  # multiprocessing.pool.Pool
            self.futures[number] = self.executor.apply_async(
                serve,
                (data,),
                callback=lambda r: self.done.put((number, r, None)),
                error_callback=lambda e: self.done.put((number, None, e)),
            )

    def wait(self) -> list[Outcome]:
        """Return finished batches, blocking for at least one."""
        items = take_all(self.done)
        outs = []
        for number, data, exc in items:
            self.futures.pop(number, None)
            if exc is not None:
                if not isinstance(exc, BrokenProcessPool):
                    raise exc
                outs.append(Outcome(number, None, None, 0.0, 0, 0, exitcode=-1))
            else:
                out = unpack_outcome(data)
                out.number = number
                outs.append(out)
        return outs

    def abort(self) -> None:
        """Cancel the batches that have not started."""
        for f in self.futures.values():
            if hasattr(f, "cancel"):
                f.cancel()
        self.futures.clear()

    def close(self) -> None:
        """Nothing to release: the executor belongs to the caller."""


def get(
    dsk: Mapping[Any, Any],
    keys: Any,
    *,
    pool: Any,
    num_workers: int | None = None,
    callbacks: Iterable[Callback] | Callback | None = None,
    rerun_exceptions_locally: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Compute ``keys`` of ``dsk`` on the executor ``pool``.

    Parameters
    ----------
    dsk : mapping
        The task graph.
    keys : key or list
        A key, or a (nested) list of keys.
    pool : concurrent.futures.Executor or multiprocessing.pool.Pool
        Where to run.
    num_workers : int, optional
        How many batches to keep busy at once (default: the executor's size or one per
        core).

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> with ThreadPoolExecutor(1) as ex:
    ...     get({"a": (sum, [1, 2])}, ["a"], pool=ex)
    [3]
    """
    from tessera.scheduling.threaded import ThreadBackend

    if in_worker():
        return run_graph(dsk, keys, None, callbacks=callbacks)
    size = check_num_workers(num_workers) or default_num_workers()
    backend: Any
    if isinstance(pool, ThreadPoolExecutor):
        backend = ThreadBackend(pool, size)
    elif isinstance(pool, Executor) or hasattr(pool, "apply_async"):
        backend = PickledBackend(pool, size)
    else:
        raise TypeError(
            f"pool must be a concurrent.futures.Executor or a multiprocessing Pool, got "
            f"{type(pool).__name__}."
        )
    return run_graph(
        dsk, keys, backend, callbacks=callbacks, rerun_exceptions_locally=rerun_exceptions_locally
    )
