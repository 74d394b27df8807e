"""Row-wise and by-value methods of GroupBy: ``get_group, shift, ffill, bfill, head, tail,
idxmax, idxmin, value_counts, unique``.

Map
---
- :class:`GroupByExtraMixin` -- the methods (mixed into
  :class:`~tessera.dataframe.groupby.GroupBy` through
  :class:`~tessera.dataframe.groupby_methods.GroupByMethodsMixin`).  All work on the
  *working frame* of :meth:`GroupByShuffleMixin._working
  <tessera.dataframe.groupby_apply.GroupByShuffleMixin._working>`: the frame (a Series
  as one column) plus a hidden column per key Series, grouped by key columns.
- :class:`_Window` -- ``shift, ffill, bfill, head, tail`` as a chain over the partitions
  (forward for ``shift(n > 0), ffill, head``, backward for the others): each partition
  receives a *carry*, the rows of earlier (later) partitions it can depend on -- per
  group the last (first) ``n`` rows, or for an unlimited fill the last (first) filled
  row -- and runs pandas' own method on ``carry + partition``, keeping its own rows.
  The result keeps the frame's partitions, divisions, index and row order, as pandas.
- :class:`_GetGroup` -- ``get_group``: a lazy filter, partition by partition.
- :class:`_Best`, :class:`_Pairs` -- tree reductions: ``idxmax/idxmin`` keep per group
  and column the row pandas would pick in each partition (a candidate), and pandas'
  ``idxmax`` on all candidates (in row order) gives its answer on the whole frame, ties
  and all-missing groups included; ``value_counts`` and ``unique`` merge the distinct
  ``(group, value)`` pairs (with counts) in order of first appearance, then apply
  pandas' ordering (``value_counts``: equal counts within a group stay in order of
  appearance, where pandas' unstable sort leaves their order unspecified).

Policy: results equal pandas' (the meta is pandas' answer on a small fake).  ``get_group``
of a key no partition holds is empty (pandas raises ``KeyError``; a lazy filter cannot).

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [1.0, 2.0, None, 4.0]}, npartitions=3)
>>> df.groupby("k").v.ffill().compute().tolist()
[1.0, 2.0, 1.0, 4.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import make_meta, merge_layers, new_collection, partitionwise
from tessera.dataframe.tree import reduction
from tessera.hashing import tokenize

__all__ = ["GroupByExtraMixin"]

_LABEL = "__tessera_label"


@dataclass(frozen=True)
class _Keys:
    """How a working partition is grouped (row order kept, ``sort=False``)."""

    keys: tuple[Any, ...]
    dropna: bool = True
    observed: bool = True

    def group(self, frame: Any, sort: bool = False, as_list: bool = True) -> Any:
        by = list(self.keys) if as_list else self.keys[0]
        return frame.groupby(by, sort=sort, dropna=self.dropna, observed=self.observed)


def _shown(out: pd.DataFrame, meta: Any, column: Any) -> Any:
    """The working-frame result ``out`` shaped as ``meta``: its columns, or the one
    ``column`` of a Series result."""
    if isinstance(out, pd.Series):
        return out.rename(meta.name)
    if isinstance(meta, pd.Series):
        return out[column].rename(meta.name)
    return out[list(meta.columns)]


@dataclass(frozen=True)
class _Window:
    """One windowed row-wise method (see the module map); ``size`` None: the carry is the
    last (first) filled row of each group."""

    keys: _Keys
    method: str
    kwargs: tuple[tuple[str, Any], ...]
    forward: bool
    size: int | None
    column: Any
    selection: Any = None
    meta: Any = field(default=None, compare=False)

    def _joined(self, part: Any, carry: Any) -> tuple[Any, int]:
        """``carry`` and ``part`` in row order, and where ``part``'s rows start."""
        if carry is None:
            return part.reset_index(drop=True), 0
        pieces = [carry, part] if self.forward else [part, carry]
        return pd.concat(pieces, ignore_index=True), len(carry) if self.forward else 0

    def _run(self, joined: Any) -> Any:
        grouped = self.keys.group(joined)
        if self.selection is not None:
            grouped = grouped[self.selection]
        return getattr(grouped, self.method)(**dict(self.kwargs))

    def carry(self, before: Any, part: Any) -> Any:
        joined, _ = self._joined(part, before)
        if self.size is not None:
            take = "tail" if self.forward else "head"
            return joined.loc[getattr(self.keys.group(joined), take)(self.size).index]
        filled = joined.copy()
        done = self._run(joined)
        done = done.to_frame() if isinstance(done, pd.Series) else done
        filled[list(done.columns)] = done
        edge = "tail" if self.forward else "head"
        return filled.loc[getattr(self.keys.group(filled), edge)(1).index]

    def apply(self, part: Any, carry: Any) -> Any:
        joined, start = self._joined(part, carry)
        out = self._run(joined)
        out = out[(out.index >= start) & (out.index < start + len(part))]
        out.index = part.index[out.index - start]
        return _shown(out, self.meta, self.column)


