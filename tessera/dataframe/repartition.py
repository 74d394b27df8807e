"""Changing how a frame is split into partitions, without a shuffle.

Map
---
- :func:`repartition` -- the public entry: ``npartitions=``, ``partition_size=`` or
  ``divisions=`` (exactly one).
- By **plan** (positions): :class:`TakePieces` builds a new partition from whole old
  partitions or from row-slices of them (``iloc``).  Fewer partitions combine
  neighbours (divisions stay known); more partitions split each old one into equal
  row-slices (divisions become unknown), or -- with known divisions on a numeric or
  datetime index -- interpolate new divisions between the old ones (they stay known);
  ``partition_size`` measures each partition (one eager pass) then splits and combines.
- By **range** (labels): :class:`TakeRange` builds the new partition ``[lo, hi)`` from
  the old partitions whose index range meets it: :func:`range_gather` (old ranges may
  be any closed intervals, e.g. per-partition ``min``/``max``) and
  :func:`repartition_divisions`.
- :func:`align` -- frames with known divisions, repartitioned to their union, so they
  line up partition by partition (merge on the index, ``concat(axis=1)``).
- :func:`partition_stats` -- one small value per partition, computed now (the eager
  passes of ``partition_size``, ``set_index`` and ``sort_values``).
- :func:`concat_parts` -- concatenate partitions, skipping empty ones.

Division rule: ``divisions`` are non-decreasing; partition ``i`` holds ``lo <= index < hi``
with the last one closed (``<= hi``), so only the last pair may be equal.  Rows with a
missing index value are kept in the last partition.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"x": range(10)}), npartitions=5)
>>> repartition(df, npartitions=2).divisions
(0, 4, 9)
>>> repartition(df, divisions=[0, 3, 9]).compute().x.tolist() == list(range(10))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import merge_layers, new_collection, partitionwise
from tessera.hashing import tokenize

__all__ = [
    "TakePieces",
    "TakeRange",
    "align",
    "check_divisions",
    "concat_parts",
    "partition_stats",
    "range_gather",
    "repartition",
    "repartition_divisions",
]

Piece = tuple[int, int, int]  # (old partition, slice number a, of p slices)


def concat_parts(parts: list[Any]) -> Any:
    """Concatenate pandas partitions, leaving out empty ones (all empty: the first).

    >>> concat_parts([pd.Series([1]), pd.Series([], dtype=float), pd.Series([2])]).tolist()
    [1, 2]
    """
    full = [p for p in parts if len(p)]
    if not full:
        return parts[0]
    return full[0] if len(full) == 1 else pd.concat(full)


@dataclass(frozen=True)
class TakePieces:
    """A partition made of slices ``(input, a, p)``: the ``a``-th of ``p`` equal row-slices.

    >>> TakePieces(((0, 1, 2), (1, 0, 1)))([pd.Series([1, 2, 3, 4]), pd.Series([5])]).tolist()
    [3, 4, 5]
    """

    pieces: tuple[Piece, ...]

    def __call__(self, parts: list[Any]) -> Any:
        out = []
        for k, a, p in self.pieces:
            n = len(parts[k])
            out.append(parts[k] if p == 1 else parts[k].iloc[n * a // p : n * (a + 1) // p])
        return concat_parts(out)


@dataclass(frozen=True)
class TakeRange:
    """A partition of the rows with ``lo <= index < hi`` (``<= hi`` and missing if ``last``).

    >>> TakeRange(2, 4, False)([pd.Series(range(6))]).index.tolist()
    [2, 3]
    """

    lo: Any
    hi: Any
    last: bool

    def __call__(self, parts: list[Any]) -> Any:
        out = []
        for part in parts:
            idx = part.index
            mask = (idx >= self.lo) & ((idx <= self.hi) if self.last else (idx < self.hi))
            if self.last:
                mask |= np.asarray(idx.isna())
            out.append(part if mask.all() else part[mask])
        return concat_parts(out)


def check_divisions(divisions: Any) -> tuple[Any, ...]:
    """Validate new divisions: at least two, sorted, only the last pair may be equal.

    >>> check_divisions([0, 5, 5])
    (0, 5, 5)
    """
    divs = tuple(divisions) if isinstance(divisions, list | tuple) else None
    if divs is None or len(divs) < 2 or any(d is None for d in divs):
        raise ValueError(
            f"divisions must be a list of at least 2 index values, got {divisions!r}."
        )
    bad = [i for i in range(len(divs) - 1) if not divs[i] <= divs[i + 1]]
    bad += [i for i in range(len(divs) - 2) if divs[i] == divs[i + 1]]
    if bad:
        raise ValueError(
            f"divisions must increase (only the last two may be equal), got {divs!r}: "
            f"compare positions {bad[0]} and {bad[0] + 1}."
        )
    return divs


def _frame(frame: Any, name: str, layer: dict[Any, Any], divisions: tuple[Any, ...]) -> Any:
    layers = merge_layers(frame)
    layers[name] = layer
    return new_collection(layers, name, frame.meta, divisions)


def range_gather(frame: Any, intervals: list[Any], divisions: tuple[Any, ...]) -> Any:
    """Re-cut ``frame`` at ``divisions``; ``intervals[k]`` is the closed ``(min, max)``
    index range of old partition ``k``, or None when it is empty.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.Series(range(6)), npartitions=3)
    >>> out = range_gather(df, [(0, 1), (2, 3), (4, 5)], (0, 3, 5))
    >>> out.divisions, out.get_partition(0).compute().tolist()
    ((0, 3, 5), [0, 1, 2])
    """
    token = tokenize(frame, intervals, divisions)
    name = f"repartition-range-{token}"
    m, last_old = len(divisions) - 1, frame.npartitions - 1
    layer = {}
    for i in range(m):
        lo, hi = divisions[i], divisions[i + 1]
        ks = [
            k for k, iv in enumerate(intervals) if iv is not None and iv[0] <= hi and iv[1] >= lo
        ]
        if i == m - 1 or not ks:
            ks = sorted({*ks, last_old})
        layer[(name, i)] = (TakeRange(lo, hi, i == m - 1), [(frame._name, k) for k in ks])
    return _frame(frame, name, layer, tuple(divisions))


def repartition_divisions(frame: Any, divisions: Any, force: bool = False) -> Any:
    """Repartition a frame with known divisions at new ``divisions``.

    The new divisions must start and end where the old ones do (or, with ``force=True``,
    outside them), as in Dask.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.Series(range(6)), npartitions=2)
    >>> repartition_divisions(df, [0, 1, 2, 5]).npartitions
    3
    """
    divs = check_divisions(divisions)
    old = frame.divisions
    if not frame.known_divisions:
        raise ValueError(
            "repartition(divisions=...) needs known divisions; this frame's are unknown. "
            "Use set_index (or repartition(npartitions=...))."
        )
    if divs == old:
        return frame
    inside = divs[0] <= old[0] and divs[-1] >= old[-1]
    if not inside or (not force and (divs[0] != old[0] or divs[-1] != old[-1])):
        raise ValueError(
            f"The new divisions {divs[0]!r} ... {divs[-1]!r} must start and end at the old "
            f"ones {old[0]!r} ... {old[-1]!r}; pass force=True to extend them outwards."
        )
    intervals = [(old[k], old[k + 1]) for k in range(frame.npartitions)]
    return range_gather(frame, intervals, divs)


def _from_plan(frame: Any, groups: list[list[Piece]], prefix: str) -> Any:
    token = tokenize(frame, groups)
    name = f"{prefix}-{token}"
    layer = {}
    for i, group in enumerate(groups):
        ks = sorted({k for k, _, _ in group})
        pieces = tuple((ks.index(k), a, p) for k, a, p in group)
        layer[(name, i)] = (TakePieces(pieces), [(frame._name, k) for k in ks])
    whole = all(g[0][1] == 0 and g[-1][1] == g[-1][2] - 1 for g in groups)
    if frame.known_divisions and whole:
        divisions = (*(frame.divisions[g[0][0]] for g in groups), frame.divisions[-1])
    else:
        divisions = (None,) * (len(groups) + 1)
    return _frame(frame, name, layer, divisions)


def _interpolated(frame: Any, n: int) -> tuple[Any, ...] | None:
    """More divisions between the known ones of a numeric or datetime index (None: cannot)."""
    dtype = frame.meta.index.dtype
    if not frame.known_divisions or not (isinstance(dtype, np.dtype) and dtype.kind in "iufM"):
        return None
    old = pd.Series(frame.divisions).astype(dtype)
    values = old.astype("int64" if dtype.kind == "M" else "float64").to_numpy()
    counts = np.full(frame.npartitions, n // frame.npartitions)
    counts[: n % frame.npartitions] += 1
    points = [np.linspace(values[k], values[k + 1], c + 1)[:-1] for k, c in enumerate(counts)]
    new = np.concatenate([*points, values[-1:]])
    if dtype.kind in "iuM":
        new = np.unique(np.round(new).astype("int64"))
    out = pd.Series(np.unique(new)).astype(dtype).tolist()
    return tuple(out) if len(out) >= 2 else None


def _by_npartitions(frame: Any, n: int) -> Any:
    old = frame.npartitions
    if n == old:
        return frame
    if n < old:
        bounds = [i * old // n for i in range(n + 1)]
        groups = [[(k, 0, 1) for k in range(a, b)] for a, b in pairwise(bounds)]
        return _from_plan(frame, groups, "repartition-combine")
    divisions = _interpolated(frame, n)
    if divisions is not None:
        return repartition_divisions(frame, divisions)
    counts = [n // old + (k < n % old) for k in range(old)]
    groups = [[(k, a, c)] for k, c in enumerate(counts) for a in range(c)]
    return _from_plan(frame, groups, "repartition-split")


def _one_row(part: Any, func: Any) -> pd.Series:
    return pd.Series([func(part)], dtype=object)


def partition_stats(frame: Any, func: Any) -> list[Any]:
    """``func(partition)`` for every partition, computed now.

    >>> import tessera.dataframe as dd
    >>> partition_stats(dd.from_pandas(pd.Series(range(5)), npartitions=2), len)
    [3, 2]
    """
    stats = partitionwise(_one_row, frame, func, meta=pd.Series([], dtype=object))
    return list(stats.compute())


def _bytes(part: Any) -> tuple[int, int]:
    usage = part.memory_usage(deep=True)
    return len(part), int(usage.sum() if isinstance(usage, pd.Series) else usage)


def _by_size(frame: Any, size: int | str) -> Any:
    from tessera.sizes import parse_bytes

    limit = parse_bytes(size)
    if limit < 1:
        raise ValueError(f"partition_size must be a positive size, got {size!r}.")
    pieces: list[tuple[Piece, float]] = []
    for k, (n, nbytes) in enumerate(partition_stats(frame, _bytes)):
        p = max(1, min(n, math.ceil(nbytes / limit)))
        pieces += [((k, a, p), nbytes / p) for a in range(p)]
    groups: list[list[Piece]] = [[]]
    total = 0.0
    for piece, nbytes in pieces:
        if groups[-1] and total + nbytes > limit:
            groups.append([])
            total = 0.0
        groups[-1].append(piece)
        total += nbytes
    return _from_plan(frame, groups, "repartition-size")


def repartition(
    frame: Any,
    divisions: Any = None,
    npartitions: int | None = None,
    partition_size: int | str | None = None,
    force: bool = False,
) -> Any:
    """Repartition ``frame``; see :meth:`tessera.dataframe.DataFrame.repartition`.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.Series(range(9)), npartitions=3)
    >>> repartition(df, npartitions=6).divisions
    (0, 2, 3, 4, 6, 7, 8)
    """
    given = [x is not None for x in (divisions, npartitions, partition_size)]
    if sum(given) != 1:
        raise ValueError(
            "repartition needs exactly one of divisions=, npartitions= or partition_size=."
        )
    if divisions is not None:
        return repartition_divisions(frame, divisions, force)
    if partition_size is not None:
        return _by_size(frame, partition_size)
    if not isinstance(npartitions, int) or isinstance(npartitions, bool) or npartitions < 1:
        raise ValueError(f"npartitions must be a positive integer, got {npartitions!r}.")
    return _by_npartitions(frame, npartitions)


def align(frames: list[Any]) -> list[Any]:
    """Repartition frames with known divisions to the union of their divisions.

    >>> import tessera.dataframe as dd
    >>> a = dd.from_pandas(pd.Series(range(6)), npartitions=2)
    >>> b = dd.from_pandas(pd.Series(range(7), index=range(2, 9)), npartitions=1)
    >>> [f.divisions for f in align([a, b])]
    [(0, 2, 3, 5, 8), (0, 2, 3, 5, 8)]
    """
    unknown = [i for i, f in enumerate(frames) if not f.known_divisions]
    if unknown:
        raise ValueError(
            f"Frames at positions {unknown} have unknown divisions, so their partitions "
            "cannot be lined up by index; call set_index (or repartition(divisions=...)) "
            "on them first."
        )
    if all(f.divisions == frames[0].divisions for f in frames):
        return frames
    union = sorted({d for f in frames for d in f.divisions})
    divisions = tuple(union) if len(union) > 1 else (union[0], union[0])
    return [repartition_divisions(f, divisions, force=True) for f in frames]
