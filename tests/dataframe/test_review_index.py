"""The lazy ``df.index`` collection, assignment of positional values, and the common
pandas/Dask API of :mod:`tessera.dataframe.frame_api`, against pandas."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
import tessera.dataframe as dd
from tessera.dataframe.index import Index
from tessera.dataframe.scalar import Scalar
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS
from tests.dataframe.test_cumulative import with_empty_partitions

SCHEDULERS = ["sync", "threads", "processes"]


def assert_index_eq(lazy: Any, expected: pd.Index, scheduler: str = "sync") -> None:
    """``lazy`` is a tessera Index whose declared dtype and computed labels are pandas'."""
    assert isinstance(lazy, Index)
    got = lazy.compute(scheduler=scheduler)
    assert isinstance(got, pd.Index)
    assert got.dtype == lazy.dtype, f"lazy dtype {lazy.dtype} != {got.dtype}"
    assert got.name == lazy.name
    pd.testing.assert_index_equal(got, expected, exact=False, check_freq=False)


# -- df.index: structure, compute, reductions -----------------------------------------


@pytest.mark.parametrize("n", NPARTS)
def test_index_computes_to_the_pandas_index(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    idx = df.index
    assert (idx.name, idx.dtype) == ("idx", pdf.index.dtype)  # known without computing
    assert idx.divisions == df.divisions and idx.known_divisions
    assert idx.npartitions == df.npartitions
    assert_index_eq(idx, pdf.index)
    assert_index_eq(df.x.index, pdf.x.index)
    assert len(idx) == len(pdf)


@pytest.mark.parametrize("n", [1, 3, 7])
@pytest.mark.parametrize("op", ["min", "max", "sum", "mean", "count", "nunique", "std"])
def test_index_reductions(pdf: pd.DataFrame, n: int, op: str) -> None:
    idx = dd.from_pandas(pdf, npartitions=n).index
    result = getattr(idx, op)()
    assert isinstance(result, Scalar)
    assert_eq(result, getattr(pdf.index.to_series(), op)())


def test_index_of_unknown_divisions_and_empty_partitions(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf.sample(frac=1, random_state=1), npartitions=3, sort=False)
    assert not df.index.known_divisions
    assert_index_eq(df.index, pdf.sample(frac=1, random_state=1).index)
    holes, expected = with_empty_partitions(pdf)
    assert_index_eq(holes.index, expected.index)
    assert_eq(holes.index.max(), expected.index.max())
    assert_eq(holes.index.is_monotonic_increasing, True)


@pytest.mark.parametrize(
    "index",
    [
        pd.Index(list("qwertyuiopas"), name="s"),
        pd.date_range("2001-01-30", periods=12, freq="D", name="t"),
        pd.date_range("2001-01-30", periods=12, freq="h", tz="Europe/Paris"),
        pd.CategoricalIndex(list("abcabcabcabc"), name="c"),
        pd.Index(np.linspace(0, 1, 12), name="f"),
    ],
)
@pytest.mark.parametrize("n", [1, 3])
def test_index_dtypes(index: pd.Index, n: int) -> None:
    pdf = pd.DataFrame({"x": range(12)}, index=index)
    df = dd.from_pandas(pdf, npartitions=n, sort=False)
    assert_index_eq(df.index, pdf.index)
    assert_index_eq(df.index[df.x > 5], pdf.index[pdf.x > 5])


def test_index_with_repeated_labels_masks_and_assigns() -> None:
    pdf = pd.DataFrame({"x": range(8)}, index=[1, 1, 2, 2, 2, 5, 5, 9])
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df[df.index > 1], pdf[pdf.index > 1])
    assert_eq(df.assign(y=df.index * 10), pdf.assign(y=pdf.index * 10))
    assert_index_eq(df.index.unique(), pdf.index.unique())


def test_index_has_no_index_and_repr() -> None:
    df = dd.from_pandas(pd.DataFrame({"x": [1, 2]}, index=[3, 4]), npartitions=1)
    with pytest.raises(AttributeError, match="no attribute 'index'"):
        df.index.index  # noqa: B018
    assert repr(df.index).startswith("tessera Index Structure:")


