"""Concatenating frames: :func:`concat` along the rows or the columns.

Map
---
- :func:`concat` -- validation, then:

  ``axis=0``
      the partitions of the inputs, one after another; each is conformed to the
      result's columns (:class:`Conform`: columns missing from an input are all-missing
      of the result's dtype, dtypes cast to the result's), so that every partition has
      the result's columns and dtypes.  Divisions stay known when all inputs' are known
      and each input ends before the next starts; with ``interleave_partitions=True``
      and known divisions, inputs are cut at the union of their divisions and the
      pieces of each range concatenated (known divisions, rows grouped by range);
      otherwise divisions are unknown;
  ``axis=1``
      inputs with known divisions are cut at the union of their divisions and
      concatenated side by side, partition by partition; unknown divisions raise.

The result's columns and dtypes are pandas' own: ``pd.concat`` of small non-empty fakes.
Categoricals (:mod:`tessera.dataframe.categorical`): known categories that differ give
what pandas gives (``str``/``object``); a column (or index) that is categorical in every
input and has unknown categories in one of them has unknown categories.  Partitions keep
their own categoricals then (never cast to the placeholder category); computing the
result joins them (:func:`~tessera.dataframe.categorical.unify_categoricals`).

>>> import pandas as pd, tessera.dataframe as dd
>>> a = dd.from_pandas(pd.DataFrame({"x": [1, 2]}), npartitions=1)
>>> b = dd.from_pandas(pd.DataFrame({"y": [0.5]}, index=[5]), npartitions=1)
>>> out = concat([a, b])
>>> out.divisions, out.compute().x.tolist()
((0, 5, 5), [1.0, 2.0, nan])
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import pandas as pd

from tessera.dataframe.categorical import (
    UNKNOWN_CATEGORIES,
    has_known_categories,
    unify_categoricals,
)
from tessera.dataframe.graph import merge_layers, new_collection, nonempty, partitionwise
from tessera.dataframe.repartition import align, concat_parts
from tessera.hashing import tokenize

__all__ = ["Conform", "concat"]

_pd_concat: Any = pd.concat  # join= is a checked str here, not a Literal


def _is_unknown(dtype: Any) -> bool:
    return isinstance(dtype, pd.CategoricalDtype) and not has_known_categories(dtype)


def _cast(values: Any, dtype: Any) -> Any:
    """``values`` (a Series) as ``dtype``; to unknown categories: its own categories."""
    if values.dtype == dtype:
        return values
    if _is_unknown(dtype):
        return (
            values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
        )
    return values.astype(dtype)


def _categorical_index(meta: Any, other: Any) -> bool:
    """Whether the index dtypes differ, one being categorical (pandas may give ``str``)."""
    a, b = meta.index, other.index
    if a.nlevels != 1 or b.nlevels != 1 or a.dtype == b.dtype:
        return False
    return isinstance(a.dtype, pd.CategoricalDtype) or isinstance(b.dtype, pd.CategoricalDtype)


def _conform_index(part: Any, meta: Any) -> Any:
    if not _categorical_index(meta, part):
        return part
    index = _cast(part.index.to_series(), meta.index.dtype)
    return part.set_axis(pd.Index(index, name=part.index.name))


@dataclass(frozen=True, eq=False)  # meta: a pandas object
class Conform:
    """Give a partition the columns and dtypes of ``meta``.

    >>> meta = pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)})
    >>> Conform(meta)(pd.DataFrame({"a": [1]})).dtypes.tolist()
    [dtype('float64'), dtype('O')]

    A column whose meta has unknown categories keeps the partition's own categories:

    >>> unknown = pd.Series([], dtype=pd.CategoricalDtype([UNKNOWN_CATEGORIES]), name="k")
    >>> Conform(unknown)(pd.Series(["a"], dtype="category", name="k")).cat.categories.tolist()
    ['a']
    """

    meta: Any

    def __call__(self, part: Any) -> Any:
        meta = self.meta
        if isinstance(meta, pd.Series):
            out = part if part.name == meta.name else part.rename(meta.name)
            return _cast(_conform_index(out, meta), meta.dtype)
        if isinstance(part, pd.Series):
            part = part.to_frame(name=0 if part.name is None else part.name)
        part = _conform_index(part, meta)
        columns = {}
        for c, dtype in meta.dtypes.items():
            if c in part.columns:
                columns[c] = _cast(part[c], dtype)
            else:
                missing = "category" if _is_unknown(dtype) else dtype
                columns[c] = pd.Series(index=part.index, dtype=missing)
        out = pd.DataFrame(columns, index=part.index)
        out.columns = meta.columns
        return out


def _same_structure(meta: Any, other: Any) -> bool:
    if type(meta) is not type(other):
        return False
    if _categorical_index(meta, other):
        return False
    if isinstance(meta, pd.Series):
        return bool(meta.name == other.name and meta.dtype == other.dtype)
    return meta.columns.equals(other.columns) and meta.dtypes.equals(other.dtypes)


def _dtypes(meta: Any) -> dict[Any, Any]:
    """Column -> dtype of a meta, a Series as the column pandas makes of it."""
    if isinstance(meta, pd.Series):
        return {0 if meta.name is None else meta.name: meta.dtype}
    return dict(meta.dtypes.items())


def _unknown_where_unknown(meta: Any, metas: list[Any]) -> Any:
    """``meta`` (``pd.concat`` of fakes) with unknown categories in each column and index
    that is categorical in every input having it and unknown in one of them (the fakes'
    placeholder categories would otherwise decide the dtype)."""

    def joined(dtypes: list[Any]) -> Any:
        if not dtypes or not all(isinstance(d, pd.CategoricalDtype) for d in dtypes):
            return None
        if not any(_is_unknown(d) for d in dtypes):
            return None
        ordered = any(d.ordered for d in dtypes)
        return pd.CategoricalDtype([UNKNOWN_CATEGORIES], ordered=ordered)

    index = joined([m.index.dtype for m in metas if m.index.nlevels == 1])
    if index is not None and meta.index.nlevels == 1:
        meta = meta.set_axis(pd.CategoricalIndex([], dtype=index, name=meta.index.name))
    if isinstance(meta, pd.Series):
        dtype = joined([m.dtype for m in metas])
        return meta if dtype is None else meta.astype(dtype)
    if meta.columns.has_duplicates:
        return meta
    inputs = [_dtypes(m) for m in metas]
    casts = {c: joined([d[c] for d in inputs if c in d]) for c in meta.columns}
    casts = {c: d for c, d in casts.items() if d is not None}
    return meta.astype(casts) if casts else meta


def _as_frames(dfs: Any) -> list[Any]:
    from tessera.dataframe.core import _Frame
    from tessera.dataframe.creation import from_pandas

    if not isinstance(dfs, list | tuple):
        raise TypeError(
            f"concat takes a list of DataFrames or Series, got {type(dfs).__name__}; "
            "write concat([a, b])."
        )
    if not dfs:
        raise ValueError("No objects to concatenate")
    out = []
    for i, x in enumerate(dfs):
        if isinstance(x, pd.DataFrame | pd.Series):
            x = from_pandas(x, npartitions=1, sort=x.index.is_monotonic_increasing)
        if not isinstance(x, _Frame):
            raise TypeError(
                f"concat takes DataFrames or Series; item {i} is a {type(x).__name__}."
            )
        out.append(x)
    return out


def _row_divisions(frames: list[Any]) -> tuple[Any, ...]:
    total = sum(f.npartitions for f in frames)
    known = all(f.known_divisions for f in frames)
    ordered = known and all(a.divisions[-1] < b.divisions[0] for a, b in pairwise(frames))
    if not ordered:
        return (None,) * (total + 1)
    return (*(d for f in frames for d in f.divisions[:-1]), frames[-1].divisions[-1])


def _stack(frames: list[Any], meta: Any) -> Any:
    token = tokenize(frames, meta)
    name = f"concat-{token}"
    layer: dict[Any, Any] = {}
    for f in frames:
        same = _same_structure(meta, f.meta)
        for i in range(f.npartitions):
            key = (f._name, i)
            layer[(name, len(layer))] = (concat_parts, [key]) if same else (Conform(meta), key)
    layers = merge_layers(*frames)
    layers[name] = layer
    return new_collection(layers, name, meta, _row_divisions(frames))


def _concat_rows(*parts: Any) -> Any:
    return concat_parts(unify_categoricals(list(parts)))


def _concat_columns(*parts: Any, join: str) -> Any:
    return _pd_concat(parts, axis=1, join=join)


def concat(
    dfs: list[Any],
    axis: int | str = 0,
    join: str = "outer",
    interleave_partitions: bool = False,
    ignore_index: bool = False,
) -> Any:
    """Concatenate DataFrames and Series along the rows (``axis=0``) or the columns.

    Parameters
    ----------
    dfs : list of DataFrame or Series (tessera or pandas)
        What to concatenate.
    axis : {0, "index", 1, "columns"}
        Stack rows, or put columns side by side (needs known divisions).
    join : {"outer", "inner"}
        Keep the union or the intersection of the other axis' labels, as in pandas.
    interleave_partitions : bool
        With known but overlapping divisions, cut the inputs at the union of their
        divisions so that the result's divisions are known.
    ignore_index : bool
        Number the rows ``0 .. n-1`` (as pandas; see ``reset_index``).

    Examples
    --------
    >>> import pandas as pd, tessera.dataframe as dd
    >>> a = dd.from_pandas(pd.DataFrame({"x": [1, 2, 3]}), npartitions=2)
    >>> b = dd.from_pandas(pd.DataFrame({"y": [4.0, 5.0, 6.0]}), npartitions=2)
    >>> concat([a, b], axis=1).compute()
       x    y
    0  1  4.0
    1  2  5.0
    2  3  6.0
    """
    frames = _as_frames(dfs)
    if join not in ("outer", "inner"):
        raise ValueError(f"join must be 'outer' or 'inner', got {join!r}.")
    if axis in (1, "columns"):
        try:
            aligned = align(frames)
        except ValueError as e:
            raise ValueError(
                f"concat(axis=1) lines partitions up by index: {e} Or repartition the "
                "inputs to the same divisions."
            ) from None
        meta = _pd_concat([f.meta for f in frames], axis=1, join=join)
        return partitionwise(
            _concat_columns, *aligned, join=join, meta=meta, prefix="concat-columns"
        )
    if axis not in (0, "index"):
        raise ValueError(f"axis must be 0/'index' or 1/'columns', got {axis!r}.")
    meta = _pd_concat([nonempty(f.meta) for f in frames], join=join).iloc[:0]
    meta = _unknown_where_unknown(meta, [f.meta for f in frames])
    interleave = interleave_partitions and all(f.known_divisions for f in frames)
    if interleave and _row_divisions(frames)[0] is None:
        conformed = [
            f if _same_structure(meta, f.meta) else f.map_partitions(Conform(meta), meta=meta)
            for f in frames
        ]
        out = partitionwise(_concat_rows, *align(conformed), meta=meta, prefix="concat-interleave")
    else:
        out = _stack(frames, meta)
    return out.reset_index(drop=True) if ignore_index else out
