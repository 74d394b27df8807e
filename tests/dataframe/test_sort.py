"""set_index, sort_values and reset_index against pandas (stable order, known divisions)."""

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


def _expected_index(pdf: pd.DataFrame, col: str, drop: bool = True) -> pd.DataFrame:
    return pdf.set_index(col, drop=drop).sort_index(kind="stable")


@pytest.mark.parametrize(
    ("col", "n"), [*(("x", n) for n in NPARTS), ("y", 3), ("z", 7), ("s", 2), ("s", 7)]
)
def test_set_index(pdf: pd.DataFrame, n: int, col: str) -> None:
    out = dd.from_pandas(pdf, npartitions=n).set_index(col)
    assert out.known_divisions
    assert_eq(out, _expected_index(pdf, col))


@pytest.mark.parametrize("nout", [1, 2, 5])
def test_set_index_npartitions_and_drop(pdf: pd.DataFrame, nout: int) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    out = df.set_index("x", drop=False, npartitions=nout)
    assert out.npartitions <= nout
    assert_eq(out, _expected_index(pdf, "x", drop=False))


def test_set_index_given_divisions(pdf: pd.DataFrame) -> None:
    out = dd.from_pandas(pdf, npartitions=3).set_index("x", divisions=[-5, 0, 2, 5])
    assert out.divisions == (-5, 0, 2, 5)
    assert_eq(out, _expected_index(pdf, "x"))


def test_set_index_datetime_and_categorical(pdf: pd.DataFrame) -> None:
    times = pdf.assign(t=pd.Timestamp("2024-01-01") + pd.to_timedelta(pdf.x * 7, unit="h"))
    out = dd.from_pandas(times, npartitions=3).set_index("t")
    assert isinstance(out.divisions[0], pd.Timestamp)
    assert_eq(out, _expected_index(times, "t"))
    cats = pdf.assign(c=pd.Categorical(pdf.s, categories=["c", "a", "b"]))
    out = dd.from_pandas(cats, npartitions=3).set_index("c")
    assert not out.known_divisions  # documented: sorted by category order, divisions unknown
    assert_eq(out, _expected_index(cats, "c"))
    with pytest.raises(NotImplementedError, match="categorical"):
        dd.from_pandas(cats, npartitions=3).set_index("c", divisions=["a", "b", "c"])


@pytest.mark.parametrize("n", [1, 3, 7])
def test_set_index_sorted(n: int) -> None:
    pdf = pd.DataFrame({"a": [1, 1, 2, 2, 2, 3, 5, 5, 8, 9, 9, 9], "v": range(12)})
    df = dd.from_pandas(pdf, npartitions=n, sort=False)
    out = df.set_index("a", sorted=True)
    assert out.known_divisions and out.divisions[0] == 1 and out.divisions[-1] == 9
    assert_eq(out, pdf.set_index("a"))


def test_set_index_sorted_with_divisions() -> None:
    pdf = pd.DataFrame({"a": [1, 1, 2, 2, 2, 3, 5, 5, 8, 9, 9, 9], "v": range(12)})
    df = dd.from_pandas(pdf, npartitions=2, sort=False)
    out = df.set_index("a", sorted=True, divisions=[1, 5, 9])
    assert out.divisions == (1, 5, 9)
    assert_eq(out, pdf.set_index("a"))


def test_set_index_sorted_with_empty_partitions_and_nan() -> None:
    pdf = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, np.nan], "v": range(5)})
    df = dd.from_pandas(pdf, npartitions=3, sort=False)
    df = df[df.v != 2]  # partition 1 has row 2 and 3; make another partition empty:
    df = df[(df.v < 2) | (df.v > 3)]
    out = df.set_index("a", sorted=True)
    expected = pdf[(pdf.v < 2) | (pdf.v > 3)].set_index("a")
    assert_eq(out, expected)


