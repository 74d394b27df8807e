"""Grouped reductions: ``df.groupby(by).sum/mean/count/min/max/size`` and ``.agg(name)``.

Map
---
- :class:`GroupBy` -- a frame, the grouping columns and an optional column selection
  (``df.groupby("k").v`` or ``df.groupby("k")[["v", "w"]]``).  Each method is one call to
  the tree reduction waist :func:`~tessera.dataframe.reductions.reduction`:

  chunk
      the pandas groupby reduction of one partition;
  combine
      concatenate the partial results and reduce them again by the group index
      (``count`` and ``size`` partials are summed);
  aggregate
      the same, then finish: ``mean`` is carried as ``(sum, count)`` and divided last.

Results match pandas' default ``sort=True`` (groups sorted) and ``dropna=True``.

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"k": [1, 2, 1, 2], "v": [1.0, 2.0, 3.0, 5.0]}, npartitions=3)
>>> df.groupby("k").mean().compute()
     v
k
1  2.0
2  3.5
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd

from tessera.dataframe.graph import nonempty
from tessera.dataframe.groupby_apply import GroupByShuffleMixin
from tessera.dataframe.reductions import reduction

__all__ = ["GroupBy"]

_AGGS = ("sum", "mean", "count", "min", "max", "size")
_REAGG = {"count": "sum", "size": "sum"}


def _grouped(part: Any, by: Any, selection: Any, sort: bool, dropna: bool) -> Any:
    g = part.groupby(by, sort=sort, dropna=dropna)
    return g if selection is None else g[selection]


def _chunk(part: Any, op: str, by: Any, selection: Any, sort: bool, dropna: bool) -> Any:
    g = _grouped(part, by, selection, sort, dropna)
    if op == "mean":
        return (g.sum(), g.count())
    return getattr(g, op)()


def _regroup(parts: list[Any], op: str, sort: bool, dropna: bool) -> Any:
    nonempty_parts = [p for p in parts if len(p)] or parts[:1]
    joined = pd.concat(nonempty_parts)
    levels = list(range(joined.index.nlevels))
    return getattr(joined.groupby(level=levels, sort=sort, dropna=dropna), _REAGG.get(op, op))()


def _combine(parts: list[Any], op: str, sort: bool, dropna: bool) -> Any:
    if op == "mean":
        return (
            _regroup([p[0] for p in parts], "sum", sort, dropna),
            _regroup([p[1] for p in parts], "count", sort, dropna),
        )
    return _regroup(parts, op, sort, dropna)


def _aggregate(parts: list[Any], op: str, sort: bool, dropna: bool) -> Any:
    r = _combine(parts, op, sort, dropna)
    if op == "mean":
        return r[0] / r[1]
    return r


class GroupBy(GroupByShuffleMixin):
    """The result of :meth:`DataFrame.groupby <tessera.dataframe.DataFrame.groupby>`.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"k": ["a", "b", "a"], "v": [1, 2, 3]}, npartitions=2)
    >>> df.groupby("k").v.agg("sum").compute().to_dict()
    {'a': 4, 'b': 2}
    """

    def __init__(
        self, frame: Any, by: Any, sort: bool = True, dropna: bool = True, selection: Any = None
    ) -> None:
        keys = by if isinstance(by, list) else [by]
        for k in keys:
            if isinstance(k, pd.Series) or hasattr(k, "divisions"):
                raise NotImplementedError(
                    "groupby by a Series is not implemented yet; group by column names."
                )
        frame._check_columns(keys)
        self.frame, self.by, self.sort, self.dropna = frame, by, sort, dropna
        self.selection = selection

    def __getitem__(self, key: Any) -> GroupBy:
        self.frame._check_columns(key if isinstance(key, list) else [key])
        return GroupBy(self.frame, self.by, self.sort, self.dropna, key)

    def __getattr__(self, key: str) -> GroupBy:
        if not key.startswith("_") and key in self.frame.meta.columns:
            return self[key]
        raise AttributeError(f"'GroupBy' object has no attribute {key!r}")

    def _reduce(self, op: str, split_every: int | None) -> Any:
        meta_group = _grouped(
            nonempty(self.frame.meta), self.by, self.selection, self.sort, self.dropna
        )
        meta = getattr(meta_group, op)()
        sort, dropna = self.sort, self.dropna
        return reduction(
            self.frame,
            partial(_chunk, op=op, by=self.by, selection=self.selection, sort=sort, dropna=dropna),
            partial(_combine, op=op, sort=sort, dropna=dropna),
            partial(_aggregate, op=op, sort=sort, dropna=dropna),
            meta,
            split_every,
            prefix=f"groupby-{op}",
        )

    def sum(self, split_every: int | None = None) -> Any:
        """Sum of each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1, 2, 3]}, npartitions=2)
        >>> df.groupby("k").sum().compute().v.tolist()
        [4, 2]
        """
        return self._reduce("sum", split_every)

    def mean(self, split_every: int | None = None) -> Any:
        """Mean of each group (from per-partition sums and counts).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1, 2, 4]}, npartitions=2)
        >>> df.groupby("k").v.mean().compute().tolist()
        [2.5, 2.0]
        """
        return self._reduce("mean", split_every)

    def count(self, split_every: int | None = None) -> Any:
        """Number of non-missing values in each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1.0, None, 4.0]}, npartitions=2)
        >>> df.groupby("k").v.count().compute().tolist()
        [2, 0]
        """
        return self._reduce("count", split_every)

    def min(self, split_every: int | None = None) -> Any:
        """Minimum of each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [5, 2, 4]}, npartitions=2)
        >>> df.groupby("k").v.min().compute().tolist()
        [4, 2]
        """
        return self._reduce("min", split_every)

    def max(self, split_every: int | None = None) -> Any:
        """Maximum of each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [5, 2, 4]}, npartitions=2)
        >>> df.groupby("k").v.max().compute().tolist()
        [5, 2]
        """
        return self._reduce("max", split_every)

    def size(self, split_every: int | None = None) -> Any:
        """Number of rows in each group (a Series).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1]}, npartitions=2)
        >>> df.groupby("k").size().compute().tolist()
        [2, 1]
        """
        return self._reduce("size", split_every)

    def agg(self, func: str, split_every: int | None = None) -> Any:
        """Aggregate by name: ``"sum"``, ``"mean"``, ``"count"``, ``"min"``, ``"max"``, ``"size"``.

        Lists, dicts and named aggregations are not implemented yet.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1, 2, 3]}, npartitions=2)
        >>> df.groupby("k").agg("max").compute().v.tolist()
        [3, 2]
        """
        if not isinstance(func, str) or func not in _AGGS:
            raise NotImplementedError(
                f"groupby().agg({func!r}) is not implemented yet; pass one of {list(_AGGS)}."
            )
        return self._reduce(func, split_every)

    aggregate = agg
