"""Cumulative scans and fills against pandas: every partitioning, empty partitions, NaNs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera.dataframe as dd
from tessera.dataframe.cumulative import carries
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

SCANS = ["cumsum", "cumprod", "cummax", "cummin"]
NUMERIC = ["k", "x", "y", "z", "b"]


def with_empty_partitions(pdf: pd.DataFrame) -> tuple[dd.DataFrame, pd.DataFrame]:
    """7 partitions of which some are left empty by a filter."""
    keep = (pdf.index < 8) | (pdf.index >= 26)
    df = dd.from_pandas(pdf.assign(keep=keep), npartitions=7)
    df = df[df.keep].drop(columns="keep")
    assert 0 in df.map_partitions(len, meta=("n", "int64")).compute().tolist()
    return df, pdf[keep]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("op", SCANS)
@pytest.mark.parametrize("skipna", [True, False])
def test_scans_match_pandas(pdf: pd.DataFrame, n: int, op: str, skipna: bool) -> None:
    num = pdf[NUMERIC]
    df = dd.from_pandas(num, npartitions=n)
    assert_eq(getattr(df, op)(skipna=skipna), getattr(num, op)(skipna=skipna))
    assert_eq(getattr(df.z, op)(skipna=skipna), getattr(num.z, op)(skipna=skipna))


@pytest.mark.parametrize("op", SCANS)
def test_scans_with_empty_partitions(pdf: pd.DataFrame, op: str) -> None:
    df, expected = with_empty_partitions(pdf[NUMERIC])
    assert_eq(getattr(df, op)(), getattr(expected, op)())
    assert_eq(getattr(df.z, op)(skipna=False), getattr(expected.z, op)(skipna=False))


def test_scan_dtypes_follow_pandas() -> None:
    pdf = pd.DataFrame(
        {
            "b": [True, False, True, True],
            "i": pd.array([1, None, 3, 4], dtype="Int64"),
            "t": pd.to_datetime(["2001", None, "2000", "2003"]),
            "s": ["a", "b", "c", "d"],
        }
    )
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.b.cumsum(), pdf.b.cumsum())
    assert_eq(df.b.cummax(), pdf.b.cummax())
    assert_eq(df.i.cumsum(), pdf.i.cumsum())
    assert_eq(df.t.cummax(), pdf.t.cummax())
    assert_eq(df.t.cummin(skipna=False), pdf.t.cummin(skipna=False))
    assert_eq(df.s.cumsum(), pdf.s.cumsum())


def test_numeric_only_and_axis1(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.cumsum(numeric_only=True), pdf.cumsum(numeric_only=True))
    num = pdf[["x", "y", "z"]]
    assert_eq(df[["x", "y", "z"]].cummax(axis=1), num.cummax(axis=1))
    with pytest.raises(TypeError, match="numeric_only"):
        df.x.cumsum(numeric_only=True)


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("how", ["ffill", "bfill"])
@pytest.mark.parametrize("limit", [None, 1, 2, 5])
def test_fills_match_pandas(n: int, how: str, limit: int | None) -> None:
    z = [np.nan, 1.0, np.nan, np.nan, np.nan, np.nan, 2.0, np.nan, 3.0, np.nan, np.nan]
    pdf = pd.DataFrame({"z": z, "w": z[::-1], "s": [None, "a", *[None] * 8, "b"]})
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(getattr(df, how)(limit=limit), getattr(pdf, how)(limit=limit))
    assert_eq(getattr(df.z, how)(limit=limit), getattr(pdf.z, how)(limit=limit))


@pytest.mark.parametrize("how", ["ffill", "bfill"])
def test_fills_with_empty_partitions(pdf: pd.DataFrame, how: str) -> None:
    df, expected = with_empty_partitions(pdf[["z", "y"]].where(pdf.x > 0))
    for limit in (None, 1, 3):
        assert_eq(getattr(df, how)(limit=limit), getattr(expected, how)(limit=limit))


def test_fills_axis1(pdf: pd.DataFrame) -> None:
    num = pdf[["y", "z", "x"]].where(pdf.b)
    df = dd.from_pandas(num, npartitions=3)
    assert_eq(df.ffill(axis=1), num.ffill(axis=1))
    assert_eq(df.bfill(axis=1, limit=1), num.bfill(axis=1, limit=1))


@pytest.mark.parametrize("n", [1, 3, 6])
def test_regular_index_keeps_its_freq(n: int) -> None:
    pdf = pd.DataFrame({"v": [1.0, 4.0, np.nan, 2.0, np.nan, 5.0]},
                       index=pd.date_range("2020", periods=6, freq="h"))  # fmt: skip
    df = dd.from_pandas(pdf, npartitions=n)
    for op in ["cumsum", "cummax", "ffill", "bfill"]:
        assert_eq(getattr(df, op)(), getattr(pdf, op)())  # the freq is compared too
        assert_eq(getattr(df.v, op)(), getattr(pdf.v, op)())
    assert_eq(df.ffill(limit=1), pdf.ffill(limit=1))


def test_fill_bad_limit() -> None:
    s = dd.from_dict({"a": [1.0, None]}, npartitions=1).a
    with pytest.raises(ValueError, match="positive integer"):
        s.ffill(limit=0)


def test_carries_depend_only_on_summaries() -> None:
    """The carry into partition i reads the carry into i-1 and a summary of i-1, never a
    whole partition, so memory stays bounded."""
    df = dd.from_dict({"a": range(10)}, npartitions=5)
    layers, name = carries(df, len, lambda c, s: (c or 0) + s)
    chain = layers[name]
    for i in range(1, 5):
        _, prev, summary = chain[(name, i)]
        assert prev == (name, i - 1) and summary[0].startswith("scan-summary")
    (carry,) = [name for name in df.a.cumsum().layers if name.startswith("cumsum-carry")]
    _, prev, summary = df.a.cumsum().layers[carry][(carry, 3)]
    assert prev == (carry, 2) and summary[0].startswith("cumsum-summary")


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf[NUMERIC], npartitions=4)
    assert_eq(df.cumsum(), pdf[NUMERIC].cumsum(), scheduler=scheduler)
    assert_eq(df.z.bfill(limit=1), pdf.z.bfill(limit=1), scheduler=scheduler)


values = st.one_of(st.none(), st.floats(-100, 100, allow_nan=False).map(lambda v: round(v, 1)))
frames = data_frames(
    [column("a", elements=values, dtype=float), column("i", st.integers(-3, 3), dtype=int)],
    index=range_indexes(min_size=0, max_size=25),
)


@settings(max_examples=25, deadline=None)
@given(
    frames,
    st.integers(1, 8),
    st.sampled_from(SCANS),
    st.booleans(),
    st.sampled_from([None, 1, 3]),
)
def test_scans_any_partitioning(
    pdf: pd.DataFrame, n: int, op: str, skipna: bool, limit: int | None
) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    rtol = {"check_exact": False, "rtol": 1e-9} if op == "cumprod" else {}
    assert_eq(getattr(df, op)(skipna=skipna), getattr(pdf, op)(skipna=skipna), **rtol)
    assert_eq(df.ffill(limit=limit), pdf.ffill(limit=limit))
    assert_eq(df.a.bfill(limit=limit), pdf.a.bfill(limit=limit))
