"""Per-group value counts: the partial behind grouped ``nunique``, ``median`` and ``quantile``.

Map
---
- :func:`value_counts` -- one partition's ``(keys..., value, count)`` rows: each
  distinct value of a column within each group and how often it occurs (columns
  ``0..nk-1`` the keys, ``nk`` the value, ``nk + 1`` the count; missing values kept).
- :func:`merge_counts` -- merge such frames (concatenate in partition order, add the
  counts of equal rows).  For a column with only quantiles the rows are not made
  distinct (all counts 1): hashing every value costs more than it saves when values
  rarely repeat, and the quantile only needs the rows sorted.
- :func:`group_nunique` -- distinct values per group (with or without missing).
- :func:`group_quantile` -- the exact quantile ``q`` of each group, pandas' ``"linear"``
  interpolation: pandas' own groupby ``median``/``quantile`` on the collected rows, or,
  when rows carry counts (a column that also has a ``nunique``), from the sorted
  counts (NumPy's formula, so the values equal ``numpy.quantile`` of the expanded
  data); datetimes and timedeltas go through their integer values and come back
  truncated, as pandas does.

Policy: exact, and no shuffle: the partial holds at most one row per value (one per
distinct ``(group, value)`` for ``nunique``), so the last task holds the grouped
column's non-missing values.  When they do not fit in one task, ``split_out=N``
spreads the groups over ``N`` output partitions, each with its own tree.

>>> import pandas as pd
>>> part = pd.DataFrame({"k": [1, 1, 2, 1], "v": [3.0, 5.0, 2.0, 3.0]})
>>> counts = value_counts([part.k], part.v, dropna=True)
>>> counts.values.tolist()
[[1.0, 3.0, 2.0], [1.0, 5.0, 1.0], [2.0, 2.0, 1.0]]
>>> group_quantile(counts, 0.5, pd.Index([1, 2], name="k"), dropna=True).tolist()
[3.0, 2.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["group_nunique", "group_quantile", "merge_counts", "value_counts"]


def _count(frame: pd.DataFrame, nk: int) -> pd.DataFrame:
    g = frame.groupby(list(range(nk + 1)), sort=False, dropna=False, observed=True)
    return g.size().rename(nk + 1).reset_index()


def value_counts(
    keys: list[pd.Series], values: pd.Series, dropna: bool, distinct: bool = True
) -> pd.DataFrame:
    """The ``(keys..., value, count)`` rows of one partition (``dropna``: of the keys).

    Without ``distinct`` every row is kept with a count of 1 (no hashing: cheaper when
    only quantiles are wanted, which need the rows sorted anyway, not distinct).
    """
    data = {i: k.array for i, k in enumerate(keys)}
    data[len(keys)] = values.array
    frame = pd.DataFrame(data)
    if dropna:
        frame = frame.dropna(subset=list(range(len(keys))))
    if not distinct:
        frame[len(keys) + 1] = 1
        return frame
    return _count(frame, len(keys))


def merge_counts(frames: list[pd.DataFrame], distinct: bool = True) -> pd.DataFrame:
    """Merge value-count frames (``distinct``: one row per ``(keys..., value)``)."""
    whole = pd.concat(frames, ignore_index=True)
    if not distinct:
        return whole
    nk = whole.shape[1] - 2
    g = whole.groupby(list(range(nk + 1)), sort=False, dropna=False, observed=True)
    return g[nk + 1].sum().reset_index()


def _by_group(counts: pd.DataFrame, dropna: bool) -> Any:
    nk = counts.shape[1] - 2
    return counts.groupby(list(range(nk)), sort=False, dropna=dropna, observed=True)


def group_nunique(counts: pd.DataFrame, index: pd.Index, dropna: bool, skipna: bool) -> pd.Series:
    """The number of distinct values of each group of ``index`` (``skipna``: not NaN)."""
    g = _by_group(counts, dropna)
    nk = counts.shape[1] - 2
    n = g[nk].count() if skipna else g.size()
    return n.reindex(index, fill_value=0).astype("int64")  # count() of Float64 is Int64


def _numbers(values: pd.Series) -> np.ndarray:
    """Values as float64 (datetimes and timedeltas: their integer ticks)."""
    if values.dtype.kind in "mM":
        return values.to_numpy().view("i8").astype("float64")
    return values.to_numpy(dtype="float64", na_value=np.nan)


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """NumPy's interpolation (exact at both ends, from the nearer one)."""
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


def group_quantile(counts: pd.DataFrame, q: float, index: pd.Index, dropna: bool) -> pd.Series:
    """The ``q`` quantile of each group of ``index`` from its value counts (NaN if empty).

    Rows that all count 1 go to pandas' groupby ``median``/``quantile``; otherwise the
    result is float64 (integer ticks for datetimes and timedeltas; see :func:`as_dtype`).
    """
    nk = counts.shape[1] - 2
    counts = counts[counts[nk].notna()]
    if (counts[nk + 1] == 1).all():  # the rows themselves: pandas' own kernels
        by_group = _by_group(counts, dropna)[nk]
        result = by_group.median() if q == 0.5 else by_group.quantile(q)
        return result.reindex(index)
    grouped = _by_group(counts, dropna)
    codes, groups = grouped.ngroup().to_numpy(), grouped.size().index
    values = _numbers(counts[nk])
    weights = counts[nk + 1].to_numpy(dtype="int64")
    order = np.lexsort((values, codes))
    codes, values, weights = codes[order], values[order], weights[order]
    ends = np.cumsum(weights)  # row i holds the expanded positions ends[i-1] .. ends[i]-1
    sizes = np.bincount(codes, weights=weights, minlength=len(groups)).astype("int64")
    starts = np.cumsum(sizes) - sizes
    rank = q * (sizes - 1)  # every group has a value: all-missing groups are not here
    lo = np.floor(rank).astype("int64")
    hi = np.minimum(lo + 1, sizes - 1)
    a = values[np.searchsorted(ends, starts + lo, side="right")]
    b = values[np.searchsorted(ends, starts + hi, side="right")]
    out = _lerp(a, b, rank - lo)
    return pd.Series(out, index=groups, dtype="float64").reindex(index)


def as_dtype(result: pd.Series, dtype: Any) -> pd.Series:
    """Cast a float quantile to ``dtype``: datetimes and timedeltas from their ticks."""
    if result.dtype == dtype:
        return result
    if isinstance(dtype, np.dtype) and dtype.kind in "mM":
        ticks = result.to_numpy()
        i8 = np.where(np.isnan(ticks), np.iinfo("int64").min, ticks).astype("int64")  # NaT
        return pd.Series(i8.view(dtype), index=result.index, name=result.name)
    return result.astype(dtype)
