"""Functions that see the rows next to each partition: ``map_overlap``, ``shift``, ``diff``.

Map
---
- :func:`map_overlap` -- ``func`` on each partition with the last ``before`` rows of the
  partitions before it put in front and the first ``after`` rows of the ones after it
  put behind; the borrowed rows are trimmed from the result (by position).  ``before``
  and ``after`` are row counts, or a ``Timedelta`` (or a string like ``"2h"``) on a
  datetime index with known divisions: the rows within that time of the partition's
  first (last) label, boundary included.
- :class:`OverlapMixin` -- ``map_overlap``, ``shift``, ``diff``, ``pct_change`` and
  ``rolling`` (:mod:`~tessera.dataframe.rolling`) for DataFrame and Series.

Policy: the rows borrowed come from a carry chain
(:func:`~tessera.dataframe.cumulative.carries`): each partition gives its last (first)
``before`` (``after``) rows, and the chain keeps the nearest ones, so a partition shorter
than the overlap borrows from as many neighbours as it takes (Dask raises instead) and
no task ever holds more than one partition plus the overlaps.

>>> import tessera.dataframe as dd
>>> s = dd.from_dict({"a": [1, 2, 4, 7, 11]}, npartitions=3).a
>>> s.diff().compute().tolist()
[nan, 1.0, 2.0, 3.0, 4.0]
>>> s.map_overlap(lambda p: p.rolling(2).sum(), 1, 0).compute().tolist()
[nan, 3.0, 6.0, 11.0, 18.0]
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import no_default

from tessera.dataframe.cumulative import carries, join_edge, keep_edge
from tessera.dataframe.graph import (
    Apply,
    Slot,
    infer_meta,
    make_meta,
    merge_layers,
    new_collection,
    nonempty,
    partitionwise,
)
from tessera.hashing import tokenize

__all__ = ["OverlapMixin", "map_overlap"]

Window = int | pd.Timedelta

# pandas 3's ``Day`` is no longer a ``Tick``; rolling windows still treat it as 24 hours
_FIXED_SPANS = (pd.offsets.Tick, pd.offsets.Day)


def _as_window(value: Any, frame: Any, which: str) -> Window:
    """Validate ``before``/``after``: a row count, or a fixed time span on a datetime index."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"map_overlap: {which} must be >= 0, got {value}.")
        return int(value)
    if not isinstance(value, str | datetime.timedelta | pd.offsets.BaseOffset):
        raise TypeError(
            f"map_overlap: {which} must be an integer number of rows or a time span "
            f"(a Timedelta or a string such as '2h'), got {type(value).__name__} {value!r}."
        )
    try:
        offset = pd.tseries.frequencies.to_offset(value)
    except (TypeError, ValueError):
        offset = None
    if not isinstance(offset, _FIXED_SPANS):
        raise ValueError(
            f"map_overlap: {which}={value!r} is not a fixed time span ('2h', '30min', "
            "'1D'); calendar offsets like months vary in length."
        )
    span = pd.Timedelta(offset.nanos, unit="ns")  # a Day counts 24 hours, as in rolling
    if not isinstance(frame.meta.index, pd.DatetimeIndex) or not frame.known_divisions:
        raise ValueError(
            f"map_overlap: a time span {which}={value!r} needs a datetime index with known "
            f"divisions; this frame has a {frame.meta.index.dtype} index with "
            f"{'known' if frame.known_divisions else 'unknown'} divisions. Use "
            "set_index on a datetime column (or an integer number of rows)."
        )
    return span


def _near(rows: Any, part: Any, span: Window, before: bool) -> Any:
    """The borrowed ``rows`` within a time ``span`` of ``part`` (all rows for a count)."""
    if rows is None or not isinstance(span, pd.Timedelta) or len(part) == 0:
        return rows
    idx = rows.index
    return rows[idx >= part.index[0] - span] if before else rows[idx <= part.index[-1] + span]


def _overlap_chunk(
    func: Callable[..., Any],
    before: Window,
    after: Window,
    part: Any,
    prev: Any,
    nxt: Any,
    *scalars: Any,
) -> Any:
    prev, nxt = _near(prev, part, before, True), _near(nxt, part, after, False)
    pieces = [p for p in (prev, part, nxt) if p is not None]
    out = func(pd.concat(pieces) if len(pieces) > 1 else part, *scalars)
    start = 0 if prev is None else len(prev)
    stop = len(out) - (0 if nxt is None else len(nxt))
    out = out.iloc[start:stop]
    if getattr(part.index, "freq", None) is not None and out.index.equals(part.index):
        return out.set_axis(part.index)  # the rows are the partition's: keep its freq
    return out


