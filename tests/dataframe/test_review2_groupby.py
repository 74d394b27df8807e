"""Second review fixes of GroupBy: categorical ``value_counts``, ``idxmax`` on a MultiIndex,
``skipna=False`` reductions and ``get_group`` of a missing key."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

SCHEDULERS = ["sync", "threads", "processes"]

# -- value_counts of categoricals: the zero counts of unused categories ----------------------


@pytest.fixture
def cats() -> pd.DataFrame:
    """Categorical key and value with unused categories, out of category order."""
    return pd.DataFrame(
        {
            "k": pd.Categorical(list("babab"), categories=list("cba")),
            "c": pd.Categorical(list("yzyxy"), categories=list("xyzw")),
            "s": list("yzyxy"),
            "o": list("babab"),
        }
    )


GROUPS = [{}, {"sort": False}, {"observed": False}, {"observed": False, "sort": False}]
COUNTS = [{}, {"sort": False}, {"normalize": True}, {"ascending": True}]


@pytest.mark.parametrize("n", NPARTS[:3])
@pytest.mark.parametrize("by, value", [("o", "c"), ("k", "s"), ("k", "c")])
@pytest.mark.parametrize("how", GROUPS)
@pytest.mark.parametrize("kwargs", COUNTS)
def test_value_counts_categorical(
    cats: pd.DataFrame, n: int, by: str, value: str, how: Any, kwargs: Any
) -> None:
    df = dd.from_pandas(cats, npartitions=n)
    expected = cats.groupby(by, **how)[value].value_counts(**kwargs)
    assert_eq(df.groupby(by, **how)[value].value_counts(split_every=2, **kwargs), expected)


def test_value_counts_categorical_review_case() -> None:
    c = pd.DataFrame({"k": list("aab"), "c": pd.Categorical(list("xyx"), categories=list("xyz"))})
    df = dd.from_pandas(c, npartitions=2)
    out = df.groupby("k").c.value_counts()
    assert len(out.compute()) == 6
    assert_eq(out, c.groupby("k").c.value_counts())
    keyed = df.groupby("c", observed=False).k.value_counts()
    assert_eq(keyed, c.groupby("c", observed=False).k.value_counts())


@pytest.mark.parametrize("n", NPARTS[:3])
def test_value_counts_categorical_missing(n: int) -> None:
    """Missing values and keys (pandas miscounts with dropna=False keys and dropna=True
    values of a categorical, so those are not compared)."""
    p = pd.DataFrame(
        {
            "k": [1.0, np.nan, 1.0, 2.0, np.nan],
            "c": pd.Categorical(["x", None, "y", "x", "x"], categories=list("xyz")),
        }
    )
    df = dd.from_pandas(p, npartitions=n)
    for how, kwargs in [({}, {}), ({}, {"dropna": False}), ({"dropna": False}, {"dropna": False})]:
        expected = p.groupby("k", **how).c.value_counts(**kwargs)
        assert_eq(df.groupby("k", **how).c.value_counts(**kwargs), expected)


# -- idxmax/idxmin on a MultiIndex: tuples, dtype object --------------------------------------


@pytest.mark.parametrize("n", NPARTS[:3])
@pytest.mark.parametrize("how", ["idxmax", "idxmin"])
def test_idx_multiindex(n: int, how: str) -> None:
    index = pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1), ("b", 2), ("c", 0)])
    p = pd.DataFrame({"k": [1, 2, 1, 2, 1], "v": [3.0, 1.0, 5.0, 0.0, 4.0]}, index=index)
    df = dd.from_pandas(p, npartitions=n)
    out = getattr(df.groupby("k").v, how)()
    assert out.meta.dtype == object
    assert_eq(out, getattr(p.groupby("k").v, how)())
    assert_eq(getattr(df.groupby("k"), how)(), getattr(p.groupby("k"), how)())
    assert_eq(getattr(df.v.groupby(df.k), how)(), getattr(p.v.groupby(p.k), how)())


# -- skipna=False: a group with a missing value is missing ------------------------------------


@pytest.fixture
def holes() -> pd.DataFrame:
    """Groups with missing values in various partitions; group 3 has only missing values."""
    return pd.DataFrame(
        {
            "k": [1, 2, 1, 2, 3, 1, 3, 4, 4, 2],
            "v": [1.0, np.nan, 3.0, 4.0, np.nan, 5.0, np.nan, 2.0, 6.0, 1.5],
            "i": np.arange(10),
            "n": pd.array([1, None, 3, 4, 5, None, 7, 8, 9, 1], dtype="Int64"),
            "t": pd.to_datetime(
                ["2020-01-01", None, *(f"2020-01-0{d}" for d in range(3, 10)), None]
            ),
        }
    )


REDUCTIONS = ["sum", "prod", "mean", "min", "max", "first", "last", "var", "std", "median"]


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10])
@pytest.mark.parametrize("method", REDUCTIONS)
def test_skipna_false(holes: pd.DataFrame, n: int, method: str) -> None:
    df = dd.from_pandas(holes, npartitions=n)
    columns = ["v", "i", "n"] if method in ("sum", "prod", "var", "std") else ["v", "i", "n", "t"]
    for skipna in (False, True):
        expected = getattr(holes.groupby("k").v, method)(skipna=skipna)
        assert_eq(getattr(df.groupby("k").v, method)(skipna=skipna, split_every=2), expected)
        expected = getattr(holes.groupby("k")[columns], method)(skipna=skipna)
        assert_eq(getattr(df.groupby("k")[columns], method)(skipna=skipna), expected)


@pytest.mark.parametrize("method", ["sum", "prod"])
def test_skipna_false_min_count(holes: pd.DataFrame, method: str) -> None:
    df = dd.from_pandas(holes, npartitions=3)
    for min_count in (1, 2, 3):
        expected = getattr(holes.groupby("k")[["v", "n"]], method)(
            skipna=False, min_count=min_count
        )
        out = getattr(df.groupby("k")[["v", "n"]], method)(skipna=False, min_count=min_count)
        assert_eq(out, expected)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@pytest.mark.parametrize("method", ["sum", "mean", "max", "first", "std", "median"])
def test_skipna_false_options(holes: pd.DataFrame, scheduler: str, method: str) -> None:
    """Series groupby, missing keys, ``as_index=False``/``sort=False`` and ``split_out``."""
    p = holes.assign(k=holes.k.where(holes.k != 4))
    df = dd.from_pandas(p, npartitions=3)
    expected = getattr(p.v.groupby(p.k, dropna=False), method)(skipna=False)
    out = getattr(df.v.groupby(df.k, dropna=False), method)(skipna=False)
    assert_eq(out, expected, scheduler=scheduler)
    flat = p.groupby("k", as_index=False, sort=False)[["v", "i"]]
    lazy = df.groupby("k", as_index=False, sort=False)[["v", "i"]]
    assert_eq(getattr(lazy, method)(skipna=False), getattr(flat, method)(skipna=False))
    split = getattr(df.groupby("k")[["v", "i"]], method)(skipna=False, split_out=2)
    expected = getattr(p.groupby("k")[["v", "i"]], method)(skipna=False)
    assert_eq(split.compute(scheduler=scheduler).sort_index(), expected)


# -- get_group of a key no partition holds: KeyError ------------------------------------------


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@pytest.mark.parametrize("n", NPARTS)
def test_get_group_missing(pdf: pd.DataFrame, scheduler: str, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    with pytest.raises(KeyError):
        pdf.groupby("k").get_group(99)
    with pytest.raises(KeyError, match="99"):
        df.groupby("k").get_group(99).compute(scheduler=scheduler)
    with pytest.raises(KeyError):
        df.groupby(["k", "s"]).x.get_group((1, "zz")).compute(scheduler=scheduler)
    assert_eq(df.groupby("k").get_group(1), pdf.groupby("k").get_group(1), scheduler=scheduler)
    key = (pdf.k.iloc[0], pdf.s.iloc[0])
    expected = pdf.groupby(["k", "s"]).x.get_group(key)
    assert_eq(df.groupby(["k", "s"]).x.get_group(key), expected, scheduler=scheduler)


def test_value_counts_of_key_column(pdf: pd.DataFrame) -> None:
    """pandas counts the groups there; tessera says so instead of failing obscurely."""
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(NotImplementedError, match="size"):
        df.groupby("k").k.value_counts()
