"""Sorting frames: ``set_index`` and ``sort_values`` through a range shuffle.

Map
---
- :func:`sample_key` / :func:`boundaries` -- approximate quantiles: each partition sends
  a random sample of its key (and its exact min and max), weighted by the rows each
  sampled value stands for; the weighted quantiles of all samples cut the key's range
  into ``npartitions`` ranges.  This is one eager pass over the data, as in Dask.
- :func:`set_index` -- range-shuffle rows by the new index column
  (:class:`~tessera.dataframe.shuffle.RangePartitioner`, on disk), then set the index
  and sort each partition: the result has known divisions.  ``sorted=True`` skips the
  shuffle: per-partition min and max (one eager pass) give the divisions, and rows of
  a value that straddles two partitions are moved together.  A Series of the same
  partitioning (``df.set_index(df.x + 1)``) is assigned as a hidden column, set as the
  index and renamed after the Series (pandas keeps every column then, whatever
  ``drop``); several columns (a MultiIndex) are not supported, as in Dask.
- :func:`sort_values` -- range-shuffle by the first ``by`` column (descending ranges for
  ``ascending=False``, missing values in the first or last partition), then
  ``sort_values(kind="stable")`` in each partition.

Order policy: the shuffle keeps the input order of rows that meet, and each partition is
sorted stably, so ties come out in their original order -- the result equals pandas'
``sort_values(..., kind="stable")`` and ``set_index(col).sort_index(kind="stable")``.
The index of a categorical column is sorted by category order but its divisions are
left unknown.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"x": [3, 1, 2, 5, 4], "y": list("abcde")}), npartitions=2)
>>> out = set_index(df, "x")
>>> out.known_divisions, out.compute().y.tolist()
(True, ['b', 'c', 'a', 'e', 'd'])
"""

from __future__ import annotations

from functools import partial
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import new_collection, partitionwise
from tessera.dataframe.repartition import check_divisions, partition_stats, range_gather
from tessera.dataframe.shuffle import VALUES, RangePartitioner, key_of, orderable, shuffle

__all__ = ["boundaries", "sample_key", "set_index", "sort_values"]

Sample = tuple[int, Any, Any]


def sample_key(part: Any, column: Any, size: int) -> Sample:
    """``(rows, values, weights)``: a random sample of the non-missing key plus min and max.

    >>> n, values, weights = sample_key(pd.DataFrame({"x": [3.0, None, 1.0]}), "x", 10)
    >>> n, values.tolist(), weights.tolist()
    (2, [3.0, 1.0], [1.0, 1.0])
    """
    key = orderable(key_of(part, column)).dropna()
    n = len(key)
    if n <= size:
        return n, key.reset_index(drop=True), np.ones(n)
    picks = key.iloc[np.random.default_rng(n).integers(0, n, size)]
    ends = pd.Series([key.min(), key.max()], dtype=key.dtype)
    values = pd.concat([picks, ends], ignore_index=True)
    return n, values, np.concatenate([np.full(size, n / size), [0.0, 0.0]])


def boundaries(samples: list[Sample], npartitions: int) -> pd.Series | None:
    """At most ``npartitions + 1`` distinct sorted cut points (None when there are no values).

    >>> s = sample_key(pd.DataFrame({"x": range(10)}), "x", 100)
    >>> boundaries([s], 3).tolist()
    [0, 3, 6, 9]
    """
    got = [s for s in samples if s[0]]
    if not got:
        return None
    values = pd.concat([s[1] for s in got], ignore_index=True)
    order = np.asarray(values.argsort(kind="stable"))
    values = values.iloc[order].reset_index(drop=True)
    cum = np.cumsum(np.concatenate([s[2] for s in got])[order])
    quantiles = cum[-1] * np.arange(1, npartitions) / npartitions
    pos = np.minimum(np.searchsorted(cum, quantiles, side="left"), len(values) - 1)
    cuts = pd.concat([values.iloc[:1], values.iloc[pos], values.iloc[-1:]])
    cuts = cuts.drop_duplicates().reset_index(drop=True)
    return cuts if len(cuts) > 1 else pd.concat([cuts, cuts], ignore_index=True)


def _sample_size(npartitions: int) -> int:
    return min(10_000, max(100, 25 * npartitions))


