"""The .str and .dt accessors against pandas."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

WORDS = ["apple pie", "Banana", None, "cherry  tart x", "", "date-2", "Éclair", "fig 10"]
CLEAN = [w for w in WORDS if w is not None]


def assert_values(lazy: Any, expected: Any) -> None:
    """The computed values equal pandas' (with missing values pandas may widen the dtype
    beyond the declared one: see the accessors' policy)."""
    got = lazy.compute(scheduler="sync")
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(got, expected)
    else:
        pd.testing.assert_series_equal(got, expected)


STR_CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("upper", (), {}),
    ("lower", (), {}),
    ("title", (), {}),
    ("capitalize", (), {}),
    ("swapcase", (), {}),
    ("casefold", (), {}),
    ("len", (), {}),
    ("strip", (), {}),
    ("lstrip", ("a",), {}),
    ("rstrip", ("x",), {}),
    ("contains", ("an",), {}),
    ("contains", (r"\d",), {"regex": True, "na": False}),
    ("startswith", ("c",), {}),
    ("endswith", ("e",), {}),
    ("match", ("[a-c]",), {}),
    ("fullmatch", (r"\w+",), {}),
    ("replace", ("a", "A"), {}),
    ("replace", (r"\s+", "_"), {"regex": True}),
    ("find", ("a",), {}),
    ("rfind", ("a",), {}),
    ("count", ("a",), {}),
    ("slice", (1, 4), {}),
    ("slice_replace", (0, 1, "Z"), {}),
    ("get", (0,), {}),
    ("pad", (12,), {"fillchar": "."}),
    ("center", (12,), {}),
    ("ljust", (10,), {}),
    ("rjust", (10,), {}),
    ("zfill", (6,), {}),
    ("repeat", (2,), {}),
    ("isalpha", (), {}),
    ("isdigit", (), {}),
    ("isnumeric", (), {}),
    ("isalnum", (), {}),
    ("isspace", (), {}),
    ("islower", (), {}),
    ("isupper", (), {}),
    ("istitle", (), {}),
    ("removeprefix", ("app",), {}),
    ("removesuffix", ("tart x",), {}),
    ("normalize", ("NFKD",), {}),
    ("wrap", (4,), {}),
    ("split", (), {}),
    ("rsplit", (" ",), {"n": 1}),
    ("findall", ("a",), {}),
    ("extract", (r"(\w)(\w)",), {"expand": True}),
    ("extract", (r"(?P<first>\w)",), {"expand": False}),
    ("partition", (" ",), {}),
    ("rpartition", (" ",), {}),
    ("encode", ("utf-8",), {}),
]


@pytest.mark.parametrize("dtype", [object, "str"])
@pytest.mark.parametrize(("name", "args", "kwargs"), STR_CALLS)
def test_str_methods(dtype: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    clean = pd.Series(CLEAN, dtype=dtype, name="w")
    ds = dd.from_pandas(clean, npartitions=3)
    assert_eq(getattr(ds.str, name)(*args, **kwargs), getattr(clean.str, name)(*args, **kwargs))
    s = pd.Series(WORDS, dtype=dtype, name="w")
    ds = dd.from_pandas(s, npartitions=2)
    assert_values(getattr(ds.str, name)(*args, **kwargs), getattr(s.str, name)(*args, **kwargs))


@pytest.mark.parametrize("n", NPARTS)
def test_str_getitem_split_cat(n: int) -> None:
    s = pd.Series(WORDS, dtype=object, name="w")
    ds = dd.from_pandas(s, npartitions=n)
    assert_eq(ds.str[0], s.str[0])
    assert_eq(ds.str[1:3], s.str[1:3])
    assert_eq(ds.str.split(" ", n=2, expand=True), s.str.split(" ", n=2, expand=True))
    assert_eq(ds.str.rsplit(n=2, expand=True), s.str.rsplit(n=2, expand=True))
    assert_eq(ds.str.cat(sep="|"), s.str.cat(sep="|"))
    assert_eq(ds.str.cat(sep="|", na_rep="?"), s.str.cat(sep="|", na_rep="?"))
    assert_eq(ds.str.cat(), s.str.cat())
    assert_eq(ds.str.cat(ds.str.upper(), sep=":"), s.str.cat(s.str.upper(), sep=":"))
    assert_eq(
        ds.str.encode("utf-8").str.decode("utf-8"), s.str.encode("utf-8").str.decode("utf-8")
    )


def test_split_expand_pads_columns_pandas_would_not_create() -> None:
    s = pd.Series(["a b", "c", None], dtype="str")
    out = dd.from_pandas(s, npartitions=2).str.split(n=3, expand=True)
    assert out.columns.tolist() == [0, 1, 2, 3]
    expected = s.str.split(n=3, expand=True).reindex(columns=range(4)).astype("str")
    assert_eq(out, expected)


def test_str_errors() -> None:
    ds = dd.from_pandas(pd.Series(["a b"], dtype=object), npartitions=1)
    with pytest.raises(ValueError, match=r"expand=True\) needs n="):
        ds.str.split(expand=True)
    with pytest.raises(ValueError, match="needs n="):
        ds.str.rsplit(" ", n=-1, expand=True)
    with pytest.raises(AttributeError, match=r"has no attribute 'shout'.*available: .*upper"):
        ds.str.shout  # noqa: B018
    with pytest.raises(NotImplementedError, match="get_dummies"):
        ds.str.get_dummies()
    with pytest.raises(TypeError, match="not iterable"):
        iter(ds.str)
    with pytest.raises(TypeError, match="sep and na_rep"):
        ds.str.cat(join="left")
    numbers = dd.from_pandas(pd.Series([1, 2], name="n"), npartitions=1)
    with pytest.raises(AttributeError, match=r"\.str accessor with string values.*'n'.*int64"):
        numbers.str  # noqa: B018
    assert "upper" in dir(ds.str)


@pytest.fixture
def times() -> pd.Series:
    rng = np.random.default_rng(1)
    seconds = np.sort(rng.integers(0, 400 * 86400, 30))
    values = pd.to_datetime("2019-12-30") + pd.to_timedelta(seconds, unit="s")
    return pd.Series(values, name="t")


DT_PROPERTIES = ["year", "month", "day", "hour", "minute", "second", "day_of_week",
                 "day_of_year", "quarter", "is_month_start", "is_leap_year",
                 "days_in_month", "date", "time"]  # fmt: skip
DT_METHODS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("floor", ("D",), {}),
    ("ceil", ("h",), {}),
    ("round", ("min",), {}),
    ("normalize", (), {}),
    ("strftime", ("%Y/%m/%d %H",), {}),
    ("day_name", (), {}),
    ("month_name", (), {}),
    ("isocalendar", (), {}),
    ("to_period", ("M",), {}),
    ("tz_localize", ("UTC",), {}),
    ("as_unit", ("s",), {}),
]