def _borrow(frame: Any, n: Window, last: bool) -> tuple[dict[str, Any], str | None]:
    """Layers and name of the carry layer holding, per partition, the rows it borrows."""
    if not isinstance(n, pd.Timedelta) and n == 0:
        return {}, None
    return carries(
        frame,
        partial(keep_edge, n=n, last=last),
        partial(join_edge, n=n, last=last),
        reverse=not last,
        prefix="overlap-before" if last else "overlap-after",
    )


def map_overlap(
    func: Callable[..., Any],
    df: Any,
    before: Any,
    after: Any,
    *args: Any,
    meta: Any = None,
    **kwargs: Any,
) -> Any:
    """Apply ``func`` to each partition of ``df`` extended by rows of its neighbours.

    Partition ``i`` is called as ``func(rows, *args, **kwargs)`` where ``rows`` is the
    last ``before`` rows before it, the partition, then the first ``after`` rows after
    it (lazy scalars among ``args``/``kwargs`` are computed first); the borrowed rows
    are then cut from the result by position, so ``func`` must return one row per input
    row (as ``rolling``, ``shift`` or ``diff`` do).

    Parameters
    ----------
    func : callable
        Takes a pandas object like a partition, returns one of the same length.
    df : DataFrame or Series
        The frame whose partitions are extended.
    before, after : int, str or timedelta
        Rows to borrow, or a time span (``"2h"``) on a datetime index with known
        divisions: the rows within that span of the partition's first/last label.
    *args, **kwargs
        Passed to every call of ``func``; lazy scalars are computed first.
    meta : optional
        The output's meta; inferred by calling ``func`` on the empty meta when omitted.

    Returns
    -------
    DataFrame or Series
        Lazy, with ``df``'s divisions.

    Examples
    --------
    >>> import pandas as pd, tessera.dataframe as dd
    >>> s = dd.from_pandas(pd.Series(range(6)), npartitions=3)
    >>> dd.map_overlap(lambda x: x.rolling(3).sum(), s, 2, 0).compute().tolist()
    [nan, nan, 3.0, 6.0, 9.0, 12.0]
    >>> dd.map_overlap(lambda x: x.shift(-1), s, 0, 1).compute().tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, nan]
    """
    before, after = _as_window(before, df, "before"), _as_window(after, df, "after")
    meta = (
        infer_meta(func, (df, *args), kwargs)
        if meta is None
        else make_meta(meta, index=df.meta.index)
    )
    scalars: list[Any] = []

    def slot(x: Any) -> Any:
        if not hasattr(x, "__tessera_graph__"):
            return x
        if hasattr(x, "divisions"):
            raise NotImplementedError(
                "map_overlap takes one lazy frame; join the others into it as columns "
                "(lazy scalars are fine)."
            )
        scalars.append(x)
        return Slot(len(scalars))

    bound = Apply(func, (Slot(0), *map(slot, args)), {k: slot(v) for k, v in kwargs.items()})
    chunk = partial(_overlap_chunk, bound, before, after)
    prev_layers, prev = _borrow(df, before, last=True)
    next_layers, nxt = _borrow(df, after, last=False)
    layers = {**merge_layers(df, *scalars), **prev_layers, **next_layers}
    label = getattr(func, "__name__", "func").strip("<>").replace("_", "-")
    name = f"overlap-{label}-{tokenize(df, func, before, after, args, kwargs, meta)}"
    layers[name] = {
        (name, i): (
            chunk,
            (df._name, i),
            None if prev is None else (prev, i),
            None if nxt is None else (nxt, i),
            *[(x._name, 0) for x in scalars],
        )
        for i in range(df.npartitions)
    }
    return new_collection(layers, name, meta, df.divisions)


def _shift(part: Any, periods: int, kwargs: dict[str, Any]) -> Any:
    return part.shift(periods, **kwargs)


def _diff(part: Any, periods: int, axis: Any = 0) -> Any:
    return part.diff(periods, axis=axis) if axis not in (0, "index") else part.diff(periods)


def _pct_change(part: Any, periods: int) -> Any:
    return part.pct_change(periods)


def _reach(periods: Any, method: str) -> tuple[int, int]:
    """Rows borrowed before and after for ``periods`` that pandas accepted (``2.0`` for
    ``diff``, ``True`` for ``shift``)."""
    whole = isinstance(periods, float | np.floating) and float(periods).is_integer()
    if not (whole or isinstance(periods, int | np.integer)):
        raise TypeError(f"{method}: periods must be an integer, got {periods!r}.")
    return max(int(periods), 0), max(-int(periods), 0)


