"""Rolling windows over a DataFrame or Series, built on :func:`~tessera.dataframe.map_overlap`.

Map
---
- :class:`Rolling` -- what ``obj.rolling(window, min_periods=, center=, win_type=,
  closed=)`` returns: ``count, sum, mean, median, min, max, std, var, skew, kurt,
  quantile, apply, aggregate`` with pandas' semantics.

Policy: every method is one ``map_overlap`` call of the pandas method.  A window of ``w``
rows borrows the ``w - 1`` rows before each partition (``w`` when ``closed`` is
``"left"`` or ``"both"``, and ``w`` rows on each side when ``center=True``); a time
window (``"2h"``, on a datetime index with known divisions) borrows the rows within that
span.  pandas validates the options when the window is
made, on a small fake partition.

>>> import pandas as pd, tessera.dataframe as dd
>>> s = dd.from_pandas(pd.Series([1.0, 2.0, 4.0, 8.0, 16.0]), npartitions=3)
>>> s.rolling(3, min_periods=1).sum().compute().tolist()
[1.0, 3.0, 7.0, 14.0, 28.0]
>>> s.rolling(3, center=True).max().compute().tolist()
[nan, 4.0, 8.0, 16.0, nan]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tessera.dataframe.graph import nonempty
from tessera.dataframe.overlap import map_overlap

__all__ = ["Rolling"]


def _rolled(part: Any, options: dict[str, Any], method: str, args: tuple[Any, ...],
            kwargs: dict[str, Any]) -> Any:  # fmt: skip
    return getattr(part.rolling(**options), method)(*args, **kwargs)


class Rolling:
    """A rolling window over a lazy frame; each method returns a frame like ``obj``.

    >>> import tessera.dataframe as dd
    >>> s = dd.from_dict({"a": [1.0, 3.0, 2.0, 5.0]}, npartitions=4).a
    >>> s.rolling(2).std().compute().round(3).tolist()
    [nan, 1.414, 0.707, 2.121]
    """

    def __init__(
        self,
        obj: Any,
        window: Any,
        min_periods: int | None = None,
        center: bool = False,
        win_type: str | None = None,
        closed: str | None = None,
    ) -> None:
        self.obj = obj
        self.options: dict[str, Any] = {"window": window, "min_periods": min_periods,
                                        "center": center, "win_type": win_type,
                                        "closed": closed}  # fmt: skip
        nonempty(obj.meta).rolling(**self.options)  # pandas checks the options
        if isinstance(window, int) and not isinstance(window, bool):
            # closed "left"/"both" windows reach one row further back than "right"/"neither"
            reach = window if closed in ("left", "both") else max(window - 1, 0)
            self.before, self.after = (window, window) if center else (reach, 0)
        else:
            self.before, self.after = window, window if center else 0

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.options.items() if v is not None)
        return f"Rolling [{options}]"

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        meta = getattr(nonempty(self.obj.meta).rolling(**self.options), method)(*args, **kwargs)
        return map_overlap(_rolled, self.obj, self.before, self.after, self.options, method,
                           args, kwargs, meta=meta)  # fmt: skip

    def count(self) -> Any:
        """Number of non-missing values in each window."""
        return self._call("count")

    def sum(self) -> Any:
        """Sum of each window.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=3).a.rolling(2).sum().compute().tolist()
        [nan, 3.0, 5.0]
        """
        return self._call("sum")

    def mean(self) -> Any:
        """Mean of each window."""
        return self._call("mean")

    def median(self) -> Any:
        """Median of each window."""
        return self._call("median")

    def min(self) -> Any:
        """Minimum of each window."""
        return self._call("min")

    def max(self) -> Any:
        """Maximum of each window."""
        return self._call("max")

    def std(self, ddof: int = 1) -> Any:
        """Standard deviation of each window."""
        return self._call("std", ddof=ddof)

    def var(self, ddof: int = 1) -> Any:
        """Variance of each window."""
        return self._call("var", ddof=ddof)

    def skew(self) -> Any:
        """Skewness of each window."""
        return self._call("skew")

    def kurt(self) -> Any:
        """Kurtosis (Fisher's) of each window."""
        return self._call("kurt")

    def quantile(self, q: float, interpolation: str = "linear") -> Any:
        """The ``q`` quantile of each window."""
        return self._call("quantile", q, interpolation=interpolation)

    def apply(
        self,
        func: Callable[..., Any],
        raw: bool = False,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        """``func`` on each window (a Series, or a NumPy array when ``raw=True``),
        which must return one number.

        >>> import tessera.dataframe as dd
        >>> s = dd.from_dict({"a": [1.0, 5.0, 2.0]}, npartitions=3).a
        >>> s.rolling(2).apply(lambda w: w.max() - w.min(), raw=True).compute().tolist()
        [nan, 4.0, 3.0]
        """
        return self._call("apply", func, raw=raw, args=args, kwargs=kwargs)

    def aggregate(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        """One or several aggregations by name (``"sum"``, ``["min", "max"]``, ...)."""
        return self._call("aggregate", func, *args, **kwargs)

    agg = aggregate
