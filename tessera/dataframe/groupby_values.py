"""By-value methods of GroupBy: ``idxmax, idxmin, value_counts, unique``.

Map
---
- :class:`GroupByValuesMixin` -- the methods (mixed into
  :class:`~tessera.dataframe.groupby.GroupBy` through
  :class:`~tessera.dataframe.groupby_methods.GroupByMethodsMixin`).  It inherits the
  working frame and its grouping (``_keys``) and the row-wise methods from
  :class:`~tessera.dataframe.groupby_extra.GroupByExtraMixin`.
- :class:`_Best`, :class:`_Pairs` -- tree reductions: ``idxmax/idxmin`` keep per group
  and column the row pandas would pick in each partition (a candidate), and pandas'
  ``idxmax`` on all candidates (in row order) gives its answer on the whole frame, ties
  and all-missing groups included; ``value_counts`` and ``unique`` merge the distinct
  ``(group, value)`` pairs (with counts) in order of first appearance; pandas' own
  ``value_counts(sort=False)`` / ``unique`` of those distinct pairs then gives the rows
  (with the zero counts of unused categories of a categorical value, or of a
  categorical key with ``observed=False``) and their order by group, and the counts
  are sorted stably (equal counts within a group keep that order).

Policy: results equal pandas' (the meta is pandas' answer on a small fake; the labels
``idxmax``/``idxmin`` give on a MultiIndex are tuples, dtype object).
``value_counts`` and ``unique`` of a DataFrameGroupBy need one selected column.

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"k": [1, 2, 1, 2], "v": [4, 5, 6, 5]}, npartitions=3)
>>> df.groupby("k").v.idxmax().compute().tolist()
[2, 1]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tessera.dataframe.graph import make_meta
from tessera.dataframe.groupby_extra import GroupByExtraMixin, Keys
from tessera.dataframe.tree import reduction

__all__ = ["GroupByValuesMixin"]

_LABEL = "__tessera_label"


@dataclass(frozen=True)
class _Best:
    """``idxmax``/``idxmin`` of ``columns``: a partial is, per column, the candidate rows
    ``(keys..., value, label)`` in row order."""

    keys: Keys
    columns: tuple[Any, ...]
    how: str
    skipna: bool
    sort: bool
    meta: Any = field(default=None, compare=False)

    def _pick(self, frame: pd.DataFrame, column: Any) -> pd.DataFrame:
        order = frame.sort_values(
            column,
            ascending=self.how == "idxmin",
            na_position="last" if self.skipna else "first",
            kind="stable",
        )
        return self.keys.group(order).head(1).sort_index().reset_index(drop=True)

    def chunk(self, part: Any) -> list[pd.DataFrame]:
        out = []
        for c in self.columns:
            frame = part[[*self.keys.keys, c]].assign(**{_LABEL: part.index})
            out.append(self._pick(frame.reset_index(drop=True), c))
        return out

    def combine(self, partials: list[list[pd.DataFrame]]) -> list[pd.DataFrame]:
        columns = zip(*partials, strict=True)
        pairs = zip(columns, self.columns, strict=True)
        return [self._pick(pd.concat(f, ignore_index=True), c) for f, c in pairs]

    def aggregate(self, partials: list[list[pd.DataFrame]]) -> Any:
        results = []
        for frame, c in zip(self.combine(partials), self.columns, strict=True):
            by_label = frame.set_index(_LABEL)
            grouped = self.keys.group(by_label, sort=self.sort)[c]
            results.append(getattr(grouped, self.how)(skipna=self.skipna))
        if isinstance(self.meta, pd.Series):
            out = results[0].rename(self.meta.name)
        else:
            out = pd.concat(results, axis=1).set_axis(self.meta.columns, axis=1)
        out.index = out.index.set_names(self.meta.index.names)
        return out


@dataclass(frozen=True)
class _Pairs:
    """Distinct ``(keys..., value)`` pairs with their counts, in order of first
    appearance; ``finish`` turns them into ``value_counts`` or ``unique``."""

    keys: Keys
    column: Any
    method: str
    kwargs: tuple[tuple[str, Any], ...]
    sort: bool
    meta: Any = field(default=None, compare=False)

    def chunk(self, part: Any) -> pd.Series:
        by = [*self.keys.keys, self.column]
        return part.groupby(by, sort=False, dropna=False, observed=True).size()

    def combine(self, partials: list[pd.Series]) -> pd.Series:
        whole = pd.concat(partials)
        levels = list(range(whole.index.nlevels))
        return whole.groupby(level=levels, sort=False, dropna=False, observed=True).sum()

    def aggregate(self, partials: list[pd.Series]) -> Any:
        counts = self.combine(partials)
        nkeys = len(self.keys.keys)
        labels = [*(f"k{i}" for i in range(nkeys)), "v"]  # pandas mixes up integer labels
        flat = counts.index.to_frame(index=False).set_axis(labels, axis=1)
        keys = self.keys
        grouped = flat.groupby(
            labels[:-1], sort=self.sort, dropna=keys.dropna, observed=keys.observed
        )["v"]
        options = dict(self.kwargs)
        if self.method == "unique":
            out = grouped.unique()
        else:
            out = self._ordered(counts, grouped, nkeys, options)
        out.index = out.index.set_names(self.meta.index.names)
        return out.rename(self.meta.name)

    def _ordered(
        self, counts: pd.Series, grouped: Any, nkeys: int, options: dict[str, Any]
    ) -> pd.Series:
        """pandas' rows, order (and ``normalize``) of grouped value counts.

        pandas' own ``value_counts(sort=False)`` of the distinct pairs (in order of first
        appearance) gives the rows -- with the zero counts of unused categories -- in
        pandas' order by group; the counts then go by count when ``sort``, equal counts
        of a group in that order.
        """
        rows = grouped.value_counts(sort=False, dropna=options["dropna"]).index
        counts = counts.set_axis(counts.index.set_names(rows.names))
        counts = counts.reindex(rows, fill_value=0).astype("int64")
        if options["sort"]:
            counts = counts.sort_values(ascending=options["ascending"], kind="stable")
        if self.sort:
            counts = counts.sort_index(level=rows.names[:nkeys], sort_remaining=False)
        if options["normalize"]:
            groups = counts.index.droplevel(list(range(nkeys, counts.index.nlevels)))
            totals = counts.groupby(groups, sort=self.sort, dropna=False).transform("sum")
            counts = (counts / totals).fillna(0.0)
        return counts


class GroupByValuesMixin(GroupByExtraMixin):
    """``idxmax, idxmin, value_counts, unique``."""

    def _selects_one(self) -> bool:
        return self.selection is not None and not isinstance(self.selection, list)

    def _value_columns(self, work: Any, grouping: Keys, column: Any) -> tuple[Any, ...]:
        """The working frame's columns of the grouped values."""
        if isinstance(self.selection, list):
            return tuple(self.selection)
        if self._selects_one() or not isinstance(self.frame.meta, pd.DataFrame):
            return (column,)
        return tuple(c for c in work.columns if c not in grouping.keys)

    def _check_as_index(self, method: str) -> None:
        if not getattr(self, "as_index", True):
            raise NotImplementedError(
                f"groupby(..., as_index=False).{method}() is not supported; group with "
                f"as_index=True and call reset_index() on the result."
            )

    def _best(self, how: str, skipna: bool, split_every: int | None) -> Any:
        self._check_as_index(how)
        meta = make_meta(getattr(self._fake(), how)(skipna=skipna))
        if isinstance(self.frame.meta.index, pd.MultiIndex):  # labels are tuples
            meta = meta.astype(object)
        work, grouping, column = self._keys()
        columns = self._value_columns(work, grouping, column)
        op = _Best(grouping, columns, how, skipna, self.sort, meta)
        return reduction(work, op.chunk, op.combine, op.aggregate, meta, split_every, how)

    def idxmax(self, skipna: bool = True, split_every: int | None = None) -> Any:
        """The index label of each group's maximum (the first one on ties), per column.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [4, 5, 6]}, npartitions=2)
        >>> df.groupby("k").v.idxmax().compute().tolist()
        [2, 1]
        """
        return self._best("idxmax", skipna, split_every)

    def idxmin(self, skipna: bool = True, split_every: int | None = None) -> Any:
        """The index label of each group's minimum (the first one on ties), per column.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [4, 5, 6]}, npartitions=2)
        >>> df.groupby("k").v.idxmin().compute().tolist()
        [0, 1]
        """
        return self._best("idxmin", skipna, split_every)

    def _pairs(self, method: str, kwargs: dict[str, Any], split_every: int | None) -> Any:
        if isinstance(self.frame.meta, pd.DataFrame) and not self._selects_one():
            raise AttributeError(
                f"'DataFrameGroupBy' has no {method}() in tessera; select one column first "
                f"(df.groupby(...)['column'].{method}())."
            )
        self._check_as_index(method)
        meta = make_meta(getattr(self._fake(), method)(**kwargs))
        work, grouping, column = self._keys()
        if column in grouping.keys:
            raise NotImplementedError(
                f"groupby(...)[{column!r}].{method}() of a group key is not supported; count "
                "the groups with groupby(...).size() instead."
            )
        op = _Pairs(grouping, column, method, tuple(kwargs.items()), self.sort, meta)
        return reduction(work, op.chunk, op.combine, op.aggregate, meta, split_every, method)

    def value_counts(
        self,
        normalize: bool = False,
        sort: bool = True,
        ascending: bool = False,
        bins: Any = None,
        dropna: bool = True,
        split_every: int | None = None,
    ) -> Any:
        """Count of each value in each group (a Series indexed by group and value), in
        pandas' order: by group, then by count (``sort``), ties in order of appearance.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 1, 2, 1], "v": ["a", "b", "a", "b"]}, npartitions=2)
        >>> df.groupby("k").v.value_counts().compute().tolist()
        [2, 1, 1]
        """
        if bins is not None:
            raise NotImplementedError(
                "groupby(...).value_counts(bins=...) is not supported; cut the values first "
                "(e.g. with map_partitions(pd.cut, bins)) and count the bins."
            )
        kwargs = {"normalize": normalize, "sort": sort, "ascending": ascending, "dropna": dropna}
        return self._pairs("value_counts", kwargs, split_every)

    def unique(self, split_every: int | None = None) -> Any:
        """The distinct values of each group, in order of appearance (an array per group).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [3, 5, 3, 4]}, npartitions=3)
        >>> df.groupby("k").v.unique().compute().map(lambda a: a.tolist()).tolist()
        [[3, 4], [5]]
        """
        return self._pairs("unique", {}, split_every)
