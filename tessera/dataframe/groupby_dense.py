"""A fast chunk for the common case: sums and counts grouped by one dense integer key.

Map
---
- :func:`dense_chunk` -- the partial frame of a partition (group sums, counts and
  sizes, slots as in :mod:`~tessera.dataframe.groupby_aggs`) computed with
  :func:`numpy.bincount` on ``key - key.min()``: no hashing, no factorizing, which is
  most of what a pandas groupby of a few columns costs.  Returns None, and the caller
  uses pandas, unless the plan only needs ``sum``/``count``/``size`` (so ``mean``
  qualifies), the result is sorted (``sort=True``), there is one key, the key is a
  NumPy integer column whose values span at most ``2 * len + 1024`` integers, and the
  summed columns are NumPy floats (counted ones NumPy numbers or booleans).

The partial equals pandas' ``part.groupby(key, sort=True)`` reductions: the observed
keys in ascending order with the key's dtype and name; sums of float32 columns are
accumulated in float64 and returned as float32.

>>> import pandas as pd
>>> from tessera.dataframe.groupby_aggs import Grouping, Plan
>>> from tessera.dataframe.groupby_spec import Output
>>> part = pd.DataFrame({"k": [5, 3, 5], "v": [1.0, 2.0, None]})
>>> plan = Plan(Grouping(("k",)), (Output("v", "mean"),), pd.Series([], dtype=float))
>>> dense_chunk(plan, part, ())
     0  1
k
3  2.0  1
5  1.0  1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from tessera.dataframe.groupby_aggs import Plan

__all__ = ["dense_chunk"]

_OPS = {"sum": "f", "count": "iubf", "size": ""}


def _eligible(plan: Plan) -> bool:
    layout, grouping = plan.layout, plan.grouping
    return (
        grouping.sort
        and len(grouping.keys) == 1
        and not layout.moments
        and not layout.pairs
        and all(op in _OPS for _, op in layout.simple)
    )


def _numpy_kind(dtype: Any) -> str:
    return dtype.kind if isinstance(dtype, np.dtype) else "?"


def dense_chunk(plan: Plan, part: pd.DataFrame, key_parts: tuple[Any, ...]) -> Any:
    """The wide partial of ``part`` by :func:`numpy.bincount`, or None if not applicable."""
    if not _eligible(plan) or len(part) == 0:
        return None
    (key,) = plan.grouping.series(part, key_parts)
    dtype = key.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iu" or dtype == np.uint64:
        return None
    for column, op in plan.layout.simple:
        if column is not None and _numpy_kind(part[column].dtype) not in _OPS[op]:
            return None
    keys = key.to_numpy()
    lo, hi = int(keys.min()), int(keys.max())
    limit = 2 * len(keys) + 1024
    if hi - lo >= limit:
        return None
    base = 0 if lo >= 0 and hi < limit else lo  # small non-negative keys are their own codes
    codes = keys.astype(np.intp, copy=False) if base == 0 else (keys - base).astype(np.intp)
    span = hi - base + 1
    size = np.bincount(codes, minlength=span)
    present = np.flatnonzero(size)
    columns, cache = {}, _Columns(part, codes, span)
    for (column, op), slot in plan.layout.simple.items():
        reduced = size if op == "size" else cache.reduce(column, op, size)
        columns[slot] = reduced[present]
    index = pd.Index((present + base).astype(dtype), name=key.name)
    return pd.DataFrame(columns, index=index)


class _Columns:
    """Sums and counts of the columns of one partition, each column read once."""

    def __init__(self, part: pd.DataFrame, codes: Any, span: int) -> None:
        self.part, self.codes, self.span = part, codes, span
        self.clean: dict[Any, tuple[Any, Any]] = {}

    def _clean(self, column: Any) -> tuple[Any, Any]:
        """The column's values with NaN as 0, and the codes of its NaN (None if none)."""
        if column not in self.clean:
            values = self.part[column].to_numpy()
            missing = np.isnan(values) if values.dtype.kind == "f" else None
            if missing is not None and missing.any():
                self.clean[column] = (np.where(missing, 0, values), self.codes[missing])
            else:
                self.clean[column] = (values, None)
        return self.clean[column]

    def reduce(self, column: Any, op: str, size: Any) -> Any:
        values, missing_codes = self._clean(column)
        if op == "count":
            if missing_codes is None:
                return size
            return size - np.bincount(missing_codes, minlength=self.span)
        sums = np.bincount(self.codes, weights=values, minlength=self.span)
        return sums.astype(values.dtype, copy=False)
