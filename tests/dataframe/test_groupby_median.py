"""Grouped ``median`` and ``quantile`` (exact, from per-group value counts) against pandas."""

from __future__ import annotations

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


def _frame(n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    t = pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n), "s"))
    t[rng.random(n) < 0.2] = pd.NaT
    return pd.DataFrame(
        {
            "k": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 4, n)),
            "c": pd.Categorical(rng.choice(list("abc"), n), categories=list("dcba")),
            "v": np.where(rng.random(n) < 0.3, np.nan, rng.random(n)),
            "i": rng.integers(-3, 4, n),
            "I": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(0, 5, n)), "Int64"),
            "t": t,
            "d": t - pd.Timestamp("2020-01-01"),
        }
    )


@pytest.mark.parametrize("n", NPARTS)
def test_median_and_quantile_methods(pdf: pd.DataFrame, n: int) -> None:
    num = pdf[["k", "x", "y", "z"]]
    df = dd.from_pandas(num, npartitions=n)
    assert_eq(df.groupby("k").median(), num.groupby("k").median())
    assert_eq(df.groupby("k").quantile(0.3), num.groupby("k").quantile(0.3))
    assert_eq(df.groupby("k").z.median(split_every=2), num.groupby("k").z.median())
    for q in (0.0, 0.1, 0.9, 1.0):
        assert_eq(df.groupby("k").x.quantile(q), num.groupby("k").x.quantile(q))
    assert_eq(df.y.groupby(df.k % 2).median(), num.y.groupby(num.k % 2).median())
    spec = {"y": ["median", "mean", "quantile"], "x": ["median", "nunique"]}
    assert_eq(df.groupby("k").agg(spec), num.groupby("k").agg(spec))
    assert_eq(df.groupby("k").agg(m=("z", "median"), s=("z", "sum")),
              num.groupby("k").agg(m=("z", "median"), s=("z", "sum")))  # fmt: skip


@pytest.mark.parametrize("n", [1, 3, 7])
@pytest.mark.parametrize("opts", [{}, {"sort": False}, {"dropna": False}])
def test_dtypes_missing_keys_and_order(n: int, opts: dict[str, Any]) -> None:
    pdf = _frame()
    df = dd.from_pandas(pdf, npartitions=n)
    g, pg = df.groupby("k", **opts), pdf.groupby("k", **opts)
    for col in ["v", "i", "I", "t", "d"]:
        assert_eq(g[col].median(), pg[col].median())
        assert_eq(g[col].quantile(0.37), pg[col].quantile(0.37))
    weighted = ["median", "nunique", "quantile"]  # nunique: rows carry counts
    assert_eq(g[["v", "I", "t", "d"]].agg(weighted), pg[["v", "I", "t", "d"]].agg(weighted))
    both, pboth = df.groupby(["c", "k"], **opts), pdf.groupby(["c", "k"], **opts)
    assert_eq(both[["v", "t"]].median(), pboth[["v", "t"]].median())


@pytest.mark.parametrize("observed", [True, False])
def test_categorical_keys(observed: bool) -> None:
    pdf = _frame()
    df = dd.from_pandas(pdf, npartitions=3)
    g, pg = df.groupby("c", observed=observed), pdf.groupby("c", observed=observed)
    assert_eq(g.v.median(), pg.v.median())
    assert_eq(g[["i", "d"]].quantile(0.8), pg[["i", "d"]].quantile(0.8))


@pytest.mark.parametrize("split_out", [2, 3])
def test_split_out(split_out: int) -> None:
    rng = np.random.default_rng(8)
    pdf = pd.DataFrame({"k": rng.integers(0, 50, 300), "v": rng.integers(0, 9, 300)})
    df = dd.from_pandas(pdf, npartitions=5)
    got = df.groupby("k").v.median(split_out=split_out, split_every=2)
    assert got.npartitions == split_out
    assert_eq(got.compute().sort_index(), pdf.groupby("k").v.median())


keyed = data_frames(
    [
        column("k", elements=st.integers(0, 3)),
        column("v", elements=st.one_of(st.floats(-1e6, 1e6), st.just(np.nan))),
        column("w", elements=st.integers(-(2**40), 2**40)),
    ],
    index=range_indexes(min_size=0, max_size=40),
)


@settings(max_examples=20, deadline=None)
@given(keyed, st.integers(1, 5), st.floats(0, 1), st.booleans())
def test_matches_pandas(pdf: pd.DataFrame, n: int, q: float, sort: bool) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    g, pg = df.groupby("k", sort=sort), pdf.groupby("k", sort=sort)
    assert_eq(g.median(), pg.median(), rtol=1e-9)
    assert_eq(g.quantile(q), pg.quantile(q), rtol=1e-9, atol=1e-6)
    assert_eq(g.agg(["median", "nunique"]), pg.agg(["median", "nunique"]), rtol=1e-9)


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    spec = {"y": ["median", "quantile"], "x": "median"}
    assert_eq(df.groupby("s").agg(spec), pdf.groupby("s").agg(spec), scheduler=scheduler)


def test_bad_inputs(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(TypeError):  # pandas' own error: "s" holds strings
        df.groupby("k").median()
    with pytest.raises(ValueError):
        df.groupby("k").y.quantile(1.5)
    with pytest.raises(NotImplementedError, match="one q at a time"):
        df.groupby("k").y.quantile([0.1, 0.5])
    with pytest.raises(NotImplementedError, match="'linear'"):
        df.groupby("k").y.quantile(0.5, interpolation="nearest")
