"""Label indexing (``loc``) and column positions (``iloc``) for DataFrame and Series.

Map
---
- :class:`LocIndexer` -- ``obj.loc[rows]`` and ``df.loc[rows, cols]``.  ``rows`` is a
  label, a label slice (both ends included, either may be open), a list of labels, a
  boolean Series of the same partitioning, or a callable returning one of those.  With
  known divisions only the partitions whose bounds can hold the labels are read, and the
  result's divisions are narrowed to the labels; with unknown divisions every partition
  is filtered.  ``cols`` is anything pandas' ``.loc`` takes for columns.
- :class:`ILocIndexer` -- ``df.iloc[:, cols]`` (column positions) only, as in Dask.
- :func:`label_bounds` -- a label (or a partial date string) as closed bounds.

Policy (as in Dask, where pandas cannot be followed lazily): a scalar label gives the
*rows* with that label as a frame of the same kind (pandas' ``.loc[[label]]``), since
how many rows match is unknown until computed, and a label that is absent gives no rows
rather than a ``KeyError``.  A list of labels gives its rows partition by partition (in
list order within a partition); with known divisions a label outside every partition's
bounds raises ``KeyError`` at once and a label missing inside the bounds raises it when
computed, as pandas does; with unknown divisions absent labels are skipped.  On a
``DatetimeIndex`` a string such as ``"2000-01"`` selects the whole period.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"x": range(6)}, index=list("abcdef")), npartitions=3)
>>> part = df.loc["b":"c"]
>>> part.npartitions, part.divisions
(2, ('b', 'c', 'c'))
>>> part.compute().x.tolist()
[1, 2]
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import Apply, Slot, merge_layers, new_collection, partitionwise
from tessera.hashing import tokenize

__all__ = ["ILocIndexer", "LocIndexer", "label_bounds"]


def label_bounds(index: pd.Index, label: Any) -> tuple[Any, Any]:
    """The closed bounds ``(lo, hi)`` of the labels that ``label`` selects in ``index``.

    A string on a ``DatetimeIndex`` selects its whole period (pandas' partial string
    indexing); any other label selects itself.

    >>> label_bounds(pd.DatetimeIndex([], dtype="datetime64[s]"), "2000-02")
    (Timestamp('2000-02-01 00:00:00'), Timestamp('2000-02-29 23:59:59'))
    >>> label_bounds(pd.Index([1, 2]), 2)
    (2, 2)
    """
    if not (isinstance(label, str) and isinstance(index, pd.DatetimeIndex)):
        return label, label
    try:
        period = pd.Period(label)
        lo = period.start_time.as_unit(index.unit)
        hi = (period + 1).start_time.as_unit(index.unit) - pd.Timedelta(1, index.unit)
    except ValueError:  # a string that names an instant rather than a period
        lo = hi = pd.Timestamp(label)
    if index.tz is not None:
        lo, hi = lo.tz_localize(index.tz), hi.tz_localize(index.tz)
    return lo, hi


def _loc_range(part: Any, lo: Any, hi: Any) -> Any:
    """The rows of ``part`` with ``lo <= label <= hi`` (``None``: open end)."""
    index = part.index
    if index.is_monotonic_increasing:
        start = 0 if lo is None else index.searchsorted(lo, side="left")
        stop = len(index) if hi is None else index.searchsorted(hi, side="right")
        return part.iloc[start:stop]
    mask = np.ones(len(index), dtype=bool)
    if lo is not None:
        mask &= np.asarray(index >= lo)
    if hi is not None:
        mask &= np.asarray(index <= hi)
    return part.loc[mask]


def _loc_labels(part: Any, labels: list[Any], strict: bool) -> Any:
    """The rows of ``part`` with the ``labels``, in list order; ``strict``: all must exist."""
    if not strict:
        labels = [label for label in labels if label in part.index]
    return part.loc[labels]


def _loc_columns(part: Any, cols: Any) -> Any:
    return part.loc[:, cols]


def _iloc_columns(part: Any, cols: Any) -> Any:
    return part.iloc[:, cols]


def _loc_mask(part: Any, mask: Any) -> Any:
    return part.loc[mask]


def _partition_of(divisions: tuple[Any, ...], label: Any) -> int:
    """The partition whose bounds can hold ``label`` (-1 below the first, n above the last)."""
    n = len(divisions) - 1
    try:
        if label < divisions[0]:
            return -1
        if label > divisions[-1]:
            return n
        return min(bisect_right(divisions, label) - 1, n - 1)
    except TypeError as e:
        raise TypeError(
            f"Cannot compare the label {label!r} ({type(label).__name__}) with the index "
            f"divisions {divisions[0]!r}..{divisions[-1]!r}; pass labels of the index's type."
        ) from e


def _with_tasks(obj: Any, prefix: str, tasks: dict[int, Apply], divisions: list[Any]) -> Any:
    """A frame whose partition ``j`` is ``tasks[i](partition i of obj)``, ``i`` ascending."""
    name = f"{prefix}-{tokenize(obj, sorted(tasks.items(), key=lambda kv: kv[0]))}"
    layers = merge_layers(obj)
    layers[name] = {
        (name, j): (task, (obj._name, i)) for j, (i, task) in enumerate(sorted(tasks.items()))
    }
    return new_collection(layers, name, obj.meta, tuple(divisions))


def _select_range(obj: Any, lo: Any, hi: Any) -> Any:
    if not obj.known_divisions:
        return partitionwise(_loc_range, obj, lo, hi, meta=obj.meta, prefix="loc")
    divisions = obj.divisions
    n = obj.npartitions
    first = 0 if lo is None else max(_partition_of(divisions, lo), 0)
    last = n - 1 if hi is None else min(_partition_of(divisions, hi), n - 1)
    task = Apply(_loc_range, (Slot(0), lo, hi))
    if first > last:  # nothing can match: one empty partition
        return _with_tasks(obj, "loc", {0: task}, list(divisions[:2]))
    new = list(divisions[first : last + 2])
    if lo is not None and lo > new[0]:
        new[0] = lo
    if hi is not None and hi < new[-1]:
        new[-1] = hi
    return _with_tasks(obj, "loc", dict.fromkeys(range(first, last + 1), task), new)


def _select_labels(obj: Any, labels: list[Any]) -> Any:
    if not obj.known_divisions:
        return partitionwise(_loc_labels, obj, labels, False, meta=obj.meta, prefix="loc")
    groups: dict[int, list[Any]] = {}
    for label in labels:
        i = _partition_of(obj.divisions, label)
        if not 0 <= i < obj.npartitions:
            raise KeyError(
                f"{[label]!r} not in index: it is outside the index bounds "
                f"{obj.divisions[0]!r}..{obj.divisions[-1]!r}."
            )
        groups.setdefault(i, []).append(label)
    if not groups:
        empty = Apply(_loc_labels, (Slot(0), [], True))
        return _with_tasks(obj, "loc", {0: empty}, list(obj.divisions[:2]))
    order = sorted(groups)
    divisions = [min(groups[i]) for i in order] + [max(groups[order[-1]])]
    tasks = {i: Apply(_loc_labels, (Slot(0), groups[i], True)) for i in order}
    return _with_tasks(obj, "loc", tasks, divisions)


def _is_bool_list(key: Any) -> bool:
    values = np.asarray(key)
    return values.dtype == bool or (
        len(values) > 0 and all(isinstance(v, bool | np.bool_) for v in values)
    )


def _select_rows(obj: Any, rows: Any) -> Any:
    from tessera.dataframe.core import DataFrame, Series
    from tessera.dataframe.scalar import Scalar

    if isinstance(rows, slice):
        if rows.step is not None:
            raise NotImplementedError(
                f"loc slices with a step are not supported (got step={rows.step!r}); "
                "select the range, then filter the rows with a boolean mask."
            )
        if rows.start is None and rows.stop is None:
            return obj
        lo = None if rows.start is None else label_bounds(obj.index, rows.start)[0]
        hi = None if rows.stop is None else label_bounds(obj.index, rows.stop)[1]
        return _select_range(obj, lo, hi)
    if isinstance(rows, DataFrame):
        raise ValueError("Cannot index with multidimensional key: loc takes a boolean Series.")
    if isinstance(rows, Series):
        if rows.dtype != bool:
            raise NotImplementedError(
                f"loc with a lazy Series of labels (dtype {rows.dtype}) is not supported; "
                "pass a boolean Series mask, or compute the labels into a list first."
            )
        return obj[rows]
    if isinstance(rows, Scalar):
        raise NotImplementedError("loc with a lazy Scalar label is not supported; compute it.")
    if isinstance(rows, pd.Series) and rows.dtype == bool:
        return partitionwise(_loc_mask, obj, rows, meta=obj.meta, prefix="loc")
    if isinstance(rows, list | np.ndarray | pd.Index | pd.Series):
        if _is_bool_list(rows):
            raise NotImplementedError(
                "loc with a boolean list or array is not supported: the partition lengths "
                "are unknown. Use a boolean tessera Series such as df.loc[df.x > 0]."
            )
        return _select_labels(obj, [label_bounds(obj.index, r)[0] for r in rows])
    lo, hi = label_bounds(obj.index, rows)
    return _select_range(obj, lo, hi)


def _is_everything(key: Any) -> bool:
    return isinstance(key, slice) and key == slice(None)


def _select_columns(obj: Any, cols: Any) -> Any:
    if _is_everything(cols):
        return obj
    if isinstance(cols, list | pd.Index) and not _is_bool_list(cols):
        obj._check_columns(list(cols))
    elif not isinstance(cols, slice | list | pd.Index | np.ndarray | pd.Series):
        obj._check_columns([cols])
    return partitionwise(_loc_columns, obj, cols, prefix="loc-columns")


def _resolve(obj: Any, key: Any) -> Any:
    """pandas calls a callable key with the object to get the real key."""
    return key(obj) if callable(key) else key


class LocIndexer:
    """``obj.loc[...]``: label-based selection (see the module map).

    >>> import pandas as pd, tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"x": range(5), "y": range(5)}), npartitions=2)
    >>> df.loc[3:, "y"].compute().tolist()
    [3, 4]
    >>> df.loc[df.x % 2 == 0, ["x"]].compute().x.tolist()
    [0, 2, 4]
    """

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __getitem__(self, key: Any) -> Any:
        obj = self.obj
        if isinstance(key, tuple):
            if isinstance(obj.meta, pd.Series) or len(key) != 2:
                raise pd.errors.IndexingError(
                    f"Too many indexers: {type(obj).__name__}.loc takes rows "
                    f"{'' if isinstance(obj.meta, pd.Series) else 'or (rows, columns)'}, "
                    f"got a tuple of {len(key)}."
                )
            rows, cols = key
            obj = _select_columns(obj, _resolve(obj, cols))
            return _select_rows(obj, _resolve(self.obj, rows))
        return _select_rows(obj, _resolve(obj, key))


class ILocIndexer:
    """``df.iloc[:, cols]``: columns by position (row positions are not supported).

    >>> import pandas as pd, tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"x": [1, 2], "y": [3, 4]}), npartitions=2)
    >>> df.iloc[:, [1]].columns.tolist()
    ['y']
    >>> df.iloc[0]
    Traceback (most recent call last):
      ...
    NotImplementedError: tessera supports only column selection with iloc: df.iloc[:, cols]...
    """

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __getitem__(self, key: Any) -> Any:
        rows_all = isinstance(key, tuple) and len(key) == 2 and _is_everything(key[0])
        if isinstance(self.obj.meta, pd.Series) or not rows_all:
            raise NotImplementedError(
                "tessera supports only column selection with iloc: df.iloc[:, cols]. Row "
                "positions are unknown until every partition's length is computed; use "
                "head(n) or tail(n), loc with index labels, a boolean mask, or "
                "get_partition(i) instead."
            )
        cols = key[1]
        self.obj.meta.iloc[:, cols]  # pandas validates the positions (IndexError)
        return partitionwise(_iloc_columns, self.obj, cols, prefix="iloc")
