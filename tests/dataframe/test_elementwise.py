from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


@pytest.mark.parametrize("n", NPARTS)
def test_selection(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df["x"], pdf["x"])
    assert_eq(df.y, pdf.y)
    assert_eq(df[["x", "s"]], pdf[["x", "s"]])
    assert_eq(df[df.x > 0], pdf[pdf.x > 0])
    assert_eq(df.y[df.b], pdf.y[pdf.b])
    assert df[df.x > 0].divisions == df.divisions


def test_missing_column(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(KeyError, match=r"'nope'.*available columns.*'x'"):
        df["nope"]
    with pytest.raises(KeyError, match="nope"):
        df[["x", "nope"]]
    with pytest.raises(AttributeError):
        df.nope  # noqa: B018
    with pytest.raises(KeyError, match="nope"):
        df.groupby("nope")


@pytest.mark.parametrize("n", NPARTS)
def test_arithmetic(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    num, pnum = df[["x", "y", "z"]], pdf[["x", "y", "z"]]
    assert_eq(num + 1, pnum + 1)
    assert_eq(2 * num - num / 3, 2 * pnum - pnum / 3)
    assert_eq(df.x + df.y, pdf.x + pdf.y)
    assert_eq(df.x // 2 + df.x % 3, pdf.x // 2 + pdf.x % 3)
    assert_eq(df.x**2, pdf.x**2)
    assert_eq(1 - df.y, 1 - pdf.y)
    assert_eq(-df.x, -pdf.x)
    assert_eq((df.x > 0) & (df.y < 0), (pdf.x > 0) & (pdf.y < 0))
    assert_eq(~df.b | (df.x == 1), ~pdf.b | (pdf.x == 1))
    assert_eq(df.x != 2, pdf.x != 2)
    assert_eq(df.x - df.x.mean(), pdf.x - pdf.x.mean())


def test_assign_and_setitem(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.assign(w=df.x * 2, c=1), pdf.assign(w=pdf.x * 2, c=1))
    assert_eq(df.assign(w=lambda d: d.x + 1), pdf.assign(w=lambda d: d.x + 1))
    old = df._name
    df["w"] = df.y + 1
    expected = pdf.copy()
    expected["w"] = pdf.y + 1
    assert df._name != old
    assert_eq(df, expected)
    assert "w" not in pdf.columns


@pytest.mark.parametrize("n", [1, 3])
def test_methods(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.astype({"x": "float64"}), pdf.astype({"x": "float64"}))
    assert_eq(df.x.astype("float32"), pdf.x.astype("float32"))
    assert_eq(df.fillna(0), pdf.fillna(0))
    assert_eq(df.z.fillna(df.z.mean()), pdf.z.fillna(pdf.z.mean()))
    assert_eq(df.dropna(), pdf.dropna())
    assert_eq(df.isna(), pdf.isna())
    assert_eq(df.z.notna(), pdf.z.notna())
    assert_eq(df.x.abs(), pdf.x.abs())
    assert_eq(df[["y", "z"]].round(2), pdf[["y", "z"]].round(2))
    assert_eq(df.x.clip(-2, 2), pdf.x.clip(-2, 2))
    assert_eq(df.x.isin([1, 2]), pdf.x.isin([1, 2]))
    assert_eq(df.s.isin({"a"}), pdf.s.isin({"a"}))
    assert_eq(df.rename(columns={"x": "xx"}), pdf.rename(columns={"x": "xx"}))
    assert_eq(df.x.rename("q"), pdf.x.rename("q"))
    assert_eq(df.drop(columns=["s", "b"]), pdf.drop(columns=["s", "b"]))
    assert_eq(df.drop("s", axis=1), pdf.drop("s", axis=1))


def test_unsupported_methods_say_so(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(NotImplementedError, match="columns"):
        df.drop([0, 2])
    with pytest.raises(NotImplementedError, match="axis"):
        df.dropna(axis=1)


def test_map_partitions(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.map_partitions(lambda d: d.x * 2), pdf.x * 2)
    assert_eq(dd.map_partitions(lambda d, k: d.y + k, df, 3), pdf.y + 3)
    out = df.map_partitions(lambda d: d.assign(q=d.x.astype(str)))
    assert list(out.columns) == [*pdf.columns, "q"]
    sizes = df.map_partitions(len, meta=("n", "int64")).compute()
    assert sizes.sum() == len(pdf)
    other = dd.from_pandas(pdf, npartitions=2)  # known divisions: lined up by index
    assert_eq(dd.map_partitions(lambda a, b: a.x + b.x, df, other), pdf.x * 2)
    with pytest.raises(ValueError, match="partitions"):
        dd.map_partitions(lambda a, b: a, df.reset_index(), other.reset_index())


def test_map_partitions_meta_guess_warns(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)

    def first_value(d: pd.DataFrame) -> pd.Series:
        return pd.Series([d.x.iloc[0]], name="first")

    with pytest.warns(UserWarning, match="meta="):
        out = df.map_partitions(first_value)
    assert out.dtype == np.dtype("int64")
    pd.testing.assert_series_equal(
        out.compute(), pd.concat([first_value(pdf.iloc[a : a + 7]) for a in (0, 7, 14)])
    )

    def always_fails(d: pd.DataFrame) -> pd.DataFrame:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="meta="):
        df.map_partitions(always_fails)
