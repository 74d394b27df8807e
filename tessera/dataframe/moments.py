"""Higher moments by tree reduction: ``sem``, ``skew``, ``kurtosis``.

Map
---
- :class:`Moments` -- per column: count, missing count, mean, the sums of the 2nd,
  3rd and 4th powers of the deviations from the mean (``m2, m3, m4``).
- :func:`moments` (per partition, deviations from the partition's own mean) and
  :func:`merge` (Pébay's pairwise update: merged through the difference of the means,
  stable for large means).  :func:`first_valid` and :func:`rebase` keep means relative
  to a value of the data, so nearly constant columns keep their exact differences
  (also used by :mod:`~tessera.dataframe.correlation`).
- :class:`MomentsMixin` -- ``sem(ddof=1)``, ``skew``, ``kurtosis``/``kurt`` with pandas'
  estimators (adjusted Fisher-Pearson ``G1``; excess kurtosis ``G2``), ``skipna`` and
  ``numeric_only``; ``axis=1`` works row by row, partition by partition.

Policy: like pandas, ``skew`` needs 3 values and ``kurtosis`` 4 (``NaN`` otherwise), and
both are ``NaN`` for a constant column.

>>> import tessera.dataframe as dd
>>> s = dd.from_dict({"a": [1.0, 2.0, 3.0, 10.0]}, npartitions=3).a
>>> round(float(s.skew()), 6), round(float(s.kurtosis()), 6)
(1.763633, 3.228)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial, reduce
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import nonempty, partitionwise
from tessera.dataframe.reductions import reduction

__all__ = ["Moments", "MomentsMixin", "first_valid", "merge", "moments", "pandas_meta", "rebase"]


@dataclass(frozen=True)
class Moments:
    """Count, missing count, mean and central power sums of each column; the mean
    is kept as ``ref + mean`` (``ref`` a value of the column), so values equal up to a few
    ulps keep their exact differences."""

    n: np.ndarray
    missing: np.ndarray
    ref: np.ndarray
    mean: np.ndarray
    m2: np.ndarray
    m3: np.ndarray
    m4: np.ndarray


def moments(part: Any, columns: list[Any] | None) -> Moments:
    """The :class:`Moments` of one partition (a Series, or ``columns`` of a DataFrame).

    >>> m = moments(pd.Series([1.0, 3.0, None]), None)
    >>> m.n.tolist(), m.missing.tolist(), (m.ref + m.mean).tolist(), m.m2.tolist()
    ([2.0], [1.0], [2.0], [2.0])
    """
    data = part.to_frame() if columns is None else part[columns]
    x = data.to_numpy(dtype="float64", na_value=np.nan)
    valid = ~np.isnan(x)
    n = valid.sum(axis=0).astype("float64")
    ref = first_valid(x, valid)
    y = np.where(valid, x - ref, 0.0)
    mean = np.divide(y.sum(axis=0), n, out=np.zeros(x.shape[1]), where=n > 0)
    d = np.where(valid, y - mean, 0.0)
    d2 = d * d
    return Moments(n, len(x) - n, ref, mean, d2.sum(axis=0), (d2 * d).sum(axis=0),
                   (d2 * d2).sum(axis=0))  # fmt: skip


def first_valid(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The first non-missing value of each column of ``x`` (0 where there is none).

    >>> first_valid(np.array([[np.nan, 1.0], [2.0, 3.0]]), np.array([[0, 1], [1, 1]]) > 0)
    array([2., 1.])
    """
    if len(x) == 0:
        return np.zeros(x.shape[1])
    found = valid.argmax(axis=0)
    return np.where(valid.any(axis=0), x[found, np.arange(x.shape[1])], 0.0)


