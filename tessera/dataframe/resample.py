"""Resampling a frame with a datetime index and known divisions: ``df.resample(rule).mean()``.

Map
---
- :class:`Resampler` -- what ``df.resample(rule, closed=, label=, origin=, offset=)``
  returns: ``agg`` and the reductions pandas' resampler has (``mean, sum, count, min,
  max, first, last, median, std, var, prod, size, nunique, ohlc``).
- :func:`_plan` -- the output bins and which partitions feed each output partition:
  the bin labels come from pandas itself (resampling the divisions' first and last
  values); each label goes to the output partition of the input partition it falls in;
  an output partition reads the input partitions that overlap its labels widened by two
  bins on each side (which holds every row of its bins, whatever ``closed``/``label``).
- :class:`_ResampleRange` -- one output partition: the rows of its range, resampled by
  pandas with the whole frame's origin, keeping its own labels; labels with no row in
  the range get what pandas gives an empty bin (``0`` for ``sum``/``count``, else
  ``NaN``), found by resampling a small frame with a gap.
- :class:`ResampleMixin` -- ``resample`` on DataFrame and Series.

Rules: fixed frequencies (``"D"``, ``"h"``, ``"15min"``, ``"s"``...) and pandas' anchored
ones (``"W"``, ``"ME"``, ``"QE"``, ``"SMS"``..., business days ``"B"`` and the business
forms ``"BME"``, ``"BQE"``...), with multiples (``"2W"``, ``"3B"``), with their pandas
defaults of ``closed`` and ``label``.  The bins span the divisions, so the result equals
pandas' when the first and last divisions are the first and last index values (as
``from_pandas`` gives them).

>>> import pandas as pd, tessera.dataframe as dd
>>> idx = pd.date_range("2000-01-01", periods=6, freq="12h")
>>> df = dd.from_pandas(pd.DataFrame({"x": range(6)}, index=idx), npartitions=2)
>>> df.resample("D").sum().compute()
             x
2000-01-01   1
2000-01-02   5
2000-01-03   9
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import make_meta, merge_layers, new_collection, nonempty
from tessera.hashing import tokenize

__all__ = ["ResampleMixin", "Resampler"]

_HOWS = ("count", "first", "last", "max", "mean", "median", "min", "nunique", "ohlc", "prod",
         "size", "std", "sum", "var")  # fmt: skip
_SUPPORTED = (pd.offsets.Tick, pd.offsets.Day, pd.offsets.Week, pd.offsets.MonthEnd,
              pd.offsets.MonthBegin, pd.offsets.QuarterEnd, pd.offsets.QuarterBegin,
              pd.offsets.YearEnd, pd.offsets.YearBegin, pd.offsets.BusinessDay,
              pd.offsets.BusinessMonthEnd, pd.offsets.BusinessMonthBegin,
              pd.offsets.BQuarterEnd, pd.offsets.BQuarterBegin, pd.offsets.BYearEnd,
              pd.offsets.BYearBegin, pd.offsets.SemiMonthEnd,
              pd.offsets.SemiMonthBegin)  # fmt: skip


def _absolute_origin(origin: Any, first: pd.Timestamp, last: pd.Timestamp) -> Any:
    """pandas' ``origin`` as a fixed timestamp, so every partition bins like the whole."""
    fixed = {"start": first, "start_day": first.normalize(), "end": last,
             "end_day": last.ceil("D")}  # fmt: skip
    return fixed.get(origin, origin) if isinstance(origin, str) else origin


def _resample(part: Any, rule: Any, kwargs: dict[str, Any], how: str, args: tuple[Any, ...],
              kw: dict[str, Any]) -> Any:  # fmt: skip
    r = part.resample(rule, **kwargs)
    return r.agg(*args, **kw) if how == "agg" else getattr(r, how)(*args, **kw)


