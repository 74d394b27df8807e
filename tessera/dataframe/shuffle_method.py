"""Which shuffle a frame gets: the disk shuffle or the task shuffle.

Map
---
- :data:`METHODS` -- ``"tasks"`` (:mod:`~tessera.dataframe.shuffle_tasks`: pieces travel
  as task results, in memory) and ``"disk"`` (:mod:`~tessera.dataframe.shuffle`: pieces
  go through spill files, memory bounded).
- :func:`check_method` -- validate a method name (``None`` means "choose").
- :func:`in_memory_bytes` -- the bytes of the pandas/NumPy data a frame's graph is built
  from, or None when some of its data comes from elsewhere.
- :func:`choose_method` -- the policy below.

Policy, first match wins:

1. the ``method`` argument (``shuffle_method=`` of ``DataFrame.shuffle``);
2. ``config.get("dataframe.shuffle.method")`` (Dask's key);
3. ``"tasks"`` when the input is known to be small: every source of its graph is
   pandas or NumPy data held in the graph (``from_pandas``, ``from_dict``,
   ``from_array`` on a NumPy array, persisted frames) adding up to at most
   ``config.get("dataframe.shuffle.tasks-max-bytes")`` (a number or a size such as
   ``"64MiB"``; default 64 MiB, in :data:`tessera.config.defaults`),
   and every task between those sources and the shuffle runs tessera's, pandas' or
   NumPy's own code that does not grow data -- a user function (``map_partitions``,
   ``apply``), a join (many-to-many keys) or an ``explode`` (marked ``grows_data``) may
   make any amount of data out of little, so they make the size unknown;
4. ``"disk"`` otherwise (files, generated data, user functions: size unknown).

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"k": [1, 2, 3]}), npartitions=2)
>>> choose_method(df), choose_method(df, "disk")
('tasks', 'disk')
>>> import tessera.array as da
>>> choose_method(dd.from_array(da.arange(4, chunks=2)))  # generated: size unknown
'disk'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["METHODS", "check_method", "choose_method", "in_memory_bytes"]

#: The shuffle methods, as Dask names them.
METHODS = ("tasks", "disk")

#: Modules whose functions never make more data than they are given, much.
_OWN_MODULES = ("tessera", "pandas", "numpy", "operator", "_operator", "builtins", "functools")


def check_method(method: Any, source: str = "shuffle_method") -> str | None:
    """``method`` if it names a shuffle method (or is None), else a ``ValueError``.

    >>> check_method("tasks"), check_method(None)
    ('tasks', None)
    >>> check_method("p2p")
    Traceback (most recent call last):
    ...
    ValueError: shuffle_method must be 'tasks', 'disk' or None, got 'p2p'. ...
    """
    if method is None or method in METHODS:
        return method
    raise ValueError(
        f"{source} must be 'tasks', 'disk' or None, got {method!r}. 'tasks' shuffles in "
        "memory (small data), 'disk' through spill files (memory bounded), None chooses "
        "by the size of the input."
    )


def _nbytes(value: Any) -> int:
    if isinstance(value, pd.DataFrame | pd.Series | pd.Index):
        usage = value.memory_usage(deep=True)
        return int(usage.sum() if isinstance(usage, pd.Series) else usage)
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    return 0


def _is_task(value: Any) -> bool:
    return type(value) is tuple and bool(value) and callable(value[0])


def _is_ref(value: Any, dsk: Mapping[Any, Any]) -> bool:
    try:
        return isinstance(value, str | tuple) and value in dsk
    except TypeError:  # a tuple holding something unhashable
        return False


def _own_code(func: Any) -> bool:
    """Whether ``func`` (unwrapped from ``Apply``/``partial``) is tessera's, pandas'...
    and not marked ``grows_data`` (a join or an ``explode`` may make far more rows than
    it is given)."""
    while True:
        if getattr(func, "grows_data", False):
            return False
        inner = getattr(func, "func", None)
        if inner is None or inner is func:
            break
        func = inner
    module = getattr(func, "__module__", None) or type(func).__module__ or ""
    return module.split(".")[0] in _OWN_MODULES


def _scan(args: Any, dsk: Mapping[Any, Any]) -> tuple[int, bool, bool]:
    """``(bytes of literal data, refers to a key, every callable is our own)``."""
    data, refs, own = 0, False, True
    for a in args:
        if _is_ref(a, dsk):
            refs = True
        elif _is_task(a) or isinstance(a, list):
            d, r, o = _scan(a[1:] if _is_task(a) else a, dsk)
            data, refs = data + d, refs or r
            own = own and o and (_own_code(a[0]) if _is_task(a) else True)
        else:
            data += _nbytes(a)
    return data, refs, own


def in_memory_bytes(dsk: Mapping[Any, Any], limit: float = float("inf")) -> int | None:
    """Bytes of the pandas/NumPy data in the graph ``dsk``; None if any data comes from
    elsewhere (a task without inputs, such as a file reader) or passes through a user
    function.  Counting stops once past ``limit``.

    >>> import operator
    >>> frame = pd.DataFrame({"a": np.zeros(4)})
    >>> in_memory_bytes({"x": (operator.pos, frame), "y": (operator.neg, "x")})
    164
    >>> in_memory_bytes({"x": (open, "data.bin")}) is None
    True
    """
    total = 0
    for value in dsk.values():
        if _is_task(value):
            data, refs, own = _scan(value[1:], dsk)
            if not (own and _own_code(value[0])) or not (refs or data):
                return None
        else:
            data = _nbytes(value)
        total += data
        if total > limit:
            break
    return total


def choose_method(frame: Any, method: str | None = None) -> str:
    """The shuffle method for ``frame``: ``method``, the configured one, or by size.

    >>> import tessera.dataframe as dd
    >>> from tessera import config
    >>> df = dd.from_dict({"a": [1, 2]}, npartitions=1)
    >>> with config.set({"dataframe.shuffle.method": "disk"}):
    ...     choose_method(df)
    'disk'
    """
    from tessera import config

    chosen = check_method(method)
    if chosen is None:
        key = "dataframe.shuffle.method"
        chosen = check_method(config.get(key), f"config {key!r}")
    if chosen is not None:
        return chosen
    from tessera.sizes import parse_bytes

    limit = parse_bytes(config.get("dataframe.shuffle.tasks-max-bytes"))
    size = in_memory_bytes(frame.__tessera_graph__(), limit)
    return "tasks" if size is not None and size <= limit else "disk"
