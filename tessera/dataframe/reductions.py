"""Reductions of DataFrame and Series: one tree reduction waist and the methods built on it.

Map
---
- :func:`reduction`, :func:`combine_results` -- the tree waist, from
  :mod:`~tessera.dataframe.tree` (re-exported here).
- :class:`ReductionMixin` -- ``sum, prod, min, max, count, any, all, mean, var, std,
  size``, and through :class:`~tessera.dataframe.counting.CountingMixin` ``nunique,
  value_counts, memory_usage``.  A Series is reduced as a one-column frame, so one set
  of partial functions serves both; partitions that are empty are skipped by
  ``min``/``max``.  ``mean`` carries ``(sum, count)``; ``var``/``std`` carry
  ``(count, mean, M2)`` and merge them with the parallel (Chan) formula, stable for
  large means.  With ``axis=1`` they reduce across the columns of each row, partition
  by partition (no tree), keeping the frame's divisions.

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"a": [1, 2, 3, 4], "b": [1.0, 2.0, 3.0, 5.0]}, npartitions=3)
>>> df.sum().compute()
a    10.0
b    11.0
dtype: float64
>>> df.a.mean().compute()
np.float64(2.5)
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.counting import CountingMixin
from tessera.dataframe.graph import (
    nonempty,
    partitionwise,
)
from tessera.dataframe.tree import combine_results, reduction

__all__ = ["ReductionMixin", "combine_results", "reduction"]

_SIMPLE = ("sum", "prod", "min", "max", "count", "any", "all")
_COMBINE = {"count": "sum"}


def _frame(part: Any) -> pd.DataFrame:
    return part.to_frame() if isinstance(part, pd.Series) else part


def _chunk(part: Any, op: str, kwargs: dict[str, Any]) -> Any:
    f = _frame(part)
    if kwargs.get("numeric_only"):
        f = f.select_dtypes(include=["number", "bool"])
    if op in ("min", "max") and len(f) == 0:
        return None
    if op == "mean":
        return (f.sum(**kwargs), f.count())
    if op == "var":
        n = f.count()
        mean = f.mean(**kwargs)
        return (n, mean, ((f - mean) ** 2).sum())
    return getattr(f, op)(**kwargs)


def _stack(parts: list[pd.Series]) -> pd.DataFrame:
    return pd.concat(parts, axis=1, ignore_index=True)


def _combine(parts: list[Any], op: str) -> Any:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if op == "mean":
        sums, counts = _stack([p[0] for p in parts]), _stack([p[1] for p in parts])
        return (sums.sum(axis=1), counts.sum(axis=1))
    if op == "var":
        n = _stack([p[0] for p in parts])
        means = _stack([p[1] for p in parts])
        m2 = _stack([p[2] for p in parts])
        total = n.sum(axis=1)
        mean = (n * means.fillna(0)).sum(axis=1) / total
        spread = (n * means.sub(mean, axis=0) ** 2).fillna(0)
        return (total, mean, (m2.fillna(0) + spread).sum(axis=1))
    return getattr(_stack(parts), _COMBINE.get(op, op))(axis=1)


def _aggregate(
    parts: list[Any],
    op: str,
    kwargs: dict[str, Any],
    empty: Any,
    series: bool,
    ddof: int,
    dtype: Any = None,
) -> Any:
    r = _combine(parts, op)
    if r is None:
        r = getattr(_frame(empty), op)(**kwargs)
    elif op in ("mean", "var"):
        if op == "mean":
            r = r[0] / r[1]
        else:
            n, _, m2 = r
            r = (m2 / (n - ddof)).where(n - ddof > 0, np.nan)
        r = _as_pandas_float(r, dtype)
    return r.iloc[0] if series else r


def _as_pandas_float(r: pd.Series, dtype: Any) -> pd.Series:
    """``r`` in pandas' result dtype when that is a narrower NumPy float (float32 input
    gives a float32 mean in pandas; the partial sums are float64)."""
    narrow = isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize < 8
    return r.astype(dtype) if narrow else r


def _sum_values(parts: list[Any]) -> Any:
    return sum(parts)


def _size(part: Any) -> int:
    return int(part.size)


def _rowwise_part(part: Any, op: str, kwargs: dict[str, Any], dtype: Any) -> Any:
    out = getattr(part, op)(axis=1, **kwargs)
    return out.astype(dtype) if len(out) == 0 else out  # pandas gives float64 on no rows


def _rowwise(frame: Any, op: str, axis: Any, kwargs: dict[str, Any]) -> Any:
    """``op`` across the columns of each row (``axis=1``): partition by partition."""
    meta = getattr(nonempty(frame.meta), op)(axis=axis, **kwargs)  # pandas validates axis
    return partitionwise(
        _rowwise_part, frame, op, kwargs, meta.dtype, meta=meta, prefix=f"{op}-axis1"
    )


class ReductionMixin(CountingMixin):
    """Reductions over the rows (``axis=0``): a DataFrame gives a Series, a Series a Scalar;
    across the columns (``axis=1``): a Series with the frame's partitions."""

    meta: Any

    def _reduce(self, op: str, split_every: int | None, ddof: int = 1, **kwargs: Any) -> Any:
        axis = kwargs.pop("axis", None)
        if op in ("var", "std"):
            kwargs["ddof"] = ddof
        if axis not in (None, 0, "index"):
            return _rowwise(self, op, axis, kwargs)
        series = isinstance(self.meta, pd.Series)
        pandas_op = "var" if op == "std" else op
        meta = getattr(nonempty(self.meta), op)(**kwargs)
        if op in ("var", "std"):
            kwargs.pop("ddof")
        agg = partial(_aggregate, op=pandas_op, kwargs=kwargs, empty=self.meta,
                      series=series, ddof=ddof, dtype=getattr(meta, "dtype", None))  # fmt: skip
        out = reduction(
            self,
            partial(_chunk, op=pandas_op, kwargs=kwargs),
            partial(_combine, op=pandas_op),
            agg,
            meta,
            split_every,
            prefix=op,
        )
        if op == "std":
            return out.map_partitions(np.sqrt, meta=meta) if not series else out._apply(np.sqrt)
        return out

    def sum(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Sum of each column (DataFrame -> lazy Series; Series -> lazy Scalar).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=2).a.sum().compute()
        np.int64(6)
        """
        return self._reduce("sum", split_every, **kwargs)

    def prod(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Product of each column.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=2).a.prod().compute()
        np.int64(6)
        """
        return self._reduce("prod", split_every, **kwargs)

    def min(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Minimum of each column.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [3, 1, 2]}, npartitions=2).min().compute().tolist()
        [1]
        """
        return self._reduce("min", split_every, **kwargs)

    def max(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Maximum of each column.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [3, 1, 2]}, npartitions=2).a.max().compute()
        np.int64(3)
        """
        return self._reduce("max", split_every, **kwargs)

    def count(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Number of non-missing values of each column.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1.0, None, 2.0]}, npartitions=2).count().compute().tolist()
        [2]
        """
        return self._reduce("count", split_every, **kwargs)

    def any(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Whether any value of each column is true.

        >>> import tessera.dataframe as dd
        >>> bool(dd.from_dict({"a": [0, 0, 1]}, npartitions=2).a.any().compute())
        True
        """
        return self._reduce("any", split_every, **kwargs)

    def all(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Whether all values of each column are true.

        >>> import tessera.dataframe as dd
        >>> bool(dd.from_dict({"a": [0, 0, 1]}, npartitions=2).a.all().compute())
        False
        """
        return self._reduce("all", split_every, **kwargs)

    def mean(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Mean of each column, from per-partition sums and counts.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3, 6]}, npartitions=3).a.mean().compute()
        np.float64(3.0)
        """
        return self._reduce("mean", split_every, **kwargs)

    def var(self, ddof: int = 1, split_every: int | None = None, **kwargs: Any) -> Any:
        """Variance of each column (``ddof=1`` like pandas), merged with Chan's formula.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3, 6]}, npartitions=3).a.var().compute()
        np.float64(4.666666666666667)
        """
        return self._reduce("var", split_every, ddof=ddof, **kwargs)

    def std(self, ddof: int = 1, split_every: int | None = None, **kwargs: Any) -> Any:
        """Standard deviation of each column (``ddof=1`` like pandas).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1.0, 3.0]}, npartitions=2).a.std().compute()
        np.float64(1.4142135623730951)
        """
        return self._reduce("std", split_every, ddof=ddof, **kwargs)

    @property
    def size(self) -> Any:
        """The number of elements (rows times columns), as a lazy Scalar.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3], "b": [4, 5, 6]}, npartitions=2).size.compute()
        6
        """
        return reduction(self, _size, _sum_values, _sum_values, meta=0, prefix="size")