class OverlapMixin:
    """Methods that need neighbouring rows (see the module map)."""

    meta: Any

    def map_overlap(
        self, func: Callable[..., Any], before: Any, after: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """Apply ``func`` to each partition with rows of its neighbours; see
        :func:`tessera.dataframe.map_overlap`.

        >>> import tessera.dataframe as dd
        >>> s = dd.from_dict({"a": [1, 2, 3, 4]}, npartitions=4).a
        >>> s.map_overlap(lambda p: p.cumsum(), 1, 0).compute().tolist()
        [1, 3, 5, 7]
        """
        return map_overlap(func, self, before, after, *args, **kwargs)

    def shift(
        self, periods: int = 1, freq: Any = None, axis: Any = 0, fill_value: Any = no_default
    ) -> Any:
        """Move the values ``periods`` rows down (up when negative), across partitions.

        With ``freq``, the index moves instead (partition by partition, as in pandas).

        >>> import tessera.dataframe as dd
        >>> s = dd.from_dict({"a": [1, 2, 3]}, npartitions=3).a
        >>> s.shift(-1, fill_value=0).compute().tolist()
        [2, 3, 0]
        """
        kwargs: dict[str, Any] = {} if fill_value is no_default else {"fill_value": fill_value}
        if freq is not None or axis not in (0, "index"):
            kw = {"freq": freq, "axis": axis, **kwargs}
            rowwise = axis not in (0, "index")
            infer = isinstance(freq, str) and freq == "infer"  # needs the real index
            checked = None if infer else nonempty(self.meta).shift(periods, **kw)  # errors now
            meta = checked if rowwise and checked is not None else self.meta
            out = partitionwise(_shift, self, periods, kw, meta=meta, prefix="shift")
            return out if rowwise else _shifted_divisions(out, periods, freq)
        meta = nonempty(self.meta).shift(periods, **kwargs)  # pandas' errors first
        before, after = _reach(periods, "shift")
        return map_overlap(_shift, self, before, after, periods, kwargs, meta=meta)

    def diff(self, periods: int = 1, axis: Any = 0) -> Any:
        """Difference with the value ``periods`` rows earlier (later when negative).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 4, 9]}, npartitions=3).a.diff(-1).compute().tolist()
        [-3.0, -5.0, nan]
        """
        if axis not in (0, "index"):
            meta = nonempty(self.meta).diff(periods, axis=axis)
            return partitionwise(_diff, self, periods, axis, meta=meta, prefix="diff")
        meta = nonempty(self.meta).diff(periods)  # pandas' errors first
        before, after = _reach(periods, "diff")
        return map_overlap(_diff, self, before, after, periods, meta=meta)

    def pct_change(self, periods: int = 1, fill_method: None = None, freq: Any = None) -> Any:
        """Fractional change from the value ``periods`` rows earlier (pandas' default
        ``fill_method=None``: missing values are not filled first).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=3).a.pct_change().compute().tolist()
        [nan, 1.0, 0.5]
        """
        if fill_method is not None or freq is not None:
            raise NotImplementedError(
                "pct_change supports fill_method=None and freq=None only; call "
                "ffill() first to fill missing values."
            )
        meta = nonempty(self.meta).pct_change(periods)  # pandas' errors first
        before, after = _reach(periods, "pct_change")
        return map_overlap(_pct_change, self, before, after, periods, meta=meta)

    def rolling(
        self,
        window: Any,
        min_periods: int | None = None,
        center: bool = False,
        win_type: str | None = None,
        closed: str | None = None,
    ) -> Any:
        """A rolling window (``window`` rows, or a time span like ``"2h"`` on a datetime
        index); see :class:`~tessera.dataframe.rolling.Rolling`.

        >>> import tessera.dataframe as dd
        >>> s = dd.from_dict({"a": [1.0, 2.0, 3.0, 4.0]}, npartitions=3).a
        >>> s.rolling(2).mean().compute().tolist()
        [nan, 1.5, 2.5, 3.5]
        """
        from tessera.dataframe.rolling import Rolling

        return Rolling(self, window, min_periods=min_periods, center=center,
                       win_type=win_type, closed=closed)  # fmt: skip


def _shifted_divisions(out: Any, periods: int, freq: Any) -> Any:
    """Move the divisions of an index shifted by a fixed ``freq``; others become unknown."""
    divisions: tuple[Any, ...] = (None,) * len(out.divisions)
    offset = pd.tseries.frequencies.to_offset(freq) if isinstance(freq, str) else freq
    if out.known_divisions and isinstance(offset, (*_FIXED_SPANS, datetime.timedelta)):
        divisions = tuple(d + periods * offset for d in out.divisions)  # Day: calendar-aware
    return new_collection(out.layers, out._name, out.meta, divisions)
