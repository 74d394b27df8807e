"""Counting reductions of DataFrame and Series: distinct values, value counts, bytes.

Map
---
- :class:`CountingMixin` -- ``value_counts`` (per-partition counts merged by a groupby
  sum; ``normalize`` divides by the total at the end) and ``memory_usage``
  (per-partition bytes added up), each one call of the
  :func:`~tessera.dataframe.tree.reduction` tree waist.
- :class:`SeriesCountingMixin`, :class:`FrameCountingMixin` -- ``nunique`` (each
  column's distinct values de-duplicated up the tree; a Series is one column;
  ``DataFrame.nunique(axis=1)`` counts each row, partition by partition).  pandas'
  Series and DataFrame versions take different arguments (``dropna`` first, ``axis``
  first), so each class has its own.
- ``_counts`` / ``_merge_counts`` -- the value-count partials, also used by
  :mod:`~tessera.dataframe.distinct` (``mode``).

>>> import tessera.dataframe as dd
>>> s = dd.from_dict({"a": [3, 1, 3, 2]}, npartitions=3).a
>>> s.value_counts().compute().to_dict()
{3: 2, 1: 1, 2: 1}
>>> s.nunique().compute()
3
>>> s.to_frame().nunique().compute().to_dict()
{'a': 3}
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import nonempty, partitionwise
from tessera.dataframe.tree import reduction

__all__ = ["CountingMixin", "FrameCountingMixin", "SeriesCountingMixin"]


def _columns(part: Any) -> list[pd.Series]:
    """The columns of a partition (a Series is its own one column), by position, so
    duplicate column names stay apart."""
    if isinstance(part, pd.Series):
        return [part]
    return [part.iloc[:, j] for j in range(part.shape[1])]


def _unique(part: Any) -> list[pd.Series]:
    return [column.drop_duplicates() for column in _columns(part)]


def _concat_unique(parts: list[list[pd.Series]]) -> list[pd.Series]:
    return [pd.concat(column).drop_duplicates() for column in zip(*parts, strict=True)]


def _nunique(parts: list[list[pd.Series]], dropna: bool, like: pd.Series | None) -> Any:
    """The count of each column's distinct values: an int for a Series, else a Series
    with the index (the columns) and dtype of ``like``, pandas' result on the meta."""
    counts = [pd.concat(column).nunique(dropna=dropna) for column in zip(*parts, strict=True)]
    if like is None:
        return counts[0]
    return pd.Series(counts, index=like.index, dtype=like.dtype)


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


def _distinct_counts(frame: Any, dropna: bool, split_every: int | None) -> Any:
    """The tree reduction of ``nunique`` over the rows: each column's distinct values are
    de-duplicated up the tree and counted at the root."""
    series = isinstance(frame.meta, pd.Series)
    like = None if series else frame.meta.nunique(dropna=dropna)
    agg = partial(_nunique, dropna=dropna, like=like)
    meta = 0 if like is None else like
    return reduction(frame, _unique, _concat_unique, agg, meta, split_every, prefix="nunique")


class SeriesCountingMixin:
    """``Series.nunique`` (pandas' takes ``dropna`` first, the DataFrame's ``axis``)."""

    def nunique(self, dropna: bool = True, split_every: int | None = None) -> Any:
        """Number of distinct values of a Series (a lazy Scalar), as pandas counts them.

        Parameters
        ----------
        dropna : bool
            Leave missing values out of the count.
        split_every : int, optional
            How many partial results the reduction tree combines at once (default 8).

        Examples
        --------
        >>> import tessera.dataframe as dd
        >>> s = dd.from_dict({"a": [1, 2, 1, None]}, npartitions=3).a
        >>> s.nunique().compute(), s.nunique(dropna=False).compute()
        (2, 3)
        """
        return _distinct_counts(self, dropna, split_every)


def _row_nunique(part: pd.DataFrame, dropna: bool) -> pd.Series:
    # pandas counts the rows of an empty partition as float64
    return part.nunique(axis=1, dropna=dropna).astype("int64")


class CountingMixin:
    """``value_counts`` and ``memory_usage``."""

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


class FrameCountingMixin:
    """``DataFrame.nunique``."""

    meta: Any

    def nunique(self, axis: Any = 0, dropna: bool = True, split_every: int | None = None) -> Any:
        """Number of distinct values of each column (or of each row), as pandas counts them.

        Parameters
        ----------
        axis : {0 or "index", 1 or "columns"}
            ``0``: count down each column (a lazy Series indexed by the columns, from one
            tree reduction); ``1``: count across each row (a lazy Series with the frame's
            partitions and divisions).
        dropna : bool
            Leave missing values out of the counts.
        split_every : int, optional
            How many partial results the reduction tree combines at once (default 8;
            ``axis=0`` only).

        Examples
        --------
        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 1, None], "b": ["x", "y", "x"]}, npartitions=2)
        >>> df.nunique().compute()
        a    1
        b    2
        dtype: int64
        >>> df.nunique(axis=1, dropna=False).compute().tolist()
        [2, 2, 2]
        """
        if axis in (1, "columns"):
            meta = nonempty(self.meta).nunique(axis=1, dropna=dropna)
            return partitionwise(_row_nunique, self, dropna, meta=meta, prefix="nunique-axis1")
        if axis not in (0, "index"):
            raise ValueError(
                f"nunique: axis must be 0 or 'index' (count each column) or 1 or 'columns' "
                f"(count each row), got {axis!r}."
            )
        return _distinct_counts(self, dropna, split_every)