def _start() -> None:
    return None


@dataclass(frozen=True)
class _GetGroup:
    """The rows of one group in a working partition (``key`` a tuple for a list of keys)."""

    keys: _Keys
    key: Any
    as_list: bool
    column: Any
    meta: Any = field(default=None, compare=False)

    def __call__(self, part: Any) -> Any:
        rows = self.keys.group(part, as_list=self.as_list).indices.get(self.key, [])
        return _shown(part.iloc[sorted(rows)], self.meta, self.column)


@dataclass(frozen=True)
class _Best:
    """``idxmax``/``idxmin`` of ``columns``: a partial is, per column, the candidate rows
    ``(keys..., value, label)`` in row order."""

    keys: _Keys
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

    keys: _Keys
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
        flat = counts.index.to_frame(index=False)
        keep = pd.Series(True, index=flat.index)
        if self.keys.dropna:
            keep &= flat.iloc[:, :nkeys].notna().all(axis=1)
        options = dict(self.kwargs)
        if self.method == "unique":
            pairs = flat[keep.to_numpy()].set_axis([*range(nkeys), "v"], axis=1)
            grouped = pairs.groupby(list(range(nkeys)), sort=self.sort, dropna=self.keys.dropna)
            out = grouped["v"].unique()
        else:
            if options["dropna"]:
                keep &= flat.iloc[:, nkeys].notna()
            out = self._ordered(counts[keep.to_numpy()].astype("int64"), nkeys, options)
        out.index = out.index.set_names(self.meta.index.names)
        return out.rename(self.meta.name)

    def _ordered(self, counts: pd.Series, nkeys: int, options: dict[str, Any]) -> pd.Series:
        """pandas' order (and ``normalize``) of grouped value counts: by group (sorted or in
        order of appearance), then by count when ``sort``.  pandas puts the pairs in group
        order with NumPy's unstable sort, so its order among equal counts of a group
        varies (with the machine, too); here ties keep their order of appearance."""
        if self.sort:
            levels = list(range(nkeys))
            groups = counts.groupby(level=levels, sort=True, dropna=False).ngroup()
            counts = counts.iloc[np.argsort(groups.to_numpy(), kind="stable")]
        if options["sort"]:
            counts = counts.sort_values(ascending=options["ascending"], kind="stable")
        if self.sort:
            names = counts.index.names
            counts.index = counts.index.set_names(range(len(names)))
            counts = counts.sort_index(level=list(range(nkeys)), sort_remaining=False)
            counts.index = counts.index.set_names(names)
        if options["normalize"]:
            groups = counts.index.droplevel(list(range(nkeys, counts.index.nlevels)))
            totals = counts.groupby(groups, sort=self.sort, dropna=False).transform("sum")
            counts = (counts / totals).fillna(0.0)
        return counts


