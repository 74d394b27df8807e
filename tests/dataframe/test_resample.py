"""resample on frames with a datetime index and known divisions, against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq

from .conftest import NPARTS


@pytest.fixture
def ts() -> pd.DataFrame:
    """Irregular times over ~40 days (gaps of several days included), float values."""
    rng = np.random.default_rng(1)
    n = 40
    minutes = np.sort(rng.integers(0, 40 * 24 * 60, n))
    minutes[20:] += 5 * 24 * 60  # a gap with empty bins for every rule below
    idx = pd.Timestamp("2000-01-01 05:17") + pd.to_timedelta(minutes, unit="min")
    return pd.DataFrame(
        {"x": rng.normal(size=n), "y": np.where(rng.random(n) < 0.2, np.nan, rng.random(n))},
        index=pd.DatetimeIndex(idx, name="t"),
    )


RULES = ["h", "6h", "90min", "D", "2D", "7D", "W", "W-MON", "2W", "ME", "2ME", "MS", "QE", "B",
         "3B", "BME", "SMS"]  # fmt: skip
KWARGS = [
    {},
    {"closed": "right"},
    {"label": "right"},
    {"closed": "right", "label": "right"},
    {"origin": "start"},
    {"origin": "end"},
    {"origin": "end_day"},
    {"origin": "epoch", "offset": "2h"},
]


def _check(df: dd.DataFrame, pdf: pd.DataFrame, rule: str, kw: dict, how: str) -> None:
    assert_eq(getattr(df.resample(rule, **kw), how)(), getattr(pdf.resample(rule, **kw), how)(),
              check_freq=False)  # fmt: skip


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("n", NPARTS)
def test_rules_and_partitionings(ts: pd.DataFrame, rule: str, n: int) -> None:
    df = dd.from_pandas(ts, npartitions=n)
    for how in ("sum", "first"):
        _check(df, ts, rule, {}, how)


@pytest.mark.filterwarnings("ignore:The .(origin|offset). keyword does not take effect")
@pytest.mark.parametrize("rule", ["5h", "D", "3D", "W", "ME"])
@pytest.mark.parametrize("kw", KWARGS)
def test_closed_label_origin(ts: pd.DataFrame, rule: str, kw: dict) -> None:
    _check(dd.from_pandas(ts, npartitions=7), ts, rule, kw, "last")


@pytest.mark.parametrize("how", ["min", "last", "median", "std", "var", "prod", "nunique",
                                 "size", "ohlc"])  # fmt: skip
def test_aggregations(ts: pd.DataFrame, how: str) -> None:
    for n in (1, 6):
        df = dd.from_pandas(ts, npartitions=n)
        _check(df, ts, "D", {}, how)
        _check(df.x, ts.x, "12h", {}, how)


def test_agg(ts: pd.DataFrame) -> None:
    df = dd.from_pandas(ts, npartitions=5)
    for func in ("mean", ["min", "max"], {"x": "sum", "y": ["count", "first"]}):
        assert_eq(df.resample("D").agg(func), ts.resample("D").agg(func), check_freq=False)
    assert_eq(df.x.resample("W").agg(["sum", "mean"]), ts.x.resample("W").agg(["sum", "mean"]),
              check_freq=False)  # fmt: skip


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(ts: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(ts, npartitions=4)
    assert_eq(df.resample("D").mean(), ts.resample("D").mean(), scheduler=scheduler,
              check_freq=False)  # fmt: skip


def test_integer_gaps_give_pandas_dtypes() -> None:
    idx = pd.DatetimeIndex(["2000-01-01", "2000-01-01 12:00", "2000-01-04", "2000-01-05"])
    pdf = pd.DataFrame({"i": [1, 2, 3, 4]}, index=idx)
    for n in (1, 2, 4):
        df = dd.from_pandas(pdf, npartitions=n)
        for how in ("sum", "count", "min", "first"):
            expected = getattr(pdf.resample("D"), how)()
            got = getattr(df.resample("D"), how)().compute()
            pd.testing.assert_frame_equal(got, expected, check_freq=False)


def test_output_divisions_and_timezone(ts: pd.DataFrame) -> None:
    tz = ts.tz_localize("UTC").tz_convert("Europe/Paris")
    df = dd.from_pandas(tz, npartitions=6)
    out = df.resample("6h").sum()
    assert out.known_divisions
    assert_eq(out, tz.resample("6h").sum(), check_freq=False)


def test_errors(ts: pd.DataFrame) -> None:
    df = dd.from_pandas(ts, npartitions=3)
    with pytest.raises(TypeError, match="DatetimeIndex"):
        df.reset_index(drop=True).resample("D")
    with pytest.raises(ValueError, match="known divisions"):
        dd.from_pandas(ts, npartitions=3, sort=False).resample("D")
    with pytest.raises(NotImplementedError, match="'bh'"):
        df.resample("bh")
    with pytest.raises(ValueError, match="not a pandas frequency"):
        df.resample("fortnight")
    with pytest.raises(TypeError, match="closed="):
        df.resample("D", kind="period")
    with pytest.raises(AttributeError, match="available"):
        df.resample("D").mode  # noqa: B018


@settings(max_examples=30, deadline=None)
@given(
    minutes=st.lists(st.integers(0, 40 * 24 * 60), min_size=1, max_size=25),
    n=st.integers(1, 6),
    rule=st.sampled_from(["h", "7h", "D", "2D", "W", "2W", "B", "3B", "2ME"]),
    closed=st.sampled_from(["left", "right"]),
    how=st.sampled_from(["sum", "count", "first", "max"]),
)
def test_any_times_any_partitioning(
    minutes: list[int], n: int, rule: str, closed: str, how: str
) -> None:
    idx = pd.Timestamp("2000-01-01 03:00") + pd.to_timedelta(sorted(minutes), unit="min")
    s = pd.Series(np.arange(len(minutes), dtype="float64"), index=idx)
    expected = getattr(s.resample(rule, closed=closed), how)()
    got = getattr(dd.from_pandas(s, npartitions=n).resample(rule, closed=closed), how)()
    pd.testing.assert_series_equal(got.compute(), expected, check_freq=False)
