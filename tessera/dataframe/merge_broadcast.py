"""The broadcast join: one small side, concatenated once, joined with every partition.

Map
---
- :func:`broadcast_join` -- the graph: one task concatenates the small side; with a
  *lookup* plan one more task builds its hash table (:class:`Lookup`); then one task per
  partition of the big side joins it with the small side.
- :func:`lookup_plan` -- whether the lookup plan applies (a ``left``/``inner`` merge on
  one column of the same plain dtype on both sides, small side on the right, no
  ``indicator``, no ``validate`` of the big side's keys), as a :class:`LookupJoin`.
- :class:`Lookup` -- the small side with an :class:`pandas.Index` of its keys, built
  once; ``unique`` says whether each key occurs once; unique integer keys in a narrow
  range also get a dense array of positions (a probe is a subtraction and a ``take``).
- :class:`LookupJoin` -- the partition task of the lookup plan: one
  probe of the partition's keys (:meth:`Lookup.probe`) and two ``take``\\ s; when the small
  side's keys repeat it falls back to ``pd.merge`` (:class:`JoinParts`), which also
  raises pandas' ``MergeError`` when ``validate`` says they are unique.

Why: ``pd.merge`` factorizes the keys of both sides on every call, so a broadcast join
of ``n`` partitions hashes the small side ``n`` times.  Here it is hashed once (the
index's hash table is built by the :class:`Lookup` task, before the partition tasks
share it), and each partition costs one probe.  Rows come out as pandas orders them
(the big side's order, at most one partner per row), numbered from 0 in each partition.

>>> import pandas as pd
>>> from tessera.dataframe.merge_parts import JoinSpec, declared_meta
>>> spec = JoinSpec("merge", {"on": "k", "how": "left"})
>>> big, small = pd.DataFrame({"k": [2, 1, 9]}), pd.DataFrame({"k": [1, 2], "y": [10, 20]})
>>> plan = lookup_plan(spec, declared_meta(spec, big[:0], small[:0]), ["k"], ["k"], "right")
>>> plan(big, Lookup.build(small, "k")).y.tolist()
[20.0, 10.0, nan]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tessera.dataframe.graph import merge_layers, new_collection
from tessera.dataframe.merge_parts import JoinParts, JoinSpec, conform
from tessera.dataframe.repartition import concat_parts
from tessera.hashing import tokenize

__all__ = ["Lookup", "LookupJoin", "broadcast_join", "lookup_plan"]


#: A dense table is used for integer keys spanning at most this many slots per key
#: (and at least ``2**16`` slots): an array of positions, probed by subtraction.
DENSE_SPAN = 4


@dataclass(frozen=True, eq=False)
class Lookup:
    """The small side of a lookup join: ``frame``, the :class:`pandas.Index` of its
    ``key`` column (hash table built) and, for unique integer keys in a narrow range, a
    dense table ``dense[key - low] = row`` (-1 where no row has that key).

    >>> table = Lookup.build(pd.DataFrame({"k": [12, 10]}), "k")
    >>> table.unique, int(table.low), table.dense.tolist(), table.probe(np.array([10, 11, 99]))
    (True, 10, [1, -1, 0], array([ 1, -1, -1]))
    """

    frame: pd.DataFrame
    keys: pd.Index
    unique: bool
    dense: np.ndarray | None = None
    low: int = 0

    @classmethod
    def build(cls, frame: pd.DataFrame, key: Any) -> Lookup:
        """Index ``frame[key]``: a dense table when the keys are integers in a narrow
        range (no hash table is needed then), else the hash table (checking
        uniqueness builds it, once, before the partition tasks share it)."""
        keys = pd.Index(frame[key].to_numpy())
        values = keys.to_numpy()
        if len(values) and values.dtype.kind in "iu":
            low = int(values.min())
            span = int(values.max()) - low + 1
            if span <= max(DENSE_SPAN * len(values), 2**16):
                dense = np.full(span, -1, dtype=np.intp)
                dense[_offsets(values, low)] = np.arange(len(values))
                if np.count_nonzero(dense >= 0) == len(values):
                    return cls(frame, keys, True, dense, low)
                return cls(frame, keys, False)
        return cls(frame, keys, bool(keys.is_unique))

    def probe(self, values: np.ndarray) -> np.ndarray:
        """The row of the small side holding each of ``values`` (-1: none)."""
        if self.dense is None:
            return np.asarray(self.keys.get_indexer(pd.Index(values, copy=False)))
        high = self.low + (len(self.dense) - 1)
        inside = (values >= self.low) & (values <= high)  # exact: the bounds are Python ints
        pos = self.dense[_offsets(np.where(inside, values, self.low), self.low)]
        pos[~inside] = -1
        return np.asarray(pos)


def _offsets(values: np.ndarray, low: int) -> np.ndarray:
    """``values - low`` (all ``values >= low``, within a dense table's span) as positions,
    taken in 64 bits so that narrow (``int8``) or unsigned (``uint64``) keys cannot wrap.

    >>> _offsets(np.array([-100, 100], dtype=np.int8), -100).tolist()
    [0, 200]
    """
    wide = values.astype(np.int64 if values.dtype.kind == "i" else np.uint64)
    return (wide - wide.dtype.type(low)).astype(np.intp)


@dataclass(frozen=True)
class LookupJoin:
    """``pd.merge(part, small, on=..., how="left"|"inner")`` by one hash-table probe.

    ``keys`` are the big (left) and small (right) key columns; ``drop_key`` says whether
    the small side's key column is left out of the result (same name on both sides).
    """

    spec: JoinSpec
    meta: Any = field(compare=False)
    keys: tuple[Any, Any]
    drop_key: bool
    #: A join may give more rows than both sides (keys repeated on both).
    grows_data: ClassVar[bool] = True

    def __call__(self, part: pd.DataFrame, lookup: Lookup) -> pd.DataFrame:
        if not lookup.unique:
            return JoinParts(self.spec, self.meta)(part, lookup.frame)
        pos = lookup.probe(part[self.keys[0]].to_numpy())
        found = pos >= 0
        if not found.all():
            if self.spec.how == "inner":
                part, pos = part[found], pos[found]
            else:
                pos = np.where(found, pos, -1)
        small = lookup.frame.drop(columns=[self.keys[1]]) if self.drop_key else lookup.frame
        rows = pd.RangeIndex(len(pos))
        fill = not found.all() and self.spec.how == "left"
        taken = {
            i: small.iloc[:, i].array.take(pos, allow_fill=fill) for i in range(small.shape[1])
        }
        other = pd.DataFrame(taken, index=rows)
        out = pd.concat([part.set_axis(rows), other], axis=1)
        out.columns = self.meta.columns
        return conform(out, self.meta)


def lookup_plan(
    spec: JoinSpec, meta: Any, lkeys: list[Any] | None, rkeys: list[Any] | None, side: str
) -> LookupJoin | None:
    """The :class:`LookupJoin` for broadcasting ``side`` in ``spec``, or None if it does
    not apply (see the module docs); ``meta`` is the declared result."""
    kwargs = spec.kwargs
    if not (
        spec.method == "merge"
        and side == "right"
        and spec.how in ("inner", "left")
        and not kwargs.get("indicator")
        and "left" not in spec.unique_sides  # pandas checks the big side's keys
        and lkeys is not None
        and rkeys is not None
        and len(lkeys) == len(rkeys) == 1
    ):
        return None
    return LookupJoin(spec, meta, (lkeys[0], rkeys[0]), lkeys[0] == rkeys[0])


def _plain(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind in "iufmM"


def broadcast_join(
    left: Any, right: Any, side: str, op: Any, meta: Any, keep: bool, plan: Any = None
) -> Any:
    """Join every partition of the big side with the whole ``side`` (``"left"`` or
    ``"right"``): ``op(left_part, right_whole)`` (or the reverse), or ``plan`` (a
    :class:`LookupJoin`) when given and the key dtypes allow it.  ``keep``: the result
    keeps the big side's divisions."""
    small, big = (right, left) if side == "right" else (left, right)
    token = tokenize(left, right, side, op, plan)
    whole, name = f"broadcast-whole-{token}", f"broadcast-join-{token}"
    layers = merge_layers(left, right)
    layers[whole] = {
        (whole, 0): (concat_parts, [(small._name, k) for k in range(small.npartitions)])
    }
    if plan is not None and _usable(plan, left, right):
        table = f"broadcast-table-{token}"
        layers[table] = {(table, 0): (Lookup.build, (whole, 0), plan.keys[1])}
        tasks = {(name, i): (plan, (big._name, i), (table, 0)) for i in range(big.npartitions)}
    else:
        pairs = [((big._name, i), (whole, 0)) for i in range(big.npartitions)]
        if side == "left":  # the small side is the left argument of op
            pairs = [(w, b) for b, w in pairs]
        tasks = {(name, i): (op, *pair) for i, pair in enumerate(pairs)}
    layers[name] = tasks
    divisions = big.divisions if keep else (None,) * (big.npartitions + 1)
    return new_collection(layers, name, meta, divisions)


def _usable(plan: LookupJoin, left: Any, right: Any) -> bool:
    if plan.keys[0] not in left.columns or plan.keys[1] not in right.columns:
        return False  # an index level
    ldtype, rdtype = left.meta[plan.keys[0]].dtype, right.meta[plan.keys[1]].dtype
    ncols = len(left.columns) + len(right.columns) - plan.drop_key
    return bool(ldtype == rdtype and _plain(ldtype) and ncols == len(plan.meta.columns))
