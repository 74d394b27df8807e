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

On a ``MultiIndex`` (divisions are tuples) a label is a *key*: a scalar or a tuple of
the first levels.  A partial key (fewer levels than the index) gives pandas' ``.loc[key]``
-- its rows with the key's levels dropped -- and a complete key its rows with all levels
(``.loc[[key]]``, as a scalar label above).  A tuple ``df.loc[a, b]`` is a key unless
``b`` names columns (pandas tries the key first).  Slices (``"a":"b"``, tuple bounds) are
pandas' ``.loc`` per partition, which must be sorted as pandas requires of the whole.
With known divisions only the partitions whose bounds, cut to the key's depth, can hold
the key are read.  A list of partial keys is looked up in every partition (absent ones are
skipped).

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"x": range(6)}, index=list("abcdef")), npartitions=3)
>>> part = df.loc["b":"c"]
>>> part.npartitions, part.divisions
(2, ('b', 'c', 'c'))
>>> part.compute().x.tolist()
[1, 2]
>>> pairs = pd.MultiIndex.from_product([["a", "b"], [1, 2]], names=["k", "i"])
>>> s = dd.from_pandas(pd.Series([1.0, 2.0, 3.0, 4.0], index=pairs), npartitions=2)
>>> s.loc["b"].compute().to_dict()
{1: 3.0, 2: 4.0}
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


def _with_tasks(
    obj: Any, prefix: str, tasks: dict[int, Apply], divisions: Any, meta: Any = None
) -> Any:
    """A frame whose partition ``j`` is ``tasks[i](partition i of obj)``, ``i`` ascending."""
    name = f"{prefix}-{tokenize(obj, sorted(tasks.items(), key=lambda kv: kv[0]))}"
    layers = merge_layers(obj)
    layers[name] = {
        (name, j): (task, (obj._name, i)) for j, (i, task) in enumerate(sorted(tasks.items()))
    }
    return new_collection(layers, name, obj.meta if meta is None else meta, tuple(divisions))


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


def _prefix(key: Any) -> tuple[Any, ...] | None:
    """A label of a MultiIndex as a tuple of its first levels (None stays None)."""
    return key if isinstance(key, tuple) or key is None else (key,)


def _loc_prefix(part: Any, key: tuple[Any, ...], drop: bool) -> Any:
    """The rows of ``part`` whose first ``len(key)`` index levels are ``key``; those
    levels dropped when ``drop`` (pandas' ``.loc`` of a partial key)."""
    index = part.index
    mask = np.ones(len(index), dtype=bool)
    for level, label in enumerate(key):
        mask &= np.asarray(index.get_level_values(level) == label, dtype=bool)
    out = part.iloc[np.flatnonzero(mask)]
    return out.droplevel(list(range(len(key)))) if drop else out


def _loc_multi_range(part: Any, lo: Any, hi: Any) -> Any:
    return part.loc[lo:hi]  # pandas: each partition must be lexsorted, as the whole must


def _multi_parts(divisions: tuple[Any, ...], lo: Any, hi: Any) -> range:
    """The partitions whose bounds, cut to the depth of the prefixes ``lo``/``hi``, can
    hold labels between them (every partition for unknown divisions)."""
    n = len(divisions) - 1
    if divisions[0] is None:
        return range(n)
    try:
        hits = [
            i
            for i in range(n)
            if (lo is None or divisions[i + 1][: len(lo)] >= lo)
            and (hi is None or divisions[i][: len(hi)] <= hi)
        ]
    except TypeError as e:
        raise TypeError(
            f"Cannot compare the labels {lo!r}..{hi!r} with the index divisions "
            f"{divisions[0]!r}..{divisions[-1]!r}; pass labels of the index levels' types."
        ) from e
    return range(hits[0], hits[-1] + 1) if hits else range(1)