def test_meta_index_stays_the_empty_pandas_index(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    assert isinstance(df.meta.index, pd.Index) and len(df.meta.index) == 0
    assert df.meta.index.name == "idx"


# -- masks, assignment, operators -----------------------------------------------------


@pytest.mark.parametrize("n", NPARTS)
def test_index_masks_rows(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df[df.index > 15], pdf[pdf.index > 15])
    assert_eq(df.loc[df.index > 15], pdf.loc[pdf.index > 15])
    assert_eq(df.x[df.x.index <= 10], pdf.x[pdf.x.index <= 10])
    both = (df.index > 10) & (df.x > 0)
    assert_eq(df[both], pdf[(pdf.index > 10) & (pdf.x > 0)])
    assert_eq(df.loc[df.index.isin([0, 4, 38])], pdf.loc[pdf.index.isin([0, 4, 38])])


@pytest.mark.parametrize("n", NPARTS)
def test_index_assign_and_setitem(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.assign(y=df.index * 2), pdf.assign(y=pdf.index * 2))
    df["w"] = df.index
    assert_eq(df, pdf.assign(w=pdf.index))


@pytest.mark.parametrize("n", [1, 3])
def test_index_operators_give_an_index(pdf: pd.DataFrame, n: int) -> None:
    idx, p = dd.from_pandas(pdf, npartitions=n).index, pdf.index
    assert_index_eq(idx * 2 + 1, p * 2 + 1)
    assert_index_eq(1 - idx, 1 - p)
    assert_index_eq(idx // 3, p // 3)
    assert_index_eq(idx > 15, pd.Index(p > 15, name="idx"))
    assert_index_eq(-idx, -p)
    assert_index_eq(abs(idx - 10), abs(p - 10))


def test_index_with_a_column_gives_a_series(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    out = df.index + df.x
    assert not isinstance(out, Index)
    assert_eq(out, pdf.index + pdf.x)
    assert_eq(df.x * df.index, pdf.x * pdf.index)


@pytest.mark.parametrize("n", [1, 3])
def test_index_methods(pdf: pd.DataFrame, n: int) -> None:
    idx, p = dd.from_pandas(pdf, npartitions=n).index, pdf.index
    assert_index_eq(idx.map(lambda v: v + 1, meta=("idx", "int64")), p.map(lambda v: v + 1))
    assert_index_eq(idx.map({0: 10, 2: 20}), p.map({0: 10, 2: 20}))
    assert_index_eq(idx.astype("float64"), p.astype("float64"))
    assert_index_eq(idx.rename("other"), p.rename("other"))
    assert_index_eq(idx.isin([2, 4]), pd.Index(p.isin([2, 4]), name="idx"))
    assert_index_eq(idx.repartition(npartitions=2), p)
    pd.testing.assert_index_equal(idx.head(3), p[:3])
    pd.testing.assert_index_equal(idx.tail(2), p[-2:])


def test_index_accessors() -> None:
    pdf = pd.DataFrame({"x": range(6)}, index=pd.date_range("2000-02-27", periods=6, name="t"))
    df = dd.from_pandas(pdf, npartitions=3)
    assert_index_eq(df.index.dt.day, pdf.index.day)
    assert_index_eq(df.index.dt.strftime("%m-%d"), pdf.index.strftime("%m-%d"))
    assert df.index.dt.tz is None
    assert_eq(df[df.index.dt.month == 3], pdf[pdf.index.month == 3])
    s = df.set_index(df.x.astype(str).rename("k")).x
    p = pdf.set_index(pdf.x.astype(str).rename("k")).x
    assert_index_eq(s.index.str.upper(), p.index.str.upper())
    assert_index_eq(s.index.str[0], p.index.str[0])
    with pytest.raises(AttributeError):
        df.index.str  # noqa: B018


@pytest.mark.parametrize("n", NPARTS)
def test_index_to_series_and_to_frame(pdf: pd.DataFrame, n: int) -> None:
    idx, p = dd.from_pandas(pdf, npartitions=n).index, pdf.index
    assert_eq(idx.to_series(), p.to_series())
    assert idx.to_series().divisions == idx.divisions
    assert_eq(idx.to_series(name="n"), p.to_series(name="n"))
    assert_eq(idx.to_frame(), p.to_frame())
    assert_eq(idx.to_frame(name="v"), p.to_frame(name="v"))
    assert_eq(idx.to_frame(index=False), p.to_frame(index=False))
    doubled = (idx * 2).to_series()  # the values are no longer the labels
    assert not doubled.known_divisions
    assert_eq(doubled, (p * 2).to_series())


def test_index_persist_and_partitions(pdf: pd.DataFrame) -> None:
    idx = dd.from_pandas(pdf, npartitions=3).index
    kept = idx.persist(scheduler="sync")
    assert isinstance(kept, Index)
    assert_index_eq(kept, pdf.index)
    lo, hi = idx.divisions[1:3]
    assert_index_eq(idx.get_partition(1), pdf.index[(pdf.index >= lo) & (pdf.index < hi)])
    assert_index_eq(idx.partitions[0], pdf.index[pdf.index < lo])


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_index_on_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_index_eq(df.index * 2, pdf.index * 2, scheduler=scheduler)
    expected = pdf[pdf.index > 15].assign(y=pdf.index[pdf.index > 15])
    assert_eq(df[df.index > 15].assign(y=df.index), expected, scheduler=scheduler)
    assert_eq(df.index.max(), pdf.index.max(), scheduler=scheduler)


@settings(max_examples=15, deadline=None)
@given(
    labels=st.lists(st.integers(-50, 50), min_size=1, max_size=30),
    n=st.integers(1, 5),
    cut=st.integers(-60, 60),
)
def test_index_masks_match_pandas(labels: list[int], n: int, cut: int) -> None:
    pdf = pd.DataFrame({"x": np.arange(len(labels))}, index=pd.Index(labels, name="i"))
    pdf = pdf.sort_index(kind="stable")  # from_pandas keeps a sorted frame's row order
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df[df.index >= cut], pdf[pdf.index >= cut])
    assert_eq(df.assign(y=df.index - cut), pdf.assign(y=pdf.index - cut))
    assert_eq(df.index.min(), pdf.index.min())
    assert_index_eq(df.index, pdf.index)


# -- assigning values given by position -------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        np.arange(4),
        [1, 2, 3, 4],
        (1, 2, 3, 4),
        range(4),
        pd.Index([1, 2, 3, 4]),
        pd.array([1, 2, 3, 4], dtype="Int64"),
        da.arange(4, chunks=2),
    ],
    ids=["ndarray", "list", "tuple", "range", "Index", "ExtensionArray", "tessera-array"],
)
def test_assign_positional_values_raises(value: Any) -> None:
    df = dd.from_pandas(pd.DataFrame({"i": [1, 2, 3, 4], "x": [1.0, 2, 3, 4]}), npartitions=2)
    with pytest.raises(TypeError, match=r"Cannot assign [\w ]+ values \(length 4\) to column 'z'"):
        df.assign(z=value)
    with pytest.raises(TypeError, match="partition"):
        df["z"] = value
    with pytest.raises(TypeError, match="from_array"):
        df.assign(z=lambda d: value)
    assert df.columns.tolist() == ["i", "x"]  # unchanged by the failed df["z"] = ...


