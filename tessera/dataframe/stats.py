"""Order statistics and summaries: ``quantile`` (approximate) and ``describe``.

Map
---
- :class:`StatsMixin` -- ``quantile`` and ``describe`` for DataFrame and Series.
- ``quantile`` is a tree :func:`~tessera.dataframe.reductions.reduction`.  Each
  partition summarises each column by weighted points: all its sorted values (weight
  1) when it has at most ``POINTS`` values or the frame has one partition, else
  ``POINTS`` of its own quantiles at evenly spaced levels, each weighing
  ``n / POINTS``.  The summaries are merged, sorted, and each point placed at the
  middle of the ranks it stands for; the answer is the linear interpolation at rank
  ``q * (n - 1)``.  With unit weights the answer is ``numpy.quantile``, as in pandas,
  so the result is exact when every partition is small or there is one partition, and
  otherwise within about ``1 / POINTS`` of the right rank (Dask's quantiles are
  approximate too).  Datetime and timedelta columns are summarised by their integer
  ticks and the answer cast back (truncated), as pandas does.
- ``describe`` combines lazy ``count``, ``mean``, ``std``, ``min``, ``quantile``
  and ``max`` (numeric columns; percentiles therefore approximate as above), the same
  from the ticks of datetime and timedelta columns (``std`` for timedeltas only, as in
  pandas) and ``count`` and ``value_counts`` (other columns: ``unique``, ``top``,
  ``freq``) in one final task; the rows, columns and dtypes are those of pandas'
  ``describe`` (``include``/``exclude`` chosen by pandas on the meta).

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}), npartitions=2)
>>> df.x.quantile(0.5).compute()
np.float64(2.5)
>>> df.describe().compute().x.tolist()
[4.0, 2.5, 1.2909944487358056, 1.0, 1.75, 2.5, 3.25, 4.0]
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import nonempty, partitionwise
from tessera.dataframe.reductions import combine_results, reduction

__all__ = ["POINTS", "StatsMixin"]

POINTS = 1000

Summary = list[tuple[np.ndarray, np.ndarray]]  # per column: (values, weights)


def _is_temporal(dtype: Any) -> bool:
    return getattr(dtype, "kind", "") in ("m", "M")


def _ticks(values: pd.Series) -> pd.Series:
    """The non-missing values as float64 (datetimes and timedeltas: integer ticks)."""
    values = values.dropna()
    if _is_temporal(values.dtype):
        return pd.Series(values.array.asi8.astype("float64"), index=values.index)
    return values.astype("float64")


def _from_ticks(ticks: Any, dtype: Any) -> Any:
    """Float ticks back to ``dtype`` (truncated; NaN is NaT), an array; floats pass."""
    ticks = np.asarray(ticks, dtype="float64")
    if not _is_temporal(dtype):
        return ticks
    i8 = np.where(np.isnan(ticks), np.iinfo("int64").min, ticks).astype("int64")
    unit = np.datetime_data(getattr(dtype, "base", dtype))[0]
    naive = i8.view(f"{dtype.kind}8[{unit}]")
    tz = getattr(dtype, "tz", None)
    if tz is None:
        return pd.array(naive)
    return pd.DatetimeIndex(naive, tz="UTC").tz_convert(tz).array


def _summarise(part: Any, exact: bool) -> Summary:
    frame = part.to_frame() if isinstance(part, pd.Series) else part
    out = []
    for j in range(frame.shape[1]):
        values = _ticks(frame.iloc[:, j]).to_numpy()
        n = len(values)
        if exact or n <= POINTS:
            out.append((np.sort(values), np.ones(n)))
        else:
            levels = (np.arange(POINTS) + 0.5) / POINTS
            out.append((np.quantile(values, levels), np.full(POINTS, n / POINTS)))
    return out


def _merge(parts: list[Summary]) -> Summary:
    out = []
    for column in zip(*parts, strict=True):
        values = np.concatenate([v for v, _ in column])
        weights = np.concatenate([w for _, w in column])
        order = np.argsort(values, kind="stable")
        out.append((values[order], weights[order]))
    return out


def _interpolate(values: np.ndarray, weights: np.ndarray, qs: list[float]) -> np.ndarray:
    if len(values) == 0:
        return np.full(len(qs), np.nan)
    if np.all(weights == 1):  # every value is here: pandas' own answer
        return np.quantile(values, qs)
    ends = np.cumsum(weights)
    middles = ends - (weights + 1) / 2  # rank of each point; 0..n-1 for unit weights
    return np.interp(np.asarray(qs) * (ends[-1] - 1), middles, values)


def _quantile_result(
    parts: list[Summary], qs: list[float], template: Any, shape: str, dtypes: list[Any]
) -> Any:
    table = np.column_stack([_interpolate(v, w, qs) for v, w in _merge(parts)])
    columns = [_from_ticks(table[:, j], d) for j, d in enumerate(dtypes)]
    if shape == "scalar":
        value = columns[0][0]
        return value if _is_temporal(dtypes[0]) else np.float64(value)
    if shape == "by-q":
        return pd.Series(columns[0], index=template.index, name=template.name)
    if shape == "by-column":
        row = [c[0] for c in columns]
        return pd.Series(row, index=template.index, name=template.name, dtype=template.dtype)
    return pd.DataFrame(dict(enumerate(columns)), index=template.index).set_axis(
        template.columns, axis=1
    )


_CATEGORICAL_ROWS = ["count", "unique", "top", "freq"]


def _numeric_table(values: tuple[Any, ...], pct: list[str]) -> pd.DataFrame:
    count, mean, std, low, qs, high = values
    rows = [count, mean, std, low, *(qs.iloc[i] for i in range(len(qs))), high]
    return pd.DataFrame(rows, index=["count", "mean", "std", "min", *pct, "max"]).astype(float)


def _tick_total(part: pd.Series) -> int:
    """The exact sum of the integer ticks of a datetime/timedelta partition."""
    i8 = part.dropna().array.asi8
    high, low = i8 >> 32, i8 & 0xFFFFFFFF  # int64 sums of each half cannot overflow
    return (int(high.sum()) << 32) + int(low.sum())


def _temporal_column(values: tuple[Any, ...], qs: pd.Series, pct: list[str]) -> pd.Series:
    count, total, low, high, *std = values
    dtype = qs.dtype
    mean = _from_ticks([total / count if count else np.nan], dtype)[0]
    rows = {"count": count, "mean": mean}
    if std:  # timedeltas only, as pandas
        rows["std"] = _from_ticks([std[0]], dtype)[0]
    rows.update({"min": low, **dict(zip(pct, qs, strict=True)), "max": high})
    return pd.Series(rows, dtype=object)


def _categorical_column(count: Any, counts: pd.Series) -> pd.Series:
    counts = counts[counts != 0]
    top, freq = (counts.index[0], counts.iloc[0]) if len(counts) else (np.nan, np.nan)
    return pd.Series([count, len(counts), top, freq], index=_CATEGORICAL_ROWS, dtype=object)


def _describe_table(
    *values: Any, numeric: bool, temporal: list[tuple[Any, int]], others: list[Any], template: Any
) -> Any:
    pct = [r for r in template.index if isinstance(r, str) and r.endswith("%")]
    pieces, pos = [], 0
    if numeric:
        pieces.append(_numeric_table(values[:6], pct))
        pos = 6
    if temporal:
        qs, pos = values[pos], pos + 1
        for column, n in temporal:
            part = _temporal_column(values[pos : pos + n], qs[column], pct)
            pieces.append(part.rename(column).to_frame())
            pos += n
    for column in others:
        part = _categorical_column(values[pos], values[pos + 1])
        pieces.append(part.rename(column).to_frame())
        pos += 2
    table = pd.concat(pieces, axis=1) if len(pieces) > 1 else pieces[0]
    table = table.reindex(index=template.index, columns=template.columns)
    return table.astype(template.dtypes.to_dict())


def _as_series(table: pd.DataFrame, name: Any) -> pd.Series:
    return table.iloc[:, 0].rename(name)


class StatsMixin:
    """``quantile`` and ``describe``."""

    meta: Any
    divisions: tuple[Any, ...]
    __getitem__: Any
    to_frame: Any

    def quantile(
        self, q: Any = 0.5, axis: Any = 0, numeric_only: bool = False, method: str = "default"
    ) -> Any:
        """Approximate quantiles at ``q`` (a float or a list), ``"linear"`` as in pandas.

        Exact when there is one partition or each partition holds at most
        :data:`POINTS` values; otherwise close (see the module map).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"a": range(10), "b": range(0, 20, 2)}), 3)
        >>> df.quantile([0.1, 0.5]).compute()
               a    b
        0.1  0.9  1.8
        0.5  4.5  9.0
        """
        if method not in ("default", "dask"):
            raise NotImplementedError(f"quantile(method={method!r}): use 'default'.")
        kwargs = {} if isinstance(self.meta, pd.Series) else {"numeric_only": numeric_only}
        if axis not in (0, "index"):
            template = nonempty(self.meta).quantile(q, axis=axis, **kwargs)
            if not pd.api.types.is_scalar(q):
                raise NotImplementedError("quantile(axis=1) takes a single q, not a list.")
            return partitionwise(_quantile_axis1, self, q, kwargs, meta=template,
                                 prefix="quantile-axis1")  # fmt: skip
        template = nonempty(self.meta).quantile(q, **kwargs)  # pandas validates q and dtypes
        frame: Any = self
        if isinstance(self.meta, pd.DataFrame):
            columns = template.index if isinstance(template, pd.Series) else template.columns
            frame = self[list(columns)] if list(columns) != list(self.meta.columns) else self
        qs = [float(q)] if pd.api.types.is_scalar(q) else [float(x) for x in q]
        shape = _shape(self.meta, q)
        meta = frame.meta
        dtypes = [meta.dtype] if isinstance(meta, pd.Series) else list(meta.dtypes)
        return reduction(
            frame,
            partial(_summarise, exact=len(self.divisions) == 2),
            _merge,
            partial(_quantile_result, qs=qs, template=template, shape=shape, dtypes=dtypes),
            template,
            prefix="quantile",
        )

    def describe(self, percentiles: Any = None, include: Any = None, exclude: Any = None) -> Any:
        """Summary statistics as pandas' ``describe`` (percentiles approximate, see above).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series(["a", "b", "a"], name="s"), npartitions=2)
        >>> s.describe().compute().tolist()
        [np.int64(3), 2, 'a', np.int64(2)]
        """
        series = isinstance(self.meta, pd.Series)
        kw = {} if series else {"include": include, "exclude": exclude}
        meta = nonempty(self.meta).describe(percentiles=percentiles, **kw)
        frame: Any = self.to_frame() if series else self
        template = meta.to_frame(frame.meta.columns[0]) if series else meta
        dtypes = frame.meta.dtypes
        numeric = [c for c in template.columns if _is_numeric(dtypes[c])]
        times = [c for c in template.columns if _is_temporal(dtypes[c])]
        others = [c for c in template.columns if c not in numeric and c not in times]
        ps = [0.25, 0.5, 0.75] if percentiles is None else sorted(set(percentiles))
        if "50%" in template.index and 0.5 not in ps:  # pandas < 3 always adds the median
            ps = sorted([*ps, 0.5])
        inputs: list[Any] = []
        if numeric:
            num = frame[numeric]
            inputs += [num.count(), num.mean(), num.std(), num.min(), num.quantile(ps), num.max()]
        temporal = []
        if times:
            inputs.append(frame[times].quantile(ps))
        for c in times:
            col = frame[c]
            total = reduction(col, _tick_total, sum, sum, meta=0, prefix="describe-ticks")
            inputs += [col.count(), total, col.min(), col.max()]
            if dtypes[c].kind == "m":
                inputs.append(partitionwise(_ticks, col, meta=pd.Series([], dtype=float)).std())
            temporal.append((c, 5 if dtypes[c].kind == "m" else 4))
        for c in others:
            inputs += [frame[c].count(), frame[c].value_counts()]
        func = partial(
            _describe_table,
            numeric=bool(numeric),
            temporal=temporal,
            others=others,
            template=template,
        )
        table = combine_results(
            func,
            inputs,
            template,
            prefix="describe",
        )
        if series:
            return combine_results(partial(_as_series, name=self.meta.name), [table], meta)
        return table


def _is_numeric(dtype: Any) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _shape(meta: Any, q: Any) -> str:
    scalar = pd.api.types.is_scalar(q)
    if isinstance(meta, pd.Series):
        return "scalar" if scalar else "by-q"
    return "by-column" if scalar else "table"


def _quantile_axis1(part: Any, q: Any, kwargs: dict[str, Any]) -> Any:
    return part.quantile(q, axis=1, **kwargs)
