"""Rolling windows against pandas: row and time windows, centred, across short partitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS
from tests.dataframe.test_cumulative import with_empty_partitions
from tests.dataframe.test_overlap import times

NUMERIC = ["k", "x", "y", "z"]
METHODS = ["count", "sum", "mean", "median", "min", "max", "std", "var"]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("window", [1, 4])
@pytest.mark.parametrize("center", [False, True])
def test_row_windows(pdf: pd.DataFrame, n: int, window: int, center: bool) -> None:
    num = pdf[NUMERIC]
    df = dd.from_pandas(num, npartitions=n)
    for method in METHODS:
        got = getattr(df.rolling(window, center=center), method)()
        assert_eq(got, getattr(num.rolling(window, center=center), method)())
    got = df.z.rolling(window, min_periods=1, center=center).mean()
    assert_eq(got, num.z.rolling(window, min_periods=1, center=center).mean())


@pytest.mark.parametrize("n", [1, 3, 10])
@pytest.mark.parametrize("window", [1, 3])
@pytest.mark.parametrize("closed", ["right", "left", "both", "neither"])
def test_row_windows_closed(pdf: pd.DataFrame, n: int, window: int, closed: str) -> None:
    """``closed="left"``/``"both"`` windows reach ``window`` rows back, across partitions."""
    num = pdf[NUMERIC]
    df = dd.from_pandas(num, npartitions=n)
    for method in ["sum", "count", "max"]:
        got = getattr(df.rolling(window, closed=closed, min_periods=1), method)()
        assert_eq(got, getattr(num.rolling(window, closed=closed, min_periods=1), method)())
    got = df.y.rolling(window, closed=closed).mean()
    assert_eq(got, num.y.rolling(window, closed=closed).mean())
    got = df.y.rolling(window, closed=closed, center=True).sum()
    assert_eq(got, num.y.rolling(window, closed=closed, center=True).sum())


def test_more_methods(pdf: pd.DataFrame) -> None:
    num = pdf[NUMERIC]
    df = dd.from_pandas(num, npartitions=7)
    r, expected = df.rolling(4), num.rolling(4)
    assert_eq(r.var(ddof=0), expected.var(ddof=0))
    assert_eq(r.skew(), expected.skew())
    assert_eq(r.kurt(), expected.kurt())
    assert_eq(r.quantile(0.25), expected.quantile(0.25))
    assert_eq(r.agg("sum"), expected.agg("sum"))
    assert_eq(df.y.rolling(4).agg(["min", "max"]), num.y.rolling(4).agg(["min", "max"]))
    assert "window=4" in repr(r)


@pytest.mark.parametrize("raw", [True, False])
def test_apply(pdf: pd.DataFrame, raw: bool) -> None:
    def spread(w: np.ndarray | pd.Series) -> float:
        return float(np.max(w) - np.min(w))

    df = dd.from_pandas(pdf, npartitions=5)
    got = df.y.rolling(3, center=True).apply(spread, raw=raw)
    assert_eq(got, pdf.y.rolling(3, center=True).apply(spread, raw=raw))
    got = df[NUMERIC].rolling(2).apply(np.sum, raw=raw)
    assert_eq(got, pdf[NUMERIC].rolling(2).apply(np.sum, raw=raw))


def test_window_longer_than_partitions(pdf: pd.DataFrame) -> None:
    """Windows span several (short or empty) partitions: still pandas' result."""
    df = dd.from_pandas(pdf[NUMERIC], npartitions=10)  # 2 rows per partition
    assert_eq(df.rolling(7).sum(), pdf[NUMERIC].rolling(7).sum())
    assert_eq(df.rolling(5, center=True).max(), pdf[NUMERIC].rolling(5, center=True).max())
    df, expected = with_empty_partitions(pdf[NUMERIC])
    assert_eq(df.rolling(4, min_periods=2).mean(), expected.rolling(4, min_periods=2).mean())


@pytest.mark.parametrize("n", [1, 3, 7])
@pytest.mark.parametrize("window", ["37min", "2h", "5h"])
@pytest.mark.parametrize("closed", [None, "both"])
def test_time_windows(n: int, window: str, closed: str | None) -> None:
    pdf = times()
    df = dd.from_pandas(pdf, npartitions=n)
    got = df.rolling(window, closed=closed).sum()
    assert_eq(got, pdf.rolling(window, closed=closed).sum())
    got = df.v.rolling(window, center=True).mean()
    assert_eq(got, pdf.v.rolling(window, center=True).mean())


@pytest.mark.parametrize("closed", ["left", "neither"])
def test_time_windows_closed(closed: str) -> None:
    pdf = times()
    df = dd.from_pandas(pdf, npartitions=5)
    got = df.rolling("90min", closed=closed).max()
    assert_eq(got, pdf.rolling("90min", closed=closed).max())


def test_bad_windows(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(ValueError, match="window"):
        df.rolling(-1)
    with pytest.raises(ValueError):
        df.rolling("2h")  # integer index: pandas refuses a time window


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf[NUMERIC], npartitions=4)
    assert_eq(df.rolling(3).mean(), pdf[NUMERIC].rolling(3).mean(), scheduler=scheduler)
