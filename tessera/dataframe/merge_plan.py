"""The plans of a join: :func:`join_frames` joins two frames as a
:class:`~tessera.dataframe.merge_parts.JoinSpec` says (built by
:func:`~tessera.dataframe.merge.merge` and :func:`~tessera.dataframe.merge.join`).

Map
---
- :func:`join_frames` declares the result's dtypes
  (:func:`~tessera.dataframe.merge_parts.declared_meta`) and picks a strategy:

  aligned
      both sides joined on their index with known divisions: repartition both to the
      union of their divisions and join partition by partition (no shuffle);
  broadcast
      one side is small (at most ``config.get("dataframe.broadcast-npartitions")``
      partitions, default 1, or ``broadcast=True``): concatenate it into one partition
      and join it with every partition of the other side
      (:mod:`~tessera.dataframe.merge_broadcast`; a ``left``/``inner`` merge on one
      column probes a hash table of the small side built once).  Only a side whose
      unmatched rows are dropped may be broadcast: either side for ``inner``, the right
      for ``left`` (and ``cross``), the left for ``right``, neither for ``outer`` --
      unless the other side has one partition;
  hash
      otherwise: shuffle both sides on the keys to the same number of partitions with
      the disk shuffle (:mod:`tessera.dataframe.shuffle`), so equal keys meet, then join
      partition by partition.  Keys whose dtypes differ (``int64`` and ``float64``) are
      hashed in a common dtype; keys that name index levels (``on="idx"``, as pandas
      allows) are copied into hidden columns by :class:`LevelColumns` for the shuffle
      and dropped before pandas joins the parts.
- :class:`LevelColumns` -- the hidden key columns of the hash plan.

``validate`` ("1:1", "1:m", "m:1", "m:m" or pandas' long names) is checked by pandas in
every partition task, which raises pandas' ``MergeError`` naming the side and a few
repeated keys.  Each plan makes that check global: after the hash shuffle all rows of a
key sit in one partition; aligned partitions hold disjoint index ranges; a broadcast
side is whole -- so a side that must be unique is never the split side of a broadcast
join (unless it has one partition): such joins take the hash plan instead.

>>> import tessera.dataframe as dd
>>> from tessera.dataframe.merge_parts import JoinSpec
>>> a = dd.from_pandas(pd.DataFrame({"k": [1, 2], "x": [3, 4]}), npartitions=2)
>>> b = dd.from_pandas(pd.DataFrame({"k": [2, 1], "y": [5, 6]}), npartitions=2)
>>> spec = JoinSpec("merge", {"how": "inner", "on": "k"})
>>> join_frames(a, b, spec, (["k"], ["k"])).compute().sort_values("k").y.tolist()
[6, 5]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import partitionwise
from tessera.dataframe.merge_broadcast import broadcast_join, lookup_plan
from tessera.dataframe.merge_parts import JoinParts, JoinSpec, declared_meta
from tessera.dataframe.repartition import align
from tessera.dataframe.shuffle import hash_shuffle

__all__ = ["LevelColumns", "join_frames"]

#: Prefix of the hidden columns that carry index-level keys through a hash shuffle.
_LEVEL = "__tessera-level-key__"

#: Which side may be broadcast for each ``how`` (its unmatched rows must be dropped).
_BROADCASTABLE = {
    "inner": ("right", "left"),
    "left": ("right",),
    "right": ("left",),
    "outer": (),
    "cross": ("right",),
}


def _key_dtypes(frame: Any, keys: list[Any] | None) -> list[Any]:
    index = frame.meta.index
    if keys is None:
        return [index.get_level_values(i).dtype for i in range(index.nlevels)]
    return [
        frame.meta[k].dtype if k in frame.columns else index.get_level_values(k).dtype
        for k in keys
    ]


@dataclass(frozen=True)
class LevelColumns:
    """Copy index levels into columns: ``levels`` pairs a column label with a level name.

    >>> part = pd.DataFrame({"x": [1]}, index=pd.Index([7], name="i"))
    >>> LevelColumns((("c", "i"),))(part).c.tolist()
    [7]
    """

    levels: tuple[tuple[str, Any], ...]

    def __call__(self, part: Any) -> Any:
        out = part.copy(deep=False)
        for column, level in self.levels:
            out[column] = part.index.get_level_values(level)
        return out


def _keyed(frame: Any, keys: list[Any] | None, side: str) -> tuple[Any, Any, tuple[str, ...]]:
    """``frame`` with its index-level keys copied into hidden columns (the shuffle hashes
    columns), the keys naming those columns, and the hidden column labels."""
    if keys is None or all(k in frame.columns for k in keys):
        return frame, keys, ()
    hidden = {k: f"{_LEVEL}{side}-{i}" for i, k in enumerate(keys) if k not in frame.columns}
    levels = LevelColumns(tuple((c, k) for k, c in hidden.items()))
    keyed = partitionwise(levels, frame, meta=levels(frame.meta), prefix="merge-levels")
    return keyed, [hidden.get(k, k) for k in keys], tuple(hidden.values())


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


def _broadcast_side(
    left: Any, right: Any, how: str, broadcast: bool | None, unique: tuple[str, ...] = ()
) -> str | None:
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
    size = {"left": left.npartitions, "right": right.npartitions}
    split = {"left": "right", "right": "left"}  # the side left in partitions
    checked = [s for s in sides if split[s] not in unique or size[split[s]] == 1]
    if broadcast is True and not checked:
        raise ValueError(
            f"broadcast=True cannot check that the keys of the {split[sides[0]]} side are "
            f"unique (validate=...): it stays split in {size[split[sides[0]]]} partitions. "
            "Leave broadcast unset (a hash join checks them across partitions)."
        )
    sides = checked
    if broadcast is False:
        return None
    limit = 10**9 if broadcast else int(config.get("dataframe.broadcast-npartitions", 1))
    fit = sorted((size[s], rank, s) for rank, s in enumerate(sides) if size[s] <= limit)
    return fit[0][2] if fit else None


def join_frames(
    left: Any,
    right: Any,
    spec: JoinSpec,
    keys: tuple[list[Any] | None, list[Any] | None],
    npartitions: int | None = None,
    broadcast: bool | None = None,
    keeps_index: tuple[bool, bool] = (False, False),
) -> Any:
    """Join ``left`` and ``right`` as ``spec`` says, on ``keys`` (None: the index), by the
    best plan; the result declares :func:`~tessera.dataframe.merge_parts.declared_meta`.

    ``keeps_index`` says whether the result's index is made of the left's (right's) index
    values, so that a broadcast join can keep that side's divisions.

    >>> import tessera.dataframe as dd
    >>> a = dd.from_pandas(pd.DataFrame({"x": [1, 2]}, index=[0, 1]), npartitions=2)
    >>> b = dd.from_pandas(pd.DataFrame({"y": [3]}, index=[1]), npartitions=1)
    >>> out = join_frames(a, b, JoinSpec("join", {"how": "inner"}), (None, None))
    >>> out.divisions, out.compute().y.tolist()
    ((0, 1), [3])
    """
    how, unique = spec.how, spec.unique_sides
    meta = declared_meta(spec, left.meta, right.meta)  # pandas' own validation
    op = JoinParts(spec, meta)
    lkeys, rkeys = keys
    if how == "cross":
        broadcast = True
    elif lkeys is None and rkeys is None and left.known_divisions and right.known_divisions:
        lal, ral = align([left, right])
        return partitionwise(op, lal, ral, meta=meta, prefix="aligned-join")
    side = _broadcast_side(left, right, how, broadcast, unique)
    if side is not None:
        keep = keeps_index[0] if side == "right" else keeps_index[1]
        plan = lookup_plan(spec, meta, lkeys, rkeys, side)
        return broadcast_join(left, right, side, op, meta, keep, plan)
    n = max(left.npartitions, right.npartitions) if npartitions is None else npartitions
    pairs = zip(_key_dtypes(left, lkeys), _key_dtypes(right, rkeys), strict=True)
    casts = [_common(a, b) for a, b in pairs]
    common = None if all(c is None for c in casts) else casts
    left, lkeys, lhidden = _keyed(left, lkeys, "left")
    right, rkeys, rhidden = _keyed(right, rkeys, "right")
    if lhidden or rhidden:  # pandas joins the partitions without the hidden key columns
        op = JoinParts(replace(spec, hidden=lhidden + rhidden), meta)
    lsh = hash_shuffle(left, lkeys, n, common)
    rsh = hash_shuffle(right, rkeys, n, common)
    return partitionwise(op, lsh, rsh, meta=meta, prefix="hash-join")
