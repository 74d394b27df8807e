from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

NUMERIC = ["k", "x", "y", "z", "b"]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("op", ["sum", "prod", "min", "max", "count", "any", "all", "mean"])
def test_frame_and_series_reductions(pdf: pd.DataFrame, n: int, op: str) -> None:
    df = dd.from_pandas(pdf[NUMERIC], npartitions=n)
    lazy = getattr(df, op)()
    assert isinstance(lazy, dd.Series)
    assert_eq(lazy, getattr(pdf[NUMERIC], op)())
    for col in NUMERIC:
        s = getattr(df[col], op)()
        assert isinstance(s, dd.Scalar)
        assert_eq(s, getattr(pdf[col], op)())


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("ddof", [0, 1])
def test_moments(pdf: pd.DataFrame, n: int, op: str, ddof: int) -> None:
    num = pdf[["x", "y", "z"]]
    df = dd.from_pandas(num, npartitions=n)
    assert_eq(getattr(df, op)(ddof=ddof), getattr(num, op)(ddof=ddof))
    assert_eq(getattr(df.z, op)(ddof=ddof), getattr(num.z, op)(ddof=ddof))


def test_moments_stable_for_large_mean() -> None:
    s = pd.Series(1e9 + np.arange(10.0))
    assert_eq(dd.from_pandas(s, npartitions=4).var(), s.var())


def test_object_min_max_and_split_every(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=7)
    assert_eq(df.s.min(), pdf.s.min())
    assert_eq(df.s.max(split_every=2), pdf.s.max())
    assert_eq(df.x.sum(split_every=2), pdf.x.sum())
    assert_eq(df[NUMERIC].mean(split_every=3), pdf[NUMERIC].mean())
    with pytest.raises(ValueError, match="split_every"):
        df.x.sum(split_every=1)


def test_empty_partitions_after_filter(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=7)
    sub, psub = df[df.x > 3], pdf[pdf.x > 3]
    for op in ["min", "max", "sum", "mean", "count", "var"]:
        assert_eq(getattr(sub.x, op)(), getattr(psub.x, op)())
        assert_eq(getattr(sub[["x", "y"]], op)(), getattr(psub[["x", "y"]], op)())
    none = df[df.x > 100]
    assert_eq(none.x.sum(), pdf.x[pdf.x > 100].sum())
    assert_eq(none.y.mean(), pdf.y[pdf.x > 100].mean())


