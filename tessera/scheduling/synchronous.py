"""The synchronous scheduler: every task runs in the calling thread, one at a time.

Map
---
- :func:`get` -- compute keys of a graph.  Also available as ``tessera.get``.

Use it to debug: exceptions come straight from your function with its traceback, and
``pdb`` (``import pdb; pdb.pm()`` or a breakpoint inside a task) works as in plain code.
Names: ``scheduler="sync"``, ``"synchronous"`` or ``"single-threaded"``.

>>> from operator import add
>>> dsk = {'a': 1, 'b': 2, 'c': (add, 'a', 'b'), 'd': (sum, ['a', 'b', 'c'])}
>>> get(dsk, 'c')
3
>>> get(dsk, 'd')
6
>>> get(dsk, ['a', 'b', 'c'])
[1, 2, 3]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tessera.scheduling.callbacks import Callback
from tessera.scheduling.local import run_graph

__all__ = ["get"]


def get(
    dsk: Mapping[Any, Any],
    keys: Any,
    *,
    callbacks: Iterable[Callback] | Callback | None = None,
    **kwargs: Any,
) -> Any:
    """Compute ``keys`` of the graph ``dsk`` in the calling thread.

    Parameters
    ----------
    dsk : mapping
        The task graph (see ``docs/graph-spec.md``).
    keys : key or list
        A key, or a (nested) list of keys; the result has the same structure.
    callbacks : Callback or list of Callback, optional
        Callbacks for this call, on top of the registered ones.
    **kwargs
        Accepted and ignored (``num_workers``, ``pool``, ...), so any scheduler's
        keywords can be passed to any scheduler.

    Examples
    --------
    >>> get({'x': (sum, [1, 2, 3]), 'y': (pow, 'x', 2)}, ['y', 'x'])
    [36, 6]
    """
    return run_graph(dsk, keys, None, callbacks=callbacks)