class GroupByExtraMixin:
    """``get_group, shift, ffill, bfill, head, tail, idxmax, idxmin, value_counts, unique``."""

    frame: Any
    by: Any
    sort: bool
    dropna: bool
    selection: Any
    observed: bool
    _fake: Any
    _working: Any

    def _keys(self) -> tuple[Any, _Keys, Any]:
        """The working frame, its grouping, and the value column of a Series result."""
        work, keys, _ = self._working()
        grouping = _Keys(tuple(keys), self.dropna, getattr(self, "observed", True))
        column = self.selection
        if not isinstance(self.frame.meta, pd.DataFrame):
            column = work.columns[0]
        return work, grouping, column

    def _selects_one(self) -> bool:
        return self.selection is not None and not isinstance(self.selection, list)

    def _value_columns(self, work: Any, grouping: _Keys, column: Any) -> tuple[Any, ...]:
        """The working frame's columns of the grouped values."""
        if isinstance(self.selection, list):
            return tuple(self.selection)
        if self._selects_one() or not isinstance(self.frame.meta, pd.DataFrame):
            return (column,)
        return tuple(c for c in work.columns if c not in grouping.keys)

    def get_group(self, key: Any) -> Any:
        """The rows of group ``key`` (a tuple when grouped by a list), lazily: a filter.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [4, 5, 6]}, npartitions=2)
        >>> df.groupby("k").get_group(1).compute().v.tolist()
        [4, 6]
        """
        work, grouping, column = self._keys()
        as_list = isinstance(self.by, list)
        fake = self._fake()
        meta = make_meta(fake.get_group(next(iter(fake.groups))))  # pandas' columns
        op = _GetGroup(grouping, key, as_list, column, meta)
        out = partitionwise(op, work, meta=meta, prefix="groupby-get-group")
        return new_collection(out.layers, out._name, meta, self.frame.divisions)

    def _window(self, method: str, kwargs: dict[str, Any], forward: bool, size: Any) -> Any:
        meta = make_meta(getattr(self._fake(), method)(**kwargs))  # pandas validates
        work, grouping, column = self._keys()
        items = tuple(kwargs.items())
        op = _Window(grouping, method, items, forward, size, column, self.selection, meta)
        token = tokenize(work, op)
        cname, name = f"groupby-{method}-carry-{token}", f"groupby-{method}-{token}"
        n = work.npartitions
        order = range(n) if forward else range(n - 1, -1, -1)
        carry: dict[Any, Any] = {}
        previous = None
        for i in order:
            before = (op.carry, (cname, previous), (work._name, previous))
            carry[cname, i] = (_start,) if previous is None else before
            previous = i
        layers = merge_layers(work)
        layers[cname] = carry
        layers[name] = {(name, i): (op.apply, (work._name, i), (cname, i)) for i in range(n)}
        return new_collection(layers, name, meta, self.frame.divisions)

    def shift(self, periods: int = 1, fill_value: Any = None) -> Any:
        """Shift each group's rows by ``periods`` (missing or ``fill_value`` at the edges).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [1, 2, 3, 4]}, npartitions=3)
        >>> df.groupby("k").v.shift().compute().tolist()
        [nan, nan, 1.0, 3.0]
        >>> df.groupby("k").v.shift(-1, fill_value=0).compute().tolist()
        [3, 0, 4, 0]
        """
        if not isinstance(periods, int) or isinstance(periods, bool):
            raise TypeError(
                f"groupby(...).shift(periods=...) takes one integer, got {periods!r}; shift "
                "once per period and concat the results for several."
            )
        kwargs: dict[str, Any] = {"periods": periods}
        if fill_value is not None:
            kwargs["fill_value"] = fill_value
        return self._window("shift", kwargs, periods >= 0, abs(periods))

    def ffill(self, limit: int | None = None) -> Any:
        """Fill missing values with the last earlier value of the same group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 1, 1], "v": [1.0, None, None]}, npartitions=3)
        >>> df.groupby("k").v.ffill(limit=1).compute().tolist()
        [1.0, 1.0, nan]
        """
        return self._window("ffill", {"limit": limit}, True, limit)

    def bfill(self, limit: int | None = None) -> Any:
        """Fill missing values with the next later value of the same group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [None, None, 3.0]}, npartitions=3)
        >>> df.groupby("k").v.bfill().compute().tolist()
        [3.0, nan, 3.0]
        """
        return self._window("bfill", {"limit": limit}, False, limit)

    def _check_n(self, method: str, n: int) -> None:
        if not isinstance(n, int) or n < 0:
            raise NotImplementedError(
                f"groupby(...).{method}(n={n!r}): tessera takes n >= 0 (a negative n needs "
                "each group's full length); use apply for that."
            )

    def head(self, n: int = 5) -> Any:
        """The first ``n`` rows of each group, in the frame's row order.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [1, 2, 3, 4]}, npartitions=3)
        >>> df.groupby("k").head(2).compute().v.tolist()
        [1, 2, 3]
        """
        self._check_n("head", n)
        return self._window("head", {"n": n}, True, n)

    def tail(self, n: int = 5) -> Any:
        """The last ``n`` rows of each group, in the frame's row order.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [1, 2, 3, 4]}, npartitions=3)
        >>> df.groupby("k").tail(2).compute().v.tolist()
        [2, 3, 4]
        """
        self._check_n("tail", n)
        return self._window("tail", {"n": n}, False, n)

    def _check_as_index(self, method: str) -> None:
        if not getattr(self, "as_index", True):
            raise NotImplementedError(
                f"groupby(..., as_index=False).{method}() is not supported; group with "
                f"as_index=True and call reset_index() on the result."
            )

    def _best(self, how: str, skipna: bool, split_every: int | None) -> Any:
        self._check_as_index(how)
        meta = make_meta(getattr(self._fake(), how)(skipna=skipna))
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
