"""idxmin/idxmax, nlargest/nsmallest, unique, drop_duplicates, mode, quantile, describe."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera.dataframe as dd
from tessera.dataframe.stats import POINTS
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

NUMERIC = ["k", "x", "y", "z"]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("op", ["idxmin", "idxmax"])
def test_idxmin_idxmax(pdf: pd.DataFrame, n: int, op: str) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(getattr(df[[*NUMERIC, "b"]], op)(), getattr(pdf[[*NUMERIC, "b"]], op)())
    assert_eq(getattr(df[NUMERIC], op)(split_every=2), getattr(pdf[NUMERIC], op)())
    for col in [*NUMERIC, "s"]:
        assert_eq(getattr(df[col], op)(), getattr(pdf[col], op)())
    assert_eq(getattr(df[["x", "y"]], op)(axis=1), getattr(pdf[["x", "y"]], op)(axis=1))


def test_idx_ties_and_missing_values() -> None:
    s = pd.Series([np.nan, 3.0, 1.0, 1.0, np.nan, 3.0, 1.0], index=list("abcdefg"))
    for n in [1, 2, 3, 7]:
        ds = dd.from_pandas(s, npartitions=n, sort=False)
        assert ds.idxmin().compute() == "c" and ds.idxmax().compute() == "b"  # first of ties
        with pytest.raises(ValueError, match="NA value"):
            ds.idxmin(skipna=False).compute(scheduler="sync")
        nan = dd.from_pandas(pd.Series([np.nan, np.nan]), npartitions=min(n, 2))
        with pytest.raises(ValueError, match="all NA"):
            nan.idxmax().compute(scheduler="sync")
    empty = dd.from_pandas(s, npartitions=3)
    with pytest.raises(ValueError, match="empty"):
        empty[empty > 10].idxmin().compute(scheduler="sync")
    clean = s.dropna()
    assert_eq(
        dd.from_pandas(clean, npartitions=3).idxmin(skipna=False), clean.idxmin(skipna=False)
    )


@pytest.mark.parametrize("n", [1, 3, 7])
@pytest.mark.parametrize("keep", ["first", "last", "all"])
def test_nlargest_nsmallest(pdf: pd.DataFrame, n: int, keep: str) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    for k in [3, 30]:
        assert_eq(df.nlargest(k, "x", keep=keep), pdf.nlargest(k, "x", keep=keep))
        assert_eq(df.nsmallest(k, ["k", "x"], keep=keep), pdf.nsmallest(k, ["k", "x"], keep=keep))
        assert_eq(df.k.nlargest(k, keep=keep), pdf.k.nlargest(k, keep=keep))
        assert_eq(df.z.nsmallest(k, keep=keep, split_every=2), pdf.z.nsmallest(k, keep=keep))


def test_nlargest_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(KeyError, match=r"'nope'.*available columns"):
        df.nlargest(2, "nope")
    with pytest.raises(TypeError, match="needs columns"):
        df.nlargest(2)
    with pytest.raises(TypeError, match="columns="):
        df.x.nsmallest(2, columns="x")
    with pytest.raises(TypeError, match="cannot use method 'nlargest'"):
        df.nlargest(2, "s")
    with pytest.raises(ValueError, match="keep"):
        df.x.nlargest(2, keep="middle")


@pytest.mark.parametrize("n", NPARTS)
def test_unique(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    for col in ["k", "s", "z", "b"]:
        assert_eq(df[col].unique(), pd.Series(pdf[col].unique(), name=col))
    assert_eq(df.x.unique(split_every=2), pd.Series(pdf.x.unique(), name="x"))
    with pytest.raises(AttributeError, match="unique"):
        df.unique()


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("keep", ["first", "last", False])
def test_drop_duplicates(pdf: pd.DataFrame, n: int, keep: Any) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    small = pdf[["k", "s"]]
    assert_eq(df[["k", "s"]].drop_duplicates(keep=keep), small.drop_duplicates(keep=keep))
    assert_eq(df.drop_duplicates(subset=["k"], keep=keep, split_every=2),
              pdf.drop_duplicates(subset=["k"], keep=keep))  # fmt: skip
    assert_eq(df.drop_duplicates(subset="s", keep=keep, ignore_index=True),
              pdf.drop_duplicates(subset="s", keep=keep, ignore_index=True))  # fmt: skip
    assert_eq(df.k.drop_duplicates(keep=keep), pdf.k.drop_duplicates(keep=keep))
    assert_eq(df.drop_duplicates(keep=keep), pdf.drop_duplicates(keep=keep))


def test_drop_duplicates_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(KeyError, match=r"'nope'.*available columns"):
        df.drop_duplicates(subset=["k", "nope"])
    with pytest.raises(TypeError, match="subset"):
        df.k.drop_duplicates(subset="k")
    with pytest.raises(ValueError, match="keep"):
        df.drop_duplicates(keep="middle")


keyed = data_frames(
    [column("a", elements=st.integers(0, 4)), column("b", elements=st.sampled_from("xyz"))],
    index=range_indexes(min_size=0, max_size=30),
)


@settings(max_examples=25, deadline=None)
@given(keyed, st.integers(1, 6), st.sampled_from(["first", "last", False]), st.integers(2, 4))
def test_drop_duplicates_matches_pandas(pdf: pd.DataFrame, n: int, keep: Any, every: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.drop_duplicates(keep=keep, split_every=every), pdf.drop_duplicates(keep=keep))
    assert_eq(
        df.drop_duplicates(subset="a", keep=keep), pdf.drop_duplicates(subset="a", keep=keep)
    )
    assert_eq(df.a.unique(split_every=every), pd.Series(pdf.a.unique(), name="a"))


@pytest.mark.parametrize("n", NPARTS)
def test_mode(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    for col in ["k", "x", "s", "b"]:
        assert_eq(df[col].mode(), pdf[col].mode())
    z = pdf.z.round(1)
    dz = dd.from_pandas(z, npartitions=n)
    assert_eq(dz.mode(dropna=False), z.mode(dropna=False))
    assert_eq(dz.mode(split_every=2), z.mode())
    same = pdf[["k", "b"]].iloc[:4]  # one mode per column: the meta's dtypes hold
    assert_eq(dd.from_pandas(same, npartitions=min(n, 2)).mode(), same.mode())
    got = df[["k", "x", "s"]].mode().compute(scheduler="sync")
    pd.testing.assert_frame_equal(got, pdf[["k", "x", "s"]].mode())  # padded: dtypes widen


@pytest.mark.parametrize("n", NPARTS)
def test_quantile_exact_on_small_partitions(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    num = pdf[NUMERIC]
    assert_eq(df.y.quantile(), num.y.quantile())
    assert_eq(df.x.quantile([0.1, 0.5, 0.9]), num.x.quantile([0.1, 0.5, 0.9]))
    assert_eq(df[NUMERIC].quantile(0.3), num.quantile(0.3))
    assert_eq(df[NUMERIC].quantile([0, 0.25, 1]), num.quantile([0, 0.25, 1]))
    no_bool = pdf.drop(columns="b")  # pandas cannot interpolate booleans
    assert_eq(no_bool.pipe(dd.from_pandas, npartitions=n).quantile(0.5, numeric_only=True),
              no_bool.quantile(0.5, numeric_only=True))  # fmt: skip
    assert_eq(df[df.x > 100].y.quantile(0.5), np.float64(np.nan))
    assert_eq(df[["x", "y"]].quantile(0.5, axis=1), pdf[["x", "y"]].quantile(0.5, axis=1))


def test_quantile_large_partitions() -> None:
    rng = np.random.default_rng(2)
    s = pd.Series(rng.lognormal(size=4 * POINTS + 37), name="v")
    qs = [0.01, 0.25, 0.5, 0.9, 0.999]
    assert_eq(dd.from_pandas(s, npartitions=1).quantile(qs), s.quantile(qs))  # one partition
    approx = dd.from_pandas(s, npartitions=3).quantile(qs).compute(scheduler="sync")
    ranks = np.searchsorted(np.sort(s.to_numpy()), approx.to_numpy()) / len(s)
    np.testing.assert_allclose(ranks, qs, atol=2 / POINTS)  # within 2/POINTS of the rank
    pd.testing.assert_series_equal(approx[:0.9], s.quantile(qs)[:0.9], rtol=0.01)


def test_quantile_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(Exception) as expected:
        pdf.quantile(0.5)  # a string column without numeric_only=True
    with pytest.raises(expected.type):
        df.quantile(0.5)
    with pytest.raises(ValueError):
        df.x.quantile(1.5)
    with pytest.raises(NotImplementedError, match="method"):
        df.x.quantile(0.5, method="tdigest")
    with pytest.raises(NotImplementedError, match="single q"):
        df[["x", "y"]].quantile([0.5], axis=1)


@pytest.mark.parametrize("n", [1, 3, 7])
def test_describe(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.describe(), pdf.describe())
    assert_eq(df.describe(percentiles=[0.1, 0.9]), pdf.describe(percentiles=[0.1, 0.9]))
    assert_eq(df.describe(include="all"), pdf.describe(include="all"))
    assert_eq(df.describe(include=["bool"]), pdf.describe(include=["bool"]))
    assert_eq(df.describe(exclude=["number"]), pdf.describe(exclude=["number"]))
    assert_eq(df.y.describe(), pdf.y.describe())
    assert_eq(df.s.describe(), pdf.s.describe())
    assert_eq(df[["s", "b"]].describe(), pdf[["s", "b"]].describe())
    unnamed = pdf.x.rename(None)
    assert_eq(dd.from_pandas(unnamed, npartitions=n).describe(), unnamed.describe())


def _times(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    hours = rng.integers(0, 10_000, n)  # whole hours: pandas' float sums stay exact
    t = pd.Series(pd.Timestamp("2001-02-03") + pd.to_timedelta(hours, unit="h"))
    t[rng.random(n) < 0.2] = pd.NaT
    d = t - pd.Timestamp("2001-01-01")
    return pd.DataFrame({"t": t, "d": d, "v": rng.normal(size=n), "s": rng.choice(["a", "b"], n)})


@pytest.mark.parametrize("n", NPARTS)
def test_quantile_datetime_and_timedelta(n: int) -> None:
    pdf = _times(20)
    df = dd.from_pandas(pdf, npartitions=n)
    qs = [0.0, 0.13, 0.5, 0.77, 1.0]
    for col in ["t", "d"]:
        assert_eq(df[col].quantile(0.3), pdf[col].quantile(0.3))
        assert_eq(df[col].quantile(qs), pdf[col].quantile(qs))
    assert_eq(df[["t", "d", "v"]].quantile(qs), pdf[["t", "d", "v"]].quantile(qs))
    assert_eq(df[["t", "d", "v"]].quantile(0.3), pdf[["t", "d", "v"]].quantile(0.3))
    assert_eq(df.quantile(0.3, numeric_only=True), pdf.quantile(0.3, numeric_only=True))
    none = df[df.v > 100]
    assert none.t.quantile(0.5).compute() is pdf.t[pdf.v > 100].quantile(0.5) is pd.NaT
    assert_eq(none.d.quantile([0.5]), pdf.d[pdf.v > 100].quantile([0.5]))


@pytest.mark.parametrize("n", [1, 3, 7])
def test_describe_datetime_and_timedelta(n: int) -> None:
    pdf = _times(20)
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.describe(), pdf.describe())  # datetimes count as numeric (pandas >= 2)
    assert_eq(df.describe(include="all"), pdf.describe(include="all"))
    assert_eq(df.describe(percentiles=[0.1, 0.9]), pdf.describe(percentiles=[0.1, 0.9]))
    assert_eq(df.describe(include="number"), pdf.describe(include="number"))
    assert_eq(df.describe(exclude=["datetime"]), pdf.describe(exclude=["datetime"]))
    assert_eq(df.t.describe(), pdf.t.describe())
    assert_eq(df.d.describe(), pdf.d.describe())
    assert_eq(df[["t"]].describe(), pdf[["t"]].describe())


def test_describe_timedelta_std_and_mean_are_exact_ticks() -> None:
    d = pd.Series(pd.to_timedelta([1, 2, 4, 8, 16, 33], unit="us"), name="d")
    got = dd.from_pandas(d, npartitions=3).describe().compute(scheduler="sync")
    pd.testing.assert_series_equal(got, d.describe())
    assert got["mean"] == pd.Timedelta(microseconds=10)  # 64 / 6, truncated as pandas


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.describe(include="all"), pdf.describe(include="all"), scheduler=scheduler)
    assert_eq(df[NUMERIC].idxmax(), pdf[NUMERIC].idxmax(), scheduler=scheduler)
    assert_eq(df.drop_duplicates(subset="k", keep=False),
              pdf.drop_duplicates(subset="k", keep=False), scheduler=scheduler)  # fmt: skip
    assert_eq(df.nlargest(3, "y"), pdf.nlargest(3, "y"), scheduler=scheduler)


ranked = data_frames(
    [column("a", elements=st.integers(0, 3)), column("b", elements=st.integers(0, 2))],
    index=range_indexes(min_size=0, max_size=25),
)


@settings(max_examples=25, deadline=None)
@given(ranked, st.integers(1, 6), st.integers(1, 8), st.sampled_from(["first", "last", "all"]))
def test_nlargest_matches_pandas(pdf: pd.DataFrame, n: int, k: int, keep: str) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.nlargest(k, "a", keep=keep), pdf.nlargest(k, "a", keep=keep))
    assert_eq(df.nsmallest(k, ["a", "b"], keep=keep), pdf.nsmallest(k, ["a", "b"], keep=keep))
    assert_eq(df.b.nlargest(k, keep=keep, split_every=2), pdf.b.nlargest(k, keep=keep))
