"""Making bags from Python data: :func:`from_sequence` and :func:`range`.

Map
---
- :func:`from_sequence` -- split a sequence into partitions held in the graph itself
  (as :class:`~tessera.bag.graph.Literal` tasks, so the data is never scanned for keys).
  Default partitioning follows Dask's documented aim, "about 100 partitions": up to
  100 elements give one element per partition, more give partitions of
  ``ceil(n / 100)`` elements, so never more than 100 partitions.  (Dask's code uses
  ``ceil(sqrt(n) / 10)`` elements, i.e. ``10 * sqrt(n)`` partitions: 10,000 tasks for a
  million elements.)  ``npartitions=`` gives exactly that many (or ``n`` if fewer
  elements) near-equal contiguous partitions.
- :func:`range` -- ``0 .. n-1`` in ``npartitions`` partitions, each made in its worker
  (nothing but two integers travels) by a :class:`RangePartition`, which hands a
  reduction that streams a ``range`` instead of a list.
- :func:`partition_bounds` -- the split points of ``n`` elements into ``k`` partitions.
- :func:`data_token` -- the token of the data (a digest of its pickle: a million
  elements in milliseconds, where :func:`~tessera.hashing.tokenize` takes a second).

>>> import tessera.bag as db
>>> db.from_sequence([0] * 1000).npartitions, db.from_sequence([0] * 50).npartitions
(100, 50)
>>> db.range(10, npartitions=3).compute(scheduler="sync")
[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
"""

from __future__ import annotations

import builtins
import hashlib
import itertools
import math
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tessera.bag.graph import Layers, Literal, new_bag
from tessera.hashing import tokenize

if TYPE_CHECKING:
    from tessera.bag.core import Bag

__all__ = ["RangePartition", "data_token", "from_sequence", "partition_bounds", "range"]


def _positive(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}.")
    return value


def partition_bounds(n: int, k: int) -> list[int]:
    """``k + 1`` split points cutting ``n`` elements into ``k`` near-equal parts.

    >>> partition_bounds(10, 3)
    [0, 3, 6, 10]
    """
    return [n * i // k for i in builtins.range(k + 1)]


def data_token(data: list[Any]) -> str:
    """A token of ``data``: the digest of its pickle (fast), else :func:`tokenize`.

    Equal data built the same way pickles the same, so it gets the same token.

    >>> data_token([1, "a"]) == data_token([1, "a"]) != data_token([1, "b"])
    True
    """
    try:
        blob = pickle.dumps(data, protocol=5)
    except Exception:
        return tokenize(data)
    return hashlib.md5(blob, usedforsecurity=False).hexdigest()


def from_sequence(
    seq: Iterable[Any], partition_size: int | None = None, npartitions: int | None = None
) -> Bag:
    """Create a bag from a Python sequence (or any iterable).

    Parameters
    ----------
    seq : iterable
        The elements; they are put in the task graph, so this is for data that fits
        in memory (load big data with :func:`~tessera.bag.read_text`, or map a loading
        function over a bag of file names).
    partition_size : int, optional
        Elements per partition (the last one may be shorter).
    npartitions : int, optional
        Number of partitions (at most one per element).  Give at most one of
        ``partition_size`` and ``npartitions``; with neither, see the module docstring.

    Examples
    --------
    >>> import tessera.bag as db
    >>> b = db.from_sequence(["Alice", "Bob", "Chuck"], partition_size=2)
    >>> b.npartitions, b.compute(scheduler="sync")
    (2, ['Alice', 'Bob', 'Chuck'])
    >>> db.from_sequence("abcdefghij", npartitions=4).map_partitions(len).compute(scheduler="sync")
    [2, 3, 2, 3]
    """
    if not isinstance(seq, Iterable):
        raise TypeError(
            f"from_sequence expects a sequence of elements such as a list, got "
            f"{type(seq).__name__}. Wrap a single value in a list: from_sequence([value])."
        )
    data = list(seq)
    n = len(data)
    if partition_size is not None and npartitions is not None:
        raise ValueError(
            f"from_sequence: give partition_size or npartitions, not both "
            f"(got partition_size={partition_size!r}, npartitions={npartitions!r})."
        )
    if npartitions is not None:
        k = min(_positive(npartitions, "npartitions"), max(n, 1))
        bounds = partition_bounds(n, k)
    else:
        if partition_size is not None:
            size = _positive(partition_size, "partition_size")
        elif n <= 100:
            size = 1
        else:
            size = math.ceil(n / 100)
        bounds = [*builtins.range(0, n, size), n] if n else [0, 0]
    name = f"from_sequence-{tokenize(data_token(data), bounds)}"
    layer = {
        (name, i): (Literal(data[lo:hi]),) for i, (lo, hi) in enumerate(itertools.pairwise(bounds))
    }
    return new_bag(Layers({name: layer}), name, len(layer))


@dataclass(frozen=True)
class RangePartition:
    """Makes the partition ``[lo, ..., hi - 1]``.

    >>> RangePartition(2, 5)()
    [2, 3, 4]
    """

    lo: int
    hi: int

    def __call__(self) -> list[int]:
        return list(builtins.range(self.lo, self.hi))

    def iterable(self) -> builtins.range:
        """The partition as a ``range``, for a consumer that iterates it once.

        >>> RangePartition(2, 5).iterable()
        range(2, 5)
        """
        return builtins.range(self.lo, self.hi)


def range(n: int, npartitions: int) -> Bag:
    """A bag of the integers ``0 .. n - 1`` in ``npartitions`` near-equal partitions.

    >>> import tessera.bag as db
    >>> b = db.range(5, npartitions=2)
    >>> b.npartitions, b.compute(scheduler="sync")
    (2, [0, 1, 2, 3, 4])
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"range(n): n must be a non-negative integer, got {n!r}.")
    k = _positive(npartitions, "npartitions")
    name = f"range-{tokenize(n, k)}"
    bounds = partition_bounds(n, k)
    layer = {(name, i): (RangePartition(bounds[i], bounds[i + 1]),) for i in builtins.range(k)}
    return new_bag(Layers({name: layer}), name, k)
