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
  ``q * (n - 1)``.  With unit weights that is pandas' ``"linear"`` quantile exactly,
  so the result is exact when every partition is small or there is one partition, and
  otherwise within about ``1 / POINTS`` of the right rank (Dask's quantiles are
  approximate too).
- ``describe`` combines lazy ``count``, ``mean``, ``std``, ``min``, ``quantile``
  and ``max`` (numeric columns; percentiles therefore approximate as above) and
  ``count`` and ``value_counts`` (other columns: ``unique``, ``top``, ``freq``) in one
  final task; the rows, columns and dtypes are those of pandas' ``describe``.

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


def _summarise(part: Any, exact: bool) -> Summary:
    frame = part.to_frame() if isinstance(part, pd.Series) else part
    out = []
    for j in range(frame.shape[1]):
        values = frame.iloc[:, j].dropna().to_numpy(dtype="float64")
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
    ends = np.cumsum(weights)
    middles = ends - (weights + 1) / 2  # rank of each point; 0..n-1 for unit weights
    return np.interp(np.asarray(qs) * (ends[-1] - 1), middles, values)


def _fill_series(template: pd.Series, values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=template.index, name=template.name, dtype=template.dtype)


def _quantile_result(parts: list[Summary], qs: list[float], template: Any, shape: str) -> Any:
    table = np.column_stack([_interpolate(v, w, qs) for v, w in _merge(parts)])
    if shape == "scalar":
        return np.float64(table[0, 0])
    if shape == "by-q":
        return _fill_series(template, table[:, 0])
    if shape == "by-column":
        return _fill_series(template, table[0])
    return pd.DataFrame(table, index=template.index, columns=template.columns)


_CATEGORICAL_ROWS = ["count", "unique", "top", "freq"]


def _numeric_table(values: tuple[Any, ...], labels: list[Any]) -> pd.DataFrame:
    count, mean, std, low, qs, high = values
    rows = [count, mean, std, low, *(qs.iloc[i] for i in range(len(qs))), high]
    return pd.DataFrame(rows, index=labels).astype("float64")


def _categorical_column(count: Any, counts: pd.Series) -> pd.Series:
    counts = counts[counts != 0]
    top, freq = (counts.index[0], counts.iloc[0]) if len(counts) else (np.nan, np.nan)
    return pd.Series([count, len(counts), top, freq], index=_CATEGORICAL_ROWS, dtype=object)


def _describe_table(*values: Any, numeric: bool, others: list[Any], template: Any) -> Any:
    labels = [r for r in template.index if r not in _CATEGORICAL_ROWS[1:]]
    pieces = [_numeric_table(values[:6], labels)] if numeric else []
    rest = values[6:] if numeric else values
    for j, column in enumerate(others):
        pieces.append(_categorical_column(rest[2 * j], rest[2 * j + 1]).rename(column).to_frame())
    table = pd.concat(pieces, axis=1) if len(pieces) > 1 else pieces[0]
    table = table.reindex(index=template.index, columns=template.columns)
    return table.astype(template.dtypes.to_dict())


def _as_series(table: pd.DataFrame, name: Any) -> pd.Series:
    return table.iloc[:, 0].rename(name)


def _check_quantile_dtypes(meta: Any) -> None:
    dtypes = [meta.dtype] if isinstance(meta, pd.Series) else list(meta.dtypes)
    if any(getattr(d, "kind", "O") in "mM" for d in dtypes):
        raise NotImplementedError(
            "quantile/describe of datetime or timedelta columns is not implemented; leave "
            "them out (describe(include='number') or select_dtypes) or convert them first."
        )


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
        _check_quantile_dtypes(frame.meta)
        qs = [float(q)] if pd.api.types.is_scalar(q) else [float(x) for x in q]
        shape = _shape(self.meta, q)
        return reduction(
            frame,
            partial(_summarise, exact=len(self.divisions) == 2),
            _merge,
            partial(_quantile_result, qs=qs, template=template, shape=shape),
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
        numeric = [c for c in template.columns if _is_numeric(frame.meta.dtypes[c])]
        others = [c for c in template.columns if c not in numeric]
        _check_quantile_dtypes(frame.meta[others])
        inputs: list[Any] = []
        if numeric:
            num = frame[numeric]
            ps = [0.25, 0.5, 0.75] if percentiles is None else sorted(set(percentiles))
            if "50%" in template.index and 0.5 not in ps:  # pandas < 3 always adds the median
                ps = sorted([*ps, 0.5])
            inputs += [num.count(), num.mean(), num.std(), num.min(), num.quantile(ps), num.max()]
        for c in others:
            inputs += [frame[c].count(), frame[c].value_counts()]
        table = combine_results(
            partial(_describe_table, numeric=bool(numeric), others=others, template=template),
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