def _range_shuffle(
    frame: Any, column: Any, cuts: pd.Series | None, ascending: bool, na_first: bool, prefix: str
) -> Any:
    inner = pd.Series([], dtype=float) if cuts is None else cuts.iloc[1:-1].reset_index(drop=True)
    partitioner = RangePartitioner(column, inner, ascending, na_first)
    return shuffle(frame, partitioner, len(inner) + 1, prefix=prefix)


def _index_and_sort(part: Any, column: Any, drop: bool) -> Any:
    return part.set_index(column, drop=drop).sort_index(kind="stable", na_position="last")


def _key_bounds(part: Any, column: Any) -> tuple[Any, Any, bool]:
    key = part[column]
    nulls = bool(key.isna().any())
    key = key.dropna()
    if not len(key):
        return None, None, nulls
    low, high = pd.Series([key.min(), key.max()], dtype=key.dtype).tolist()  # Python scalars
    return low, high, nulls


def _set_sorted(frame: Any, column: Any, drop: bool, meta: Any) -> Any:
    bounds = partition_stats(frame, partial(_key_bounds, column=column))
    full = [k for k, b in enumerate(bounds) if b[0] is not None]
    for a, b in pairwise(full):
        if bounds[a][1] > bounds[b][0]:
            raise ValueError(
                f"set_index({column!r}, sorted=True): the column is not sorted across "
                f"partitions (partition {a} ends at {bounds[a][1]!r}, partition {b} starts "
                f"at {bounds[b][0]!r}); leave sorted=False to sort it."
            )
    nulls = [k for k, b in enumerate(bounds) if b[2]]
    if nulls and nulls != [frame.npartitions - 1]:
        raise ValueError(
            f"set_index({column!r}, sorted=True): missing values in partitions {nulls}; "
            "with sorted=True they may only be in the last one. Leave sorted=False."
        )
    indexed = partitionwise(_index_and_sort, frame, column, drop, meta=meta, prefix="set-index")
    if not full:
        return indexed
    lows = [bounds[k][0] for k in full]
    divisions = [*lows, bounds[full[-1]][1]]
    strict = all(bounds[a][1] < bounds[b][0] for a, b in pairwise(full))
    if strict and len(full) == frame.npartitions:
        return new_collection(indexed.layers, indexed._name, meta, tuple(divisions))
    unique = list(dict.fromkeys(divisions))
    intervals = [(b[0], b[1]) if b[0] is not None else None for b in bounds]
    return range_gather(indexed, intervals, tuple(unique if len(unique) > 1 else unique * 2))


#: The hidden column that carries a Series through :func:`set_index`.
_SERIES_KEY = "__tessera-set-index__"


def _named_index(part: Any, name: Any) -> Any:
    return part.set_axis(part.index.rename(name))


def _set_series_index(
    frame: Any, series: Any, sorted: bool, divisions: Any, npartitions: int | None
) -> Any:
    keyed = frame.assign(**{_SERIES_KEY: series})
    out = set_index(keyed, _SERIES_KEY, True, sorted, divisions, npartitions)
    meta = _named_index(out.meta, series.name)
    return partitionwise(_named_index, out, series.name, meta=meta, prefix="set-index-name")


