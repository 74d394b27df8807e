"""Database-style joins of frames: :func:`merge` and :func:`join`.

Map
---
- :func:`merge` and :func:`join` validate (keys must exist; pandas itself checks the rest
  on the empty metas, raising its own errors), describe the pandas call as a
  :class:`~tessera.dataframe.merge_parts.JoinSpec` and hand over to
  :func:`~tessera.dataframe.merge_plan.join_frames`, which declares the result's dtypes
  and picks a plan: aligned, broadcast or hash (:mod:`~tessera.dataframe.merge_plan`,
  where ``validate`` is made a global check too).

:func:`join` with a list of frames (on the index) follows pandas' result for unique
indexes, where pandas concatenates the frames side by side: ``left``, ``inner`` and
``outer`` join the frames one by one; ``right`` outer-joins all but the last, then
right-joins the last (a label of the last frame takes every frame's values, whether or
not the frames between hold it).  Its dtypes are :func:`~tessera.dataframe.merge_parts.
list_meta`'s.

Semantics: each partition is joined by pandas (or by the lookup, which gives the same
rows), then cast to the declared dtypes: pandas' dtypes *when rows are left unmatched*
(an ``int64`` column of the side that may miss partners becomes ``float64`` even if every
row happens to match; see :mod:`~tessera.dataframe.merge_parts`).  Row order: aligned
joins and broadcast joins that keep the big side's order (``inner``/``left`` with the
right broadcast, ``right`` with the left broadcast) give pandas' rows in pandas' order;
hash joins give each output partition's rows in pandas' order for that partition, so the
rows are pandas' but grouped by the hash of the key.  Joins on columns restart the
``RangeIndex`` in each partition (as in Dask; ``reset_index(drop=True)`` numbers them
globally).

>>> import pandas as pd, tessera.dataframe as dd
>>> left = dd.from_pandas(pd.DataFrame({"k": [1, 2, 3], "v": [1.0, 2.0, 3.0]}), npartitions=2)
>>> right = pd.DataFrame({"k": [1, 3], "w": ["a", "c"]})
>>> merge(left, right, on="k").compute().w.tolist()
['a', 'c']
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tessera.dataframe.graph import partitionwise
from tessera.dataframe.merge_parts import JoinSpec, conform, list_meta, unique_sides
from tessera.dataframe.merge_plan import join_frames

__all__ = ["join", "merge"]

_HOWS = ("inner", "left", "right", "outer", "cross")


def _as_frame(x: Any, side: str) -> Any:
    from tessera.dataframe.core import DataFrame, Series
    from tessera.dataframe.creation import from_pandas

    if isinstance(x, pd.DataFrame | pd.Series):
        x = from_pandas(x, npartitions=1, sort=False)
    if isinstance(x, Series):
        if x.name is None:
            raise ValueError(f"Cannot merge a Series without a name (the {side} side).")
        return x.to_frame()
    if not isinstance(x, DataFrame):
        raise TypeError(
            f"Can only merge DataFrame or named Series objects, got {type(x).__name__} "
            f"on the {side} side."
        )
    return x


def _listed(x: Any) -> list[Any] | None:
    return None if x is None else (list(x) if isinstance(x, list | tuple) else [x])


def _check_keys(frame: Any, keys: list[Any] | None, side: str) -> None:
    levels = [n for n in frame.meta.index.names if n is not None]
    missing = [k for k in keys or [] if k not in frame.columns and k not in levels]
    if missing:
        named = f" and index levels {levels!r}" if levels else ""
        raise KeyError(
            f"Merge key(s) {missing!r} not found in the {side} frame; available columns: "
            f"{list(frame.columns)!r}{named}."
        )


def merge(
    left: Any,
    right: Any,
    how: str = "inner",
    on: Any = None,
    left_on: Any = None,
    right_on: Any = None,
    left_index: bool = False,
    right_index: bool = False,
    suffixes: tuple[str | None, str | None] = ("_x", "_y"),
    indicator: bool = False,
    npartitions: int | None = None,
    broadcast: bool | None = None,
    validate: str | None = None,
) -> Any:
    """Merge two frames like :func:`pandas.merge`; see :mod:`~tessera.dataframe.merge_plan`
    for the plans.

    Parameters
    ----------
    left, right : DataFrame, named Series, or pandas objects
        The two sides.
    how : {"inner", "left", "right", "outer", "cross"}
        As in pandas.
    on, left_on, right_on, left_index, right_index, suffixes, indicator
        As in pandas.
    npartitions : int, optional
        Partitions of a hash join (default: the larger side's).
    broadcast : bool, optional
        Force (True) or forbid (False) a broadcast join; by default, broadcast when a
        side that may be broadcast has at most ``dataframe.broadcast-npartitions``
        partitions (config, default 1).
    validate : {"one_to_one", "1:1", "one_to_many", "1:m", "many_to_one", "m:1", \
"many_to_many", "m:m"}, optional
        As in pandas: check that the keys of the "one" sides are unique across all
        partitions, else computing raises :class:`pandas.errors.MergeError`.

    Examples
    --------
    >>> import pandas as pd, tessera.dataframe as dd
    >>> a = dd.from_pandas(pd.DataFrame({"k": [1, 2, 2], "x": [1, 2, 3]}), npartitions=2)
    >>> b = dd.from_pandas(pd.DataFrame({"k": [2, 3], "y": [5, 6]}), npartitions=2)
    >>> merge(a, b, how="outer", on="k").compute().sort_values("x").x.tolist()
    [1.0, 2.0, 3.0, nan]
    >>> merge(a, b, on="k", validate="1:1").compute()  # k=2 sits in both partitions of a
    Traceback (most recent call last):
    ...
    pandas.errors.MergeError: Merge keys are not unique in left dataset; not a one-to-one merge
    ...
    """
    left, right = _as_frame(left, "left"), _as_frame(right, "right")
    if how not in _HOWS:
        raise ValueError(f"how must be one of {list(_HOWS)}, got {how!r}.")
    lkeys, rkeys = _listed(left_on), _listed(right_on)
    if on is not None:
        lkeys = rkeys = _listed(on)
    elif lkeys is None and rkeys is None and not (left_index or right_index) and how != "cross":
        lkeys = rkeys = [c for c in left.columns if c in right.columns]
    _check_keys(left, None if left_index else lkeys, "left")
    _check_keys(right, None if right_index else rkeys, "right")
    kwargs = {
        "how": how,
        "on": on,
        "left_on": left_on,
        "right_on": right_on,
        "left_index": left_index,
        "right_index": right_index,
        "suffixes": suffixes,
        "indicator": indicator,
        "validate": validate,
    }
    keys = (None if left_index else lkeys, None if right_index else rkeys)
    index_join = left_index and right_index
    keeps = (index_join and how in ("inner", "left"), index_join and how in ("inner", "right"))
    one_sided = {(True, False): "left", (False, True): "right"}.get((left_index, right_index))
    spec = JoinSpec("merge", kwargs, one_sided)
    return join_frames(left, right, spec, keys, npartitions, broadcast, keeps)


def join(
    left: Any,
    other: Any,
    on: Any = None,
    how: str = "left",
    lsuffix: str = "",
    rsuffix: str = "",
    npartitions: int | None = None,
    broadcast: bool | None = None,
    suffixes: tuple[str | None, str | None] | None = None,
    validate: str | None = None,
) -> Any:
    """Join columns of ``other`` by its index, like :meth:`pandas.DataFrame.join`.

    ``other`` may be a list of frames, joined on the index (see the module docs).
    ``lsuffix``/``rsuffix`` (Dask's names) or ``suffixes`` (pandas 3's) rename
    overlapping columns; ``validate`` as for :func:`merge`; ``npartitions`` and
    ``broadcast`` as for :func:`merge` (for each join of a list).

    >>> import pandas as pd, tessera.dataframe as dd
    >>> a = dd.from_pandas(pd.DataFrame({"k": ["x", "y"], "v": [1, 2]}), npartitions=2)
    >>> b = pd.DataFrame({"w": [10, 20]}, index=["y", "x"])
    >>> join(a, b, on="k").compute()  # float: a left join may leave rows unmatched
       k  v     w
    0  x  1  20.0
    1  y  2  10.0
    >>> c = pd.DataFrame({"u": [5, 6]}, index=[1, 2])
    >>> join(a, [c, pd.Series([7], name="t")]).compute()
       k    v    u    t
    0  x  1.0  NaN  7.0
    1  y  2.0  5.0  NaN
    """
    suffixes = suffixes or (lsuffix, rsuffix)
    if isinstance(other, list):
        return _join_list(left, other, on, how, suffixes, npartitions, broadcast, validate)
    left, other = _as_frame(left, "left"), _as_frame(other, "right")
    if how not in _HOWS:
        raise ValueError(f"how must be one of {list(_HOWS)}, got {how!r}.")
    lkeys = _listed(on)
    _check_keys(left, lkeys, "left")
    kwargs = {"on": on, "how": how, "suffixes": suffixes, "validate": validate}
    keeps = (how in ("inner", "left"), on is None and how in ("inner", "right"))
    spec = JoinSpec("join", kwargs, None if on is None else "right")
    return join_frames(left, other, spec, (lkeys, None), npartitions, broadcast, keeps)


def _join_list(
    left: Any,
    others: list[Any],
    on: Any,
    how: str,
    suffixes: tuple[str | None, str | None],
    npartitions: int | None,
    broadcast: bool | None,
    validate: str | None,
) -> Any:
    """``left.join(others, how=how)`` for a list ``others``: pandas' errors, then joins
    one by one (see the module docs), cast to :func:`~tessera.dataframe.merge_parts.
    list_meta`."""
    if on is not None:
        raise ValueError(
            f"Joining multiple DataFrames only supported for joining on index; got "
            f"on={on!r}. Join them one by one to join on columns."
        )
    if any(suffixes):
        raise ValueError(
            f"Suffixes not supported when joining multiple DataFrames; got {suffixes!r}. "
            "Rename the overlapping columns first, or join the frames one by one."
        )
    if how not in ("left", "right", "inner", "outer"):
        raise ValueError(
            f"how={how!r} is not supported when joining a list of frames (pandas: only can "
            "inner (intersect) or outer (union) join the other axis); use 'left', "
            "'right', 'inner' or 'outer'."
        )
    unique_sides(validate)  # a ValueError for a validate pandas does not know
    frames = [_as_frame(left, "left"), *(_as_frame(o, "right") for o in others)]
    labels = [c for f in frames for c in f.columns]
    repeated = list(dict.fromkeys(c for c in labels if labels.count(c) > 1))
    if repeated:
        raise ValueError(
            f"Indexes have overlapping values: {repeated!r} (columns of several of the "
            "joined frames). Rename them first, or join the frames one by one with "
            "lsuffix/rsuffix."
        )
    meta = list_meta([f.meta for f in frames], how)
    out, last = frames[0], len(frames) - 1
    for i, frame in enumerate(frames[1:], 1):
        step = "outer" if how == "right" and i < last else how
        out = join(out, frame, None, step, "", "", npartitions, broadcast, None, validate)
    return partitionwise(conform, out, meta, meta=meta, prefix="join-list")
