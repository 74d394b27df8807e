"""Array graph optimization: reduce blocks in cache-sized pieces, then cull and fuse chains.

Map
---
- :func:`optimize_array` -- ``Array.__tessera_optimize__``: :func:`stream_reductions`, then
  the scheduler's default (:func:`~tessera.scheduling.optimize.optimize_graph`: cull,
  fuse linear chains).
- :func:`stream_reductions` -- find each reduction chunk step (a task, or a nested task,
  ``(ChunkStep, key)``) whose block is made by sources and element-wise ops that nothing
  else uses, and put a :class:`~tessera.array.pieces.Streamed` task in its place.

Policy: a task is taken into a streamed plan when it is a
:class:`~tessera.array.pieces.BlockSource` call on constants or an
:class:`~tessera.array.pieces.Elementwise` call on keys and constants, is not a requested
key, and has exactly one dependent inside the plan.  Anything else it reads (a block of
``from_array``, a rechunked block, a block that two reductions share) stays a task of its
own and becomes an input (a "leaf") of the streamed task, sliced slab by slab.  So work
that two results share still runs once, and no key a user asked for disappears.  The
piece size is ``config.get("array.piece-size")`` (default 1 MiB); ``0`` turns streaming
off.

>>> import tessera.array as da
>>> x = da.arange(1_000, chunks=100)
>>> y = (x + 1).sum()                 # 10 arange, 10 add, 10 chunk sums, 4 combine tasks
>>> dsk = stream_reductions(y.__tessera_graph__(), y.__tessera_keys__(), piece=16)
>>> len(y.__tessera_graph__()), len(dsk)
(34, 14)
>>> sorted(str(task[0]) for task in dsk.values())[-1]
'Streamed(<2 ops>)'
>>> int(x.sum().compute()), int((x * 2 + 1).max().compute())
(499500, 1999)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from operator import getitem
from typing import Any

from tessera import config
from tessera.array.pieces import (
    PIECE_BYTES,
    BlockSource,
    ChunkStep,
    Elementwise,
    Op,
    Slot,
    Streamed,
)
from tessera.scheduling.graph import flatten_keys
from tessera.scheduling.optimize import optimize_graph
from tessera.sizes import parse_bytes

__all__ = ["optimize_array", "stream_reductions"]


def _is_task(x: Any) -> bool:
    return type(x) is tuple and bool(x) and callable(x[0])


def _is_step(func: Any, smallest: int) -> bool:
    """Whether ``func`` is a chunk step on a block of more than ``smallest`` elements (or
    of unknown size)."""
    return type(func) is ChunkStep and not func.size <= smallest


def _has_step(x: Any, smallest: int) -> bool:
    """Whether the task or argument ``x`` holds a chunk step that may be worth streaming."""
    if type(x) is tuple and x and callable(x[0]):
        return _is_step(x[0], smallest) or any(_has_step(a, smallest) for a in x[1:])
    if type(x) is list:
        return any(_has_step(a, smallest) for a in x)
    return False


def _is_ref(x: Any, dsk: Mapping[Any, Any]) -> bool:
    if type(x) not in (str, bytes, int, float, tuple):
        return False
    try:
        return x in dsk
    except TypeError:
        return False


def _refs(x: Any, dsk: Mapping[Any, Any], out: set[Any]) -> None:
    """Add to ``out`` the keys of ``dsk`` that the task or argument ``x`` refers to."""
    if type(x) is tuple and x and callable(x[0]):
        for a in x[1:]:
            _refs(a, dsk, out)
    elif type(x) is list:
        for a in x:
            _refs(a, dsk, out)
    elif _is_ref(x, dsk):
        out.add(x)


def _dependents(dsk: Mapping[Any, Any]) -> dict[Any, int]:
    """How many tasks of ``dsk`` refer to each key (a task referring twice counts once)."""
    counts: dict[Any, int] = {}
    get = counts.get
    refs: set[Any] = set()
    for task in dsk.values():
        if type(task) is not tuple or not task or not callable(task[0]):
            _refs(task, dsk, refs)
        else:  # the common flat task, inline
            for a in task[1:]:
                t = type(a)
                if (t is tuple and a and not callable(a[0])) or t is str:
                    try:
                        if a in dsk:
                            refs.add(a)
                    except TypeError:
                        pass
                elif t is list or t is tuple:
                    _refs(a, dsk, refs)
                elif t in (bytes, int, float) and a in dsk:
                    refs.add(a)
        for key in refs:
            counts[key] = get(key, 0) + 1
        refs.clear()
    return counts


def _unwrap(func: Any) -> Any:
    while isinstance(func, partial):
        func = func.func
    return func


class _Planner:
    """Builds one streamed plan from the block of a chunk step down to its leaves."""

    def __init__(
        self, dsk: Mapping[Any, Any], dependents: dict[Any, int], keep: set[Any], users: int
    ) -> None:
        self.dsk, self.dependents, self.keep = dsk, dependents, keep
        self.users = users  # the chunk steps reading the block at the root
        self.root: Any = None
        self.ops: list[Op] = []
        self.built: dict[Any, int] = {}
        self.leaves: list[Any] = []
        self.absorbed: list[Any] = []

    def _leaf(self, key: Any) -> int:
        self.ops.append(Op("leaf", None, (len(self.leaves),)))
        self.leaves.append(key)
        return len(self.ops) - 1

    def _kind(self, key: Any) -> str | None:
        """``"source"``/``"apply"`` when the task at ``key`` can join the plan, else None."""
        task = self.dsk[key]
        users = self.users if key == self.root else 1
        if key in self.keep or self.dependents.get(key) != users or not _is_task(task):
            return None
        func = _unwrap(task[0])
        source = isinstance(func, BlockSource)
        if not (source or isinstance(func, Elementwise)):
            return None
        for a in task[1:]:
            if type(a) is list or _is_task(a) or (source and _is_ref(a, self.dsk)):
                return None
        return "source" if source else "apply"

    def build(self, key: Any) -> int:
        """The position of the plan op giving the block at ``key``."""
        if self.root is None:
            self.root = key
        if key not in self.built:
            kind = self._kind(key)
            if kind is None:
                self.built[key] = self._leaf(key)
                return self.built[key]
            task = self.dsk[key]
            args = task[1:]
            if kind == "apply":
                args = tuple(Slot(self.build(a)) if _is_ref(a, self.dsk) else a for a in args)
            self.ops.append(Op(kind, task[0], args))
            self.absorbed.append(key)
            self.built[key] = len(self.ops) - 1
        return self.built[key]


def stream_reductions(
    dsk: Mapping[Any, Any], keys: Sequence[Any], piece: int | None = None
) -> dict[Any, Any]:
    """A copy of ``dsk`` whose chunk steps over sources run in pieces.

    Parameters
    ----------
    dsk : mapping
        The task graph.
    keys : list
        The requested keys (nested lists allowed): they stay in the graph.
    piece : int, optional
        Elements per piece; default from ``config.get("array.piece-size")`` (bytes,
        8 per element).  ``0``: change nothing.

    Returns
    -------
    dict
        A new graph; the tasks merged into streamed tasks are gone.
    """
    if piece is None:
        piece = parse_bytes(config.get("array.piece-size", PIECE_BYTES)) // 8
    out = dict(dsk)
    smallest = 2 * piece
    hosts = [key for key, task in out.items() if _has_step(task, smallest)] if piece > 0 else []
    if not hosts:
        return out
    dependents = _dependents(out)
    keep = set(flatten_keys(list(keys)))
    steps: dict[Any, list[ChunkStep]] = {}  # block key -> the chunk steps reading it
    for key in hosts:
        _collect_steps(out[key], out, smallest, steps)
    shared: dict[Any, Any] = {}  # block key -> its streamed task's key (None: not streamed)

    def stream(block: Any) -> Any:
        """The streamed task making ``block`` for all the chunk steps reading it, or None."""
        readers = steps[block]
        planner = _Planner(out, dependents, keep, len(readers))
        planner.build(block)
        if not planner.absorbed:
            return None
        for k in planner.absorbed:
            del out[k]
        step = readers[0] if len(readers) == 1 else tuple(readers)
        return (Streamed(step, planner.ops, piece), *planner.leaves)

    def rewrite(x: Any) -> Any:
        if _is_task(x):
            if _is_step(x[0], smallest) and len(x) == 2 and x[1] in steps:
                block = x[1]
                if len(steps[block]) == 1:
                    return stream(block) or x
                if block not in shared:  # several reductions of one block: make it once
                    task = stream(block)
                    shared[block] = None if task is None else ("streamed", block)
                    if task is not None:
                        out[shared[block]] = task
                if shared[block] is None:
                    return x
                j = next(j for j, s in enumerate(steps[block]) if s is x[0])
                return (getitem, shared[block], j)
            args = [rewrite(a) for a in x[1:]]
            changed = any(a is not b for a, b in zip(args, x[1:], strict=True))
            return (x[0], *args) if changed else x
        if type(x) is list:
            items = [rewrite(a) for a in x]
            return items if any(a is not b for a, b in zip(items, x, strict=True)) else x
        return x

    for key in hosts:
        out[key] = rewrite(out[key])
    return out


def _collect_steps(x: Any, dsk: Mapping[Any, Any], smallest: int, out: dict[Any, Any]) -> None:
    """Add the chunk steps in the task ``x`` to ``out``, by the key of the block they read."""
    if _is_task(x):
        if _is_step(x[0], smallest) and len(x) == 2 and _is_ref(x[1], dsk):
            out.setdefault(x[1], []).append(x[0])
        else:
            for a in x[1:]:
                _collect_steps(a, dsk, smallest, out)
    elif type(x) is list:
        for a in x:
            _collect_steps(a, dsk, smallest, out)


def optimize_array(dsk: Mapping[Any, Any], keys: Sequence[Any], **kwargs: Any) -> dict[Any, Any]:
    """The optimization of array graphs: stream reductions over sources, cull, fuse chains.

    >>> import tessera.array as da
    >>> y = (da.ones(10, chunks=5) + 1).sum()
    >>> len(y.__tessera_graph__()), len(optimize_array(y.__tessera_graph__(), [(y.name,)]))
    (7, 3)
    """
    return optimize_graph(stream_reductions(dsk, keys), keys, **kwargs)
