"""Reductions of DataFrame and Series: one tree reduction waist and the methods built on it.

Map
---
- :func:`reduction` -- **the waist**: ``chunk`` on each partition, then ``combine`` on
  groups of at most ``split_every`` (default 8) partial results, then ``aggregate`` on
  the last group.  Returns a Series/DataFrame (one partition, unknown divisions) or a
  :class:`~tessera.dataframe.scalar.Scalar`, according to the ``meta``.
- :func:`combine_results` -- one task over several reduction results (``describe``).
- :class:`ReductionMixin` -- ``sum, prod, min, max, count, any, all, mean, var, std,
  size, nunique, value_counts``.  A Series is reduced as a one-column frame, so one set
  of partial functions serves both; partitions that are empty are skipped by
  ``min``/``max``.  ``mean`` carries ``(sum, count)``; ``var``/``std`` carry
  ``(count, mean, M2)`` and merge them with the parallel (Chan) formula, stable for
  large means.  With ``axis=1`` they reduce across the columns of each row, partition
  by partition (no tree), keeping the frame's divisions.

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"a": [1, 2, 3, 4], "b": [1.0, 2.0, 3.0, 5.0]}, npartitions=3)
>>> df.sum().compute()
a    10.0
b    11.0
dtype: float64
>>> df.a.mean().compute()
np.float64(2.5)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import (
    Apply,
    Slot,
    make_meta,
    merge_layers,
    new_collection,
    nonempty,
    partitionwise,
)
from tessera.hashing import tokenize

__all__ = ["ReductionMixin", "combine_results", "reduction"]

_SIMPLE = ("sum", "prod", "min", "max", "count", "any", "all")
_COMBINE = {"count": "sum"}


def reduction(
    frame: Any,
    chunk: Callable[[Any], Any],
    combine: Callable[[list[Any]], Any],
    aggregate: Callable[[list[Any]], Any],
    meta: Any,
    split_every: int | None = None,
    prefix: str = "reduction",
) -> Any:
    """Reduce ``frame`` with a tree: ``aggregate([combine([chunk(part), ...]), ...])``.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"a": range(10)}, npartitions=5)
    >>> r = reduction(df, len, sum, sum, meta=0, split_every=2)
    >>> r.compute()
    10
    """
    split_every = 8 if split_every is None else split_every
    if not isinstance(split_every, int) or split_every < 2:
        raise ValueError(f"split_every must be an integer >= 2, got {split_every!r}.")
    token = tokenize(frame, chunk, combine, aggregate, split_every)
    name = f"{prefix}-agg-{token}"
    layers = merge_layers(frame)
    cname = f"{prefix}-chunk-{token}"
    layers[cname] = {(cname, i): (chunk, (frame._name, i)) for i in range(frame.npartitions)}
    keys: list[Any] = [(cname, i) for i in range(frame.npartitions)]
    depth = 0
    while len(keys) > split_every:
        depth += 1
        lname = f"{prefix}-combine-{depth}-{token}"
        groups = [keys[i : i + split_every] for i in range(0, len(keys), split_every)]
        layers[lname] = {(lname, j): (combine, g) for j, g in enumerate(groups)}
        keys = [(lname, j) for j in range(len(groups))]
    layers[name] = {(name, 0): (aggregate, keys)}
    return new_collection(layers, name, make_meta(meta), (None, None))


def combine_results(
    func: Callable[..., Any], inputs: list[Any], meta: Any, prefix: str = "combine"
) -> Any:
    """One task ``func(*values)`` over one-partition collections (such as reductions).

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"a": [1, 2, 3]}, npartitions=2)
    >>> combine_results(lambda lo, hi: hi - lo, [df.a.min(), df.a.max()], meta=0).compute()
    np.int64(2)
    """
    for x in inputs:
        if getattr(x, "npartitions", 1) != 1:
            raise ValueError(f"combine_results takes one-partition inputs, got {x!r}.")
    name = f"{prefix}-{tokenize(func, inputs)}"
    layers = merge_layers(*inputs)
    bound = Apply(func, tuple(Slot(i) for i in range(len(inputs))))
    layers[name] = {(name, 0): (bound, *[(x._name, 0) for x in inputs])}
    return new_collection(layers, name, make_meta(meta), (None, None))


def _frame(part: Any) -> pd.DataFrame:
    return part.to_frame() if isinstance(part, pd.Series) else part


def _chunk(part: Any, op: str, kwargs: dict[str, Any]) -> Any:
    f = _frame(part)
    if op in ("min", "max") and len(f) == 0:
        return None
    if op == "mean":
        return (f.sum(**kwargs), f.count())
    if op == "var":
        n = f.count()
        mean = f.mean(**kwargs)
        return (n, mean, ((f - mean) ** 2).sum())
    return getattr(f, op)(**kwargs)


def _stack(parts: list[pd.Series]) -> pd.DataFrame:
    return pd.concat(parts, axis=1, ignore_index=True)


def _combine(parts: list[Any], op: str) -> Any:
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if op == "mean":
        sums, counts = _stack([p[0] for p in parts]), _stack([p[1] for p in parts])
        return (sums.sum(axis=1), counts.sum(axis=1))
    if op == "var":
        n = _stack([p[0] for p in parts])
        means = _stack([p[1] for p in parts])
        m2 = _stack([p[2] for p in parts])
        total = n.sum(axis=1)
        mean = (n * means.fillna(0)).sum(axis=1) / total
        spread = (n * means.sub(mean, axis=0) ** 2).fillna(0)
        return (total, mean, (m2.fillna(0) + spread).sum(axis=1))
    return getattr(_stack(parts), _COMBINE.get(op, op))(axis=1)


def _aggregate(
    parts: list[Any], op: str, kwargs: dict[str, Any], empty: Any, series: bool, ddof: int
) -> Any:
    r = _combine(parts, op)
    if r is None:
        r = getattr(_frame(empty), op)(**kwargs)
    elif op == "mean":
        r = r[0] / r[1]
    elif op == "var":
        n, _, m2 = r
        r = (m2 / (n - ddof)).where(n - ddof > 0, np.nan)
    return r.iloc[0] if series else r


def _sum_values(parts: list[Any]) -> Any:
    return sum(parts)


def _size(part: Any) -> int:
    return int(part.size)


def _unique(part: Any) -> Any:
    return part.drop_duplicates()


def _concat_unique(parts: list[Any]) -> Any:
    return pd.concat(parts).drop_duplicates()


def _nunique(parts: list[Any], dropna: bool) -> Any:
    return pd.concat(parts).nunique(dropna=dropna)


def _counts(part: Any, dropna: bool) -> Any:
    return part.value_counts(sort=False, dropna=dropna)


def _merge_counts(parts: list[Any]) -> Any:
    joined = pd.concat(parts)
    return joined.groupby(level=0, sort=False, dropna=False).sum()


def _final_counts(parts: list[Any], ascending: bool, sort: bool) -> Any:
    out = _merge_counts(parts)
    return out.sort_values(ascending=ascending, kind="stable") if sort else out


def _rowwise_part(part: Any, op: str, kwargs: dict[str, Any], dtype: Any) -> Any:
    out = getattr(part, op)(axis=1, **kwargs)
    return out.astype(dtype) if len(out) == 0 else out  # pandas gives float64 on no rows


def _rowwise(frame: Any, op: str, axis: Any, kwargs: dict[str, Any]) -> Any:
    """``op`` across the columns of each row (``axis=1``): partition by partition."""
    meta = getattr(nonempty(frame.meta), op)(axis=axis, **kwargs)  # pandas validates axis
    return partitionwise(
        _rowwise_part, frame, op, kwargs, meta.dtype, meta=meta, prefix=f"{op}-axis1"
    )


class ReductionMixin:
    """Reductions over the rows (``axis=0``): a DataFrame gives a Series, a Series a Scalar;
    across the columns (``axis=1``): a Series with the frame's partitions."""

    meta: Any

    def _reduce(self, op: str, split_every: int | None, ddof: int = 1, **kwargs: Any) -> Any:
        axis = kwargs.pop("axis", None)
        if op in ("var", "std"):
            kwargs["ddof"] = ddof
        if axis not in (None, 0, "index"):
            return _rowwise(self, op, axis, kwargs)
        series = isinstance(self.meta, pd.Series)
        pandas_op = "var" if op == "std" else op
        meta = getattr(nonempty(self.meta), op)(**kwargs)
        if op in ("var", "std"):
            kwargs.pop("ddof")
        agg = partial(_aggregate, op=pandas_op, kwargs=kwargs, empty=self.meta,
                      series=series, ddof=ddof)  # fmt: skip
        out = reduction(
            self,
            partial(_chunk, op=pandas_op, kwargs=kwargs),
            partial(_combine, op=pandas_op),
            agg,
            meta,
            split_every,
            prefix=op,
        )
        if op == "std":
            return out.map_partitions(np.sqrt, meta=meta) if not series else out._apply(np.sqrt)
        return out

    def sum(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Sum of each column (DataFrame -> lazy Series; Series -> lazy Scalar).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=2).a.sum().compute()
        np.int64(6)
        """
        return self._reduce("sum", split_every, **kwargs)

    def prod(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Product of each column.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=2).a.prod().compute()
        np.int64(6)
        """
        return self._reduce("prod", split_every, **kwargs)

    def min(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Minimum of each column.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [3, 1, 2]}, npartitions=2).min().compute().tolist()
        [1]
        """
        return self._reduce("min", split_every, **kwargs)

    def max(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Maximum of each column.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [3, 1, 2]}, npartitions=2).a.max().compute()
        np.int64(3)
        """
        return self._reduce("max", split_every, **kwargs)

    def count(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Number of non-missing values of each column.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1.0, None, 2.0]}, npartitions=2).count().compute().tolist()
        [2]
        """
        return self._reduce("count", split_every, **kwargs)

    def any(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Whether any value of each column is true.

        >>> import tessera.dataframe as dd
        >>> bool(dd.from_dict({"a": [0, 0, 1]}, npartitions=2).a.any().compute())
        True
        """
        return self._reduce("any", split_every, **kwargs)

    def all(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Whether all values of each column are true.

        >>> import tessera.dataframe as dd
        >>> bool(dd.from_dict({"a": [0, 0, 1]}, npartitions=2).a.all().compute())
        False
        """
        return self._reduce("all", split_every, **kwargs)

    def mean(self, split_every: int | None = None, **kwargs: Any) -> Any:
        """Mean of each column, from per-partition sums and counts.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3, 6]}, npartitions=3).a.mean().compute()
        np.float64(3.0)
        """
        return self._reduce("mean", split_every, **kwargs)

    def var(self, ddof: int = 1, split_every: int | None = None, **kwargs: Any) -> Any:
        """Variance of each column (``ddof=1`` like pandas), merged with Chan's formula.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3, 6]}, npartitions=3).a.var().compute()
        np.float64(4.666666666666667)
        """
        return self._reduce("var", split_every, ddof=ddof, **kwargs)

    def std(self, ddof: int = 1, split_every: int | None = None, **kwargs: Any) -> Any:
        """Standard deviation of each column (``ddof=1`` like pandas).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1.0, 3.0]}, npartitions=2).a.std().compute()
        np.float64(1.4142135623730951)
        """
        return self._reduce("std", split_every, ddof=ddof, **kwargs)

    @property
    def size(self) -> Any:
        """The number of elements (rows times columns), as a lazy Scalar.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3], "b": [4, 5, 6]}, npartitions=2).size.compute()
        6
        """
        return reduction(self, _size, _sum_values, _sum_values, meta=0, prefix="size")

    def value_counts(
        self,
        sort: bool = True,
        ascending: bool = False,
        dropna: bool = True,
        normalize: bool = False,
        split_every: int | None = None,
    ) -> Any:
        """Count of each distinct value of a Series, most frequent first (ties in order of
        first appearance, as pandas orders them).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [3, 1, 3, 2]}, npartitions=3).a.value_counts().compute().tolist()
        [2, 1, 1]
        """
        if not isinstance(self.meta, pd.Series):
            raise NotImplementedError("DataFrame.value_counts is not implemented yet.")
        if normalize:
            raise NotImplementedError("value_counts(normalize=True) is not implemented yet.")
        meta = nonempty(self.meta).value_counts(dropna=dropna)
        return reduction(
            self,
            partial(_counts, dropna=dropna),
            _merge_counts,
            partial(_final_counts, ascending=ascending, sort=sort),
            meta,
            split_every,
            prefix="value-counts",
        )

    def nunique(self, dropna: bool = True, split_every: int | None = None) -> Any:
        """Number of distinct values of a Series (a lazy Scalar).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 1, 3]}, npartitions=3).a.nunique().compute()
        3
        """
        if not isinstance(self.meta, pd.Series):
            raise NotImplementedError("DataFrame.nunique is not implemented yet; use a column.")
        agg = partial(_nunique, dropna=dropna)
        return reduction(self, _unique, _concat_unique, agg, 0, split_every, prefix="nunique")