def test_set_index_sorted_errors() -> None:
    df = dd.from_pandas(pd.DataFrame({"a": [3, 1, 2, 0]}), npartitions=2, sort=False)
    with pytest.raises(ValueError, match="not sorted across partitions"):
        df.set_index("a", sorted=True)
    nan_first = pd.DataFrame({"a": [np.nan, 1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="missing values in partitions"):
        dd.from_pandas(nan_first, npartitions=2, sort=False).set_index("a", sorted=True)
    with pytest.raises(ValueError, match="needs 3 divisions"):
        df.set_index("a", sorted=True, divisions=[0, 3])


def test_set_index_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(KeyError, match="available columns"):
        df.set_index("nope")
    with pytest.raises(NotImplementedError, match="one column"):
        df.set_index(["k", "x"])
    with pytest.raises(AttributeError, match="DataFrame method"):
        df.x.set_index("x")
    with pytest.raises(ValueError, match="divisions must increase"):
        df.set_index("x", divisions=[3, 1, 5])


def test_set_index_empty_and_all_missing() -> None:
    empty = pd.DataFrame({"a": pd.Series([], dtype=float), "v": pd.Series([], dtype=int)})
    assert_eq(dd.from_pandas(empty, npartitions=1).set_index("a"), empty.set_index("a"))
    nans = pd.DataFrame({"a": [np.nan, np.nan], "v": [1, 2]})
    assert_eq(dd.from_pandas(nans, npartitions=2).set_index("a"), nans.set_index("a"))


@pytest.mark.parametrize("n", [2, 7])
@pytest.mark.parametrize(
    ("by", "ascending"),
    [("x", True), ("x", False), (["k", "y"], True), (["k", "x"], [False, True]), ("s", False)],
)
def test_sort_values(pdf: pd.DataFrame, n: int, by: Any, ascending: Any) -> None:
    out = dd.from_pandas(pdf, npartitions=n).sort_values(by, ascending=ascending)
    assert_eq(out, pdf.sort_values(by, ascending=ascending, kind="stable"))


@pytest.mark.parametrize("na_position", ["first", "last"])
@pytest.mark.parametrize("ascending", [True, False])
def test_sort_values_missing(pdf: pd.DataFrame, na_position: str, ascending: bool) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    expected = pdf.sort_values("z", ascending=ascending, na_position=na_position, kind="stable")
    assert_eq(df.sort_values("z", ascending=ascending, na_position=na_position), expected)
    series = pdf.z.sort_values(ascending=ascending, na_position=na_position, kind="stable")
    assert_eq(df.z.sort_values(ascending=ascending, na_position=na_position), series)


def test_sort_values_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(KeyError, match="available columns"):
        df.sort_values("nope")
    with pytest.raises(ValueError, match="one per 'by' column"):
        df.sort_values(["k", "x"], ascending=[True])
    with pytest.raises(ValueError, match="na_position"):
        df.sort_values("k", na_position="middle")
    with pytest.raises(TypeError, match="by="):
        df.sort_values()


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_sort_on_every_scheduler(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.set_index("y"), _expected_index(pdf, "y"), scheduler=scheduler)
    expected = pdf.sort_values(["s", "x"], kind="stable")
    assert_eq(df.sort_values(["s", "x"]), expected, scheduler=scheduler)
    assert_eq(df.reset_index(), pdf.reset_index(), scheduler=scheduler)


@settings(max_examples=15, deadline=None)
@given(
    data_frames(
        [column("a", dtype=int, elements=st.integers(-3, 3)), column("b", dtype=float)],
        index=range_indexes(min_size=0, max_size=30),
    ),
    st.integers(1, 4),
    st.booleans(),
)
def test_sort_property(frame: pd.DataFrame, n: int, ascending: bool) -> None:
    df = dd.from_pandas(frame, npartitions=n)
    assert_eq(
        df.sort_values("a", ascending=ascending),
        frame.sort_values("a", ascending=ascending, kind="stable"),
    )
    if len(frame):
        assert_eq(df.set_index("a"), frame.set_index("a").sort_index(kind="stable"))


@pytest.mark.parametrize("n", [1, 3, 7])
@pytest.mark.parametrize("drop", [False, True])
def test_reset_index(pdf: pd.DataFrame, n: int, drop: bool) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.reset_index(drop=drop), pdf.reset_index(drop=drop))
    assert_eq(df[df.x > 2].reset_index(drop=drop), pdf[pdf.x > 2].reset_index(drop=drop))
    assert_eq(df.y.reset_index(drop=drop), pdf.y.reset_index(drop=drop))
