"""concat along rows and columns against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.concat import concat
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("join", ["outer", "inner"])
def test_concat_rows(pdf: pd.DataFrame, n: int, join: str) -> None:
    a, b = pdf.iloc[:12], pdf.iloc[12:][["k", "y", "s"]].assign(extra=1.5)
    parts = [dd.from_pandas(a, npartitions=n), dd.from_pandas(b, npartitions=2)]
    out = concat(parts, join=join)
    assert out.npartitions == parts[0].npartitions + parts[1].npartitions
    assert out.known_divisions  # a ends before b starts
    assert_eq(out, pd.concat([a, b], join=join))


def test_concat_same_structure_and_overlapping_divisions(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    out = concat([df, df])
    assert not out.known_divisions
    assert_eq(out, pd.concat([pdf, pdf]))
    inter = concat([df, df.x.to_frame()], interleave_partitions=True)
    assert inter.known_divisions
    expected = pd.concat([pdf, pdf.x.to_frame()])
    by_range = inter.map_partitions(pd.DataFrame.sort_index, kind="stable")
    assert_eq(by_range, expected.sort_index(kind="stable"))
    numbered = concat([df, df], ignore_index=True)
    assert_eq(numbered, pd.concat([pdf, pdf], ignore_index=True))


def test_concat_missing_columns_keep_pandas_dtypes() -> None:
    a = pd.DataFrame(
        {"i": [1, 2], "t": pd.to_datetime(["2024-01-01", "2024-01-02"]), "b": [True, False]}
    )
    b = pd.DataFrame({"f": [0.5]}, index=[5])
    out = concat([dd.from_pandas(a, npartitions=2), dd.from_pandas(b, npartitions=1)])
    expected = pd.concat([a, b])
    assert out.dtypes.to_dict() == expected.dtypes.to_dict()
    assert_eq(out, expected)


def test_concat_series_and_mixed(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(concat([df.x, df.y]), pd.concat([pdf.x, pdf.y]))
    assert_eq(concat([df.x, df.x]), pd.concat([pdf.x, pdf.x]))
    assert_eq(concat([df[["k"]], df.y]), pd.concat([pdf[["k"]], pdf.y]))
    assert_eq(concat([df, pdf.iloc[:3]]), pd.concat([pdf, pdf.iloc[:3]]))


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("join", ["outer", "inner"])
def test_concat_columns(pdf: pd.DataFrame, n: int, join: str) -> None:
    other = pd.DataFrame({"w": np.arange(12.0)}, index=pd.Index(np.arange(12) * 3, name="idx"))
    left = dd.from_pandas(pdf, npartitions=n)
    out = concat([left, dd.from_pandas(other, npartitions=2)], axis=1, join=join)
    assert out.known_divisions
    expected = pd.concat([pdf, other], axis=1, join=join).sort_index()
    assert_eq(out.compute().sort_index(), expected)
    series = concat([left.x, left.y * 2], axis="columns")
    assert_eq(series, pd.concat([pdf.x, pdf.y * 2], axis=1))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_concat_on_every_scheduler(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    other = df[["k"]].assign(q=1.0)
    assert_eq(concat([df, other]), pd.concat([pdf, pdf[["k"]].assign(q=1.0)]), scheduler=scheduler)


def test_concat_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    unknown = dd.from_pandas(pdf, npartitions=2, sort=False)
    with pytest.raises(ValueError, match="No objects to concatenate"):
        concat([])
    with pytest.raises(TypeError, match="list of DataFrames"):
        concat(df)
    with pytest.raises(TypeError, match="item 1 is a int"):
        concat([df, 1])
    with pytest.raises(ValueError, match="join must be"):
        concat([df, df], join="left")
    with pytest.raises(ValueError, match="axis must be"):
        concat([df, df], axis=2)
    with pytest.raises(ValueError, match=r"unknown divisions.*set_index"):
        concat([df, unknown], axis=1)
