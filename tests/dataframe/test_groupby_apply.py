"""groupby().apply and groupby().transform through the shuffle, against pandas."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


def _spread(g: pd.DataFrame) -> float:
    return float(g.y.max() - g.y.min())


def _top2(g: pd.DataFrame) -> pd.DataFrame:
    return g.nlargest(2, "y")


def _demean(s: pd.Series) -> pd.Series:
    return s - s.mean()


@pytest.mark.parametrize("n", NPARTS)
def test_apply_scalar_series_and_frame(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    expected = pdf.groupby("k").apply(_spread)
    assert_eq(df.groupby("k").apply(_spread, meta=(None, "float64")), expected)
    top = pdf.groupby("k").apply(_top2)
    assert_eq(df.groupby("k").apply(_top2, meta=top.iloc[:0]), top)
    shifted = pdf.groupby("s").y.apply(lambda s: s.cumsum())
    assert_eq(df.groupby("s").y.apply(lambda s: s.cumsum(), meta=("y", "float64")), shifted)


@pytest.mark.parametrize("by", [["k", "s"], ["s", "b"]])
def test_apply_several_keys_and_args(pdf: pd.DataFrame, by: list[str]) -> None:
    df = dd.from_pandas(pdf, npartitions=3)

    def scaled(g: pd.DataFrame, factor: float, offset: float = 0.0) -> float:
        return float(g.y.sum() * factor + offset)

    expected = pdf.groupby(by).apply(scaled, 2.0, offset=1.0)
    out = df.groupby(by).apply(scaled, 2.0, offset=1.0, meta=(None, "float64"))
    assert_eq(out, expected)


@pytest.mark.parametrize("dropna", [True, False])
def test_apply_missing_keys(pdf: pd.DataFrame, dropna: bool) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    expected = pdf.groupby("z", dropna=dropna).x.apply(len)
    out = df.groupby("z", dropna=dropna).x.apply(len, meta=("x", "int64"))
    assert_eq(out, expected)


def test_apply_sort_false_and_series_keys(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=4)
    expected = pdf.groupby("s", sort=False).apply(_spread)
    out = df.groupby("s", sort=False).apply(_spread, meta=(None, "float64"))
    assert_eq(out.compute().sort_index(), expected.sort_index())  # no order without sort
    by_series = pdf.groupby(pdf.x % 3).apply(_spread)
    assert_eq(df.groupby(df.x % 3).apply(_spread, meta=(None, "float64")), by_series)
    by_column = pdf.groupby(pdf.k).apply(_spread)
    assert_eq(df.groupby(df.k).apply(_spread, meta=(None, "float64")), by_column)
    series = pdf.y.groupby(pdf.k).apply(lambda s: s.sum())
    assert_eq(df.y.groupby(df.k).apply(lambda s: s.sum(), meta=("y", "float64")), series)


def test_apply_meta_inference(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    with pytest.warns(UserWarning, match="without meta="):
        out = df.groupby("k").apply(_spread)
    assert_eq(out, pdf.groupby("k").apply(_spread))

    def broken(g: pd.DataFrame) -> Any:
        raise RuntimeError("no fakes please")

    with pytest.raises(ValueError, match="Pass meta="):
        df.groupby("k").apply(broken)
    with pytest.raises(RuntimeError, match="no fakes please"):
        df.groupby("k").apply(broken, meta=(None, "float64")).compute()


@pytest.mark.parametrize("n", [1, 2, 7])
def test_transform_keeps_rows_partitions_and_order(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    out = df.groupby("k").y.transform(_demean, meta=("y", "float64"))
    assert out.divisions == df.divisions
    assert_eq(out, pdf.groupby("k").y.transform(_demean))
    frame = df.groupby("s")[["x", "y"]].transform("cumsum", meta=pdf[["x", "y"]].iloc[:0])
    assert_eq(frame, pdf.groupby("s")[["x", "y"]].transform("cumsum"))
    assigned = df.assign(r=df.groupby("k").x.transform("sum", meta=("x", "int64")))
    assert_eq(assigned, pdf.assign(r=pdf.groupby("k").x.transform("sum")))


def test_transform_unsorted_duplicated_index_and_series_keys() -> None:
    rng = np.random.default_rng(1)
    pdf = pd.DataFrame(
        {"k": rng.integers(0, 3, 30), "v": rng.random(30)}, index=rng.integers(0, 5, 30)
    )
    df = dd.from_pandas(pdf, npartitions=4, sort=False)
    expected = pdf.groupby("k").v.transform("rank")
    assert_eq(df.groupby("k").v.transform("rank", meta=("v", "float64")), expected)
    series = pdf.v.groupby(pdf.k * 2).transform("max")
    assert_eq(df.v.groupby(df.k * 2).transform("max", meta=("v", "float64")), series)
    with pytest.warns(UserWarning, match="without meta="):
        guessed = df.groupby("k").transform("min")
    assert_eq(guessed, pdf.groupby("k").transform("min"))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_apply_and_transform_on_every_scheduler(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    applied = df.groupby("k").apply(_spread, meta=(None, "float64"))
    assert_eq(applied, pdf.groupby("k").apply(_spread), scheduler=scheduler)
    transformed = df.groupby("s").y.transform(_demean, meta=("y", "float64"))
    assert_eq(transformed, pdf.groupby("s").y.transform(_demean), scheduler=scheduler)
