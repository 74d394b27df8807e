"""Reductions of DataFrame and Series: one tree reduction waist and the methods built on it.

Map
---
- :func:`reduction`, :func:`combine_results` -- the tree waist, from
  :mod:`~tessera.dataframe.tree` (re-exported here).
- :class:`ReductionMixin` -- ``sum, prod, min, max, count, any, all, mean, var, std,
  size``, and through :class:`~tessera.dataframe.counting.CountingMixin` ``nunique,
  value_counts, memory_usage``.  A Series is reduced as a one-column frame, so one set
  of partial functions serves both.  A partial is a dict of Series by column:
  ``value`` (the op itself; empty partitions are skipped by ``min``/``max``), or
  ``(sum, count)`` for ``mean``, or ``(n, mean, m2)`` for ``var``/``std``, merged with
  the parallel (Chan) formula, stable for large means; plus ``missing`` (null counts)
  with ``skipna=False`` and ``count`` with ``min_count``.  The partial ops always skip
  missing values; the aggregate masks the result as pandas: missing where
  ``skipna=False`` met a missing value, or fewer than ``min_count`` values were summed
  (each column's own missing value: ``NaN``, ``NA``, ``NaT``).  With ``axis=1`` they
  reduce across the columns of each row, partition by partition (no tree), keeping the
  frame's divisions.  The ``mean`` of datetimes and timedeltas and their ``std`` (a
  timedelta) are computed on float64 ticks (:mod:`~tessera.dataframe.ticks`).

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
from tessera.dataframe.ticks import from_ticks, time_unit, to_ticks
from tessera.dataframe.tree import combine_results, reduction

__all__ = ["ReductionMixin", "combine_results", "reduction"]

_MOMENTS = ("mean", "var", "std")
_MISSING_IS_NAN = ("sum", "prod", "min", "max", *_MOMENTS)  # NaN if skipna=False meets a NaN
_COMBINE = {"count": "sum"}


def _columns(part: Any, kwargs: dict[str, Any]) -> pd.DataFrame:
    """``part`` as a frame, with only the numbers and booleans if ``numeric_only``."""
    f = part.to_frame() if isinstance(part, pd.Series) else part
    if not kwargs.get("numeric_only"):
        return f
    return f.select_dtypes(include=["number", "bool"], exclude=["timedelta"])


def _times(f: pd.DataFrame) -> list[int]:
    """The positions of the datetime and timedelta columns."""
    return [i for i, dtype in enumerate(f.dtypes) if dtype.kind in "mM"]


def _as_ticks(f: pd.DataFrame) -> pd.DataFrame:
    times = _times(f)
    if not times:
        return f
    f = f.copy(deep=False)
    for i in times:
        f.isetitem(i, to_ticks(f.iloc[:, i]))
    return f


def _chunk(
    part: Any, op: str, kwargs: dict[str, Any], skipna: bool, min_count: int
) -> dict[str, pd.Series] | None:
    """The partial statistics of one partition, by name, each a Series by column."""
    f = _columns(part, kwargs)
    if op in ("min", "max") and len(f) == 0:
        return None
    out = {}
    if not skipna and op in _MISSING_IS_NAN:
        out["missing"] = f.isna().sum()
    if op in _MOMENTS:
        f = _as_ticks(f)
    if op == "mean":
        out.update(sum=f.sum(**kwargs), count=f.count())
    elif op in ("var", "std"):
        mean = f.mean(**kwargs)
        out.update(n=f.count(), mean=mean, m2=((f - mean) ** 2).sum())
    else:
        out["value"] = getattr(f, op)(**kwargs)
        if min_count:
            out["count"] = f.count()
    return out


def _stack(parts: list[pd.Series]) -> pd.DataFrame:
    return pd.concat(parts, axis=1, ignore_index=True)


def _chan(n: pd.DataFrame, means: pd.DataFrame, m2: pd.DataFrame) -> dict[str, pd.Series]:
    """Merge ``(count, mean, M2)`` of several partitions (columns) by Chan's formula."""
    total = n.sum(axis=1)
    mean = (n * means.fillna(0)).sum(axis=1) / total
    spread = (n * means.sub(mean, axis=0) ** 2).fillna(0)
    return {"n": total, "mean": mean, "m2": (m2.fillna(0) + spread).sum(axis=1)}


def _combine(parts: list[Any], op: str, skipna: bool) -> dict[str, pd.Series] | None:
    """Merge the partial statistics of several partitions (empty ``min``/``max`` ones skipped)."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    stacked = {k: _stack([p[k] for p in parts]) for k in parts[0]}
    out = (
        _chan(stacked.pop("n"), stacked.pop("mean"), stacked.pop("m2")) if "m2" in stacked else {}
    )
    for k, s in stacked.items():
        if k == "value":
            kw = {"skipna": skipna} if op in ("any", "all") else {}
            out[k] = getattr(s, _COMBINE.get(op, op))(axis=1, **kw)
        else:  # sums, counts and missing counts
            out[k] = s.sum(axis=1)
    return out


def _finish(r: dict[str, pd.Series], op: str, ddof: int) -> pd.Series:
    if op == "mean":
        return r["sum"] / r["count"]
    if op in ("var", "std"):
        var = (r["m2"] / (r["n"] - ddof)).where(r["n"] - ddof > 0, np.nan)
        return np.sqrt(var) if op == "std" else var
    return r["value"]


def _na(dtype: Any) -> Any:
    """The missing value of a column of ``dtype`` in a reduction's result."""
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return dtype.na_value
    return pd.NaT if dtype.kind in "mM" else np.nan


