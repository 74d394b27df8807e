"""One pair of partitions joined by pandas, and the declared dtypes of a join.

Map
---
- :class:`JoinSpec` -- what pandas is asked to do (``pd.merge(l, r, **kwargs)`` or
  ``l.join(r, **kwargs)``) and which side's index the result's index comes from;
  :meth:`JoinSpec.raw` runs it and evens out pandas' shortcuts for an empty side;
  :attr:`JoinSpec.unique_sides` -- the sides whose keys ``validate`` says are unique
  (pandas checks them in every partition: the plans make that check global).
- :func:`declared_meta` -- the empty result with the dtypes pandas gives when rows are
  left unmatched (the policy below); :func:`list_meta` -- the same for a join with a
  list of frames.
- :func:`conform` -- cast a computed partition to the declared meta.
- :class:`JoinParts` -- the partition task: :meth:`JoinSpec.raw` then :func:`conform`.

Policy (dtypes).  pandas' dtypes depend on the data: a ``left`` join keeps the right
side's ``int64`` columns when every left row finds a match and turns them into
``float64`` when one does not (``bool`` into ``object``, ``uint8`` into ``float64``;
``float``, ``str``, ``datetime64``, ``category`` and nullable dtypes hold missing values
and stay).  Partitions of a distributed join would disagree with each other, so the
meta declares the dtypes pandas gives *when unmatched rows exist* on every side that may
have them under ``how`` (the right for ``left``, the left for ``right``, both for
``outer``, none for ``inner``/``cross``), and each partition is cast to it.  They are
found by running pandas on a one-row fake of one side and the empty other side: pandas
then fills the other side's columns with missing values, whatever the key dtypes.

Policy (index).  With exactly one side joined on its index (``left_index=True,
right_on=...`` or ``join(on=...)``), pandas takes the result's index from the other
(*column*) side and gives rows without a partner on that side a missing index value
(``float64`` for integers); the index is named after the column side's.  When that side
is empty, pandas takes a shortcut and keeps the index side's labels instead: an empty
partition is not an empty frame, so :meth:`JoinSpec.raw` gives those rows missing labels.

>>> import pandas as pd
>>> spec = JoinSpec("merge", {"on": "k", "how": "left"})
>>> left = pd.DataFrame({"k": [1, 2], "x": [10, 20]})
>>> right = pd.DataFrame({"k": [1], "y": [5]})
>>> meta = declared_meta(spec, left.iloc[:0], right.iloc[:0])
>>> meta.dtypes.astype(str).tolist()
['int64', 'int64', 'float64']
>>> JoinParts(spec, meta)(left, right.iloc[:1]).y.tolist()  # every row matched: still float
[5.0, nan]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tessera.dataframe.graph import nonempty

__all__ = [
    "JoinParts",
    "JoinSpec",
    "conform",
    "declared_meta",
    "list_meta",
    "unique_sides",
    "with_missing",
]

#: The sides whose keys must be unique for each ``validate`` of pandas.
VALIDATE = {
    "one_to_one": ("left", "right"),
    "1:1": ("left", "right"),
    "one_to_many": ("left",),
    "1:m": ("left",),
    "many_to_one": ("right",),
    "m:1": ("right",),
    "many_to_many": (),
    "m:m": (),
}

#: The sides whose rows may find no partner (and are kept) under each ``how``.
UNMATCHED = {
    "inner": (),
    "cross": (),
    "left": ("left",),
    "right": ("right",),
    "outer": ("left", "right"),
}


def with_missing(dtype: Any) -> Any:
    """The dtype pandas gives a column of ``dtype`` when missing values are put in.

    >>> [str(with_missing(d)) for d in ("int64", "bool", "float32", "category")]
    ['float64', 'object', 'float32', 'category']
    """
    return pd.Series([], dtype=dtype).reindex(range(1)).dtype


def unique_sides(validate: str | None) -> tuple[str, ...]:
    """The sides (``"left"``, ``"right"``) whose join keys ``validate`` says are unique.

    >>> unique_sides("1:m"), unique_sides("many_to_one"), unique_sides(None)
    (('left',), ('right',), ())
    >>> unique_sides("1:n")
    Traceback (most recent call last):
    ...
    ValueError: validate="1:n" is not a valid argument; use one of "one_to_one", "1:1", \