@pytest.mark.parametrize("n", [1, 4])
def test_dt_properties_and_methods(times: pd.Series, n: int) -> None:
    ds = dd.from_pandas(times, npartitions=n)
    for name in DT_PROPERTIES:
        assert_eq(getattr(ds.dt, name), getattr(times.dt, name))
    for name, args, kwargs in DT_METHODS:
        assert_eq(getattr(ds.dt, name)(*args, **kwargs), getattr(times.dt, name)(*args, **kwargs))
    gaps = times.where(times.dt.day != 3)  # NaT widens integer fields to float64 in pandas
    dgaps = dd.from_pandas(gaps, npartitions=n)
    for name in DT_PROPERTIES:
        assert_values(getattr(dgaps.dt, name), getattr(gaps.dt, name))
    utc = ds.dt.tz_localize("UTC")
    assert_eq(utc.dt.tz_convert("Asia/Tokyo").dt.hour, times.dt.tz_localize("UTC")
              .dt.tz_convert("Asia/Tokyo").dt.hour)  # fmt: skip
    assert str(utc.dt.tz) == "UTC" and ds.dt.tz is None and ds.dt.unit == times.dt.unit


def test_dt_timedelta_and_period(times: pd.Series) -> None:
    delta = times - times.min()
    dd_delta = dd.from_pandas(times, npartitions=3) - dd.from_pandas(times, npartitions=3).min()
    assert_eq(dd_delta.dt.days, delta.dt.days)
    assert_eq(dd_delta.dt.total_seconds(), delta.dt.total_seconds())
    assert_eq(dd_delta.dt.components, delta.dt.components)
    periods = times.dt.to_period("D")
    assert_eq(dd.from_pandas(periods, npartitions=3).dt.start_time, periods.dt.start_time)


def test_dt_errors(times: pd.Series) -> None:
    ds = dd.from_pandas(times, npartitions=2)
    with pytest.raises(NotImplementedError, match="freq"):
        ds.dt.freq  # noqa: B018
    with pytest.raises(AttributeError, match="no attribute 'fortnight'"):
        ds.dt.fortnight  # noqa: B018
    words = dd.from_pandas(pd.Series(["x"], name="w"), npartitions=1)
    with pytest.raises(AttributeError, match=r"\.dt accessor with datetimelike.*to_datetime"):
        words.dt  # noqa: B018


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_accessor_schedulers(times: pd.Series, scheduler: str) -> None:
    ds = dd.from_pandas(times, npartitions=3)
    assert_eq(ds.dt.strftime("%m").str.lstrip("0"), times.dt.strftime("%m").str.lstrip("0"),
              scheduler=scheduler)  # fmt: skip
    s = pd.Series(WORDS, dtype=object)
    assert_eq(dd.from_pandas(s, npartitions=3).str.cat(sep=","), s.str.cat(sep=","),
              scheduler=scheduler)  # fmt: skip
