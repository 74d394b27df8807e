"""``DataFrame.nunique``, lazy ``head``/``tail``, ``rename(index=)`` and
``explode(ignore_index=True)`` against pandas on many partitionings."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS
from tests.dataframe.test_cumulative import with_empty_partitions

SCHEDULERS = ["sync", "threads", "processes"]


def lists() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "a": [[1, 2], [], [3], [4, 5, 6], None, [7], [8, 9]],
            "b": [[1.5, 2.5], [3.5], [], [4.5, 5.5, 6.5], [7.5], [None], [8.5, 9.5]],
            "c": list("ABCDEFG"),
        },
        index=[3, 5, 6, 9, 12, 13, 20],
    )


# -- nunique -----------------------------------------------------------------------


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("dropna", [True, False])
def test_frame_nunique_matches_pandas(pdf: pd.DataFrame, n: int, dropna: bool) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.nunique(dropna=dropna), pdf.nunique(dropna=dropna))
    assert_eq(df.nunique("index", dropna, split_every=2), pdf.nunique(dropna=dropna))
    assert_eq(df.nunique(axis=1, dropna=dropna), pdf.nunique(axis=1, dropna=dropna))
    assert_eq(df.nunique("columns", dropna), pdf.nunique("columns", dropna))
    assert df.nunique(axis=1).divisions == df.divisions
    assert df.z.nunique(dropna).compute() == pdf.z.nunique(dropna)  # positional: dropna


@pytest.mark.parametrize("n", [1, 3])
def test_frame_nunique_column_labels(n: int) -> None:
    data = [[1, 1.0, "a"], [1, np.nan, "b"], [2, np.nan, "a"], [3, 4.0, None]]
    named = pd.DataFrame(data, columns=pd.Index(["p", "q", "r"], name="cols"))
    duplicated = pd.DataFrame(data, columns=["p", "p", "r"])
    multi = pd.DataFrame(data, columns=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)]))
    for pdf in (named, duplicated, multi):
        df = dd.from_pandas(pdf, npartitions=n)
        assert_eq(df.nunique(), pdf.nunique())
        assert_eq(df.nunique(dropna=False), pdf.nunique(dropna=False))
    no_columns = pd.DataFrame(index=range(4))
    assert_eq(dd.from_pandas(no_columns, npartitions=n).nunique(), no_columns.nunique())


def test_frame_nunique_empty_partitions(pdf: pd.DataFrame) -> None:
    df, expected = with_empty_partitions(pdf)
    assert_eq(df.nunique(), expected.nunique())
    assert_eq(df.nunique(axis=1, dropna=False), expected.nunique(axis=1, dropna=False))


frames = data_frames(
    [
        column("a", elements=st.one_of(st.none(), st.integers(-3, 3).map(float)), dtype=float),
        column("b", elements=st.sampled_from(["x", "y", "z"]), dtype=object),
    ],
    index=range_indexes(min_size=1, max_size=20),
)


@settings(max_examples=25, deadline=None)
@given(frames, st.integers(1, 8), st.booleans(), st.integers(2, 4))
def test_frame_nunique_any_partitioning(
    pdf: pd.DataFrame, n: int, dropna: bool, split_every: int
) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.nunique(dropna=dropna, split_every=split_every), pdf.nunique(dropna=dropna))
    assert_eq(df.nunique(axis=1, dropna=dropna), pdf.nunique(axis=1, dropna=dropna))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_frame_nunique_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.nunique(dropna=False), pdf.nunique(dropna=False), scheduler=scheduler)
    assert_eq(df.nunique(axis=1), pdf.nunique(axis=1), scheduler=scheduler)


def test_nunique_signatures_and_bad_input(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    assert list(inspect.signature(dd.DataFrame.nunique).parameters)[1] == "axis"
    assert list(inspect.signature(df.x.nunique).parameters) == ["dropna", "split_every"]
    with pytest.raises(ValueError, match=r"axis must be 0 or 'index'.*got 2"):
        df.nunique(axis=2)
    with pytest.raises(TypeError, match="axis"):
        df.x.nunique(axis=0)
    with pytest.raises(ValueError, match="split_every"):
        df.nunique(split_every=1)


# -- head and tail -------------------------------------------------------------------


def searched(pdf: pd.DataFrame, df: dd.DataFrame, first: int, stop: int) -> pd.DataFrame:
    """The rows of partitions ``first .. stop-1`` of ``df`` (from ``pdf``, by divisions)."""
    lo, hi = df.divisions[first], df.divisions[stop]
    upper = pdf.index <= hi if stop == df.npartitions else pdf.index < hi
    return pdf[(pdf.index >= lo) & upper]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("rows", [0, 2, 5, 30])
def test_lazy_head_matches_pandas(pdf: pd.DataFrame, n: int, rows: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    for parts in sorted({1, n // 2 or 1, n}):
        lazy = df.head(rows, npartitions=parts, compute=False)
        assert isinstance(lazy, dd.DataFrame) and lazy.npartitions == 1
        assert lazy.divisions == (df.divisions[0], df.divisions[parts])
        expected = searched(pdf, df, 0, parts).head(rows)
        assert_eq(lazy, expected)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            pd.testing.assert_frame_equal(df.head(rows, npartitions=parts), expected)
    assert_eq(df.head(rows, npartitions=-1, compute=False), pdf.head(rows))
    assert_eq(df.y.head(rows, npartitions=-1, compute=False), pdf.y.head(rows))


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("rows", [0, 3, 30])
def test_lazy_tail_matches_pandas(pdf: pd.DataFrame, n: int, rows: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    expected = searched(pdf, df, n - 1, n).tail(rows)
    lazy = df.tail(rows, compute=False)
    assert lazy.npartitions == 1 and lazy.divisions == df.divisions[-2:]
    assert_eq(lazy, expected)
    assert_eq(df.s.tail(rows, compute=False), expected.s)
    pd.testing.assert_frame_equal(df.tail(rows), expected)


def test_lazy_head_does_not_warn_computed_head_does(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lazy = df.head(10, compute=False)
        assert_eq(lazy, pdf.head(5))  # the first partition holds 5 rows
        pd.testing.assert_frame_equal(df.head(10, npartitions=-1), pdf.head(10))
        pd.testing.assert_frame_equal(df.head(30, npartitions=4), pdf)  # all searched
    with pytest.warns(UserWarning, match="Insufficient elements for `head`. 10 .* only 5"):
        df.head(10)


def test_lazy_head_and_empty_partitions(pdf: pd.DataFrame) -> None:
    df, expected = with_empty_partitions(pdf)
    assert_eq(df.head(6, npartitions=-1, compute=False), expected.head(6))
    assert_eq(df.x.head(9, npartitions=-1, compute=False), expected.x.head(9))


def test_lazy_head_chains_and_culls(pdf: pd.DataFrame) -> None:
    def first_only(part: pd.DataFrame) -> pd.DataFrame:
        if part.index.min() > 0:
            raise RuntimeError("a partition that head(npartitions=1) does not need ran")
        return part

    df = dd.from_pandas(pdf, npartitions=4).map_partitions(first_only, meta=pdf)
    assert_eq(df.head(3, compute=False).x + 1, pdf.x.head(3) + 1)
    pd.testing.assert_frame_equal(df.head(3), pdf.head(3))


def test_negative_n(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.head(-4, npartitions=-1, compute=False), pdf.head(-4))
    pd.testing.assert_frame_equal(df.head(-4, npartitions=-1), pdf.head(-4))
    one = dd.from_pandas(pdf, npartitions=1)
    assert_eq(one.tail(-4, compute=False), pdf.tail(-4))
    with pytest.raises(ValueError, match=r"negative n \(-4\).*npartitions=-1"):
        df.head(-4)
    with pytest.raises(ValueError, match=r"negative n \(-2\).*only 1 of 3"):
        df.tail(-2, compute=False)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_lazy_head_tail_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.head(9, npartitions=2, compute=False), pdf.head(9), scheduler=scheduler)
    assert_eq(df.tail(4, compute=False).y * 2, pdf.y.tail(4) * 2, scheduler=scheduler)


def test_head_tail_bad_input(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    with pytest.raises(ValueError, match=r"between 1 and 3 \(or -1 for all\), got 4"):
        df.head(2, npartitions=4, compute=False)
    with pytest.raises(ValueError, match="got 0"):
        df.head(2, npartitions=0)
    with pytest.raises(TypeError, match="n must be an integer, got '2'"):
        df.head("2", compute=False)
    with pytest.raises(TypeError, match=r"n must be an integer, got 2\.5"):
        df.x.tail(2.5)


# -- rename ----------------------------------------------------------------------------


@pytest.mark.parametrize("n", NPARTS)
def test_rename_index_labels(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    mapping = {0: 100, 8: -1, 999: 5}
    cases = [
        (df.rename(index=mapping), pdf.rename(index=mapping)),
        (df.rename(mapping), pdf.rename(mapping)),
        (df.rename(mapper=str, axis=0), pdf.rename(mapper=str, axis=0)),
        (df.rename(lambda i: i % 7, axis="index"), pdf.rename(lambda i: i % 7, axis="index")),
        (df.rename(index=str, columns=str.upper), pdf.rename(index=str, columns=str.upper)),
        (df.x.rename(mapping), pdf.x.rename(mapping)),
        (df.x.rename(index=lambda i: -i), pdf.x.rename(index=lambda i: -i)),
        (df.x.rename(pd.Series({2: 0})), pdf.x.rename(pd.Series({2: 0}))),
    ]
    for got, expected in cases:
        assert not got.known_divisions
        assert_eq(got, expected)


@pytest.mark.parametrize("n", NPARTS)
def test_rename_names_and_columns_keep_divisions(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    cases = [
        (df.x.rename("q"), pdf.x.rename("q")),
        (df.x.rename(index="q"), pdf.x.rename(index="q")),
        (df.x.rename(("a", 1)), pdf.x.rename(("a", 1))),
        (df.rename(columns={"x": "xx"}), pdf.rename(columns={"x": "xx"})),
        (df.rename(str.upper, axis=1), pdf.rename(str.upper, axis=1)),
        (df.rename(str.upper, axis="columns", errors="raise"), pdf.rename(str.upper, axis=1)),
    ]
    for got, expected in cases:
        assert got.divisions == df.divisions
        assert_eq(got, expected)


@pytest.mark.parametrize("n", NPARTS)
def test_rename_sorted_index(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    got = df.rename(lambda i: 3 * i + 1, sorted_index=True)
    assert got.divisions == tuple(3 * d + 1 for d in df.divisions)
    assert_eq(got, pdf.rename(lambda i: 3 * i + 1))
    shift = {i: i + 1 for i in pdf.index}
    got = df.y.rename(shift, sorted_index=True)
    assert got.divisions == tuple(d + 1 for d in df.divisions)
    assert_eq(got, pdf.y.rename(shift))
    assert df.y.rename("w", sorted_index=True).divisions == df.divisions
    unknown = df.rename({})  # index labels may change: divisions unknown
    assert not unknown.known_divisions
    assert not unknown.rename(str, sorted_index=True).known_divisions


def test_rename_bad_input(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    with pytest.raises(ValueError, match=r"sorted_index=True.*not sorted"):
        df.rename(lambda i: -i, sorted_index=True)
    with pytest.raises(NotImplementedError, match="errors='ignore'"):
        df.rename(index={0: 1}, errors="raise")
    with pytest.raises(KeyError, match="nope"):
        df.rename(columns={"nope": "x"}, errors="raise")
    with pytest.raises(TypeError, match="Cannot specify both 'mapper'"):
        df.rename(str, index=str)
    with pytest.raises(ValueError, match="No axis named 2"):
        df.rename(str, axis=2)
    with pytest.raises(ValueError, match="No axis named 1 for object type Series"):
        df.x.rename(str, axis=1)
    with pytest.raises(TypeError, match="columns"):
        df.x.rename(columns=str)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_rename_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.rename(index=str), pdf.rename(index=str), scheduler=scheduler)
    assert_eq(df.k.rename({0: 1}), pdf.k.rename({0: 1}), scheduler=scheduler)


# -- explode ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", NPARTS)
def test_explode_ignore_index(n: int) -> None:
    pdf = lists()
    df = dd.from_pandas(pdf, npartitions=n)
    cases = [
        (df.explode("a", ignore_index=True), pdf.explode("a", ignore_index=True)),
        (df.explode(["a", "b"], ignore_index=True), pdf.explode(["a", "b"], ignore_index=True)),
        (df.a.explode(ignore_index=True), pdf.a.explode(ignore_index=True)),
        (df.explode("b"), pdf.explode("b")),
    ]
    for got, expected in cases:
        assert_eq(got, expected)
    result = df.explode("a", ignore_index=True).compute()
    assert isinstance(result.index, pd.RangeIndex)
    assert not df.explode("a", ignore_index=True).known_divisions


def test_explode_ignore_index_empty_partitions() -> None:
    pdf = lists()
    df = dd.from_pandas(pdf, npartitions=4)
    kept, pkept = df[df.c > "C"], pdf[pdf.c > "C"]
    assert_eq(kept.explode("a", ignore_index=True), pkept.explode("a", ignore_index=True))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_explode_ignore_index_schedulers(scheduler: str) -> None:
    pdf = lists()
    df = dd.from_pandas(pdf, npartitions=3)
    expected = pdf.explode("a", ignore_index=True)
    assert_eq(df.explode("a", ignore_index=True), expected, scheduler=scheduler)


def test_series_explode_takes_no_column() -> None:
    df = dd.from_pandas(lists(), npartitions=2)
    with pytest.raises(TypeError, match=r"Series.explode\(\) takes no column \(got 'a'\)"):
        df.a.explode("a")