"one_to_many", "1:m", "many_to_one", "m:1", "many_to_many", "m:m" (or None).
    """
    if validate is None:
        return ()
    if not isinstance(validate, str) or validate not in VALIDATE:
        valid = ", ".join(f'"{v}"' for v in VALIDATE)
        raise ValueError(
            f'validate="{validate}" is not a valid argument; use one of {valid} (or None).'
        )
    return VALIDATE[validate]


def _listed(x: Any) -> list[Any]:
    return [] if x is None else list(x) if isinstance(x, list | tuple) else [x]


@dataclass(frozen=True)
class JoinSpec:
    """``pd.merge(left, right, **kwargs)`` (``method="merge"``) or ``left.join(right,
    **kwargs)`` (``"join"``).  ``index_side`` is the side joined on its index when only
    one is (its partners' index becomes the result's), else None.  ``hidden`` columns
    (index-level keys copied for a shuffle) are dropped before pandas sees the parts.

    >>> spec = JoinSpec("merge", {"left_on": "k", "right_index": True}, "right")
    >>> spec.column_side
    'left'
    """

    method: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    index_side: str | None = None
    hidden: tuple[str, ...] = ()

    @property
    def how(self) -> str:
        """The ``how`` of the join (pandas' defaults: inner for merge, left for join)."""
        return str(self.kwargs.get("how", "inner" if self.method == "merge" else "left"))

    @property
    def unique_sides(self) -> tuple[str, ...]:
        """The sides whose keys must be unique (``validate``; pandas checks nothing for a
        ``cross`` join); a ValueError for a ``validate`` pandas does not know.

        >>> JoinSpec("merge", {"on": "k", "validate": "1:1"}).unique_sides
        ('left', 'right')
        """
        if self.how == "cross":
            return ()
        return unique_sides(self.kwargs.get("validate"))

    @property
    def column_side(self) -> str | None:
        """The side the result's index comes from in a one-sided index join."""
        return (
            None if self.index_side is None else "left" if self.index_side == "right" else "right"
        )

    @property
    def shared_keys(self) -> set[Any]:
        """Key columns both sides share by name: pandas coalesces them into one column.

        >>> sorted(JoinSpec("merge", {"left_on": ["a", "b"], "right_on": ["a", "c"]}).shared_keys)
        ['a']
        """
        kw = self.kwargs
        if self.method == "join" or kw.get("on") is not None:
            return set(_listed(kw.get("on")))
        pairs = zip(_listed(kw.get("left_on")), _listed(kw.get("right_on")), strict=False)
        return {a for a, b in pairs if a == b}

    def raw(self, left: Any, right: Any) -> Any:
        """Join two partitions with pandas; rows that pandas' empty-side shortcut labels
        with the index side's index get a missing label instead (see the module docs)."""
        if self.hidden:
            left = left.drop(columns=list(self.hidden), errors="ignore")
            right = right.drop(columns=list(self.hidden), errors="ignore")
        if self.method == "merge":
            out = pd.merge(left, right, **self.kwargs)
        else:
            out = left.join(right, **self.kwargs)
        column = {"left": left, "right": right}.get(self.column_side or "")
        if column is not None and not len(column) and len(out):
            out.index = pd.Index(np.full(len(out), np.nan))
        return out


def _index_meta(spec: JoinSpec, matched: Any, lmeta: Any, rmeta: Any) -> pd.Index:
    if spec.column_side is None:
        return matched.index
    source = (lmeta if spec.column_side == "left" else rmeta).index
    if source.nlevels > 1:
        return matched.index
    dtype = source.dtype
    if spec.index_side in UNMATCHED[spec.how]:
        dtype = with_missing(dtype)
    return pd.Index([], dtype=dtype, name=source.name)


def _widened(matched: Any, runs: list[Any], keep: set[Any]) -> Any:
    """``matched`` with each column (but those in ``keep``) cast to the dtype of that
    column of all ``runs`` together (the runs with unmatched rows)."""
    meta = matched.copy()
    for i in range(matched.shape[1]):
        if matched.columns[i] in keep or not runs:
            continue
        column = pd.concat([run.iloc[:, i] for run in runs])
        if column.dtype != matched.dtypes.iloc[i]:
            meta.isetitem(i, matched.iloc[:, i].astype(column.dtype))
    return meta


def declared_meta(spec: JoinSpec, lmeta: Any, rmeta: Any) -> Any:
    """The empty result of joining ``lmeta`` and ``rmeta`` with the dtypes pandas gives
    when rows are left unmatched (see the module docs); pandas validates the arguments.

    >>> spec = JoinSpec("merge", {"on": "k", "how": "outer"})
    >>> a = pd.DataFrame({"k": [1], "b": [True]}).iloc[:0]
    >>> declared_meta(spec, a, a.rename(columns={"b": "c"})).dtypes.astype(str).tolist()
    ['int64', 'object', 'object']
    """
    matched = spec.raw(lmeta, rmeta)
    runs = []
    if "left" in UNMATCHED[spec.how]:
        runs.append(spec.raw(nonempty(lmeta).iloc[:1], rmeta))
    if "right" in UNMATCHED[spec.how]:
        runs.append(spec.raw(lmeta, nonempty(rmeta).iloc[:1]))
    # pandas fills a shared key from the other side: it keeps its dtype
    meta = _widened(matched, runs, spec.shared_keys)
    meta.index = _index_meta(spec, matched, lmeta, rmeta)
    return meta


def list_meta(metas: list[Any], how: str) -> Any:
    """The empty result of ``metas[0].join(metas[1:], how=how)`` (a list join, on the
    index) with the dtypes pandas gives when rows are left unmatched.

    pandas joins frames with unique indexes by concatenating them side by side (an outer
    join) and then taking the first's (``left``) or the last's (``right``) index: a
    label missing in any frame gives every frame's columns missing values, so all
    columns but an ``inner`` join's are declared with missing values.

    >>> a = pd.DataFrame({"a": [1]}).iloc[:0]
    >>> b = pd.DataFrame({"b": [True]}).iloc[:0]
    >>> list_meta([a, b], "left").dtypes.astype(str).tolist()
    ['float64', 'object']
    >>> list_meta([a, b], "inner").dtypes.astype(str).tolist()
    ['int64', 'bool']
    """

    def joined(frames: list[Any]) -> Any:
        return frames[0].join(frames[1:], how=how)

    matched = joined(metas)
    if how == "inner":
        return matched
    fakes = [nonempty(m).iloc[:1] for m in metas]
    runs = [joined([*metas[:i], fakes[i], *metas[i + 1 :]]) for i in range(len(metas))]
    return _widened(matched, runs, set())


def conform(part: Any, meta: Any) -> Any:
    """Cast the columns and index of a computed partition to ``meta``'s dtypes and names.

    >>> meta = pd.DataFrame({"a": pd.Series([], dtype="float64")})
    >>> conform(pd.DataFrame({"a": [1]}), meta).a.dtype
    dtype('float64')
    """
    wanted = meta.dtypes
    if not part.dtypes.equals(wanted):
        part = part.copy(deep=False)
        for i, (have, want) in enumerate(zip(part.dtypes, wanted, strict=True)):
            if have != want:
                part.isetitem(i, part.iloc[:, i].astype(want))
    index = part.index
    if index.nlevels == 1 and index.dtype != meta.index.dtype:
        index = index.astype(meta.index.dtype)
    if list(index.names) != list(meta.index.names):
        index = index.set_names(meta.index.names)
    if index is not part.index:
        part = part.set_axis(index)
    return part


@dataclass(frozen=True)
class JoinParts:
    """The partition task of a join: ``spec.raw(left, right)`` cast to ``meta``.

    >>> spec = JoinSpec("join", {"on": "k"})
    >>> meta = declared_meta(spec, pd.DataFrame({"k": [1]}), pd.DataFrame({"w": [2]}))
    >>> JoinParts(spec, meta)(pd.DataFrame({"k": [1]}), pd.DataFrame({"w": [2]}, index=[1]))
       k    w
    0  1  2.0
    """

    spec: JoinSpec
    meta: Any = field(compare=False)
    #: A join may give more rows than both sides (keys repeated on both).
    grows_data: ClassVar[bool] = True

    def __call__(self, left: Any, right: Any) -> Any:
        return conform(self.spec.raw(left, right), self.meta)