@dataclass(frozen=True)
class _ResampleRange:
    """Output partition: resample the rows in ``[lo, hi]`` and keep ``labels``.

    ``anchor``: for calendar rules with a multiple (``"2W"``, ``"3B"``), whose bins pandas
    counts from the first row, the whole frame's first timestamp; a copy of the first row
    is put there so that pandas counts the bins from the same place (its bin is not one
    of ``labels``, so it is dropped again).
    """

    rule: Any
    kwargs: tuple[tuple[str, Any], ...]
    how: str
    args: tuple[Any, ...]
    kw: tuple[tuple[str, Any], ...]
    lo: Any
    hi: Any
    labels: pd.Index
    fill: Any
    anchor: Any = None

    def __call__(self, parts: list[Any]) -> Any:
        part = pd.concat(parts) if len(parts) > 1 else parts[0]
        idx = part.index
        mask = np.ones(len(part), dtype=bool)
        if self.lo is not None:
            mask &= np.asarray(idx >= self.lo)
        if self.hi is not None:
            mask &= np.asarray(idx <= self.hi)
        rows = part[mask]
        if (
            self.anchor is not None
            and len(part)
            and not (len(rows) and idx[mask][0] <= self.anchor)
        ):
            first = part.iloc[:1]
            rows = pd.concat([first.set_axis(pd.DatetimeIndex([self.anchor], name=idx.name)
                                             .as_unit(idx.unit)), rows])  # fmt: skip
        out = _resample(rows, self.rule, dict(self.kwargs), self.how, self.args,
                        dict(self.kw))  # fmt: skip
        return _fill_reindex(out, self.labels, self.fill)


def _fill_reindex(out: Any, labels: pd.Index, fill: Any) -> Any:
    """``out`` at ``labels``; missing labels take ``fill`` (pandas' empty-bin values)."""
    if out.index.equals(labels):
        return out
    labels = labels.rename(out.index.name)
    if isinstance(out, pd.Series):
        return out.reindex(labels, fill_value=fill)
    cols = {i: out.iloc[:, i].reindex(labels, fill_value=fill.iloc[i])
            for i in range(out.shape[1])}  # fmt: skip
    return pd.DataFrame(cols, index=labels).set_axis(out.columns, axis=1)


def _empty_bin(meta: Any, rule: Any, call: tuple[Any, ...]) -> Any:
    """What pandas gives an empty bin between two full ones (a Series row or a scalar)."""
    fake = nonempty(meta).iloc[:2]
    offset = pd.tseries.frequencies.to_offset(rule)
    t0 = pd.Timestamp("2000-01-01")
    fake.index = pd.DatetimeIndex([t0, t0 + 4 * offset], name=meta.index.name)
    out = _resample(fake, rule, {}, *call)
    empty = fake.iloc[:, 0] if isinstance(fake, pd.DataFrame) else fake
    sizes = empty.resample(rule).size()
    return out.loc[sizes.index[sizes.to_numpy() == 0][0]]