@pytest.mark.parametrize(
    "value",
    [5, np.int64(5), 2.5, "s", None, np.array(7), pd.Timestamp("2000-01-01")],
    ids=["int", "np-int", "float", "str", "None", "0d-array", "Timestamp"],
)
def test_assign_scalars_still_work(value: Any) -> None:
    pdf = pd.DataFrame({"i": [1, 2, 3, 4], "x": [1.0, 2, 3, 4]})
    df = dd.from_pandas(pdf, npartitions=2)
    assert_eq(df.assign(z=value), pdf.assign(z=value))


def test_assign_pandas_series_and_matching_from_array() -> None:
    pdf = pd.DataFrame({"x": [1.0, 2, 3, 4]})
    df = dd.from_pandas(pdf, npartitions=2)
    values = pd.Series([10, 20, 30, 40])
    assert_eq(df.assign(z=values[::-1]), pdf.assign(z=values[::-1]))  # aligned by label
    z = dd.from_array(np.arange(4), chunksize=2)  # the advice of the error message
    assert z.divisions == df.divisions
    assert_eq(df.assign(z=z), pdf.assign(z=np.arange(4)))


# -- frame_api: shape, values, copy, pipe ------------------------------------------------


@pytest.mark.parametrize("n", NPARTS)
def test_shape_is_lazy_in_rows(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    rows, cols = df.shape
    assert isinstance(rows, Scalar) and cols == pdf.shape[1]
    assert rows.compute() == pdf.shape[0]
    (srows,) = df.x.shape
    assert srows.compute() == len(pdf)
    holes, expected = with_empty_partitions(pdf)
    assert holes.shape[0].compute() == len(expected)


@pytest.mark.parametrize("n", NPARTS)
def test_values_and_to_dask_array(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    num = df[["k", "x", "y"]]
    x = num.values
    assert np.isnan(x.shape[0]) and x.shape[1] == 3
    assert x.dtype == pdf[["k", "x", "y"]].values.dtype
    np.testing.assert_array_equal(x.compute(), pdf[["k", "x", "y"]].values)
    np.testing.assert_array_equal(df.s.values.compute(), pdf.s.to_numpy())
    np.testing.assert_array_equal(df.index.values.compute(), pdf.index.values)
    known = num.to_dask_array(lengths=True)
    lengths = df.map_partitions(len, meta=("n", "int64")).compute().tolist()
    assert known.chunks == (tuple(lengths), (3,))
    np.testing.assert_allclose(known.sum(axis=0).compute(), pdf[["k", "x", "y"]].sum().values)
    given_lengths = df.y.to_dask_array(lengths=lengths)
    assert given_lengths.chunks == (tuple(lengths),)
    np.testing.assert_array_equal(given_lengths[2:5].compute(), pdf.y.values[2:5])


def test_to_dask_array_bad_lengths(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    with pytest.raises(ValueError, match="one non-negative row count per partition"):
        df.to_dask_array(lengths=[1, 2])
    with pytest.raises(ValueError, match="lengths=True"):
        df.to_dask_array(lengths=[1, -2, 3])


def test_copy_is_independent(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    c = df.copy()
    c["new"] = 1
    c.columns = [f"c{i}" for i in range(len(c.columns))]
    assert_eq(df, pdf)
    assert c.columns[-1] == f"c{pdf.shape[1]}"
    assert_eq(df.x.copy(), pdf.x.copy())
    assert isinstance(df.index.copy(), Index)


def test_pipe(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)

    def scaled(frame: Any, k: int, *, col: str = "x") -> Any:
        return frame[col] * k

    assert_eq(df.pipe(scaled, 3), pdf.pipe(scaled, 3))
    assert_eq(df.pipe(scaled, 3, col="y"), pdf.pipe(scaled, 3, col="y"))

    def keyword(k: int, data: Any) -> Any:
        return data.x + k

    assert_eq(df.pipe((keyword, "data"), 1), pdf.pipe((keyword, "data"), 1))
    with pytest.raises(ValueError, match="both the pipe target"):
        df.pipe((keyword, "data"), 1, data=2)


# -- frame_api: columns, del, iteration -------------------------------------------------


@pytest.mark.parametrize("n", NPARTS)
def test_columns_setter(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    names = list("ABCDEF")
    df.columns = names
    expected = pdf.copy()
    expected.columns = names
    assert_eq(df, expected)
    df.columns = pd.Index(["A", "A", "B", "C", "D", "E"], name="cols")  # as pandas allows
    expected.columns = pd.Index(["A", "A", "B", "C", "D", "E"], name="cols")
    assert_eq(df, expected)


def test_columns_setter_checks_the_length(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(ValueError, match=r"Length mismatch.*6 columns.*2"):
        df.columns = ["a", "b"]
    assert_eq(df, pdf)


@pytest.mark.parametrize("n", [1, 3])
def test_delitem(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    expected = pdf.copy()
    del df["y"]
    del expected["y"]
    assert_eq(df, expected)
    with pytest.raises(KeyError, match="nope"):
        del df["nope"]


@pytest.mark.parametrize("n", NPARTS)
def test_row_iteration_matches_pandas(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    got, expected = list(df.iterrows()), list(pdf.iterrows())
    assert [i for i, _ in got] == [i for i, _ in expected]
    for (_, a), (_, b) in zip(got, expected, strict=True):
        pd.testing.assert_series_equal(a, b)
    for kw in ({}, {"index": False, "name": None}):
        rows, pandas_rows = list(df.itertuples(**kw)), list(pdf.itertuples(**kw))
        assert [type(r).__name__ for r in rows] == [type(r).__name__ for r in pandas_rows]
        assert [r._fields for r in rows if hasattr(r, "_fields")] == [
            r._fields for r in pandas_rows if hasattr(r, "_fields")
        ]
        pd.testing.assert_frame_equal(pd.DataFrame(rows), pd.DataFrame(pandas_rows))
    assert list(df.x) == list(pdf.x)
    assert list(df.y.items()) == list(pdf.y.items())
    assert list(df) == list(pdf)
    assert ("x" in df, "nope" in df) == ("x" in pdf, "nope" in pdf)
    assert (4 in df.x, 5 in df.x, -2 in df.x) == (4 in pdf.x, 5 in pdf.x, -2 in pdf.x)


def test_items_gives_lazy_columns(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    pairs = list(df.items())
    assert [k for k, _ in pairs] == list(pdf.columns)
    for (_, lazy), (_, col) in zip(pairs, pdf.items(), strict=True):
        assert_eq(lazy, col)


@pytest.mark.parametrize("n", [1, 3])
def test_series_reset_index_name(pdf: pd.DataFrame, n: int) -> None:
    s = dd.from_pandas(pdf, npartitions=n).y
    assert_eq(s.reset_index(name="v"), pdf.y.reset_index(name="v"))
    assert_eq(s.reset_index(), pdf.y.reset_index())
    assert_eq(s.reset_index(drop=True, name="ignored"), pdf.y.reset_index(drop=True))


# -- is_monotonic_increasing / decreasing -------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        [1, 2, 2, 3, 5, 8, 8, 9],
        [9, 8, 8, 5, 3, 2, 2, 1],
        [1, 2, 3, 2, 5, 6, 7, 8],
        [1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0, 8.0],
        [3, 3, 3, 3, 3, 3, 3, 3],
        list("aabbccdd"),
    ],
)
@pytest.mark.parametrize("n", NPARTS)
def test_is_monotonic(values: list[Any], n: int) -> None:
    ps = pd.Series(values)
    s = dd.from_pandas(ps, npartitions=n)
    assert s.is_monotonic_increasing.compute() is ps.is_monotonic_increasing
    assert s.is_monotonic_decreasing.compute() is ps.is_monotonic_decreasing


def test_is_monotonic_with_empty_partitions_and_schedulers(pdf: pd.DataFrame) -> None:
    holes, expected = with_empty_partitions(pdf)
    for scheduler in SCHEDULERS:
        got = holes.index.is_monotonic_increasing.compute(scheduler=scheduler)
        assert got is expected.index.is_monotonic_increasing
    assert holes.x.is_monotonic_decreasing.compute() is expected.x.is_monotonic_decreasing
    empty = holes[holes.x > 100].x
    assert empty.is_monotonic_increasing.compute() is True


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.integers(0, 4), max_size=20), n=st.integers(1, 6))
def test_is_monotonic_matches_pandas(values: list[int], n: int) -> None:
    ps = pd.Series(values, dtype="int64")
    s = dd.from_pandas(ps, npartitions=n)
    split = s.is_monotonic_increasing.compute(), s.is_monotonic_decreasing.compute()
    assert split == (ps.is_monotonic_increasing, ps.is_monotonic_decreasing)
