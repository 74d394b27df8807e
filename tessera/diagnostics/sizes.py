"""How big each result of a graph will be, as far as can be told without running it.

Map
---
- :class:`Size` -- bytes and whether they are exact or an estimate.
- :func:`data_size` -- the size of a value in memory: ``nbytes`` (NumPy), shallow
  ``memory_usage`` (pandas), a sampled ``getsizeof`` (lists and other objects).
- :func:`task_sizes` -- a :class:`Size` (or ``None``: unknown) for every task of a
  :class:`~tessera.diagnostics.layering.Layered` graph.
- :class:`Peak` and :func:`project_peak` -- the most bytes held at once when the graph
  runs in its static order on one worker.

Rules (first match wins), applied operation by operation in dependency order
------------------------------------------------------------------------------
1. **Data in the graph**: a value that is not a task, a constant task ``(f,)`` whose
   callable holds a ``value`` (a bag's ``Literal``), or a task that references no key
   and has one data argument (``from_pandas`` partitions): the size of that data.
2. **An array's own blocks**: for the collection's output operation, the block shape
   from ``chunks`` times ``dtype.itemsize`` -- exact.
3. **Array creation**: a task that references no key and has a shape argument (a
   tuple of ints): its product times the itemsize of a dtype argument, else of the
   output's dtype (then an estimate).
4. **Slicing known data**: a task whose one reference is a known NumPy array and
   that has a tuple of slices: the sliced shape times the itemsize (``from_array``).
5. **Block-wise** (arrays): an operation whose blocks line up one to one with those of an
   input operation (same block indices, each block reading the same-index block) gets
   that input's block sizes -- an estimate (element-wise ops keep sizes, other ops may
   not).  Likewise a block that lines up with the array's own blocks.  Not for a task
   whose function takes ``axis=`` or ``axes=`` (directly, through ``functools.partial``
   or one level inside a callable object): it reduces along an axis.

Everything else is unknown: for dataframes and bags that is most operations, since a
partition's size depends on the data.

>>> import tessera.array as da
>>> from tessera.diagnostics.layering import layered
>>> lay = layered(da.ones((4, 4), chunks=2) + 1)
>>> [s.nbytes for s in task_sizes(lay, da.ones((4, 4), chunks=2) + 1)]
[32, 32, 32, 32, 32, 32, 32, 32]
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from tessera.diagnostics.layering import Layered
from tessera.scheduling.graph import istask
from tessera.scheduling.order import order

__all__ = ["Peak", "Size", "data_size", "project_peak", "task_sizes"]

_SAMPLE = 100


@dataclass(frozen=True)
class Size:
    """``nbytes`` bytes; ``exact`` says whether it is known or estimated."""

    nbytes: int
    exact: bool = True


def data_size(value: Any) -> Size:
    """Return the in-memory size of ``value``, cheaply.

    >>> import numpy as np, pandas as pd
    >>> data_size(np.zeros(10))
    Size(nbytes=80, exact=True)
    >>> data_size(pd.DataFrame({"x": range(4)})).nbytes  # 4 int64 + a RangeIndex
    164
    >>> data_size([1, 2, 3]).exact
    False
    """
    nbytes = getattr(value, "nbytes", None)
    memory_usage = getattr(value, "memory_usage", None)
    if callable(memory_usage) and hasattr(value, "dtypes"):  # pandas
        used = memory_usage(index=True, deep=False)
        total = int(used.sum()) if hasattr(used, "sum") else int(used)
        dtypes = [value.dtypes] if not hasattr(value.dtypes, "__iter__") else list(value.dtypes)
        return Size(total, all(getattr(d, "kind", "O") != "O" for d in dtypes))
    if isinstance(nbytes, int):
        return Size(nbytes)
    if isinstance(value, list | tuple | set | frozenset):
        n = len(value)
        head = list(islice(value, _SAMPLE))
        items = sum(sys.getsizeof(v) for v in head) * (n / len(head)) if head else 0
        return Size(sys.getsizeof(value) + int(items), False)
    return Size(sys.getsizeof(value), False)


def _is_ref(x: Any, dsk: Mapping[Any, Any]) -> bool:
    try:
        return x in dsk
    except TypeError:
        return False


def _is_data(x: Any, dsk: Mapping[Any, Any]) -> bool:
    """An array, a pandas object, or a list whose first items are no keys or tasks."""
    if type(x) is list:
        head = islice(x, _SAMPLE)
        return not any(type(v) is list or istask(v) or _is_ref(v, dsk) for v in head)
    return hasattr(x, "nbytes") or hasattr(x, "dtypes")


def _literal(task: Any, dsk: Mapping[Any, Any]) -> Any:
    """The data a task holds and returns (rule 1), or ``None``."""
    if not istask(task):
        return task if _is_data(task, dsk) else None
    func, args = task[0], task[1:]
    if not args and _is_data(getattr(func, "value", None), dsk):
        return func.value
    data = [a for a in args if _is_data(a, dsk)]
    others = [a for a in args if not _is_data(a, dsk)]
    refs = [a for a in others if type(a) is list or istask(a) or _is_ref(a, dsk)]
    return data[0] if len(data) == 1 and not refs else None


def _shape_arg(args: tuple[Any, ...]) -> tuple[int, ...] | None:
    for a in args:
        if type(a) is tuple and a and all(type(n) is int for n in a):
            return a
    return None


def _dtype_itemsize(args: tuple[Any, ...]) -> int | None:
    import numpy as np

    for a in args:
        if isinstance(a, np.dtype):
            return int(a.itemsize)
    return None


def _sliced(task: Any, dep: Any) -> Size | None:
    """Rule 4: a tuple of slices applied to the known array ``dep``."""
    for a in task[1:]:
        if type(a) is tuple and a and all(type(s) is slice for s in a):
            shape = [len(range(*s.indices(n))) for s, n in zip(a, dep.shape, strict=False)]
            shape += list(dep.shape[len(a) :])
            return Size(math.prod(shape) * dep.itemsize)
    return None


class _Estimator:
    """Applies the rules; ``sizes[i]`` is the :class:`Size` of task ``i`` or ``None``."""

    def __init__(self, lay: Layered, collection: Any) -> None:
        self.lay, self.cg, self.dsk = lay, lay.cg, lay.dsk
        self.sizes: list[Size | None] = [None] * len(lay.cg)
        self.values: dict[int, Any] = {}  # literal arrays, for rule 4
        self.array = collection if hasattr(collection, "chunks") else None
        self.own: dict[tuple[Any, ...], Size] = {}
        if self.array is not None and all(not math.isnan(c) for c in _flat(self.array.chunks)):
            self.own = self._own_blocks(self.array)

    @staticmethod
    def _own_blocks(x: Any) -> dict[tuple[Any, ...], Size]:
        from itertools import product

        item = x.dtype.itemsize
        return {
            idx: Size(math.prod(x.chunks[a][i] for a, i in enumerate(idx)) * item)
            for idx in product(*(range(len(c)) for c in x.chunks))
        }

    def run(self) -> list[Size | None]:
        for o, ids in enumerate(self.lay.tasks):
            for i in ids:
                self.sizes[i] = self._direct(i)
            self._blockwise(o)
        return self.sizes

    def _direct(self, i: int) -> Size | None:
        cg = self.cg
        key: Any = cg.keys[i]
        task = self.dsk[key]
        value = _literal(task, self.dsk)
        if value is not None:
            if hasattr(value, "shape") and hasattr(value, "itemsize"):
                self.values[i] = value
            return data_size(value)
        if self.array is not None and type(key) is tuple and key[0] == self.array.name:
            return self.own.get(key[1:])
        if self.array is None or not istask(task):
            return None
        if not cg.deps[i]:
            shape = _shape_arg(task[1:])
            if shape is not None:
                item = _dtype_itemsize(task[1:])
                exact = item is not None
                return Size(math.prod(shape) * (item or self.array.dtype.itemsize), exact)
        elif len(cg.deps[i]) == 1 and cg.deps[i][0] in self.values:
            return _sliced(task, self.values[cg.deps[i][0]])
        return None

    def _blockwise(self, o: int) -> None:
        """Rule 5 for the still unknown blocks of operation ``o``."""
        lay, deps, sizes = self.lay, self.cg.deps, self.sizes
        keys: list[Any] = self.cg.keys
        unknown = [i for i in lay.tasks[o] if sizes[i] is None and type(keys[i]) is tuple]
        if not unknown or self.array is None or _along_axis(self.dsk[keys[unknown[0]]]):
            return
        if keys[unknown[0]][0] == self.array.name:  # own blocks of unknown (nan) size
            return
        for src in lay.inputs[o]:
            by_index = {keys[j][1:]: j for j in lay.tasks[src] if type(keys[j]) is tuple}
            matches = [by_index.get(keys[i][1:]) for i in unknown]
            if all(j is not None and j in deps[i] for i, j in zip(unknown, matches, strict=True)):
                for i, j in zip(unknown, matches, strict=True):
                    known = sizes[j] if j is not None else None
                    sizes[i] = None if known is None else Size(known.nbytes, False)
                return
        if len(unknown) == len(self.own):
            for i in unknown:
                own = self.own.get(keys[i][1:])
                sizes[i] = None if own is None else Size(own.nbytes, False)


def _along_axis(task: Any) -> bool:
    """Whether a task's function is called with ``axis=``/``axes=`` (a reduction).

    >>> import functools, numpy as np
    >>> _along_axis((functools.partial(np.sum, axis=0), "x")), _along_axis((np.add, "x", 1))
    (True, False)
    """
    if not istask(task):
        return False
    func = task[0]
    inner = vars(func).values() if hasattr(func, "__dict__") else ()
    if dataclasses.is_dataclass(func):
        inner = [getattr(func, f.name) for f in dataclasses.fields(func)]
    for f in (func, *(v for v in inner if callable(v))):
        keywords = getattr(f, "keywords", None)
        if isinstance(keywords, dict) and ("axis" in keywords or "axes" in keywords):
            return True
    return False


def _flat(chunks: Any) -> list[float]:
    return [c for axis in chunks for c in axis]


def task_sizes(lay: Layered, collection: Any) -> list[Size | None]:
    """Return the size of every task's result of ``lay`` (``None`` when unknown).

    Parameters
    ----------
    lay : Layered
        The collection's operations.
    collection : tessera collection
        The collection itself (arrays contribute their chunks and dtype).

    Returns
    -------
    list of Size or None
        Indexed by task id of ``lay.cg``.

    Examples
    --------
    >>> import tessera.bag as db
    >>> from tessera.diagnostics.layering import layered
    >>> b = db.from_sequence(range(100), npartitions=2).map(str)
    >>> sizes = task_sizes(layered(b), b)
    >>> [s is not None for s in sizes]  # the data is known, what map makes of it is not
    [False, False, True, True]
    """
    return _Estimator(lay, collection).run()


@dataclass(frozen=True)
class Peak:
    """The most held at once: ``nbytes`` of known size and ``unknown`` more results."""

    nbytes: int
    results: int
    unknown: int
    exact: bool


def project_peak(lay: Layered, sizes: list[Size | None]) -> Peak:
    """Replay the static order on one worker and return the largest set of results held.

    A result is held from the moment its task finishes until its last dependent has
    finished (outputs: until the end), as the engine does.  The peak is the moment the
    known bytes held are largest (ties: more results).

    Examples
    --------
    >>> import tessera.array as da
    >>> from tessera.diagnostics.layering import layered
    >>> x = da.ones((4, 4), chunks=2) + 1
    >>> lay = layered(x)
    >>> project_peak(lay, task_sizes(lay, x))  # all 4 outputs are kept, plus one input
    Peak(nbytes=160, results=5, unknown=0, exact=True)
    """
    cg = lay.cg
    left = [len(d) for d in cg.dependents]
    for o in cg.outputs:
        left[o] += 1
    # running totals of what is held: bytes, results, results of unknown / estimated size
    nbytes = results = unknown = estimated = 0
    best = Peak(0, 0, 0, True)

    def count(i: int, sign: int) -> None:
        nonlocal nbytes, results, unknown, estimated
        size = sizes[i]
        results += sign
        if size is None:
            unknown += sign
        else:
            nbytes += sign * size.nbytes
            estimated += sign * (not size.exact)

    for i in order(cg):
        count(i, 1)
        if (nbytes, results) > (best.nbytes, best.results):
            best = Peak(nbytes, results, unknown, not estimated)
        for d in cg.deps[i]:
            left[d] -= 1
            if not left[d]:
                count(d, -1)
    return best