def set_index(
    frame: Any,
    column: Any,
    drop: bool = True,
    sorted: bool = False,
    divisions: Any = None,
    npartitions: int | None = None,
) -> Any:
    """Make ``column`` the sorted index; see :meth:`tessera.dataframe.DataFrame.set_index`.

    ``column`` is a column label, a list of one label, or a Series of the same
    partitioning as ``frame`` (the index is then named after the Series, and ``drop``
    does not apply, as in pandas).

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"x": [2, 2, 1, 3]}), npartitions=2)
    >>> set_index(df, "x", sorted=False, npartitions=2).compute().index.tolist()
    [1, 2, 2, 3]
    >>> out = set_index(df, df.x * 10).compute()
    >>> out.index.name, out.index.tolist(), out.x.tolist()
    ('x', [10, 20, 20, 30], [1, 2, 2, 3])
    """
    from tessera.dataframe.core import Series

    if isinstance(column, list) and len(column) == 1:
        column = column[0]
    if isinstance(column, Series):
        return _set_series_index(frame, column, sorted, divisions, npartitions)
    if isinstance(column, list):
        raise NotImplementedError(
            f"set_index with several columns {column!r} (a MultiIndex) is not supported "
            "(nor in Dask); set one column as the index, e.g. a column combining them."
        )
    if hasattr(column, "divisions") or isinstance(column, pd.Series | pd.Index | np.ndarray):
        raise NotImplementedError(
            f"set_index takes a column label or a tessera Series; got a "
            f"{type(column).__name__}. Convert it with dd.from_pandas to the frame's "
            "partitioning, or assign it as a column first."
        )
    frame._check_columns([column])
    meta = frame.meta.set_index(column, drop=drop)
    categorical = isinstance(frame.meta[column].dtype, pd.CategoricalDtype)
    if sorted and divisions is not None:
        divs = check_divisions(divisions)
        if len(divs) != frame.npartitions + 1:
            raise ValueError(
                f"set_index(sorted=True, divisions=...) needs {frame.npartitions + 1} "
                f"divisions (one more than the partitions), got {len(divs)}."
            )
        indexed = partitionwise(
            _index_and_sort, frame, column, drop, meta=meta, prefix="set-index"
        )
        return new_collection(indexed.layers, indexed._name, meta, divs)
    if sorted and not categorical:
        return _set_sorted(frame, column, drop, meta)
    if divisions is not None and categorical:
        raise NotImplementedError(
            f"set_index({column!r}, divisions=...) on a categorical column is not "
            "implemented; leave divisions unset (they are sampled)."
        )
    if divisions is not None:
        cuts = pd.Series(list(check_divisions(divisions)))
    else:
        nout = frame.npartitions if npartitions is None else npartitions
        samples = partition_stats(
            frame, partial(sample_key, column=column, size=_sample_size(nout))
        )
        cuts = boundaries(samples, nout)
    shuffled = _range_shuffle(frame, column, cuts, True, False, "set-index")
    out = partitionwise(_index_and_sort, shuffled, column, drop, meta=meta, prefix="set-index")
    known = cuts is not None and not categorical
    divs = tuple(cuts.tolist()) if known else (None,) * (out.npartitions + 1)
    return new_collection(out.layers, out._name, meta, divs)


def _sort_part(part: Any, by: Any, ascending: Any, na_position: str) -> Any:
    kw = {"ascending": ascending, "kind": "stable", "na_position": na_position}
    return part.sort_values(**kw) if by is None else part.sort_values(by, **kw)


def sort_values(
    frame: Any,
    by: Any = None,
    ascending: bool | list[bool] = True,
    na_position: str = "last",
    npartitions: int | None = None,
) -> Any:
    """Sort rows by columns (a Series by its values); see ``DataFrame.sort_values``.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"x": [2, 3, 1]}), npartitions=2)
    >>> sort_values(df, "x", ascending=False).compute().x.tolist()
    [3, 2, 1]
    """
    is_series = isinstance(frame.meta, pd.Series)
    keys = [] if is_series else (by if isinstance(by, list) else [by])
    if not is_series:
        frame._check_columns(keys)
    asc = ascending if isinstance(ascending, list) else [ascending] * max(1, len(keys))
    if len(asc) != max(1, len(keys)) or not all(isinstance(a, bool) for a in asc):
        raise ValueError(
            f"ascending must be a bool or a list of {max(1, len(keys))} bools (one per "
            f"'by' column), got {ascending!r}."
        )
    if na_position not in ("first", "last"):
        raise ValueError(f"na_position must be 'first' or 'last', got {na_position!r}.")
    first = VALUES if is_series else keys[0]
    nout = frame.npartitions if npartitions is None else npartitions
    samples = partition_stats(frame, partial(sample_key, column=first, size=_sample_size(nout)))
    cuts = boundaries(samples, nout)
    shuffled = _range_shuffle(frame, first, cuts, asc[0], na_position == "first", "sort")
    by_arg = None if is_series else keys
    asc_arg = asc[0] if is_series or not isinstance(ascending, list) else asc
    return partitionwise(
        _sort_part, shuffled, by_arg, asc_arg, na_position, meta=frame.meta, prefix="sort-values"
    )
