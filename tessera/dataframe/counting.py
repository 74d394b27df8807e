"""Counting reductions of DataFrame and Series: distinct values, value counts, bytes.

Map
---
- :class:`CountingMixin` -- ``value_counts`` (per-partition counts merged by a groupby
  sum; ``normalize`` divides by the total at the end), ``nunique`` (distinct values
  de-duplicated up the tree) and ``memory_usage`` (per-partition bytes added up), each
  one call of the :func:`~tessera.dataframe.tree.reduction` tree waist.
- ``_counts`` / ``_merge_counts`` -- the value-count partials, also used by
  :mod:`~tessera.dataframe.distinct` (``mode``).

>>> import tessera.dataframe as dd
>>> s = dd.from_dict({"a": [3, 1, 3, 2]}, npartitions=3).a
>>> s.value_counts().compute().to_dict()
{3: 2, 1: 1, 2: 1}
>>> s.nunique().compute()
3
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import nonempty
from tessera.dataframe.tree import reduction

__all__ = ["CountingMixin"]


def _unique(part: Any) -> Any:
    return part.drop_duplicates()


def _concat_unique(parts: list[Any]) -> Any:
    return pd.concat(parts).drop_duplicates()


def _nunique(parts: list[Any], dropna: bool) -> Any:
    return pd.concat(parts).nunique(dropna=dropna)


def _counts(part: Any, dropna: bool) -> Any:
    return part.value_counts(sort=False, dropna=dropna)


def _merge_counts(parts: list[Any]) -> Any:
    """The counts of ``parts`` added up by value, values in order of first appearance.

    The values keep their objects and dtype: grouping by position codes, not by the
    index, as pandas' concat and groupby would infer ``[None, 1]`` to be floats.
    """
    joined = pd.concat(parts)
    index = joined.index
    if parts[0].index.dtype == object:
        index = pd.Index(np.concatenate([p.index.to_numpy() for p in parts]), dtype=object,
                         name=index.name)  # fmt: skip
    codes, _ = pd.factorize(index, use_na_sentinel=False)
    sums = joined.groupby(codes, sort=True).sum()  # codes follow first appearance
    first = np.unique(codes, return_index=True)[1]
    return sums.set_axis(index.take(first))


def _final_counts(
    parts: list[Any], ascending: bool, sort: bool, normalize: bool, na_last: bool
) -> Any:
    out = _merge_counts(parts)
    if na_last:  # where pandas lists the missing value (so ties sort as in pandas)
        missing = out.index.isna()
        out = pd.concat([out[~missing], out[missing]])
    if normalize:
        out = (out / out.sum()).rename("proportion")
    return out.sort_values(ascending=ascending, kind="stable") if sort else out


def _na_last(like: pd.Series) -> bool:
    """Whether pandas' unsorted ``value_counts`` lists a missing value last wherever it
    occurs (masked dtypes such as ``Int64`` do), rather than where it first occurs."""
    try:
        probe = pd.concat([pd.Series([None], dtype=like.dtype), nonempty(like).iloc[:1]])
    except (TypeError, ValueError):  # the dtype holds no missing value
        return False
    counts = probe.value_counts(sort=False, dropna=False)
    return len(counts) == 2 and bool(pd.isna(counts.index[-1]))


def _memory(part: Any, kwargs: dict[str, Any]) -> Any:
    usage = part.memory_usage(**kwargs)
    return pd.Series([usage]) if np.ndim(usage) == 0 else usage


def _total_memory(parts: list[Any]) -> Any:
    return pd.concat(parts, axis=1).sum(axis=1)


def _final_memory(parts: list[Any], series: bool) -> Any:
    out = _total_memory(parts)
    return int(out.iloc[0]) if series else out


class CountingMixin:
    """``value_counts``, ``nunique`` and ``memory_usage``."""

    meta: Any

    def value_counts(
        self,
        sort: bool = True,
        ascending: bool = False,
        dropna: bool = True,
        normalize: bool = False,
        split_every: int | None = None,
    ) -> Any:
        """Count of each distinct value of a Series, most frequent first (ties in order of
        first appearance, as pandas orders them).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [3, 1, 3, 2]}, npartitions=3).a.value_counts().compute().tolist()
        [2, 1, 1]
        """
        if not isinstance(self.meta, pd.Series):
            raise NotImplementedError("DataFrame.value_counts is not implemented yet.")
        meta = nonempty(self.meta).value_counts(dropna=dropna, normalize=normalize)
        final = partial(_final_counts, ascending=ascending, sort=sort, normalize=normalize,
                        na_last=not dropna and _na_last(self.meta))  # fmt: skip
        return reduction(
            self,
            partial(_counts, dropna=dropna),
            _merge_counts,
            final,
            meta,
            split_every,
            prefix="value-counts",
        )

    def memory_usage(self, index: bool = True, deep: bool = False) -> Any:
        """Bytes used by each column (and the index), summed over the partitions.

        The index line adds up every partition's index, so it can differ from pandas'
        for a ``RangeIndex`` (which pandas stores in constant space).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=2).memory_usage(index=False).compute()
        a    24
        dtype: int64
        """
        kwargs = {"index": index, "deep": deep}
        series = isinstance(self.meta, pd.Series)
        meta = 0 if series else nonempty(self.meta).memory_usage(**kwargs)
        final = partial(_final_memory, series=series)
        chunk = partial(_memory, kwargs=kwargs)
        return reduction(self, chunk, _total_memory, final, meta, prefix="memory-usage")

    def nunique(self, dropna: bool = True, split_every: int | None = None) -> Any:
        """Number of distinct values of a Series (a lazy Scalar).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 1, 3]}, npartitions=3).a.nunique().compute()
        3
        """
        if not isinstance(self.meta, pd.Series):
            raise NotImplementedError("DataFrame.nunique is not implemented yet; use a column.")
        agg = partial(_nunique, dropna=dropna)
        return reduction(self, _unique, _concat_unique, agg, 0, split_every, prefix="nunique")