def _select_multi(obj: Any, lo: Any, hi: Any, task: Apply, meta: Any) -> Any:
    """``task`` on the partitions of a MultiIndex frame that can hold ``lo``..``hi``."""
    parts = _multi_parts(obj.divisions, lo, hi)
    keep = obj.known_divisions and meta.index.nlevels == obj.meta.index.nlevels
    bounds = obj.divisions[parts.start : parts.stop + 1]
    divisions = bounds if keep else (None,) * len(bounds)
    return _with_tasks(obj, "loc", dict.fromkeys(parts, task), divisions, meta)


def _select_key(obj: Any, label: Any) -> Any:
    """The rows of one label of a MultiIndex: a partial key (fewer levels than the index)
    drops its levels as pandas' ``.loc[key]``; a complete key keeps them (``.loc[[key]]``)."""
    key = label if isinstance(label, tuple) else (label,)
    nlevels = obj.meta.index.nlevels
    if len(key) > nlevels:
        raise pd.errors.IndexingError(
            f"Too many indexers: {label!r} has {len(key)} levels, the index {nlevels}."
        )
    if any(isinstance(k, slice | list | np.ndarray | pd.Index | pd.Series) for k in key):
        raise NotImplementedError(
            f"loc with slices or lists inside a MultiIndex key ({label!r}) is not supported; "
            "select one label per level, or filter with a boolean mask on the levels."
        )
    drop = len(key) < nlevels
    meta = obj.meta.droplevel(list(range(len(key)))) if drop else obj.meta
    task = Apply(_loc_prefix, (Slot(0), key, drop))
    return _select_multi(obj, key, key, task, meta)


def _is_row_key(meta: Any, key: tuple[Any, ...]) -> bool:
    """Whether pandas reads tuple ``key`` as one MultiIndex label, not ``(rows, columns)``:
    always on a Series; on a DataFrame unless it has two items, the second naming columns."""
    if not isinstance(meta.index, pd.MultiIndex):
        return False
    if isinstance(meta, pd.Series) or len(key) != 2:
        return True
    cols = key[1]
    if callable(cols) or isinstance(cols, slice | list | np.ndarray | pd.Index | pd.Series):
        return False
    try:
        return cols not in meta.columns
    except TypeError:
        return False


def _is_bool_list(key: Any) -> bool:
    values = np.asarray(key)
    return values.dtype == bool or (
        len(values) > 0 and all(isinstance(v, bool | np.bool_) for v in values)
    )


def _select_rows(obj: Any, rows: Any) -> Any:
    from tessera.dataframe.core import DataFrame, Series
    from tessera.dataframe.scalar import Scalar

    multi = isinstance(obj.meta.index, pd.MultiIndex)
    if isinstance(rows, slice):
        if rows.step is not None:
            raise NotImplementedError(
                f"loc slices with a step are not supported (got step={rows.step!r}); "
                "select the range, then filter the rows with a boolean mask."
            )
        if rows.start is None and rows.stop is None:
            return obj
        if multi:
            task = Apply(_loc_multi_range, (Slot(0), rows.start, rows.stop))
            return _select_multi(obj, _prefix(rows.start), _prefix(rows.stop), task, obj.meta)
        lo = None if rows.start is None else label_bounds(obj.meta.index, rows.start)[0]
        hi = None if rows.stop is None else label_bounds(obj.meta.index, rows.stop)[1]
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
        labels = [label_bounds(obj.meta.index, r)[0] for r in rows]
        depth = obj.meta.index.nlevels
        if multi and any(not isinstance(k, tuple) or len(k) < depth for k in labels):
            # a partial key may span partitions: look in all of them
            return partitionwise(_loc_labels, obj, labels, False, meta=obj.meta, prefix="loc")
        return _select_labels(obj, labels)
    if multi:
        return _select_key(obj, rows)
    lo, hi = label_bounds(obj.meta.index, rows)
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
        if isinstance(key, tuple) and not _is_row_key(obj.meta, key):
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
