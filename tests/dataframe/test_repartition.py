"""repartition by npartitions, partition_size and divisions; align."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera.dataframe as dd
from tessera.dataframe.repartition import align
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("m", [1, 2, 5, 13])
def test_repartition_npartitions(pdf: pd.DataFrame, n: int, m: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    out = df.repartition(npartitions=m)
    assert out.known_divisions  # combined, or interpolated on the int index
    assert out.npartitions <= max(m, df.npartitions)
    if m < df.npartitions:
        assert out.npartitions == m and set(out.divisions) <= set(df.divisions)
    assert_eq(out, pdf)
    assert_eq(out.y, pdf.y)


@pytest.mark.parametrize("m", [1, 3, 9])
def test_repartition_unknown_divisions_and_string_index(pdf: pd.DataFrame, m: int) -> None:
    unknown = dd.from_pandas(pdf, npartitions=4, sort=False)
    out = unknown.repartition(npartitions=m)
    assert out.npartitions == m and not out.known_divisions
    assert_eq(out, pdf)
    labelled = pdf.set_index("s", append=False).sort_index(kind="stable")
    df = dd.from_pandas(labelled, npartitions=2)
    more = df.repartition(npartitions=m)
    assert more.npartitions == m  # row slices: divisions unknown when split
    assert more.known_divisions == (m <= df.npartitions)
    assert_eq(more, labelled)


def test_repartition_datetime_index_interpolates() -> None:
    pdf = pd.DataFrame({"v": range(48)}, index=pd.date_range("2024-01-01", periods=48, freq="h"))
    out = dd.from_pandas(pdf, npartitions=2).repartition(npartitions=6)
    assert out.npartitions == 6 and all(isinstance(d, pd.Timestamp) for d in out.divisions)
    assert_eq(out, pdf)


def test_repartition_divisions(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    out = df.repartition(divisions=[0, 5, 11, 20, 38])
    assert out.divisions == (0, 5, 11, 20, 38)
    assert_eq(out, pdf)
    assert out.get_partition(1).compute().index.tolist() == [6, 8, 10]
    wider = df.repartition(divisions=[-10, 20, 100], force=True)
    assert_eq(wider, pdf)
    assert df.repartition(divisions=list(df.divisions)) is df


def test_repartition_divisions_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    with pytest.raises(ValueError, match="force=True"):
        df.repartition(divisions=[-10, 20, 38])
    with pytest.raises(ValueError, match="must start and end"):
        df.repartition(divisions=[5, 20, 38], force=True)
    with pytest.raises(ValueError, match="divisions must increase"):
        df.repartition(divisions=[0, 20, 10, 38])
    with pytest.raises(ValueError, match="at least 2"):
        df.repartition(divisions=[0])
    with pytest.raises(ValueError, match="unknown"):
        dd.from_pandas(pdf, npartitions=2, sort=False).repartition(divisions=[0, 38])
    with pytest.raises(ValueError, match="exactly one"):
        df.repartition()
    with pytest.raises(ValueError, match="exactly one"):
        df.repartition(npartitions=2, divisions=[0, 38])
    with pytest.raises(ValueError, match="positive integer"):
        df.repartition(npartitions=0)
    with pytest.raises(ValueError, match="positive size"):
        df.repartition(partition_size=0)


def test_repartition_partition_size(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    row_bytes = pdf.memory_usage(deep=True).sum() / len(pdf)
    small = df.repartition(partition_size=int(row_bytes * 3))
    assert small.npartitions >= 6
    assert_eq(small, pdf)
    sizes = [len(small.get_partition(i).compute()) for i in range(small.npartitions)]
    assert max(sizes) <= 4 and sum(sizes) == len(pdf)
    big = dd.from_pandas(pdf, npartitions=7).repartition(partition_size="1MB")
    assert big.npartitions == 1 and big.known_divisions
    assert_eq(big, pdf)


@settings(max_examples=15, deadline=None)
@given(
    data_frames([column("a", dtype=int)], index=range_indexes(min_size=1, max_size=30)),
    st.integers(1, 5),
    st.integers(1, 8),
    st.booleans(),
)
def test_repartition_property(frame: pd.DataFrame, n: int, m: int, sort: bool) -> None:
    out = dd.from_pandas(frame, npartitions=n, sort=sort).repartition(npartitions=m)
    assert_eq(out, frame)


def test_align(pdf: pd.DataFrame) -> None:
    a = dd.from_pandas(pdf, npartitions=3)
    b = dd.from_pandas(pdf.iloc[5:], npartitions=2)
    x, y = align([a, b])
    assert x.divisions == y.divisions
    assert_eq(x, pdf)
    assert_eq(y, pdf.iloc[5:])
    with pytest.raises(ValueError, match="unknown divisions"):
        align([a, dd.from_pandas(pdf, npartitions=2, sort=False)])


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_repartition_on_every_scheduler(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.repartition(npartitions=5), pdf, scheduler=scheduler)
    assert_eq(df.repartition(divisions=[0, 7, 38]), pdf, scheduler=scheduler)
