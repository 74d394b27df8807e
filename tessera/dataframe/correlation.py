"""Pearson correlation and covariance as tree reductions of pairwise co-moments.

Map
---
- :class:`CoMoments` -- for ``k`` columns and each pair ``(i, j)``, over the rows where
  both are present (pandas' pairwise deletion): the count ``n``, the mean of column
  ``i`` ``ref[i, j] + mean[i, j]`` (``ref`` a value of the column, so nearly constant
  columns keep exact differences), its sum of squared deviations ``m2[i, j]`` and the
  co-moment ``c[i, j]`` (sum of products of deviations); all ``k x k`` arrays.
- :func:`co_moments` (per partition) and :func:`merge` (Chan's parallel formula: the
  sums of deviations are merged through the difference of the means, never through
  raw sums of squares, so large means lose no precision).
- :class:`CorrelationMixin` -- ``DataFrame.corr/cov`` (``min_periods``,
  ``numeric_only``, ``ddof``) and ``Series.corr/cov(other)``; it also brings ``sem``,
  ``skew``, ``kurtosis`` from :mod:`~tessera.dataframe.moments`.

Policy: a partition is centred on its own column means before the products are taken;
results are float64 like pandas'.  Only ``method="pearson"`` is implemented.  As in
pandas, ``DataFrame.cov`` honours ``ddof`` only when no value is missing (else divides
by ``n - 1``), and a covariance with ``n - ddof <= 0`` is ``+-inf`` (``NaN`` if zero).

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_dict({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 4.0, 6.0, 9.0]}, npartitions=3)
>>> df.corr().compute().round(4)
        a       b
a  1.0000  0.9944
b  0.9944  1.0000
>>> float(df.a.cov(df.b))
3.8333333333333335
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial, reduce
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import partitionwise
from tessera.dataframe.moments import MomentsMixin, first_valid, pandas_meta, rebase
from tessera.dataframe.reductions import reduction

__all__ = ["CoMoments", "CorrelationMixin", "co_moments", "merge"]


@dataclass(frozen=True)
class CoMoments:
    """Pairwise count, means, squared deviations and co-moments of ``k`` columns; the
    means are kept as ``ref + mean`` (``ref`` a value of the column); ``rows`` counts the
    rows, missing values or not."""

    n: np.ndarray
    ref: np.ndarray
    mean: np.ndarray
    m2: np.ndarray
    c: np.ndarray
    rows: int


def co_moments(part: pd.DataFrame, columns: list[Any]) -> CoMoments:
    """The :class:`CoMoments` of ``columns`` of one partition.

    >>> m = co_moments(pd.DataFrame({"x": [1.0, 2.0, None], "y": [2.0, 4.0, 6.0]}), ["x", "y"])
    >>> m.n.tolist(), m.c[0, 1]
    ([[2.0, 2.0], [2.0, 3.0]], np.float64(1.0))
    """
    x = part[columns].to_numpy(dtype="float64", na_value=np.nan)
    valid = ~np.isnan(x)
    present = valid.astype("float64")
    counts = present.sum(axis=0)
    ref = first_valid(x, valid)
    y = np.where(valid, x - ref, 0.0)
    shift = np.divide(y.sum(axis=0), counts, out=np.zeros(len(columns)), where=counts > 0)
    xc = np.where(valid, y - shift, 0.0)
    n = present.T @ present
    sums = xc.T @ present  # sums[i, j]: column i over the rows where j is present too
    mean_c = np.divide(sums, n, out=np.zeros_like(n), where=n > 0)
    m2 = (xc**2).T @ present - sums * mean_c
    c = xc.T @ xc - sums * mean_c.T
    mean = np.where(n > 0, mean_c + shift[:, None], 0.0)
    return CoMoments(n, np.repeat(ref[:, None], len(columns), axis=1), mean, m2, c, len(x))


def merge(a: CoMoments, b: CoMoments) -> CoMoments:
    """The :class:`CoMoments` of the rows of ``a`` and ``b`` together (Chan et al.).

    >>> one = co_moments(pd.DataFrame({"x": [1.0, 2.0]}), ["x"])
    >>> two = co_moments(pd.DataFrame({"x": [3.0, 6.0]}), ["x"])
    >>> merge(one, two).m2.item(), float(pd.Series([1.0, 2.0, 3.0, 6.0]).var(ddof=0) * 4)
    (14.0, 14.0)
    """
    n = a.n + b.n
    frac = np.divide(b.n, n, out=np.zeros_like(n), where=n > 0)
    ref, mean_a, mean_b = rebase(a.ref, a.mean, a.n, b.ref, b.mean, b.n)
    delta = mean_b - mean_a
    weight = a.n * frac  # n_a * n_b / n
    return CoMoments(
        n,
        ref,
        mean_a + delta * frac,
        a.m2 + b.m2 + delta**2 * weight,
        a.c + b.c + delta * delta.T * weight,
        a.rows + b.rows,
    )


def _merge_all(parts: list[CoMoments]) -> CoMoments:
    return reduce(merge, parts)


def _finish(
    parts: list[CoMoments], stat: str, min_periods: int, ddof: int, columns: Any, pair: bool
) -> Any:
    m = _merge_all(parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        if stat == "cov":
            # as pandas: DataFrame.cov honours ddof only when no value is missing; with
            # nothing left to divide by (n - ddof <= 0) a co-moment becomes +-inf (NaN if 0)
            if not pair and (m.n < m.rows).any():
                ddof = 1
            out = np.where(m.n - ddof > 0, m.c / (m.n - ddof), m.c * np.inf)
        else:
            denom = np.sqrt(m.m2 * m.m2.T)
            out = np.where(denom > 0, m.c / denom, np.nan)
            out = np.clip(out, -1.0, 1.0)
    out = np.where(m.n >= max(min_periods, 1), out, np.nan)
    if pair:
        return np.float64(out[0, 1])
    return pd.DataFrame(out, index=columns, columns=columns)


def _pair(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    return pd.concat([a.rename(0), b.rename(1)], axis=1)


class CorrelationMixin(MomentsMixin):
    """``corr`` and ``cov`` for DataFrame (all column pairs) and Series (with ``other``)."""

    meta: Any
    divisions: tuple[Any, ...]

    def _pairwise(
        self,
        stat: str,
        other: Any,
        min_periods: int | None,
        ddof: int,
        numeric_only: bool,
        split_every: int | None,
        method: str = "pearson",
    ) -> Any:
        if method != "pearson":
            raise NotImplementedError(
                f"{stat}(method={method!r}) is not implemented; only method='pearson' is."
            )
        frame: Any = self
        series = isinstance(self.meta, pd.Series)
        if series:
            if other is None or not isinstance(getattr(other, "meta", None), pd.Series):
                raise TypeError(
                    f"Series.{stat} needs another lazy Series of the same partitioning, got "
                    f"{type(other).__name__}; use DataFrame.{stat}() for all column pairs."
                )
            if self.divisions != other.divisions and other.known_divisions:
                raise ValueError(
                    f"Series.{stat}: the two series are partitioned differently "
                    f"({self.divisions} and {other.divisions}); repartition one with "
                    "divisions=the other's divisions first."
                )
            frame = partitionwise(_pair, self, other, prefix=f"{stat}-pair")
            meta: Any = np.float64(np.nan)
        else:
            kw = {"ddof": ddof} if stat == "cov" else {}
            meta = pandas_meta(self.meta, stat, numeric_only=numeric_only, **kw)
        labels = frame.meta.columns if series else meta.columns
        finish = partial(_finish, stat=stat, min_periods=min_periods or 1, ddof=ddof,
                         columns=labels, pair=series)  # fmt: skip
        return reduction(
            frame,
            partial(co_moments, columns=list(labels)),
            _merge_all,
            finish,
            meta,
            split_every,
            prefix=stat,
        )

    def corr(
        self,
        other: Any = None,
        method: str = "pearson",
        min_periods: int | None = None,
        numeric_only: bool = False,
        split_every: int | None = None,
    ) -> Any:
        """Pearson correlation: of all column pairs (DataFrame, a lazy DataFrame) or with
        ``other`` (Series, a lazy Scalar).  A DataFrame takes the first argument as
        ``method``, as pandas does.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]}, npartitions=2)
        >>> float(df.a.corr(df.b))
        -0.5
        """
        if not isinstance(self.meta, pd.Series) and isinstance(other, str):
            method, other = other, None
        return self._pairwise("corr", other, min_periods, 1, numeric_only, split_every, method)

    def cov(
        self,
        other: Any = None,
        min_periods: int | None = None,
        ddof: int = 1,
        numeric_only: bool = False,
        split_every: int | None = None,
    ) -> Any:
        """Covariance (``ddof=1``): of all column pairs (DataFrame) or with ``other``
        (Series).  A DataFrame takes the first argument as ``min_periods``, as pandas does.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]}, npartitions=2)
        >>> df.cov().compute().to_numpy().tolist()
        [[1.0, -0.5], [-0.5, 1.0]]
        """
        if not isinstance(self.meta, pd.Series) and isinstance(other, int):
            min_periods, other = other, None
        return self._pairwise("cov", other, min_periods, ddof, numeric_only, split_every)
