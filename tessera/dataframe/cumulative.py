"""Scans across partitions: cumulative sums, products, extrema and forward/backward fills.

Map
---
- :func:`carries` -- **the carry waist**: a layer whose key ``(name, i)`` holds the
  *carry into* partition ``i``, a small summary of all the partitions before it (after it
  when ``reverse=True``), or ``None`` for the first one.  Each partition is summarised on
  its own (``summarize(part)``, in parallel); the carries are then chained
  ``carry_{i+1} = combine(carry_i, summary_i)``, a sequence of tiny tasks, so memory
  stays bounded by the size of a summary, never of an earlier partition.
- :func:`scan` -- ``apply(part, carry)`` on each partition, with its carry.
- :func:`keep_edge`, :func:`join_edge` -- the summary "the last (first) ``n`` rows", also
  the rows that :mod:`~tessera.dataframe.overlap` borrows from the neighbours.
- :class:`CumulativeMixin` -- ``cumsum, cumprod, cummax, cummin`` (``skipna`` as in
  pandas) and ``ffill, bfill`` (``limit`` across partition borders).

Policy: the carry of a cumulative scan is the last row of the scan so far (its last
valid value per column with ``skipna``), in the output's dtypes; a partition is then
scanned with that row put in front, so pandas decides every dtype and missing-value
rule.  Empty partitions summarise to ``None`` and are skipped.  ``axis=1`` scans each
row, partition by partition.

>>> import tessera.dataframe as dd
>>> s = dd.from_dict({"a": [1, 2, 3, 4, 5]}, npartitions=3).a
>>> s.cumsum().compute().tolist()
[1, 3, 6, 10, 15]
>>> dd.from_dict({"a": [1.0, None, None, 4.0]}, npartitions=3).a.ffill().compute().tolist()
[1.0, 1.0, 1.0, 4.0]
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import pairwise
from typing import Any

import pandas as pd

from tessera.dataframe.graph import (
    Layers,
    make_meta,
    merge_layers,
    new_collection,
    nonempty,
    partitionwise,
)
from tessera.hashing import tokenize

__all__ = ["CumulativeMixin", "carries", "join_edge", "keep_edge", "scan"]


def _nothing() -> None:
    return None


def carries(
    frame: Any,
    summarize: Callable[[Any], Any],
    combine: Callable[[Any, Any], Any],
    reverse: bool = False,
    prefix: str = "scan",
) -> tuple[Layers, str]:
    """Layers and the name of a layer holding, at ``(name, i)``, the carry into partition ``i``.

    ``combine(carry, summary)`` gets ``carry=None`` at the start and must skip a
    ``summary`` of ``None`` (an empty partition, by convention).

    >>> import tessera.dataframe as dd
    >>> from tessera.scheduling.synchronous import get
    >>> df = dd.from_dict({"a": range(6)}, npartitions=3)
    >>> layers, name = carries(df, len, lambda c, s: (c or 0) + s)
    >>> dsk = {k: v for layer in layers.values() for k, v in layer.items()}
    >>> list(get(dsk, [(name, i) for i in range(3)]))
    [None, 2, 4]
    """
    token = tokenize(frame, summarize, combine, reverse)
    sname, cname = f"{prefix}-summary-{token}", f"{prefix}-carry-{token}"
    order = list(range(frame.npartitions))[:: -1 if reverse else 1]
    layers = merge_layers(frame)
    if len(order) > 1:
        layers[sname] = {(sname, i): (summarize, (frame._name, i)) for i in order[:-1]}
    chain: dict[Any, Any] = {(cname, order[0]): (_nothing,)}
    for prev, i in pairwise(order):
        chain[(cname, i)] = (combine, (cname, prev), (sname, prev))
    layers[cname] = chain
    return layers, cname


def scan(
    frame: Any,
    summarize: Callable[[Any], Any],
    combine: Callable[[Any, Any], Any],
    apply: Callable[[Any, Any], Any],
    meta: Any,
    reverse: bool = False,
    prefix: str = "scan",
) -> Any:
    """``apply(part, carry)`` on each partition, the carries built by :func:`carries`.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"a": range(6)}, npartitions=3)
    >>> rows_before = scan(df, len, lambda c, s: (c or 0) + s,
    ...                    lambda p, c: p.assign(a=c or 0), meta=df.meta)
    >>> rows_before.compute().a.tolist()
    [0, 0, 2, 2, 4, 4]
    """
    layers, cname = carries(frame, summarize, combine, reverse, prefix)
    name = f"{prefix}-{tokenize(frame, summarize, combine, apply, reverse)}"
    layers[name] = {
        (name, i): (apply, (frame._name, i), (cname, i)) for i in range(frame.npartitions)
    }
    return new_collection(layers, name, make_meta(meta), frame.divisions)


# -- edges: the last (first) n rows of everything before (after) ----------------------
def keep_edge(part: Any, n: Any, last: bool) -> Any:
    """The last (``last=True``) or first ``n`` rows of ``part``; with a ``Timedelta``
    ``n``, the rows within ``n`` of its last (first) index label.  ``None`` if empty.

    >>> keep_edge(pd.Series([1, 2, 3]), 2, last=True).tolist()
    [2, 3]
    """
    if len(part) == 0:
        return None
    if isinstance(n, pd.Timedelta):
        idx = part.index
        return part[idx > idx[-1] - n] if last else part[idx < idx[0] + n]
    return part.iloc[max(len(part) - n, 0) :] if last else part.iloc[:n]


def join_edge(carry: Any, summary: Any, n: Any, last: bool) -> Any:
    """Add a partition's edge to the carried edge and keep the ``n`` rows nearest.

    >>> join_edge(pd.Series([1, 2]), pd.Series([3]), 2, last=True).tolist()
    [2, 3]
    """
    if summary is None or carry is None:
        return carry if summary is None else summary
    return keep_edge(pd.concat([carry, summary] if last else [summary, carry]), n, last)


# -- cumulative scans -------------------------------------------------------------------
def _scanned(part: Any, op: str, skipna: bool) -> Any:
    return getattr(part, op)(skipna=skipna)


def _cum_summary(part: Any, op: str, skipna: bool) -> Any:
    if len(part) == 0:
        return None
    out = _scanned(part, op, skipna)
    return (out.ffill() if skipna else out).iloc[-1:]


def _cum_combine(carry: Any, summary: Any, op: str, skipna: bool) -> Any:
    if summary is None or carry is None:
        return carry if summary is None else summary
    return _cum_summary(pd.concat([carry, summary]), op, skipna)


def _as_dtypes(part: Any, like: Any) -> Any:
    if isinstance(part, pd.Series):
        return part if part.dtype == like.dtype else part.astype(like.dtype)
    return part if part.dtypes.equals(like.dtypes) else part.astype(like.dtypes.to_dict())


def _cum_apply(part: Any, carry: Any, op: str, skipna: bool) -> Any:
    if carry is None or len(part) == 0:
        return _scanned(part, op, skipna)
    joined = pd.concat([carry, _as_dtypes(part, carry)])
    return _scanned(joined, op, skipna).iloc[1:].set_axis(part.index)  # keeps a freq


# -- fills --------------------------------------------------------------------------------
def _fill_summary(part: Any, how: str, limit: int | None) -> Any:
    if limit is not None:
        return keep_edge(part, limit, last=how == "ffill")
    if len(part) == 0:
        return None
    filled = getattr(part, how)()
    return filled.iloc[-1:] if how == "ffill" else filled.iloc[:1]


def _fill_combine(carry: Any, summary: Any, how: str, limit: int | None) -> Any:
    if summary is None or carry is None:
        return carry if summary is None else summary
    return _fill_summary(pd.concat([carry, summary] if how == "ffill" else [summary, carry]),
                         how, limit)  # fmt: skip


def _fill_apply(part: Any, carry: Any, how: str, limit: int | None) -> Any:
    if carry is None or len(part) == 0:
        return getattr(part, how)(limit=limit)
    if how == "ffill":
        filled = pd.concat([carry, part]).ffill(limit=limit).iloc[len(carry) :]
    else:
        filled = pd.concat([part, carry]).bfill(limit=limit).iloc[: len(part)]
    return filled.set_axis(part.index)  # the partition's own index keeps its freq


def _rowwise(part: Any, op: str, kwargs: dict[str, Any]) -> Any:
    return getattr(part, op)(axis=1, **kwargs)


class CumulativeMixin:
    """Cumulative scans and fills for DataFrame and Series (see the module map)."""

    meta: Any

    def _cumulative(self, op: str, axis: Any, skipna: bool, numeric_only: bool) -> Any:
        kw: dict[str, Any] = {"skipna": skipna, **({"numeric_only": True} if numeric_only else {})}
        meta = getattr(nonempty(self.meta), op)(axis=axis or 0, **kw)
        if axis not in (None, 0, "index"):
            return partitionwise(_rowwise, self, op, kw, meta=meta, prefix=f"{op}-axis1")
        frame: Any = self
        if isinstance(meta, pd.DataFrame) and not meta.columns.equals(self.meta.columns):
            frame = frame[list(meta.columns)]  # numeric_only dropped some columns
        return scan(
            frame,
            partial(_cum_summary, op=op, skipna=skipna),
            partial(_cum_combine, op=op, skipna=skipna),
            partial(_cum_apply, op=op, skipna=skipna),
            meta,
            prefix=op,
        )

    def cumsum(self, axis: Any = None, skipna: bool = True, numeric_only: bool = False) -> Any:
        """Cumulative sum (``skipna``: missing values stay missing and are skipped).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1.0, None, 2.0]}, npartitions=2).a.cumsum().compute().tolist()
        [1.0, nan, 3.0]
        """
        return self._cumulative("cumsum", axis, skipna, numeric_only)

    def cumprod(self, axis: Any = None, skipna: bool = True, numeric_only: bool = False) -> Any:
        """Cumulative product.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3, 4]}, npartitions=3).a.cumprod().compute().tolist()
        [1, 2, 6, 24]
        """
        return self._cumulative("cumprod", axis, skipna, numeric_only)

    def cummax(self, axis: Any = None, skipna: bool = True, numeric_only: bool = False) -> Any:
        """Cumulative maximum.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 3, 2, 4]}, npartitions=3).a.cummax().compute().tolist()
        [1, 3, 3, 4]
        """
        return self._cumulative("cummax", axis, skipna, numeric_only)

    def cummin(self, axis: Any = None, skipna: bool = True, numeric_only: bool = False) -> Any:
        """Cumulative minimum.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [3, 1, 2, 0]}, npartitions=3).a.cummin().compute().tolist()
        [3, 1, 1, 0]
        """
        return self._cumulative("cummin", axis, skipna, numeric_only)

    def _fill(self, how: str, axis: Any, limit: int | None) -> Any:
        if limit is not None and (not isinstance(limit, int) or limit <= 0):
            raise ValueError(f"{how}: limit must be a positive integer or None, got {limit!r}.")
        meta = getattr(nonempty(self.meta), how)(axis=axis or 0, limit=limit)
        if axis not in (None, 0, "index"):
            kw = {"limit": limit}
            return partitionwise(_rowwise, self, how, kw, meta=meta, prefix=f"{how}-axis1")
        return scan(
            self,
            partial(_fill_summary, how=how, limit=limit),
            partial(_fill_combine, how=how, limit=limit),
            partial(_fill_apply, how=how, limit=limit),
            meta,
            reverse=how == "bfill",
            prefix=how,
        )

    def ffill(self, axis: Any = None, limit: int | None = None) -> Any:
        """Fill missing values with the last valid one before them (at most ``limit`` in a
        row), looking across partition borders.

        >>> import tessera.dataframe as dd
        >>> s = dd.from_dict({"a": [1.0, None, None, None]}, npartitions=3).a
        >>> s.ffill(limit=2).compute().tolist()
        [1.0, 1.0, 1.0, nan]
        """
        return self._fill("ffill", axis, limit)

    def bfill(self, axis: Any = None, limit: int | None = None) -> Any:
        """Fill missing values with the next valid one after them (at most ``limit``).

        >>> import tessera.dataframe as dd
        >>> s = dd.from_dict({"a": [None, None, None, 4.0]}, npartitions=3).a
        >>> s.bfill().compute().tolist()
        [4.0, 4.0, 4.0, 4.0]
        """
        return self._fill("bfill", axis, limit)