def rebase(
    ref_a: np.ndarray, mean_a: np.ndarray, n_a: np.ndarray,
    ref_b: np.ndarray, mean_b: np.ndarray, n_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Means kept relative to two references, made relative to one: ``a``'s (``b``'s if
    ``a`` is empty).  An empty side takes the other's mean, so their difference is 0.

    >>> rebase(np.array([10.0]), np.array([1.0]), np.array([2.0]),
    ...        np.array([12.0]), np.array([0.5]), np.array([1.0]))
    (array([10.]), array([1.]), array([2.5]))
    """
    ref = np.where(n_a > 0, ref_a, ref_b)
    a = mean_a + (ref_a - ref)
    b = mean_b + (ref_b - ref)
    return ref, np.where(n_a > 0, a, b), np.where(n_b > 0, b, a)


def merge(a: Moments, b: Moments) -> Moments:
    """The :class:`Moments` of the rows of ``a`` and ``b`` together (Pébay, 2008).

    >>> ab = merge(moments(pd.Series([1.0, 2.0]), None), moments(pd.Series([4.0]), None))
    >>> whole = moments(pd.Series([1.0, 2.0, 4.0]), None)
    >>> bool(np.allclose([ab.m2, ab.m3, ab.m4], [whole.m2, whole.m3, whole.m4]))
    True
    """
    n = a.n + b.n
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(n > 0, b.n / n, 0.0)
        inv = np.where(n > 0, 1.0 / n, 0.0)
    ref, mean_a, mean_b = rebase(a.ref, a.mean, a.n, b.ref, b.mean, b.n)
    delta = mean_b - mean_a
    ab = a.n * frac  # n_a * n_b / n
    m3 = (a.m3 + b.m3 + delta**3 * ab * (a.n - b.n) * inv
          + 3 * delta * (a.n * b.m2 - b.n * a.m2) * inv)  # fmt: skip
    m4 = (a.m4 + b.m4 + delta**4 * ab * (a.n**2 - a.n * b.n + b.n**2) * inv**2
          + 6 * delta**2 * (a.n**2 * b.m2 + b.n**2 * a.m2) * inv**2
          + 4 * delta * (a.n * b.m3 - b.n * a.m3) * inv)  # fmt: skip
    return Moments(n, a.missing + b.missing, ref, mean_a + delta * frac,
                   a.m2 + b.m2 + delta**2 * ab, m3, m4)  # fmt: skip


def _merge_all(parts: list[Moments]) -> Moments:
    return reduce(merge, parts)


def _statistic(m: Moments, stat: str, ddof: int) -> np.ndarray:
    n, m2 = m.n, m.m2
    with np.errstate(divide="ignore", invalid="ignore"):
        if stat == "sem":
            return np.where(n - ddof > 0, np.sqrt(m2 / (n - ddof)) / np.sqrt(n), np.nan)
        flat = m2 == 0  # a constant column (exactly: its deviations are exactly 0)
        if stat == "skew":
            g1 = n * np.sqrt(n - 1) / (n - 2) * m.m3 / m2**1.5
            return np.where((n >= 3) & ~flat, g1, np.nan)
        scale = (n - 2) * (n - 3)
        g2 = (n + 1) * n * (n - 1) * m.m4 / (scale * m2**2) - 3 * (n - 1) ** 2 / scale
        return np.where((n >= 4) & ~flat, g2, np.nan)


def _finish(
    parts: list[Moments], stat: str, ddof: int, skipna: bool, index: Any, dtype: Any
) -> Any:
    """The statistic as pandas gives it: a Series with ``index`` of ``dtype`` (float32 for
    float32 columns, Float64 for masked ones), or its one value when ``index`` is None."""
    m = _merge_all(parts)
    out = _statistic(m, stat, ddof)
    if not skipna:
        out = np.where(m.missing > 0, np.nan, out)
    result = pd.Series(out, index=index).astype(dtype)
    return result.iloc[0] if index is None else result


def pandas_meta(meta: Any, stat: str, **kwargs: Any) -> Any:
    """``stat`` on a fake partition: the result's meta, or pandas' error made clearer.

    >>> pandas_meta(pd.DataFrame({"a": [1.0], "s": ["x"]}).iloc[:0], "skew", numeric_only=True)
    a   NaN
    dtype: float64
    """
    try:
        return getattr(nonempty(meta), stat)(**kwargs)
    except (TypeError, ValueError) as e:
        frame = meta if isinstance(meta, pd.DataFrame) else meta.to_frame()
        bad = [c for c, t in frame.dtypes.items() if t.kind not in "biufc"]
        raise type(e)(
            f"{stat} needs numeric columns; {bad or 'the input'} are not numeric ({e}). "
            "Pass numeric_only=True or select numeric columns first."
        ) from e


def _rowwise(part: Any, stat: str, kwargs: dict[str, Any]) -> Any:
    return getattr(part, stat)(axis=1, **kwargs)


class MomentsMixin:
    """``sem``, ``skew`` and ``kurtosis`` of each column (DataFrame) or of a Series."""

    meta: Any

    def _moment(
        self,
        stat: str,
        axis: Any,
        skipna: bool,
        numeric_only: bool,
        split_every: int | None,
        ddof: int = 1,
    ) -> Any:
        series = isinstance(self.meta, pd.Series)
        if axis is None and not series:
            raise NotImplementedError(
                f"DataFrame.{stat}(axis=None), over all values at once, is not implemented; "
                "pass axis=0 (each column) or axis=1 (each row)."
            )
        kw: dict[str, Any] = {"skipna": skipna, "numeric_only": numeric_only}
        if stat == "sem":
            kw["ddof"] = ddof
        meta = pandas_meta(self.meta, stat, axis=axis or 0, **kw)
        if axis not in (None, 0, "index"):
            return partitionwise(_rowwise, self, stat, kw, meta=meta, prefix=f"{stat}-axis1")
        columns = None if series else list(meta.index)
        # pandas' dtype: a Series' statistic is the value of its frame's
        dtype = pandas_meta(self.meta.to_frame(), stat, **kw).dtype if series else meta.dtype
        finish = partial(_finish, stat=stat, ddof=ddof, skipna=skipna,
                         index=None if series else meta.index, dtype=dtype)  # fmt: skip
        return reduction(self, partial(moments, columns=columns), _merge_all, finish, meta,
                         split_every, prefix=stat)  # fmt: skip

    def sem(
        self,
        axis: Any = 0,
        skipna: bool = True,
        ddof: int = 1,
        numeric_only: bool = False,
        split_every: int | None = None,
    ) -> Any:
        """Standard error of the mean: ``std(ddof) / sqrt(count)``.

        >>> import tessera.dataframe as dd
        >>> float(dd.from_dict({"a": [1.0, 2.0, 3.0, 4.0]}, npartitions=2).a.sem())
        0.6454972243679028
        """
        return self._moment("sem", axis, skipna, numeric_only, split_every, ddof)

    def skew(
        self,
        axis: Any = 0,
        skipna: bool = True,
        numeric_only: bool = False,
        split_every: int | None = None,
    ) -> Any:
        """Sample skewness (adjusted Fisher-Pearson), as pandas computes it.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1.0, 2.0, 4.0], "b": [1, 2, 3]}, npartitions=2)
        >>> df.skew().compute().round(6).tolist()
        [0.93522, 0.0]
        """
        return self._moment("skew", axis, skipna, numeric_only, split_every)

    def kurtosis(
        self,
        axis: Any = 0,
        skipna: bool = True,
        numeric_only: bool = False,
        split_every: int | None = None,
    ) -> Any:
        """Sample excess kurtosis (Fisher's, unbiased), as pandas computes it.

        >>> import tessera.dataframe as dd
        >>> s = dd.from_dict({"a": [1.0, 1.0, 3.0, 2.0]}, npartitions=3).a
        >>> round(float(s.kurtosis()), 6)
        -1.289256
        """
        return self._moment("kurt", axis, skipna, numeric_only, split_every)

    kurt = kurtosis
