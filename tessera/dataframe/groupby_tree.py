"""The task graph of a grouped aggregation: its inputs, and a tree per output partition.

Map
---
- :func:`normalize_by` -- the inputs: ``by`` (column names and/or Series, alone or in a
  list) as column labels and :class:`~tessera.dataframe.groupby_aggs.SeriesKey` slots
  for the key Series, which must have the frame's partitioning.  A Series that is a
  plain column selection of the frame (``df.k``, same graph name as ``df["k"]``) is
  that column's label, as pandas treats a column it finds in the frame.
- :func:`index_keys` -- ``by``/``level`` with the index levels they name made lazy key
  Series of the frame's partitioning: names in ``by`` that are index level names and
  not columns (pandas' rule; a name that is both is ambiguous, a ``ValueError``) and
  ``level=`` numbers or names.  ``df.index`` is already such a Series (a lazy
  :class:`~tessera.dataframe.index.Index`).  The rest of the machinery (tree
  reductions, scans, shuffles) then sees ordinary key Series.
- :func:`check_splits` -- validate ``split_every`` and ``split_out``.
- :func:`grouped_reduction` -- ``chunk`` on each partition of a frame together with the
  matching partitions of its key Series; with ``split_out > 1`` each chunk's partial is
  split by a hash of the group keys and every output partition ``j`` gets its own tree
  over the ``j``-th pieces; ``combine`` merges at most ``split_every`` (default 8)
  partials at a time, in partition order;
  :func:`~tessera.dataframe.groupby_output.finalize` makes output partition ``j``.

This is :func:`tessera.dataframe.reductions.reduction` generalized to several aligned
inputs and several outputs (a group lands in exactly one output partition, so outputs
never need merging).  Output divisions are unknown.

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"k": list(range(10)) * 2, "v": range(20)}, npartitions=4)
>>> out = df.groupby("k").v.sum(split_out=3, split_every=2)
>>> out.npartitions, sorted(out.compute().tolist())
(3, [10, 12, 14, 16, 18, 20, 22, 24, 26, 28])
"""

from __future__ import annotations

import operator
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import merge_layers, new_collection, partitionwise
from tessera.dataframe.groupby_aggs import Plan, SeriesKey, chunk, combine
from tessera.dataframe.groupby_output import finalize
from tessera.hashing import tokenize

__all__ = ["check_splits", "grouped_reduction", "index_keys", "normalize_by"]


def _column_of(frame: Any, key: Any) -> Any:
    """The column label of ``frame`` that ``key`` is a plain selection of, else None."""
    if not hasattr(frame, "columns"):
        return None
    try:
        if key.name in frame.columns and frame[key.name]._name == key._name:
            return key.name
    except TypeError:  # an unhashable name
        pass
    return None


def _check_aligned(frame: Any, key: Any) -> None:
    if key.npartitions != frame.npartitions or (
        frame.known_divisions and key.known_divisions and key.divisions != frame.divisions
    ):
        raise ValueError(
            f"Cannot group by a Series with {key.npartitions} partitions and divisions "
            f"{key.divisions} a frame with {frame.npartitions} partitions and divisions "
            f"{frame.divisions}: group keys must come from the same partitioning (e.g. "
            "df.groupby(df.k % 3)); repartition one of them first."
        )


def normalize_by(frame: Any, by: Any) -> tuple[tuple[Any, ...], list[Any]]:
    """The grouping keys of ``frame.groupby(by)``: column labels and
    :class:`~tessera.dataframe.groupby_aggs.SeriesKey` slots, and the key Series.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"k": [1, 2], "v": [3, 4]}, npartitions=1)
    >>> keys, series = normalize_by(df, ["k", df.k, df.v % 2])
    >>> keys, len(series)
    (('k', 'k', SeriesKey(i=0)), 1)
    """
    from tessera.dataframe.core import DataFrame, Series

    keys: list[Any] = []
    series: list[Any] = []
    for k in by if isinstance(by, list) else [by]:
        if isinstance(k, Series):
            label = _column_of(frame, k)
            if label is None:
                _check_aligned(frame, k)
                series.append(k)
                label = SeriesKey(len(series) - 1)
            keys.append(label)
        elif isinstance(k, DataFrame | pd.Series | pd.Index | np.ndarray) or callable(k):
            raise NotImplementedError(
                f"groupby by {type(k).__name__} is not supported; group by column names, "
                "index level names (or level=), df.index and/or tessera Series of the same "
                "partitioning (e.g. df.groupby(df.k % 3))."
            )
        elif isinstance(frame, Series):
            raise KeyError(
                f"Series.groupby({k!r}): a Series has no columns and {k!r} is not one of its "
                f"index level names {list(frame.meta.index.names)}; group it by a level or by "
                "a Series of the same partitioning, e.g. df.v.groupby(df.k)."
            )
        else:
            frame._check_columns([k])
            keys.append(k)
    if not keys:
        raise ValueError("No group keys passed: groupby(by) needs a column or a Series.")
    return tuple(keys), series


