"""Selecting partitions (``df.partitions[...]``) and counting distinct rows (``value_counts``).

Map
---
- :class:`PartitionIndexer` -- ``frame.partitions[i]``, ``[i:j:k]``, ``[[i, j]]`` or a
  boolean mask: a frame of the chosen partitions, in the order given.  Divisions stay
  known when the chosen partitions are in increasing order (each new partition's lower
  bound is its old one; the upper bound is the old upper bound of the last one).
- :class:`PartitionsMixin` -- the ``partitions`` property of DataFrame and Series.
- :class:`RowCountsMixin` -- ``DataFrame.value_counts``: each partition's distinct rows
  with their counts (missing values and observed categories only, in order of first
  appearance), merged by a groupby sum up the tree; the last step groups those rows as
  pandas groups the whole frame (unobserved category combinations at pandas' places),
  then sorts stably by count as pandas does.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_dict({"a": [1, 1, 2, 1], "b": ["x", "x", "y", "x"]}, npartitions=3)
>>> df.partitions[1:].compute().a.tolist()
[2, 1]
>>> df.value_counts().compute().tolist()
[3, 1]
"""

from __future__ import annotations

from functools import partial
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import merge_layers, new_collection, nonempty
from tessera.dataframe.tree import reduction
from tessera.hashing import tokenize

__all__ = ["PartitionIndexer", "PartitionsMixin", "RowCountsMixin"]


def _identity(part: Any) -> Any:
    return part


class PartitionIndexer:
    """``frame.partitions[key]``: the partitions chosen by an int, slice, list or mask.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"a": range(6)}, npartitions=3)
    >>> df.partitions[-1].compute().a.tolist()
    [4, 5]
    >>> df.partitions[[0, 2]].divisions
    (0, 4, 5)
    """

    def __init__(self, frame: Any) -> None:
        self._frame = frame

    def _positions(self, key: Any) -> list[int]:
        n = self._frame.npartitions
        if isinstance(key, slice):
            return list(range(n))[key]
        if isinstance(key, int | np.integer):
            key = [key]
        arr = np.asarray(key)
        if arr.shape == (0,):  # an empty list has a float dtype; it selects nothing
            return []
        if arr.dtype == bool:
            if arr.shape != (n,):
                raise IndexError(f"A boolean mask of partitions needs {n} values, got {arr.size}.")
            return np.flatnonzero(arr).tolist()
        if arr.ndim != 1 or arr.dtype.kind not in "iu":
            raise TypeError(
                f"partitions[...] takes an int, a slice, a list of ints or a boolean mask, "
                f"got {key!r}."
            )
        bad = [int(i) for i in arr if not -n <= i < n]
        if bad:
            raise IndexError(f"Partition(s) {bad} out of range for {n} partitions.")
        return [int(i) % n for i in arr]

    def __getitem__(self, key: Any) -> Any:
        frame = self._frame
        chosen = self._positions(key)
        if not chosen:
            raise IndexError(f"partitions[{key!r}] selects no partition; select at least one.")
        divs = frame.divisions
        if all(a < b for a, b in pairwise(chosen)):
            divisions = (*[divs[i] for i in chosen], divs[chosen[-1] + 1])
        else:
            divisions = (None,) * (len(chosen) + 1)
        name = f"partitions-{tokenize(frame, chosen)}"
        layers = merge_layers(frame)
        layers[name] = {(name, j): (_identity, (frame._name, i)) for j, i in enumerate(chosen)}
        return new_collection(layers, name, frame.meta, divisions)


class PartitionsMixin:
    """``frame.partitions``."""

    @property
    def partitions(self) -> PartitionIndexer:
        """Select partitions by position: ``df.partitions[0]``, ``df.partitions[1:3]``.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": range(4)}, npartitions=4).partitions[::2].npartitions
        2
        """
        return PartitionIndexer(self)