def _is_masked_int(dtype: Any) -> bool:
    return isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iu"


def _mask(values: pd.Series, where: pd.Series, f: pd.DataFrame) -> pd.Series:
    """``values`` missing where ``where`` (positional; dtype unchanged if nothing is): in an
    object result, each column's own missing value (``NaN``, ``NA``, ``NaT``), as pandas."""
    cond = where.to_numpy(dtype=bool)
    if not cond.any():
        return values
    if values.dtype != object:
        masked = f.dtypes.iloc[np.flatnonzero(cond)]
        nan_ints = any(isinstance(d, np.dtype) and d.kind in "biu" for d in masked)
        if nan_ints and _is_masked_int(values.dtype):
            values = values.astype("Float64")  # a NumPy int column's NaN joins Int64: Float64
        return values.mask(cond)
    out = values.copy()
    for i in np.flatnonzero(cond):
        out.iloc[i] = _na(f.dtypes.iloc[i])
    return out


def _untick(r: pd.Series, f: pd.DataFrame, op: str, dtype: Any) -> pd.Series:
    """Back from ticks: the mean of datetimes is a datetime, the std a timedelta."""
    times = _times(f)
    if not times:
        return _as_pandas_float(r, dtype)
    out = r.astype(object)
    for i in times:
        source = f.dtypes.iloc[i]
        target = source if op == "mean" else np.dtype(f"m8[{time_unit(source)}]")
        out.iloc[i] = from_ticks(r.iloc[i : i + 1].to_numpy("float64", na_value=np.nan), target)[0]
    return out if dtype is None else out.astype(dtype)


def _aggregate(
    parts: list[Any],
    op: str,
    skipna: bool,
    min_count: int,
    kwargs: dict[str, Any],
    pandas_kwargs: dict[str, Any],
    empty: Any,
    series: bool,
    ddof: int,
    dtype: Any = None,
) -> Any:
    r = _combine(parts, op, skipna)
    if r is None:  # every partition is empty
        return getattr(empty, op)(**pandas_kwargs)
    value, f = _finish(r, op, ddof), _columns(empty, kwargs)
    if op in _MOMENTS:
        value = _untick(value, f, op, dtype)
    if "missing" in r:
        value = _mask(value, r["missing"] > 0, f)
    if min_count:
        value = _mask(value, r["count"] < min_count, f)
    return value.iloc[0] if series else value


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
    if len(part) == 0:  # pandas gives float64 on no rows, or fails (any of datetimes)
        return pd.Series([], index=part.index, dtype=dtype)
    return getattr(part, op)(axis=1, **kwargs)


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

    def _reduce(self, op: str, split_every: int | None, **kwargs: Any) -> Any:
        axis = kwargs.pop("axis", None)
        if axis not in (None, 0, "index"):
            return _rowwise(self, op, axis, kwargs)
        series = isinstance(self.meta, pd.Series)
        meta = getattr(nonempty(self.meta), op)(**kwargs)  # pandas validates the keywords
        ddof = kwargs.pop("ddof", 1)
        skipna, min_count = kwargs.get("skipna", True), kwargs.get("min_count", 0)
        # skipna=False and min_count are masks at the end; a Series ignores numeric_only
        dropped = {"min_count"}
        if op in _MISSING_IS_NAN:
            dropped.add("skipna")
        if series:
            dropped.add("numeric_only")
        chunk_kwargs = {k: v for k, v in kwargs.items() if k not in dropped}
        agg = partial(_aggregate, op=op, skipna=skipna, min_count=min_count, kwargs=chunk_kwargs,
                      pandas_kwargs=kwargs, empty=self.meta, series=series, ddof=ddof,
                      dtype=getattr(meta, "dtype", None))  # fmt: skip
        return reduction(
            self,
            partial(_chunk, op=op, kwargs=chunk_kwargs, skipna=skipna, min_count=min_count),
            partial(_combine, op=op, skipna=skipna),
            agg,
            meta,
            split_every,
            prefix=op,
        )

    def sum(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Sum of each column (DataFrame -> lazy Series; Series -> lazy Scalar); pandas'
        ``skipna``, ``min_count`` and ``numeric_only``.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=2).a.sum().compute()
        np.int64(6)
        >>> s = dd.from_dict({"a": [1.0, None, 3.0]}, npartitions=2).a
        >>> s.sum(skipna=False).compute(), s.sum(min_count=3).compute()
        (np.float64(nan), np.float64(nan))
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
        >>> import pandas as pd
        >>> t = pd.to_datetime(["2024-01-01", "2024-01-04"]).tz_localize("UTC")
        >>> dd.from_dict({"t": t}, npartitions=2).t.mean().compute()
        Timestamp('2024-01-02 12:00:00+0000', tz='UTC')
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