def _level_values(part: Any, level: Any) -> pd.Series:
    """One level of ``part``'s index as a key Series (on that index)."""
    values = part.index.get_level_values(level)
    return pd.Series(values, index=part.index, name=values.name, copy=False)


def _level_key(frame: Any, level: Any) -> Any:
    meta = _level_values(frame.meta, level)
    return partitionwise(_level_values, frame, level, meta=meta, prefix="groupby-level")


def _index_key(frame: Any, key: Any) -> Any:
    """``key`` as a key Series if it names a level of ``frame``'s index, else ``key``."""
    arrays = pd.Series | pd.Index | np.ndarray | list
    if key is None or hasattr(key, "divisions") or callable(key) or isinstance(key, arrays):
        return key
    try:
        in_columns = hasattr(frame, "columns") and key in frame.columns
        level = key in frame.meta.index.names
    except TypeError:  # unhashable: normalize_by says what is accepted
        return key
    if level and in_columns:
        raise ValueError(
            f"{key!r} is both an index level and a column label, which is ambiguous; "
            "rename one of them, or group by level= for the index."
        )
    return _level_key(frame, key) if level else key


def index_keys(frame: Any, by: Any, level: Any = None) -> Any:
    """``frame.groupby(by, level=level)``'s ``by`` with index keys as lazy key Series.

    >>> import pandas as pd, tessera.dataframe as dd
    >>> pdf = pd.DataFrame({"v": [1, 2, 3]}, index=pd.Index([5, 6, 5], name="g"))
    >>> df = dd.from_pandas(pdf, npartitions=2, sort=False)
    >>> key = index_keys(df, "g")
    >>> key.name, key.compute().tolist()
    ('g', [5, 6, 5])
    >>> [k.name for k in index_keys(df, None, level=[0])]
    ['g']
    """
    if level is None:
        if by is None:
            raise TypeError("You have to supply one of 'by' and 'level' to groupby.")
        keys = [_index_key(frame, k) for k in (by if isinstance(by, list) else [by])]
        return keys if isinstance(by, list) else keys[0]
    if by is not None:
        raise TypeError(
            f"groupby got by={by!r} and level={level!r}; pass one of them (by= may mix "
            "columns and index level names)."
        )
    frame.meta.groupby(level=level)  # pandas checks the level
    many = isinstance(level, list | tuple)
    keys = [_level_key(frame, lv) for lv in (level if many else [level])]
    return keys if many else keys[0]


def check_splits(split_every: Any, split_out: Any) -> tuple[int, int]:
    """Validate ``split_every`` (default 8) and ``split_out`` (default 1).

    >>> check_splits(None, None)
    (8, 1)
    """
    split_every = 8 if split_every is None else split_every
    split_out = 1 if split_out is None else split_out
    if isinstance(split_every, bool) or not isinstance(split_every, int) or split_every < 2:
        raise ValueError(f"split_every must be an integer >= 2, got {split_every!r}.")
    if isinstance(split_out, bool) or not isinstance(split_out, int) or split_out < 1:
        raise ValueError(
            f"split_out must be a positive integer (the number of output partitions), "
            f"got {split_out!r}."
        )
    return split_every, split_out


def grouped_reduction(
    frame: Any, keys: list[Any], plan: Plan, split_every: int | None, prefix: str = "groupby"
) -> Any:
    """The result of ``plan`` over ``frame`` grouped with key Series ``keys``.

    ``plan.split_out`` output partitions; ``split_every`` partials merged per task.
    """
    split_every, split_out = check_splits(split_every, plan.split_out)
    inputs = [frame, *keys]
    token = tokenize(inputs, plan, split_every)
    layers = merge_layers(*inputs)
    cname = f"{prefix}-chunk-{token}"
    chunk_fn, combine_fn = partial(chunk, plan), partial(combine, plan=plan)
    layers[cname] = {
        (cname, i): (chunk_fn, *[(x._name, i) for x in inputs]) for i in range(frame.npartitions)
    }
    pieces: list[list[Any]] = [[(cname, i) for i in range(frame.npartitions)]]
    if split_out > 1:
        sname = f"{prefix}-split-{token}"
        layers[sname] = {
            (sname, i, j): (operator.getitem, (cname, i), j)
            for i in range(frame.npartitions)
            for j in range(split_out)
        }
        pieces = [[(sname, i, j) for i in range(frame.npartitions)] for j in range(split_out)]
    depth = 0
    while len(pieces[0]) > split_every:
        depth += 1
        lname = f"{prefix}-combine-{depth}-{token}"
        layer: dict[Any, Any] = {}
        for j, level in enumerate(pieces):
            groups = [level[i : i + split_every] for i in range(0, len(level), split_every)]
            layer.update({(lname, j, g): (combine_fn, grp) for g, grp in enumerate(groups)})
            pieces[j] = [(lname, j, g) for g in range(len(groups))]
        layers[lname] = layer
    name = f"{prefix}-{token}"
    final = partial(finalize, plan=plan)
    layers[name] = {(name, j): (final, level) for j, level in enumerate(pieces)}
    return new_collection(layers, name, plan.result_meta, (None,) * (split_out + 1))
