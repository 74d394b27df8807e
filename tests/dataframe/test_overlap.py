"""``map_overlap``, ``shift``, ``diff``, ``pct_change`` against pandas on many partitionings."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS
from tests.dataframe.test_cumulative import with_empty_partitions

NUMERIC = ["k", "x", "y", "z"]
PERIODS = [0, 2, -1, -4, 25]


def times(n: int = 24) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    index = pd.date_range("2000-01-01", periods=n, freq="37min")
    index = index[np.sort(rng.choice(n, n - 4, replace=False))]  # irregular gaps
    return pd.DataFrame({"v": rng.normal(size=len(index)), "i": np.arange(len(index))}, index)


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("periods", PERIODS)
def test_shift_diff_pct_change(pdf: pd.DataFrame, n: int, periods: int) -> None:
    num = pdf[NUMERIC]
    df = dd.from_pandas(num, npartitions=n)
    assert_eq(df.shift(periods), num.shift(periods))
    assert_eq(df.x.shift(periods, fill_value=0), num.x.shift(periods, fill_value=0))
    assert_eq(df.diff(periods), num.diff(periods))
    assert_eq(df.y.pct_change(periods), num.y.pct_change(periods))


@pytest.mark.parametrize("periods", [1, 3, -2, 7])
def test_shift_diff_with_empty_partitions(pdf: pd.DataFrame, periods: int) -> None:
    df, expected = with_empty_partitions(pdf[NUMERIC])
    assert_eq(df.shift(periods), expected.shift(periods))
    assert_eq(df.z.diff(periods), expected.z.diff(periods))


def test_shift_keeps_object_columns_and_axis1(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=4)
    assert_eq(df.shift(2), pdf.shift(2))
    assert_eq(df[NUMERIC].shift(1, axis=1), pdf[NUMERIC].shift(1, axis=1))
    assert_eq(df[NUMERIC].diff(axis=1), pdf[NUMERIC].diff(axis=1))


@pytest.mark.parametrize("n", [1, 3, 6])
def test_regular_index_keeps_its_freq(n: int) -> None:
    """Rows borrowed from neighbours are cut; the partition keeps its index and freq."""
    pdf = pd.DataFrame({"v": [1.0, 4.0, np.nan, 2.0, 8.0, 5.0]},
                       index=pd.date_range("2020", periods=6, freq="h"))  # fmt: skip
    df = dd.from_pandas(pdf, npartitions=n)
    ops = [
        lambda d: d.shift(1),
        lambda d: d.shift(-2),
        lambda d: d.diff(),
        lambda d: d.pct_change(),
        lambda d: d.rolling(2).sum(),
        lambda d: d.rolling("2h").mean(),
        lambda d: d.v.rolling(3, center=True).max(),
    ]
    for f in ops:
        assert_eq(f(df), f(pdf))  # the freq is compared too
    got = df.map_overlap(lambda d: d.rolling(2).sum(), 1, 0)
    assert_eq(got, pdf.rolling(2).sum())


def test_shift_freq_errors_when_called() -> None:
    pdf = pd.DataFrame({"v": [1.0, 2.0]}, index=pd.date_range("2020", periods=2, freq="h"))
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(ValueError, match=r"freq.*fill_value"):
        df.shift(1, freq="h", fill_value=0)  # as pandas, without a compute
    with pytest.raises(ValueError, match="No axis named 2"):
        df.shift(1, freq="h", axis=2)


def test_shift_with_freq_moves_the_index() -> None:
    pdf = times()
    df = dd.from_pandas(pdf, npartitions=4)
    out = df.shift(2, freq="1h")
    assert_eq(out, pdf.shift(2, freq="1h"))
    assert out.divisions[0] == df.divisions[0] + pd.Timedelta("2h")
    assert not df.shift(1, freq="MS").known_divisions  # months are not fixed spans
    assert_eq(df.shift(1, freq="MS"), pdf.shift(1, freq="MS"))


def test_periods_must_be_integers() -> None:
    s = dd.from_dict({"a": [1.0, 2.0]}, npartitions=2).a
    expected = pd.Series([1.0, 2.0, 4.0])
    for method, periods in [("diff", 1.5), ("diff", True), ("shift", 1.5), ("pct_change", "1")]:
        with pytest.raises(Exception) as raised:  # pandas' own error type and message
            getattr(expected, method)(periods)
        with pytest.raises(type(raised.value), match=re.escape(str(raised.value))):
            getattr(s, method)(periods)
    lazy = dd.from_pandas(expected, npartitions=3)
    assert_eq(lazy.diff(2.0), expected.diff(2.0))  # type: ignore[arg-type]
    assert_eq(lazy.shift(True), expected.shift(True))
    with pytest.raises(NotImplementedError, match="fill_method"):
        s.pct_change(fill_method="ffill")  # type: ignore[arg-type]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize(("before", "after"), [(0, 0), (1, 0), (0, 2), (3, 3), (12, 9)])
def test_map_overlap_rows(pdf: pd.DataFrame, n: int, before: int, after: int) -> None:
    def window_sum(d: pd.DataFrame) -> pd.DataFrame:
        return d.rolling(before + after + 1, min_periods=1).sum().shift(-after)

    df = dd.from_pandas(pdf[NUMERIC], npartitions=n)
    expected = window_sum(pdf[NUMERIC])
    assert_eq(df.map_overlap(window_sum, before, after), expected)
    assert_eq(dd.map_overlap(window_sum, df, before, after), expected)


def test_map_overlap_passes_arguments_and_meta(pdf: pd.DataFrame) -> None:
    def scaled_diff(d: pd.Series, k: int, offset: float = 0.0) -> pd.Series:
        return d.diff() * k + offset

    df = dd.from_pandas(pdf, npartitions=5)
    out = df.x.map_overlap(scaled_diff, 1, 0, 10, offset=0.5, meta=("x", "float64"))
    assert_eq(out, scaled_diff(pdf.x, 10, offset=0.5))
    lazy = df.x.map_overlap(scaled_diff, 1, 0, df.k.max(), offset=df.y.min(), meta=out.meta)
    assert_eq(lazy, scaled_diff(pdf.x, pdf.k.max(), offset=pdf.y.min()))
    with pytest.raises(NotImplementedError, match="one lazy frame"):
        df.x.map_overlap(scaled_diff, 1, 0, df.k)


def test_map_overlap_borrows_across_short_partitions() -> None:
    """Partitions shorter than the overlap borrow from several neighbours (Dask raises)."""
    pdf = pd.DataFrame({"v": np.arange(12.0)})
    df = dd.from_pandas(pdf, npartitions=6)  # 2 rows per partition

    def seen(d: pd.DataFrame) -> pd.DataFrame:
        return d.assign(first=d.v.iloc[0], last=d.v.iloc[-1])

    got = df.map_overlap(seen, 5, 3, meta=seen(pdf)).compute()
    assert got["first"].tolist() == [max(0, 2 * (i // 2) - 5) for i in range(12)]
    assert got["last"].tolist() == [min(11, 2 * (i // 2) + 1 + 3) for i in range(12)]


@pytest.mark.parametrize("n", [1, 3, 7])
@pytest.mark.parametrize(("before", "after"), [("2h", 0), ("90min", "1h"), (0, "3h")])
def test_map_overlap_time_spans(n: int, before: Any, after: Any) -> None:
    pdf = times()
    df = dd.from_pandas(pdf, npartitions=n)

    def span_sum(d: pd.DataFrame) -> pd.DataFrame:  # sum over [t - before, t + after]
        lo = pd.Timedelta(before or 0)
        hi = pd.Timedelta(after or 0)
        return pd.DataFrame(
            {c: [d[c][(d.index >= t - lo) & (d.index <= t + hi)].sum() for t in d.index]
             for c in d.columns},
            index=d.index,
        )  # fmt: skip

    out = df.map_overlap(span_sum, before, after, meta=pdf)
    assert_eq(out, span_sum(pdf))


def test_map_overlap_bad_windows(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(ValueError, match="before must be >= 0"):
        df.map_overlap(lambda d: d, -1, 0)
    with pytest.raises(TypeError, match="integer number of rows"):
        df.map_overlap(lambda d: d, 1.5, 0)
    with pytest.raises(ValueError, match="datetime index"):
        df.map_overlap(lambda d: d, "2h", 0)
    tdf = dd.from_pandas(times(), npartitions=2)
    with pytest.raises(ValueError, match="fixed time span"):
        tdf.map_overlap(lambda d: d, "1MS", 0)


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf[NUMERIC], npartitions=4)
    assert_eq(df.diff(3), pdf[NUMERIC].diff(3), scheduler=scheduler)
    assert_eq(df.y.shift(-2), pdf.y.shift(-2), scheduler=scheduler)


frames = data_frames(
    [column("a", elements=st.one_of(st.none(), st.integers(-50, 50).map(float)), dtype=float)],
    index=range_indexes(min_size=0, max_size=20),
)


@settings(max_examples=25, deadline=None)
@given(frames, st.integers(1, 8), st.integers(-6, 6))
def test_shift_any_partitioning(pdf: pd.DataFrame, n: int, periods: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.shift(periods), pdf.shift(periods))
    assert_eq(df.a.diff(periods), pdf.a.diff(periods))