def _row_counts(part: Any, subset: Any) -> pd.Series:
    """Each distinct row of ``subset`` (missing values too), in order of first
    appearance, with its count: all that pandas' ordering of the counts depends on."""
    grouped = part.groupby(subset, sort=False, dropna=False, observed=True)
    return grouped.size().rename("count")


def _merge_row_counts(parts: list[pd.Series]) -> pd.Series:
    joined = pd.concat(parts)
    levels = list(range(joined.index.nlevels))
    return joined.groupby(level=levels, sort=False, dropna=False, observed=True).sum()


def _level_values(index: pd.Index, dtypes: list[Any]) -> list[pd.Index]:
    """The values of each level of ``index``, in the dtypes of the columns they came
    from (grouping turns an ``object`` column of missing values into floats)."""
    levels = [index.get_level_values(i) for i in range(index.nlevels)]
    return [lv if isinstance(d, pd.CategoricalDtype) else lv.astype(d)
            for lv, d in zip(levels, dtypes, strict=True)]  # fmt: skip


def _final_row_counts(
    parts: list[pd.Series],
    dtypes: list[Any],
    sort: bool,
    ascending: bool,
    normalize: bool,
    dropna: bool,
    multi: bool,
) -> pd.Series:
    """pandas' ``value_counts`` of the rows summarised by ``parts``.

    pandas groups by the columns (``sort=False, observed=False``); the order of its
    groups, unobserved category combinations included, depends only on the order in
    which values and rows first appear.  Grouping the distinct rows, weighted by their
    counts, the same way gives the same groups in the same order.
    """
    merged = _merge_row_counts(parts)
    keys = _level_values(merged.index, dtypes)
    out = merged.groupby(keys, sort=False, dropna=dropna, observed=False).sum()
    if sort:
        out = out.sort_values(ascending=ascending, kind="stable")
    if normalize:
        out = (out / out.sum()).rename("proportion")
    if multi and not isinstance(out.index, pd.MultiIndex):  # one column listed: pandas' way
        out.index = pd.MultiIndex.from_arrays([out.index], names=[out.index.name])
    return out


class RowCountsMixin:
    """``DataFrame.value_counts``."""

    def value_counts(self, *args: Any, **kwargs: Any) -> Any:
        """Counts of distinct rows (of the ``subset`` columns), most frequent first.

        Takes pandas' ``subset=None, normalize=False, sort=True, ascending=False,
        dropna=True`` and ``split_every=None`` (fan-in of the tree reduction).  As in
        pandas, rows with a missing value are left out unless ``dropna=False``, ties keep
        the order of first appearance, and a list ``subset`` (or the default, all
        columns) gives a MultiIndex with one level per column.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2, 1], "b": [0, 0, 0]}, npartitions=2)
        >>> df.value_counts().compute()
        a  b
        1  0    2
        2  0    1
        Name: count, dtype: int64
        """
        return _frame_value_counts(self, *args, **kwargs)


def _frame_value_counts(
    frame: Any,
    subset: Any = None,
    normalize: bool = False,
    sort: bool = True,
    ascending: bool = False,
    dropna: bool = True,
    split_every: int | None = None,
) -> Any:
    subset = list(frame.columns) if subset is None else subset
    multi = isinstance(subset, list | tuple | pd.Index)
    subset = list(subset) if multi else subset
    frame._check_columns(subset if multi else [subset])
    meta = nonempty(frame.meta).value_counts(subset=subset, normalize=normalize)
    return reduction(
        frame,
        partial(_row_counts, subset=subset),
        _merge_row_counts,
        partial(
            _final_row_counts,
            dtypes=list(frame.meta[subset if multi else [subset]].dtypes),
            sort=sort,
            ascending=ascending,
            normalize=normalize,
            dropna=dropna,
            multi=multi,
        ),
        meta.iloc[:0],
        split_every,
        prefix="value-counts-rows",
    )