def test_size_len_nunique(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert df.size.compute() == pdf.size
    assert df.x.size.compute() == pdf.x.size
    assert len(df[df.x > 0]) == int((pdf.x > 0).sum())
    assert df.s.nunique().compute() == pdf.s.nunique()
    assert df.z.nunique(dropna=False).compute() == pdf.z.nunique(dropna=False)


def test_scalar_collection(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    total = df.x.sum()
    assert "Scalar" in repr(total) and total.dtype == np.dtype("int64")
    assert_eq(total * 2 + 1, pdf.x.sum() * 2 + 1)
    assert_eq(1 - total, 1 - pdf.x.sum())
    assert_eq(df.y.max() - df.y.min(), pdf.y.max() - pdf.y.min())
    assert_eq(abs(-total), abs(pdf.x.sum()))
    assert int(total) == pdf.x.sum()
    assert bool(total > -1000)
    assert total.persist(scheduler="sync").compute() == pdf.x.sum()


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("dropna", [True, False])
def test_value_counts(n: int, dropna: bool) -> None:
    s = pd.Series([3, 1, 3, 2, 1, 5, None, 7, 7, 2, 2], name="x")
    ds = dd.from_pandas(s, npartitions=n)
    assert_eq(ds.value_counts(dropna=dropna), s.value_counts(dropna=dropna))
    assert_eq(ds.value_counts(ascending=True), s.value_counts(ascending=True))
    assert_eq(ds.value_counts(split_every=2), s.value_counts())
    kw = {"normalize": True, "dropna": dropna}
    assert_eq(ds.value_counts(**kw, split_every=2), s.value_counts(**kw))


@pytest.mark.parametrize(
    "values",
    [
        pd.array([1, 2, None, 3, 1, None, 2], dtype="Int64"),  # pandas lists <NA> last
        pd.array([True, None, False, True, None, False, None], dtype="boolean"),
        pd.array([1, 2, None, 3, 1, None, 2], dtype=object),  # None stays None, not NaN
        pd.array(["b", None, "a", "b", None, "c", "a"], dtype="str"),
        np.array([2.0, np.nan, 1.0, 2.0, np.nan, 3.0, 1.0]),
    ],
)
def test_value_counts_missing_values_in_pandas_order(values: Any) -> None:
    """Ties keep pandas' order, whichever partition first holds the missing value."""
    for s in (pd.Series(values, name="v"), pd.Series(values[::-1], name="v")):
        for n in (1, 2, 3):
            ds = dd.from_pandas(s, npartitions=n)
            for kw in ({}, {"ascending": True}, {"sort": False}, {"normalize": True}):
                assert_eq(ds.value_counts(dropna=False, **kw), s.value_counts(dropna=False, **kw))


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("op", ["sum", "mean", "var", "std", "min", "max", "count", "prod"])
def test_numeric_only_skips_other_columns(n: int, op: str) -> None:
    pdf = pd.DataFrame(
        {
            "a": [1, 2, 3, 3, 5],
            "b": [1.5, 2.0, None, 4.0, 0.5],
            "c": list("xyzxy"),
            "t": pd.date_range("2020", periods=5),
            "f": [True, False, True, True, False],
        }
    )
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(getattr(df, op)(numeric_only=True), getattr(pdf, op)(numeric_only=True))


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("deep", [False, True])
def test_memory_usage(n: int, deep: bool) -> None:
    pdf = pd.DataFrame({"a": [1, 2, 3, 4, 5], "c": list("vwxyz")})
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.memory_usage(index=False, deep=deep), pdf.memory_usage(index=False, deep=deep))
    assert df.a.memory_usage(index=False, deep=deep).compute() == pdf.a.memory_usage(
        index=False, deep=deep
    )
    parts = [df.get_partition(i).compute() for i in range(df.npartitions)]
    index_bytes = sum(p.index.memory_usage() for p in parts)
    assert df.memory_usage().compute()["Index"] == index_bytes


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(
    "op", ["sum", "prod", "min", "max", "count", "any", "all", "mean", "var", "std"]
)
def test_axis1_reductions(pdf: pd.DataFrame, n: int, op: str) -> None:
    num = pdf[NUMERIC]
    df = dd.from_pandas(num, npartitions=n)
    lazy = getattr(df, op)(axis=1)
    assert isinstance(lazy, dd.Series) and lazy.divisions == df.divisions
    assert_eq(lazy, getattr(num, op)(axis=1))
    pairs = getattr(num[["k", "x"]], op)(axis=1)
    assert_eq(getattr(df[["k", "x"]], op)(axis="columns"), pairs)
    none = df[df.x > 100][["k", "x"]]  # all partitions empty: pandas alone would say float64
    assert_eq(getattr(none, op)(axis=1), pairs.iloc[:0])


def test_axis1_keywords_and_errors(pdf: pd.DataFrame) -> None:
    num = pdf[NUMERIC]
    df = dd.from_pandas(num, npartitions=3)
    assert_eq(df.sum(axis=1, skipna=False), num.sum(axis=1, skipna=False))
    assert_eq(df.var(axis=1, ddof=0), num.var(axis=1, ddof=0))
    assert_eq(df.std(axis=1, ddof=2), num.std(axis=1, ddof=2))
    assert_eq(df.mean(axis=1, skipna=False), num.mean(axis=1, skipna=False))
    with pytest.raises(ValueError, match="No axis named 1"):
        df.x.sum(axis=1)
    with pytest.raises(TypeError):
        dd.from_pandas(pdf, npartitions=2).sum(axis=1)  # the string column, as in pandas


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_axis1_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf[NUMERIC], npartitions=3)
    assert_eq(df.mean(axis=1), pdf[NUMERIC].mean(axis=1), scheduler=scheduler)


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("op", ["mean", "var", "std"])
def test_narrow_floats_keep_pandas_dtype(n: int, op: str) -> None:
    pdf = pd.DataFrame({"a": np.linspace(0, 1, 9, dtype="float32"), "c": np.arange(9)})
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(getattr(df[["a"]], op)(), getattr(pdf[["a"]], op)(), rtol=1e-6)
    assert_eq(getattr(df, op)(), getattr(pdf, op)())  # mixed columns: float64, as pandas
    got, want = getattr(df.a, op)().compute(), getattr(pdf.a, op)()
    assert type(got) is type(want) is np.float32
    assert np.isclose(got, want, rtol=1e-6)
