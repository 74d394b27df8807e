"""loc (labels, slices, lists, masks, columns) and iloc (columns) against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tessera.scheduling.graph import cull
from tests.dataframe.conftest import NPARTS


def _parts_read(result: dd.DataFrame | dd.Series, source: dd.DataFrame | dd.Series) -> set[int]:
    """The partitions of ``source`` that computing ``result`` needs."""
    needed = cull(result.__tessera_graph__(), result.__tessera_keys__())
    return {k[1] for k in needed if isinstance(k, tuple) and k[0] == source._name}


def _between(pdf: pd.DataFrame, lo: float | None, hi: float | None) -> pd.DataFrame:
    keep = np.ones(len(pdf), dtype=bool)
    if lo is not None:
        keep &= pdf.index >= lo
    if hi is not None:
        keep &= pdf.index <= hi
    return pdf[keep]


@pytest.mark.parametrize("n", NPARTS)
def test_slices_known_divisions(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    for lo, hi in [(6, 20), (7, 21), (None, 10), (30, None), (-5, 100), (0, 0), (38, 38),
                   (50, 60), (-10, -1), (20, 10), (None, None)]:  # fmt: skip
        assert_eq(df.loc[lo:hi], pdf.loc[lo:hi])
        assert_eq(df.y.loc[lo:hi], pdf.y.loc[lo:hi])


@pytest.mark.parametrize("n", [2, 3, 7])
def test_reads_only_the_partitions_needed(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    d = df.divisions
    inside = df.loc[d[1] : d[1] + 1]
    assert _parts_read(inside, df) == {1}
    assert inside.npartitions == 1 and inside.divisions == (d[1], d[1] + 1)
    assert _parts_read(df.loc[d[1]], df) == {1}
    assert _parts_read(df.loc[: d[1] - 1], df) == {0}
    assert _parts_read(df.loc[[d[0], d[-1]]], df) == {0, n - 1}
    assert _parts_read(df.loc[1000:], df) == {0}
    assert_eq(df.loc[1000:], pdf.loc[1000:])


@pytest.mark.parametrize("n", NPARTS)
def test_scalar_labels(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    for label in [0, 14, 38, 7, -2, 99]:  # present, present, last, absent, below, above
        assert_eq(df.loc[label], pdf.loc[label:label])
        assert_eq(df.x.loc[label], pdf.x.loc[label:label])
    assert_eq(df.loc[14, "x"], pdf.loc[[14], "x"])
    assert_eq(df.loc[14, ["x", "s"]], pdf.loc[[14], ["x", "s"]])


@pytest.mark.parametrize("n", NPARTS)
def test_label_lists(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.loc[[2, 10, 12, 38]], pdf.loc[[2, 10, 12, 38]])
    assert_eq(df.loc[np.array([4, 4, 30])], pdf.loc[[4, 4, 30]])
    assert_eq(df.loc[pd.Index([0, 36]), ["y"]], pdf.loc[[0, 36], ["y"]])
    assert_eq(df.s.loc[[6, 8]], pdf.s.loc[[6, 8]])
    assert_eq(df.loc[[]], pdf.loc[[]])
    with pytest.raises(KeyError, match="99"):
        df.loc[[2, 99]]
    with pytest.raises(KeyError, match="not in index"):
        df.loc[[2, 3]].compute(scheduler="sync")  # 3 lies inside the bounds, but is absent


def test_label_list_order_is_by_partition(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    assert_eq(df.loc[[36, 2, 0]], pdf.loc[[2, 0, 36]])  # within a partition: list order


def test_duplicate_labels() -> None:
    pdf = pd.DataFrame({"x": range(8)}, index=[1, 1, 2, 2, 2, 3, 5, 5])
    for n in [1, 2, 3]:
        df = dd.from_pandas(pdf, npartitions=n)
        assert_eq(df.loc[2], pdf.loc[[2]])
        assert_eq(df.loc[[1, 5]], pdf.loc[[1, 5]])
        assert_eq(df.loc[2:4], pdf.loc[2:4])


@pytest.mark.parametrize("n", [1, 3])
def test_unknown_divisions_filter_every_partition(pdf: pd.DataFrame, n: int) -> None:
    shuffled = pdf.sample(frac=1, random_state=1)
    df = dd.from_pandas(shuffled, npartitions=n, sort=False)
    assert not df.known_divisions
    assert_eq(df.loc[10:20], _between(shuffled, 10, 20))
    assert_eq(df.loc[:9], _between(shuffled, None, 9))
    assert_eq(df.y.loc[31:], _between(shuffled, 31, None).y)
    assert_eq(df.loc[14], shuffled.loc[[14]])
    assert_eq(df.loc[15], shuffled.iloc[:0])
    parts = [df.get_partition(i).compute() for i in range(n)]
    expected = pd.concat([p.loc[[x for x in [38, 2, 3] if x in p.index]] for p in parts])
    assert_eq(df.loc[[38, 2, 3]], expected)  # absent labels are skipped
    assert _parts_read(df.loc[10:20], df) == set(range(n))


@pytest.mark.parametrize("n", NPARTS)
def test_masks_and_columns(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.loc[df.x > 0], pdf.loc[pdf.x > 0])
    assert_eq(df.loc[df.x > 0, ["y", "s"]], pdf.loc[pdf.x > 0, ["y", "s"]])
    assert_eq(df.loc[df.b, "y"], pdf.loc[pdf.b, "y"])
    assert_eq(df.y.loc[df.x < 0], pdf.y.loc[pdf.x < 0])
    assert_eq(df.loc[:, "x"], pdf.loc[:, "x"])
    assert_eq(df.loc[:, "x":"z"], pdf.loc[:, "x":"z"])
    assert_eq(df.loc[:, [True, False, True, False, False, True]],
              pdf.loc[:, [True, False, True, False, False, True]])  # fmt: skip
    assert_eq(df.loc[4:20, ["x", "y"]], pdf.loc[4:20, ["x", "y"]])
    assert_eq(df.loc[lambda d: d.x > 2, lambda d: ["k"]], pdf.loc[pdf.x > 2, ["k"]])
    assert_eq(df.loc[pdf.x > 0], pdf.loc[pdf.x > 0])  # a pandas mask aligns by label


def test_datetime_index_partial_strings() -> None:
    idx = pd.date_range("2000-01-01", periods=48, freq="6h", name="t")
    pdf = pd.DataFrame({"v": np.arange(48.0)}, index=idx)
    for n in [1, 3, 5]:
        df = dd.from_pandas(pdf, npartitions=n)
        assert_eq(df.loc["2000-01-03"], pdf.loc["2000-01-03"])
        assert_eq(df.loc["2000-01-03":"2000-01-05"], pdf.loc["2000-01-03":"2000-01-05"])
        assert_eq(df.loc["2000-01-08 06:00":], pdf.loc["2000-01-08 06:00":])
        ts = pd.Timestamp("2000-01-02 12:00")
        assert_eq(df.loc[ts], pdf.loc[[ts]], check_freq=False)
        assert_eq(df.v.loc[["2000-01-01", "2000-01-04"]], pdf.v.loc[["2000-01-01", "2000-01-04"]])
        assert_eq(df.loc["2000-01"], pdf.loc["2000-01"])
    tz = pdf.tz_localize("UTC")
    assert_eq(dd.from_pandas(tz, npartitions=3).loc["2000-01-05"], tz.loc["2000-01-05"])


def test_loc_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    with pytest.raises(KeyError, match=r"'nope'.*available columns.*'x'"):
        df.loc[:, "nope"]
    with pytest.raises(KeyError, match=r"'nope'.*available columns"):
        df.loc[2:4, ["x", "nope"]]
    with pytest.raises(pd.errors.IndexingError, match="Too many indexers"):
        df.x.loc[2, "x"]
    with pytest.raises(pd.errors.IndexingError, match="Too many indexers"):
        df.loc[2, "x", 3]
    with pytest.raises(NotImplementedError, match="step"):
        df.loc[2:10:2]
    with pytest.raises(NotImplementedError, match="boolean tessera Series"):
        df.loc[[True, False] * 10]
    with pytest.raises(ValueError, match="multidimensional"):
        df.loc[df > 0]
    with pytest.raises(NotImplementedError, match="labels"):
        df.loc[df.x]
    with pytest.raises(TypeError, match="Cannot compare the label 'a'"):
        df.loc["a":"b"]


@pytest.mark.parametrize("n", [1, 3])
def test_iloc_columns(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.iloc[:, 1], pdf.iloc[:, 1])
    assert_eq(df.iloc[:, [0, 2]], pdf.iloc[:, [0, 2]])
    assert_eq(df.iloc[:, 1:4], pdf.iloc[:, 1:4])
    assert_eq(df.iloc[:, -1], pdf.iloc[:, -1])
    for key in [0, slice(0, 2), (0, 1), (slice(0, 2), 1)]:
        with pytest.raises(NotImplementedError, match=r"iloc\[:, cols\].*head"):
            df.iloc[key]
    with pytest.raises(NotImplementedError, match="iloc"):
        df.x.iloc[:2]
    with pytest.raises(IndexError):
        df.iloc[:, 10]


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    part = df.loc[5:30, ["x", "y"]]
    expected = pdf.loc[5:30, ["x", "y"]]
    assert_eq(part.loc[part.x > -3], expected.loc[expected.x > -3], scheduler=scheduler)
    assert_eq(df.loc[[2, 30]], pdf.loc[[2, 30]], scheduler=scheduler)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=30),
    st.integers(1, 6),
    st.one_of(st.none(), st.integers(-2, 32)),
    st.one_of(st.none(), st.integers(-2, 32)),
)
def test_slices_match_pandas(labels: list[int], n: int, lo: int | None, hi: int | None) -> None:
    pdf = pd.DataFrame({"v": range(len(labels))}, index=sorted(labels))
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.loc[lo:hi], pdf.loc[lo:hi])
    if lo is not None:
        assert_eq(df.loc[lo], pdf.loc[lo:lo])
