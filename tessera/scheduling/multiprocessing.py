"""The multiprocessing scheduler: tasks run in worker processes; best for pure Python.

Map
---
- :func:`get` -- compute keys of a graph on tessera's warm process pool
  (:mod:`tessera.scheduling.pool`), or on ``pool=`` if given.

Functions travel with cloudpickle (lambdas and closures work), data at pickle protocol 5.
Linear chains of tasks run inside one worker, so only the chain's end result crosses
back.  The context comes from ``config.get("multiprocessing.context")`` (``"spawn"`` by
default; ``"forkserver"`` and ``"fork"`` also work).  With ``spawn``, a script that
computes on processes needs the ``if __name__ == "__main__":`` guard, as with any
``multiprocessing`` code.  A compute started inside a task runs synchronously.
Names: ``"processes"``, ``"multiprocessing"``.

>>> from operator import add
>>> dsk = {'a': 1, 'b': 2, 'c': (add, 'a', 'b'), 'd': (sum, ['a', 'b', 'c'])}
>>> get(dsk, ['a', 'b', 'c'])
[1, 2, 3]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tessera.scheduling.batch import in_worker
from tessera.scheduling.callbacks import Callback
from tessera.scheduling.local import check_num_workers, default_num_workers, run_graph
from tessera.scheduling.pool import ProcessBackend, get_pool

__all__ = ["get"]


def get(
    dsk: Mapping[Any, Any],
    keys: Any,
    *,
    num_workers: int | None = None,
    pool: Any = None,
    context: str | None = None,
    callbacks: Iterable[Callback] | Callback | None = None,
    rerun_exceptions_locally: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Compute ``keys`` of the graph ``dsk`` in worker processes.

    Parameters
    ----------
    dsk : mapping
        The task graph.
    keys : key or list
        A key, or a (nested) list of keys; the result has the same structure.
    num_workers : int, optional
        Processes to use; default: ``config.get("num-workers")`` or one per core.
    pool : Executor or multiprocessing.Pool, optional
        Run on this instead of tessera's pool; default: ``config.get("pool")``.
    context : str, optional
        ``"spawn"``, ``"forkserver"`` or ``"fork"``; default:
        ``config.get("multiprocessing.context")``.
    callbacks : Callback or list of Callback, optional
        Callbacks for this call, on top of the registered ones.
    rerun_exceptions_locally : bool, optional
        Re-run a failing task in the calling process (for ``pdb``).

    Examples
    --------
    >>> get({'x': (lambda n: n * 2, 21)}, 'x', num_workers=1)
    42
    """
    from tessera import config
    from tessera.scheduling import executor

    if in_worker():
        return run_graph(dsk, keys, None, callbacks=callbacks)
    pool = pool if pool is not None else config.get("pool", None)
    if num_workers is None:
        num_workers = config.get("num-workers", None)
    num_workers = check_num_workers(num_workers)
    if pool is not None:
        return executor.get(
            dsk,
            keys,
            pool=pool,
            num_workers=num_workers,
            callbacks=callbacks,
            rerun_exceptions_locally=rerun_exceptions_locally,
        )
    context = context or config.get("multiprocessing.context", "spawn")
    backend = ProcessBackend(get_pool(str(context)), num_workers or default_num_workers())
    try:
        backend.lease()
        return run_graph(
            dsk,
            keys,
            backend,
            callbacks=callbacks,
            rerun_exceptions_locally=rerun_exceptions_locally,
        )
    finally:
        backend.close()
