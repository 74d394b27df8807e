"""Row-wise methods of GroupBy: ``get_group, shift, ffill, bfill, head, tail``.

Map
---
- :class:`GroupByExtraMixin` -- the methods (mixed into
  :class:`~tessera.dataframe.groupby.GroupBy` through
  :class:`~tessera.dataframe.groupby_values.GroupByValuesMixin` and
  :class:`~tessera.dataframe.groupby_methods.GroupByMethodsMixin`).  All work on the
  *working frame* of :meth:`GroupByShuffleMixin._working
  <tessera.dataframe.groupby_apply.GroupByShuffleMixin._working>`: the frame (a Series
  as one column) plus a hidden column per key Series, grouped by key columns
  (:class:`Keys`, also used by :mod:`~tessera.dataframe.groupby_values`).
- :class:`_Window` -- ``shift, ffill, bfill, head, tail`` as a chain over the partitions
  (forward for ``shift(n > 0), ffill, head``, backward for the others): each partition
  receives a *carry*, the rows of earlier (later) partitions it can depend on -- per
  group the last (first) ``n`` rows, or for an unlimited fill the last (first) filled
  row -- and runs pandas' own method on ``carry + partition``, keeping its own rows.
  The result keeps the frame's partitions, divisions, index and row order, as pandas.
- :class:`_GetGroup` -- ``get_group``: a lazy filter, partition by partition, then one
  check task on all the filtered partitions (:func:`_found`) that every output
  partition waits for: a key no partition holds raises ``KeyError`` at compute, as
  pandas.  No extra pass over the data; but any partition of the result needs all
  of them filtered.

Policy: results equal pandas' (the meta is pandas' answer on a small fake).

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [1.0, 2.0, None, 4.0]}, npartitions=3)
>>> df.groupby("k").v.ffill().compute().tolist()
[1.0, 2.0, 1.0, 4.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from tessera.dataframe.graph import make_meta, merge_layers, new_collection, partitionwise
from tessera.hashing import tokenize

__all__ = ["GroupByExtraMixin", "Keys"]


@dataclass(frozen=True)
class Keys:
    """How a working partition is grouped (row order kept, ``sort=False``)."""

    keys: tuple[Any, ...]
    dropna: bool = True
    observed: bool = True

    def group(self, frame: Any, sort: bool = False, as_list: bool = True) -> Any:
        """``frame.groupby`` by these keys (a list of them, or the one key itself)."""
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

    keys: Keys
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

    keys: Keys
    key: Any
    as_list: bool
    column: Any
    meta: Any = field(default=None, compare=False)

    def __call__(self, part: Any) -> Any:
        rows = self.keys.group(part, as_list=self.as_list).indices.get(self.key, [])
        return _shown(part.iloc[sorted(rows)], self.meta, self.column)


def _found(key: Any, parts: list[Any]) -> None:
    """Raise pandas' ``KeyError`` when no filtered partition holds a row of group ``key``."""
    if not any(len(p) for p in parts):
        raise KeyError(key)


def _checked(part: Any, found: None) -> Any:
    """``part``, once :func:`_found` passed."""
    return part


class GroupByExtraMixin:
    """``get_group, shift, ffill, bfill, head, tail``."""

    frame: Any
    by: Any
    sort: bool
    dropna: bool
    selection: Any
    observed: bool
    _fake: Any
    _working: Any

    def _keys(self) -> tuple[Any, Keys, Any]:
        """The working frame, its grouping, and the value column of a Series result."""
        work, keys, _ = self._working()
        grouping = Keys(tuple(keys), self.dropna, getattr(self, "observed", True))
        column = self.selection
        if not isinstance(self.frame.meta, pd.DataFrame):
            column = work.columns[0]
        return work, grouping, column

    def get_group(self, key: Any) -> Any:
        """The rows of group ``key`` (a tuple when grouped by a list), lazily: a filter.

        Computing any of its partitions filters them all: a ``key`` no partition holds
        raises ``KeyError``, as in pandas.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [4, 5, 6]}, npartitions=2)
        >>> df.groupby("k").get_group(1).compute().v.tolist()
        [4, 6]
        >>> df.groupby("k").get_group(3).compute()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        KeyError: 3...
        """
        work, grouping, column = self._keys()
        as_list = isinstance(self.by, list)
        fake = self._fake()
        meta = make_meta(fake.get_group(next(iter(fake.groups))))  # pandas' columns
        op = _GetGroup(grouping, key, as_list, column, meta)
        out = partitionwise(op, work, meta=meta, prefix="groupby-get-group")
        token = tokenize(out._name)
        check, name = f"groupby-get-group-check-{token}", f"groupby-get-group-found-{token}"
        parts = [(out._name, i) for i in range(out.npartitions)]
        layers = merge_layers(out)
        layers[check] = {(check, 0): (partial(_found, key), parts)}  # key: never a task
        layers[name] = {(name, i): (_checked, p, (check, 0)) for i, p in enumerate(parts)}
        return new_collection(layers, name, meta, self.frame.divisions)

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
