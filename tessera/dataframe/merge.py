"""Database-style joins of frames: :func:`merge` and :func:`join`.

Map
---
- :class:`MergeParts`, :class:`JoinParts` -- the pandas operation on one pair of
  partitions (``pd.merge(l, r, ...)``, ``l.join(r, ...)``).
- :func:`merge` and :func:`join` validate (keys must exist; pandas itself checks the rest
  on the empty metas, raising its own errors) and hand over to :func:`join_frames`,
  which picks a strategy:

  aligned
      both sides joined on their index with known divisions: repartition both to the
      union of their divisions and join partition by partition (no shuffle);
  broadcast
      one side is small (at most ``config.get("dataframe.broadcast-npartitions")``
      partitions, default 1, or ``broadcast=True``): concatenate it into one partition
      and join it with every partition of the other side.  Only a side whose unmatched
      rows are dropped may be broadcast: either side for ``inner``, the right for
      ``left`` (and ``cross``), the left for ``right``, neither for ``outer`` -- unless
      the other side has one partition;
  hash
      otherwise: shuffle both sides on the keys to the same number of partitions with
      the disk shuffle (:mod:`tessera.dataframe.shuffle`), so equal keys meet, then join
      partition by partition.  Keys whose dtypes differ (``int64`` and ``float64``) are
      hashed in a common dtype.

Semantics: each partition is joined by pandas itself, so values and dtypes are pandas'.
The order of rows differs from pandas' (rows come grouped by partition), and joins on
columns restart the ``RangeIndex`` in each partition (as in Dask; ``reset_index(drop=True)``
numbers them globally).  The lazy dtypes assume every row finds a match: when a
``left``/``right``/``outer`` join leaves rows unmatched, pandas turns integer and bool
columns of the other side into ``float64``/``object``, which the meta cannot foresee.

>>> import pandas as pd, tessera.dataframe as dd
>>> left = dd.from_pandas(pd.DataFrame({"k": [1, 2, 3], "v": [1.0, 2.0, 3.0]}), npartitions=2)
>>> right = pd.DataFrame({"k": [1, 3], "w": ["a", "c"]})
>>> merge(left, right, on="k").compute().w.tolist()
['a', 'c']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import merge_layers, new_collection, partitionwise
from tessera.dataframe.repartition import align, concat_parts
from tessera.dataframe.shuffle import hash_shuffle
from tessera.hashing import tokenize

__all__ = ["JoinParts", "MergeParts", "join", "join_frames", "merge"]

_HOWS = ("inner", "left", "right", "outer", "cross")
#: Which side may be broadcast for each ``how`` (its unmatched rows must be dropped).
_BROADCASTABLE = {
    "inner": ("left", "right"),
    "left": ("right",),
    "right": ("left",),
    "outer": (),
    "cross": ("right",),
}


@dataclass(frozen=True)
class MergeParts:
    """``pd.merge(left, right, **kwargs)`` on two partitions.

    >>> MergeParts({"on": "k"})(pd.DataFrame({"k": [1]}), pd.DataFrame({"k": [1], "w": [2]}))
       k  w
    0  1  2
    """

    kwargs: dict[str, Any] = field(default_factory=dict)

    def __call__(self, left: Any, right: Any) -> Any:
        return pd.merge(left, right, **self.kwargs)


@dataclass(frozen=True)
class JoinParts:
    """``left.join(right, **kwargs)`` on two partitions, index named ``index_names``.

    With ``on=`` and ``how="right"``/``"outer"``, pandas gives the right's rows that
    find no match a missing index value -- except when the left is empty, where it
    uses the right's index and drops the index name.  An empty left partition is not
    an empty frame, so here such rows always get a missing index value and the name.

    >>> JoinParts({"on": "k"})(pd.DataFrame({"k": [1]}), pd.DataFrame({"w": [2]}, index=[1]))
       k  w
    0  1  2
    """

    kwargs: dict[str, Any] = field(default_factory=dict)
    index_names: Any = None

    def __call__(self, left: Any, right: Any) -> Any:
        out = left.join(right, **self.kwargs)
        if not len(left) and len(out) and self.kwargs.get("on") is not None:
            out.index = pd.Index(np.full(len(out), np.nan))
        if self.index_names is not None and list(out.index.names) != list(self.index_names):
            out.index.names = self.index_names
        return out


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
    missing = [k for k in keys or [] if k not in frame.columns]
    if missing:
        raise KeyError(
            f"Merge key(s) {missing!r} not found in the {side} frame; available columns: "
            f"{list(frame.columns)!r}."
        )


def _key_dtypes(frame: Any, keys: list[Any] | None) -> list[Any]:
    if keys is None:
        index = frame.meta.index
        return [index.get_level_values(i).dtype for i in range(index.nlevels)]
    return [frame.meta[k].dtype for k in keys]


def _common(a: Any, b: Any) -> Any:
    """The dtype to hash keys of dtypes ``a`` and ``b`` in (None: they already agree)."""
    if a == b:
        return None
    num = pd.api.types.is_numeric_dtype
    if num(a) and num(b):
        return np.dtype("float64")
    if isinstance(a, np.dtype) and isinstance(b, np.dtype) and a.kind == b.kind == "M":
        return np.result_type(a, b)
    return np.dtype(object)


def _broadcast_side(left: Any, right: Any, how: str, broadcast: bool | None) -> str | None:
    from tessera import config

    sides = list(_BROADCASTABLE[how])  # preferred: the result keeps the other's order
    if left.npartitions == 1 and "right" not in sides:
        sides.append("right")
    if right.npartitions == 1 and "left" not in sides:
        sides.append("left")
    if broadcast is True and not sides:
        raise ValueError(
            f"broadcast=True cannot be used for how={how!r}: the unmatched rows of a "
            "broadcast side would be repeated in every partition. Leave broadcast unset."
        )
    if broadcast is False:
        return None
    size = {"left": left.npartitions, "right": right.npartitions}
    limit = 10**9 if broadcast else int(config.get("dataframe.broadcast-npartitions", 1))
    fit = sorted((size[s], rank, s) for rank, s in enumerate(sides) if size[s] <= limit)
    return fit[0][2] if fit else None


def _broadcast(left: Any, right: Any, side: str, op: Any, meta: Any, keep: bool) -> Any:
    small, big = (right, left) if side == "right" else (left, right)
    token = tokenize(left, right, side, op)
    whole, name = f"broadcast-whole-{token}", f"broadcast-join-{token}"
    layers = merge_layers(left, right)
    layers[whole] = {
        (whole, 0): (concat_parts, [(small._name, k) for k in range(small.npartitions)])
    }
    pairs = [((big._name, i), (whole, 0)) for i in range(big.npartitions)]
    if side == "left":  # the small side is the left argument of op
        pairs = [(w, b) for b, w in pairs]
    layers[name] = {(name, i): (op, *pair) for i, pair in enumerate(pairs)}
    divisions = big.divisions if keep else (None,) * (big.npartitions + 1)
    return new_collection(layers, name, meta, divisions)


def join_frames(
    left: Any,
    right: Any,
    op: Any,
    keys: tuple[list[Any] | None, list[Any] | None],
    how: str,
    meta: Any,
    npartitions: int | None = None,
    broadcast: bool | None = None,
    keeps_index: tuple[bool, bool] = (False, False),
) -> Any:
    """Join ``left`` and ``right`` with ``op`` on ``keys`` (None: the index) by the best plan.

    ``keeps_index`` says whether the result's index is made of the left's (right's) index
    values, so that a broadcast join can keep that side's divisions.

    >>> import tessera.dataframe as dd
    >>> a = dd.from_pandas(pd.DataFrame({"x": [1, 2]}, index=[0, 1]), npartitions=2)
    >>> b = dd.from_pandas(pd.DataFrame({"y": [3]}, index=[1]), npartitions=1)
    >>> op, meta = JoinParts({"how": "inner"}), a.meta.join(b.meta)
    >>> out = join_frames(a, b, op, (None, None), "inner", meta)
    >>> out.divisions, out.compute().y.tolist()
    ((0, 1), [3])
    """
    lkeys, rkeys = keys
    if how == "cross":
        broadcast = True
    elif lkeys is None and rkeys is None and left.known_divisions and right.known_divisions:
        lal, ral = align([left, right])
        return partitionwise(op, lal, ral, meta=meta)
    side = _broadcast_side(left, right, how, broadcast)
    if side is not None:
        keep = keeps_index[0] if side == "right" else keeps_index[1]
        return _broadcast(left, right, side, op, meta, keep)
    n = max(left.npartitions, right.npartitions) if npartitions is None else npartitions
    pairs = zip(_key_dtypes(left, lkeys), _key_dtypes(right, rkeys), strict=True)
    casts = [_common(a, b) for a, b in pairs]
    common = None if all(c is None for c in casts) else casts
    lsh = hash_shuffle(left, lkeys, n, common)
    rsh = hash_shuffle(right, rkeys, n, common)
    return partitionwise(op, lsh, rsh, meta=meta)


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
) -> Any:
    """Merge two frames like :func:`pandas.merge`; see the module docstring for the plans.

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

    Examples
    --------
    >>> import pandas as pd, tessera.dataframe as dd
    >>> a = dd.from_pandas(pd.DataFrame({"k": [1, 2, 2], "x": [1, 2, 3]}), npartitions=2)
    >>> b = dd.from_pandas(pd.DataFrame({"k": [2, 3], "y": [5, 6]}), npartitions=2)
    >>> merge(a, b, how="outer", on="k").compute().sort_values("x").x.tolist()
    [1.0, 2.0, 3.0, nan]
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
    }
    meta = pd.merge(left.meta, right.meta, **kwargs)  # pandas' own validation
    keys = (None if left_index else lkeys, None if right_index else rkeys)
    index_join = left_index and right_index
    keeps = (index_join and how in ("inner", "left"), index_join and how in ("inner", "right"))
    op = MergeParts(kwargs)
    return join_frames(left, right, op, keys, how, meta, npartitions, broadcast, keeps)


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
) -> Any:
    """Join columns of ``other`` by its index, like :meth:`pandas.DataFrame.join`.

    ``lsuffix``/``rsuffix`` (Dask's names) or ``suffixes`` (pandas 3's) rename
    overlapping columns; ``npartitions`` and ``broadcast`` as for :func:`merge`.

    >>> import pandas as pd, tessera.dataframe as dd
    >>> a = dd.from_pandas(pd.DataFrame({"k": ["x", "y"], "v": [1, 2]}), npartitions=2)
    >>> b = pd.DataFrame({"w": [10, 20]}, index=["y", "x"])
    >>> join(a, b, on="k").compute()
       k  v   w
    0  x  1  20
    1  y  2  10
    """
    if isinstance(other, list):
        raise NotImplementedError(
            "join with a list of frames is not implemented; join them one by one."
        )
    left, other = _as_frame(left, "left"), _as_frame(other, "right")
    if how not in _HOWS:
        raise ValueError(f"how must be one of {list(_HOWS)}, got {how!r}.")
    lkeys = _listed(on)
    _check_keys(left, lkeys, "left")
    kwargs = {"on": on, "how": how, "suffixes": suffixes or (lsuffix, rsuffix)}
    meta = left.meta.join(other.meta, **kwargs)  # pandas' own validation
    keeps = (how in ("inner", "left"), on is None and how in ("inner", "right"))
    op = JoinParts(kwargs, list((meta if on is None else left.meta).index.names))
    return join_frames(left, other, op, (lkeys, None), how, meta, npartitions, broadcast, keeps)
