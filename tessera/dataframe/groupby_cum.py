"""Grouped cumulative operations: ``cumsum, cumprod, cummax, cummin, cumcount`` as a scan.

Map
---
- :class:`GroupByCumMixin` -- the five methods of
  :class:`~tessera.dataframe.groupby.GroupBy`; each builds one :func:`_scan` graph.
- :class:`_Scan` -- the three steps of one operation: ``totals`` (per group, what a
  partition adds: sums, products, maxima, minima or sizes), ``carry`` (the totals of
  all earlier partitions, merged one partition at a time) and ``apply`` (pandas' own
  cumulative op on the partition, then the carry of each row's group added,
  multiplied or compared in).

The result has the frame's partitions, index and divisions, rows in their order, as
pandas gives it (``df.assign(c=df.groupby("k").v.cumsum())`` lines up).  The carries
form a chain: partition ``i`` waits for the totals of partitions ``0..i-1`` (cheap,
one small frame per group), as in Dask.  Only ``skipna=True`` and ascending
``cumcount`` are supported.  As in pandas, rows whose key is missing (``dropna=True``)
get NaN, which makes an integer result float in the partitions that hold such rows.
Sums and products of narrow integers are taken in 64 bits and, as in pandas, narrowed
back to the input's dtype unless a value overflows it (pandas then gives the whole
column in 64 bits; here the partitions holding such values are).

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [1, 2, 3, 4]}, npartitions=3)
>>> df.groupby("k").v.cumsum().compute().tolist()
[1, 2, 4, 8]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import make_meta, merge_layers, new_collection
from tessera.hashing import tokenize

__all__ = ["GroupByCumMixin"]

_TOTAL = {"cumsum": "sum", "cumprod": "prod", "cummax": "max", "cummin": "min"}

#: The 64-bit dtype of an integer kind, plain or masked.
_WIDE: dict[tuple[str, bool], Any] = {
    ("i", False): "int64",
    ("u", False): "uint64",
    ("i", True): "Int64",
    ("u", True): "UInt64",
}


def _start() -> None:
    return None


class _Grouped:
    """A picklable ``(part, key_parts) -> pandas groupby[selection]`` of a GroupBy."""

    def __init__(self, grouping: Any, selection: Any) -> None:
        self.grouping, self.selection = grouping, selection

    def __call__(self, part: Any, key_parts: tuple[Any, ...]) -> Any:
        g = self.grouping.groupby(part, key_parts, sort=False)
        return g if self.selection is None else g[self.selection]

    def keys_of(self, part: Any, key_parts: tuple[Any, ...]) -> list[Any]:
        return self.grouping.series(part, key_parts)


@dataclass(frozen=True)
class _Scan:
    """One grouped cumulative op over partitions (``grouped`` makes a partition's groupby)."""

    method: str
    grouped: _Grouped
    kwargs: tuple[tuple[str, Any], ...] = ()
    meta: Any = field(default=None, compare=False)  # the result's dtypes

    def totals(self, part: Any, *key_parts: Any) -> Any:
        g = self.grouped(part, key_parts)
        if self.method == "cumcount":
            return g.size()
        return getattr(g, _TOTAL[self.method])(**dict(self.kwargs))

    def carry(self, before: Any, totals: Any) -> Any:
        if before is None:
            return totals
        whole = pd.concat([before, totals])
        levels = list(range(whole.index.nlevels))
        op = "sum" if self.method == "cumcount" else _TOTAL[self.method]
        return getattr(whole.groupby(level=levels, sort=False, dropna=False), op)()

    def apply(self, part: Any, carry: Any, *key_parts: Any) -> Any:
        g = self.grouped(part, key_parts)
        local = getattr(g, self.method)(**dict(self.kwargs))
        if carry is None or not len(part):
            return local
        keys = [k.to_numpy() for k in self.grouped.keys_of(part, key_parts)]
        rows = pd.MultiIndex.from_arrays(keys) if len(keys) > 1 else pd.Index(keys[0])
        if self.method == "cumcount":
            return local + _rows(carry, rows, local, 0)
        if self.method in ("cumsum", "cumprod"):
            plus = self.method == "cumsum"
            before = _columns(_rows(carry, rows, local, 0 if plus else 1), _wide)
            local = _columns(local, _wide)
            return _columns(local + before if plus else local * before, _fit, self.meta)
        before = _rows(carry, rows, local, None)
        wins = before > local if self.method == "cummax" else before < local
        merged = local.mask(wins.fillna(False).astype(bool), before)  # NaN never wins
        return merged.astype(local.dtypes if isinstance(local, pd.DataFrame) else local.dtype)


def _rows(carry: Any, rows: pd.Index, like: Any, fill: Any) -> Any:
    """The carry of each row's group, shaped like ``like`` (``fill`` for unseen groups)."""
    aligned = carry.reindex(rows) if fill is None else carry.reindex(rows, fill_value=fill)
    if isinstance(like, pd.DataFrame):
        aligned = aligned[like.columns] if isinstance(aligned, pd.DataFrame) else aligned
        return aligned.set_axis(like.index, axis=0)
    return pd.Series(aligned.array, index=like.index, name=like.name)


def _columns(obj: Any, func: Callable[..., pd.Series], like: Any = None) -> Any:
    """``func(column)`` (``func(column, dtype of like's column)`` when ``like`` is given)
    on a Series or on each column of a DataFrame."""
    if isinstance(obj, pd.Series):
        return func(obj) if like is None else func(obj, like.dtype)
    out = obj.copy(deep=False)
    for i in range(obj.shape[1]):
        column = obj.iloc[:, i]
        out.isetitem(i, func(column) if like is None else func(column, like.dtypes.iloc[i]))
    return out


def _integer(dtype: Any) -> np.dtype | None:
    """The NumPy integer dtype of ``dtype`` (or behind a masked ``Int8``...), else None."""
    base = getattr(dtype, "numpy_dtype", dtype)
    return base if isinstance(base, np.dtype) and base.kind in "iu" else None


def _wide(column: pd.Series) -> pd.Series:
    """An integer ``column`` in 64 bits (``int64``/``uint64``, ``Int64``/``UInt64`` when
    masked), where pandas sums and multiplies it."""
    base = _integer(column.dtype)
    if base is None or base.itemsize == 8:
        return column
    return column.astype(_WIDE[base.kind, not isinstance(column.dtype, np.dtype)])


def _fit(column: pd.Series, dtype: Any) -> pd.Series:
    """``column`` as ``dtype`` (the input's integer dtype) when every value fits in it: as
    pandas, a grouped cumsum/cumprod keeps a narrow dtype unless a value overflows it."""
    target, values = _integer(dtype), column.dropna()
    if target is None or _integer(column.dtype) is None or column.dtype == dtype:
        return column
    info = np.iinfo(target)
    if len(values) and (values.min() < info.min or values.max() > info.max):
        return column
    return column.astype(dtype)


class GroupByCumMixin:
    """``cumsum``, ``cumprod``, ``cummax``, ``cummin`` and ``cumcount`` (see the map)."""

    frame: Any
    selection: Any
    _by_series: list[Any]
    _fake: Any
    _grouping: Any

    def _scan(self, method: str, **kwargs: Any) -> Any:
        meta = make_meta(getattr(self._fake(), method)(**kwargs))  # pandas validates
        grouped = _Grouped(self._grouping(), self.selection)
        scan = _Scan(method, grouped, tuple(kwargs.items()), meta)
        frame, keys = self.frame, self._by_series
        inputs = [frame, *keys]
        token = tokenize(inputs, method, kwargs, self._grouping(), self.selection)
        layers = merge_layers(*inputs)
        tname, cname = (f"groupby-{method}-{s}-{token}" for s in ("totals", "carry"))
        name = f"groupby-{method}-{token}"
        n = frame.npartitions
        key_refs = [[(k._name, i) for k in keys] for i in range(n)]
        layers[tname] = {
            (tname, i): (scan.totals, (frame._name, i), *key_refs[i]) for i in range(n - 1)
        }
        carry: dict[Any, Any] = {(cname, 0): (_start,)}
        for i in range(1, n):
            carry[cname, i] = (scan.carry, (cname, i - 1), (tname, i - 1))
        layers[cname] = carry
        layers[name] = {
            (name, i): (scan.apply, (frame._name, i), (cname, i), *key_refs[i]) for i in range(n)
        }
        return new_collection(layers, name, meta, frame.divisions)

    def _check_skipna(self, method: str, skipna: bool) -> None:
        if not skipna:
            raise NotImplementedError(
                f"groupby(...).{method}(skipna=False) is not supported; use "
                f"groupby(...).transform(lambda s: s.{method}(skipna=False))."
            )

    def cumsum(self, numeric_only: bool = False, skipna: bool = True) -> Any:
        """Cumulative sum within each group, rows in the frame's order.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1, 2], "v": [1.0, 2.0, 3.0, 4.0]}, npartitions=2)
        >>> df.groupby("k").v.cumsum().compute().tolist()
        [1.0, 2.0, 4.0, 6.0]
        """
        self._check_skipna("cumsum", skipna)
        return self._scan("cumsum", numeric_only=numeric_only)

    def cumprod(self, numeric_only: bool = False, skipna: bool = True) -> Any:
        """Cumulative product within each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [2, 3, 4, 5]}, npartitions=2)
        >>> df.groupby("k").v.cumprod().compute().tolist()
        [2, 3, 8, 40]
        """
        self._check_skipna("cumprod", skipna)
        return self._scan("cumprod", numeric_only=numeric_only)

    def cummax(self, numeric_only: bool = False, skipna: bool = True) -> Any:
        """Cumulative maximum within each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 1, 1], "v": [2, 1, 5]}, npartitions=2)
        >>> df.groupby("k").v.cummax().compute().tolist()
        [2, 2, 5]
        """
        self._check_skipna("cummax", skipna)
        return self._scan("cummax", numeric_only=numeric_only)

    def cummin(self, numeric_only: bool = False, skipna: bool = True) -> Any:
        """Cumulative minimum within each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 1, 1], "v": [2, 3, 1]}, npartitions=2)
        >>> df.groupby("k").v.cummin().compute().tolist()
        [2, 2, 1]
        """
        self._check_skipna("cummin", skipna)
        return self._scan("cummin", numeric_only=numeric_only)

    def cumcount(self, ascending: bool = True) -> Any:
        """Position of each row within its group (0, 1, ...), a Series.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": ["a", "b", "a", "a"]}, npartitions=3)
        >>> df.groupby("k").cumcount().compute().tolist()
        [0, 0, 1, 2]
        """
        if ascending is not True:
            raise NotImplementedError(
                "groupby(...).cumcount(ascending=False) is not supported; compute "
                "size - 1 - cumcount() with a transform instead."
            )
        return self._scan("cumcount")
