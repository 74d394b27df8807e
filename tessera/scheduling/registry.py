"""Choosing a scheduler: names, get functions, executors.

Map
---
- :func:`get_scheduler` -- turn what the user gave (``scheduler=``, ``config.set(scheduler=)``,
  the collections' default) into a ``get(dsk, keys, **kwargs)`` function.
- :func:`register_scheduler`, :func:`unregister_scheduler` -- add or remove a name.
- :data:`NAMES` -- the built-in names.
- :func:`local_workers` -- how many workers a local scheduler will use (``None`` for
  any other scheduler), for optimizers that size tasks by it.

Precedence: the ``scheduler=`` argument, then ``config.get("scheduler")``, then the
collections' default, then threads.  A scheduler is a name, a get function, a
``concurrent.futures.Executor`` (or ``multiprocessing.Pool``), a ``distributed.Client``
(run through :class:`~tessera.scheduling.distributed.ClientScheduler`) or a
:class:`~tessera.scheduling.ray.RayScheduler`.  The name ``"distributed"`` means the
default client.

A scheduler object may also have ``persist(dsk, keys, **kwargs)``, returning one handle
per key to a result that stays on its cluster (a ``Future``, an ``ObjectRef``);
``tessera.persist`` then builds collections whose graphs hold those handles.

>>> get_scheduler("sync").__module__
'tessera.scheduling.synchronous'
>>> get_scheduler(None, default="processes").__module__
'tessera.scheduling.multiprocessing'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from typing import Any

__all__ = ["NAMES", "get_scheduler", "local_workers", "register_scheduler", "unregister_scheduler"]

GetFunction = Callable[..., Any]

NAMES: dict[str, str] = {
    "sync": "tessera.scheduling.synchronous",
    "synchronous": "tessera.scheduling.synchronous",
    "single-threaded": "tessera.scheduling.synchronous",
    "threads": "tessera.scheduling.threaded",
    "threading": "tessera.scheduling.threaded",
    "processes": "tessera.scheduling.multiprocessing",
    "multiprocessing": "tessera.scheduling.multiprocessing",
    "distributed": "tessera.scheduling.distributed",
    "dask.distributed": "tessera.scheduling.distributed",
}
_registered: dict[str, GetFunction] = {}


def register_scheduler(name: str, get: GetFunction) -> None:
    """Make ``scheduler=name`` use the function ``get(dsk, keys, **kwargs)``.

    >>> register_scheduler("mine", lambda dsk, keys, **kw: "ran")
    >>> get_scheduler("mine")({}, [])
    'ran'
    >>> unregister_scheduler("mine")
    """
    if not callable(get):
        raise TypeError(f"A scheduler must be a callable get(dsk, keys, **kwargs), got {get!r}.")
    _registered[name.lower()] = get


def unregister_scheduler(name: str) -> None:
    """Forget a name added with :func:`register_scheduler` (no error if unknown).

    >>> unregister_scheduler("never-registered")
    """
    _registered.pop(name.lower(), None)


def _resolve(scheduler: Any) -> GetFunction:
    if isinstance(scheduler, str):
        name = scheduler.lower().replace("_", "-")
        if name in _registered:
            return _registered[name]
        if name in NAMES:
            get: GetFunction = importlib.import_module(NAMES[name]).get
            return get
        known = sorted([*NAMES, *_registered])
        raise ValueError(
            f"Unknown scheduler {scheduler!r}. Expected one of {known}, a get function, "
            "a concurrent.futures.Executor or a distributed Client."
        )
    if isinstance(scheduler, Executor) or hasattr(scheduler, "apply_async"):
        from tessera.scheduling import executor

        return partial(executor.get, pool=scheduler)
    module = type(scheduler).__module__ or ""
    if module.split(".")[0] == "distributed" and callable(getattr(scheduler, "get", None)):
        from tessera.scheduling.distributed import ClientScheduler

        return ClientScheduler(scheduler)
    if callable(scheduler):
        return scheduler  # type: ignore[no-any-return]
    raise TypeError(
        f"scheduler must be a name, a get function, an Executor, a Client or a "
        f"RayScheduler, got "
        f"{type(scheduler).__name__}: {scheduler!r}."
    )


def get_scheduler(scheduler: Any = None, *, default: Any = None) -> GetFunction:
    """Return the get function to use (see the module's precedence rules).

    Parameters
    ----------
    scheduler : str, callable, Executor or Client, optional
        What the caller asked for.
    default : str or callable, optional
        The collections' default scheduler.

    >>> from tessera import config
    >>> with config.set(scheduler="threads"):
    ...     get_scheduler(None, default="sync").__module__
    'tessera.scheduling.threaded'
    """
    from tessera import config

    if scheduler is not None:
        return _resolve(scheduler)
    configured = config.get("scheduler", None)
    if configured is not None:
        return _resolve(configured)
    if default is not None:
        return _resolve(default)
    return _resolve("threads")


def local_workers(get: GetFunction, num_workers: Any = None) -> int | None:
    """The number of workers ``get`` will run a graph on, if it is a local scheduler.

    ``num_workers`` (the compute's keyword), else ``config.get("num-workers")``, else one
    per core; the synchronous scheduler has one.  ``None`` for anything else (a cluster,
    an executor, a user's function): its parallelism is not known here.

    >>> local_workers(get_scheduler("sync")), local_workers(get_scheduler("threads"), 3)
    (1, 3)
    >>> local_workers(lambda dsk, keys, **kwargs: None) is None
    True
    """
    from tessera import config
    from tessera.scheduling.local import default_num_workers

    module = getattr(get, "__module__", None)
    local = (NAMES["sync"], NAMES["threads"], NAMES["processes"])
    if module not in local or get is not importlib.import_module(module).get:
        return None
    if module == NAMES["sync"]:
        return 1
    return max(int(num_workers or config.get("num-workers", None) or default_num_workers()), 1)
