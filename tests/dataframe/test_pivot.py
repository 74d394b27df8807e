"""get_dummies, pivot_table and melt against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.categorical import unknown_categories
from tessera.dataframe.testing import assert_eq

from .conftest import NPARTS


@pytest.fixture
def cdf(pdf: pd.DataFrame) -> pd.DataFrame:
    """pdf with ``s`` a categorical with an unused category ``"z"``."""
    return pdf.astype({"s": pd.CategoricalDtype(["a", "b", "c", "z"])})


@pytest.mark.parametrize("n", NPARTS)
def test_get_dummies(cdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(cdf, npartitions=n)
    assert_eq(dd.get_dummies(df), pd.get_dummies(cdf))
    assert_eq(dd.get_dummies(df.s, dtype=int), pd.get_dummies(cdf.s, dtype=int))
    kw = {"columns": ["s"], "prefix": "p", "drop_first": True, "dummy_na": True}
    assert_eq(dd.get_dummies(df, **kw), pd.get_dummies(cdf, **kw))


def test_get_dummies_needs_known_categories(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(NotImplementedError, match="categorize"):
        dd.get_dummies(df)
    with pytest.raises(ValueError, match="categorize"):
        dd.get_dummies(df, columns=["s"])
    with pytest.raises(ValueError, match=r"the Series has dtype .*as_known"):
        dd.get_dummies(df.s)
    unknown = df.categorize().s.cat.as_unknown()
    with pytest.raises(NotImplementedError, match="unknown categories"):
        dd.get_dummies(unknown)
    with pytest.raises(KeyError, match="nope"):
        dd.get_dummies(df, columns=["nope"])
    assert_eq(dd.get_dummies(df.categorize()), pd.get_dummies(pdf.astype({"s": "category"})))


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("aggfunc", ["mean", "sum", "count", "first", "last"])
def test_pivot_table(cdf: pd.DataFrame, n: int, aggfunc: str) -> None:
    p = cdf.assign(k=cdf.k.where(cdf.x != 0))  # a missing index value
    df = dd.from_pandas(p, npartitions=n)
    kw = {"index": "k", "columns": "s", "aggfunc": aggfunc}
    for values in ("z", "x", ["y", "x"]):
        expected = p.pivot_table(values=values, observed=False, dropna=False, **kw)
        out = dd.pivot_table(df, values=values, **kw)
        assert_eq(out, expected)
    pd.testing.assert_frame_equal(
        df.pivot_table(values="y", **kw).compute(),
        p.pivot_table(values="y", observed=False, dropna=False, **kw),
    )


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("aggfunc", ["mean", "sum", "count", "first", "last"])
def test_pivot_table_values_among_keys(cdf: pd.DataFrame, n: int, aggfunc: str) -> None:
    """A value column that is also the index (or columns) column, or listed twice.

    pandas fails on such a frame with other columns too ("Grouper for 'k' not
    1-dimensional"), so the expected table is pandas' on the used columns only.
    """
    df = dd.from_pandas(cdf, npartitions=n)
    small = cdf[["k", "s", "x"]]
    kw = {"index": "k", "columns": "s", "aggfunc": aggfunc}
    cases: list[object] = ["k", ["x", "k"], ("k", "x"), ["x", "x"]]
    if aggfunc == "count":
        cases.append("s")
    for values in cases:
        expected = small.pivot_table(values=values, observed=False, dropna=False, **kw)
        assert_eq(df.pivot_table(values=values, **kw), expected)


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_pivot_table_schedulers(cdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(cdf, npartitions=3)
    expected = cdf.pivot_table(index="x", columns="s", values="y", observed=False, dropna=False)
    assert_eq(dd.pivot_table(df, "x", "s", "y"), expected, scheduler=scheduler)


def test_pivot_table_errors(cdf: pd.DataFrame, pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(cdf, npartitions=2)
    with pytest.raises(ValueError, match="aggfunc"):
        dd.pivot_table(df, "k", "s", "y", aggfunc="median")
    with pytest.raises(ValueError, match="values="):
        dd.pivot_table(df, "k", "s")
    with pytest.raises(ValueError, match="index="):
        dd.pivot_table(df, ["k"], "s", "y")
    with pytest.raises(KeyError, match="nope"):
        dd.pivot_table(df, "k", "s", "nope")
    with pytest.raises(ValueError, match="categorize"):
        dd.pivot_table(dd.from_pandas(pdf, 2), "k", "s", "y")
    meta = unknown_categories(cdf.iloc[:0])
    unknown = df.map_partitions(lambda p: p, meta=meta)
    with pytest.raises(NotImplementedError, match="as_known"):
        dd.pivot_table(unknown, "k", "s", "y")


@pytest.mark.parametrize("n", NPARTS)
def test_melt(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    cases = [
        {},
        {"id_vars": "k"},
        {"id_vars": ["k", "s"], "value_vars": ["x", "y"], "var_name": "v", "value_name": "w"},
        {"id_vars": "s", "value_vars": "z"},
        {"id_vars": "k", "value_vars": ["x", "b"], "ignore_index": False},
    ]
    for kw in cases:
        assert_eq(dd.melt(df, **kw), pd.melt(pdf, **kw))
        assert_eq(df.melt(**kw), pdf.melt(**kw))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_melt_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.melt(id_vars="k", value_vars=["x", "y"]),
              pdf.melt(id_vars="k", value_vars=["x", "y"]), scheduler=scheduler)  # fmt: skip


def test_melt_mixed_dtypes_match_pandas() -> None:
    pdf = pd.DataFrame({"i": np.arange(6), "a": np.arange(6), "b": np.linspace(0, 1, 6)})
    for n in (1, 2, 4):
        df = dd.from_pandas(pdf, npartitions=n)
        assert_eq(df.melt(id_vars="i"), pdf.melt(id_vars="i"))