class Resampler:
    """``frame.resample(rule, ...)``: pick an aggregation to get a lazy frame.

    >>> import pandas as pd, tessera.dataframe as dd
    >>> s = pd.Series(range(4), index=pd.date_range("2000", periods=4, freq="30min"))
    >>> dd.from_pandas(s, npartitions=3).resample("h").agg(["min", "max"]).compute()
                         min  max
    2000-01-01 00:00:00    0    1
    2000-01-01 01:00:00    2    3
    """

    def __init__(self, frame: Any, rule: Any, **kwargs: Any) -> None:
        if not isinstance(frame.meta.index, pd.DatetimeIndex):
            raise TypeError(
                "resample needs a DatetimeIndex; this frame's index has dtype "
                f"{frame.meta.index.dtype}. Use set_index on a datetime column first."
            )
        if not frame.known_divisions:
            raise ValueError(
                "resample needs known divisions (the bins of each partition come from them); "
                "this frame's are unknown. Use set_index(..., sorted=True) or set_index."
            )
        try:
            offset = pd.tseries.frequencies.to_offset(rule)
        except ValueError as e:
            raise ValueError(f"resample rule {rule!r} is not a pandas frequency: {e}") from e
        if not isinstance(offset, _SUPPORTED):
            raise NotImplementedError(
                f"resample supports fixed frequencies ('D', 'h', '15min'...) and the "
                f"calendar ones 'W', 'ME', 'MS', 'QE', 'QS', 'YE', 'YS', 'SME', 'SMS' and "
                f"their business-day forms ('B', 'BME', 'BMS', 'BQE'...); got {rule!r}. "
                "Resample each partition with map_partitions if its bins never cross "
                "partitions."
            )
        unsupported = set(kwargs) - {"closed", "label", "origin", "offset"}
        if unsupported:
            raise TypeError(
                f"resample takes closed=, label=, origin= and offset=; got {sorted(unsupported)}."
            )
        self.frame, self.rule, self.offset, self.kwargs = frame, rule, offset, kwargs

    def _plan(self) -> tuple[dict[str, Any], list[list[int]], pd.Index]:
        """Resample keywords for the partitions, labels per output partition, all labels."""
        divs = self.frame.divisions
        first, last = pd.Timestamp(divs[0]), pd.Timestamp(divs[-1])
        ends = pd.Series([0, 0], index=pd.DatetimeIndex([first, last]).as_unit(
            self.frame.meta.index.unit))  # fmt: skip
        labels = ends.resample(self.rule, **self.kwargs).size().index
        kwargs = {k: v for k, v in self.kwargs.items() if k not in ("origin", "offset")}
        origin = self.kwargs.get("origin", "start_day")
        if isinstance(origin, str) and origin in ("end", "end_day"):  # pandas' defaults then
            kwargs = {"closed": "right", "label": "right", **kwargs}
        if isinstance(self.offset, pd.offsets.Tick | pd.offsets.Day):
            kwargs["origin"] = _absolute_origin(origin, first, last)
            kwargs["offset"] = self.kwargs.get("offset")
        inner = list(divs[1:-1])
        groups: list[list[int]] = [[] for _ in range(len(divs) - 1)]
        for k, label in enumerate(labels):
            groups[bisect.bisect_right(inner, label)].append(k)
        return kwargs, [g for g in groups if g], labels

    def _apply(self, how: str, *args: Any, **kw: Any) -> Any:
        frame = self.frame
        kwargs, groups, labels = self._plan()
        call = (how, args, kw)
        meta = make_meta(_resample(nonempty(frame.meta), self.rule, {}, *call))
        fill = _empty_bin(frame.meta, self.rule, call)
        name = f"resample-{how}-{tokenize(frame, self.rule, kwargs, call)}"
        divs, n = frame.divisions, len(labels)
        counted = self.offset.n != 1 and not isinstance(
            self.offset, pd.offsets.Tick | pd.offsets.Day
        )
        anchor = pd.Timestamp(divs[0]) if counted else None
        layer = {}
        for j, ks in enumerate(groups):
            lo = labels[ks[0] - 2] if ks[0] >= 2 else None
            hi = labels[ks[-1] + 2] if ks[-1] + 2 < n else None
            parts = [i for i in range(frame.npartitions) if (hi is None or divs[i] <= hi)
                     and (lo is None or divs[i + 1] >= lo)]  # fmt: skip
            task = _ResampleRange(self.rule, tuple(kwargs.items()), how, args,
                                  tuple(kw.items()), lo, hi, labels[ks], fill,
                                  anchor if ks[0] else None)  # fmt: skip
            layer[(name, j)] = (task, [(frame._name, i) for i in parts or [0]])
        bounds = [labels[ks[0]] for ks in groups] + [labels[groups[-1][-1]]]
        layers = merge_layers(frame)
        layers[name] = layer
        return new_collection(layers, name, meta, tuple(bounds))

    def agg(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Aggregate each bin with ``func`` (a name, a list or a dict, as pandas takes)."""
        return self._apply("agg", func, *args, **kwargs)

    def __getattr__(self, how: str) -> Any:
        if how not in _HOWS:
            raise AttributeError(
                f"'Resampler' has no method {how!r}; available: agg, {', '.join(_HOWS)}."
            )

        def method(*args: Any, **kwargs: Any) -> Any:
            return self._apply(how, *args, **kwargs)

        method.__name__ = how
        return method

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *_HOWS})


class ResampleMixin:
    """``resample`` on DataFrame and Series."""

    def resample(self, rule: Any, **kwargs: Any) -> Resampler:
        """Group rows into time bins of ``rule``; see :class:`Resampler`.

        Keywords ``closed``, ``label``, ``origin`` and ``offset`` mean what they mean in
        pandas (defaults: pandas' for the rule).  Needs a datetime index with known
        divisions.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = pd.Series([1.0, 2.0, 4.0], index=pd.date_range("2000", periods=3, freq="h"))
        >>> dd.from_pandas(s, npartitions=2).resample("2h").mean().compute().tolist()
        [1.5, 4.0]
        """
        return Resampler(self, rule, **kwargs)
