"""Second review of the lazy ``df.index``, ``values``/``to_dask_array`` on nullable columns,
``map_partitions`` returning arrays and ``Series.reset_index(level=)``, against pandas."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import tessera.array as da
import tessera.dataframe as dd
from tessera.dataframe.index import Index
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

SCHEDULERS = ["sync", "threads", "processes"]


def _dated(n: int = 12, tz: str | None = None) -> pd.DataFrame:
    index = pd.date_range("2021-03-27 22:00", periods=n, freq="7h", tz=tz, name="t")
    return pd.DataFrame({"v": np.arange(n)}, index=index)


def _multi() -> pd.DataFrame:
    return pd.DataFrame(
        {"v": [1.0, 2, 3, 4, 5, 6], "b": list("xyxyxy"), "a": [3, 1, 2, 5, 4, 0]}
    ).set_index(["b", "a"]).sort_index()  # fmt: skip


# -- 7. map_partitions returning NumPy arrays -----------------------------------------


@pytest.mark.parametrize("n", NPARTS)
def test_map_partitions_returning_arrays_gives_an_array(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    out = df.map_partitions(lambda p: p.x.values)
    assert isinstance(out, da.Array)
    assert out.dtype == pdf.x.dtype and out.npartitions == n
    np.testing.assert_array_equal(out.compute(), pdf.x.values)
    pairs = df.map_partitions(lambda p: p[["x", "y"]].to_numpy())
    assert pairs.ndim == 2 and pairs.chunks[1] == (2,)
    np.testing.assert_array_equal(pairs.compute(), pdf[["x", "y"]].to_numpy())


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_map_partitions_arrays_on_schedulers(scheduler: str) -> None:
    s = dd.from_pandas(pd.Series([1.5, 2.5, 3.5]), npartitions=2)
    got = s.map_partitions(lambda p: p.values * 2).compute(scheduler=scheduler)
    np.testing.assert_array_equal(got, [3.0, 5.0, 7.0])


def test_make_meta_of_arrays_and_types() -> None:
    from tessera.dataframe.graph import make_meta

    assert make_meta(np.arange(3)).shape == (0,)
    assert make_meta(int) == 0 and make_meta(np.dtype("f8")).dtype == "f8"


# -- 3/8. static attributes of the index, datetime fields, MultiIndex --------------------


@pytest.mark.parametrize("tz", [None, "Europe/Paris"])
def test_index_static_attributes_come_from_the_meta(tz: str | None) -> None:
    pdf = _dated(tz=tz)
    idx = dd.from_pandas(pdf, npartitions=3).index
    for attr in ("names", "nlevels", "ndim", "name", "dtype", "tz", "freq", "freqstr"):
        assert getattr(idx, attr) == getattr(pdf.index, attr), attr
    assert idx.tolist() == pdf.index.tolist() and idx.to_list() == pdf.index.to_list()
    plain = dd.from_pandas(pd.DataFrame({"v": [1]}), npartitions=1).index
    with pytest.raises(AttributeError):
        plain.tz  # noqa: B018 (pandas' Index has no tz either)


@pytest.mark.parametrize("n", [1, 3, 5])
@pytest.mark.parametrize(
    "field", ["year", "month", "day", "hour", "day_of_week", "day_of_year", "date", "quarter"]
)
def test_datetime_index_fields_are_lazy_indexes(n: int, field: str) -> None:
    pdf = _dated()
    idx = dd.from_pandas(pdf, npartitions=n).index
    out = getattr(idx, field)
    assert isinstance(out, Index)
    expected = pd.Index(getattr(pdf.index, field), name="t")
    pd.testing.assert_index_equal(out.compute(), expected, exact=False)
    assert out.dtype == expected.dtype


def test_datetime_index_methods_are_lazy() -> None:
    pdf = _dated(tz="UTC")
    idx = dd.from_pandas(pdf, npartitions=3).index
    assert_eq(idx.normalize(), pdf.index.normalize(), check_names=False)
    assert_eq(idx.floor("D"), pdf.index.floor("D"), check_names=False)


@pytest.mark.parametrize("n", [1, 2, 4])
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_multiindex_computes_to_a_multiindex(n: int, scheduler: str) -> None:
    pdf = _multi()
    idx = dd.from_pandas(pdf, npartitions=n).index
    assert idx.names == ["b", "a"] and idx.nlevels == 2 and idx.ndim == 1
    assert idx.dtypes.equals(pdf.index.dtypes)
    got = idx.compute(scheduler=scheduler)
    pd.testing.assert_index_equal(got, pdf.index)


@pytest.mark.parametrize("n", [1, 2, 4])
def test_multiindex_filters_and_frames(n: int) -> None:
    pdf = _multi()
    df = dd.from_pandas(pdf, npartitions=n)
    idx = df.index
    pd.testing.assert_index_equal(idx[df.v > 2].compute(), pdf.index[pdf.v > 2])
    pd.testing.assert_index_equal(idx.head(2, npartitions=-1), pdf.index[:2])
    pd.testing.assert_index_equal(idx.persist().compute(), pdf.index)
    assert idx.tolist() == pdf.index.tolist()
    for kwargs in ({}, {"index": False}, {"name": ["B", "A"]}):
        frame = idx.to_frame(**kwargs)
        assert_eq(frame, pdf.index.to_frame(**kwargs))
    empty = df[df.v > 100].index
    pd.testing.assert_index_equal(empty.compute(), pdf.index[:0])


# -- 4. shift and methods pandas' Index lacks ---------------------------------------------


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("args", [(1, "D"), (2, "h"), (-1, None)])
def test_index_shift_shifts_the_values(n: int, args: tuple[Any, ...]) -> None:
    pdf = _dated()
    if args[1] is None:
        pdf.index.freq = "7h"
    idx = dd.from_pandas(pdf, npartitions=n).index
    out = idx.shift(*args)
    assert isinstance(out, Index)
    pd.testing.assert_index_equal(out.compute(), pdf.index.shift(*args), check_freq=False)


def test_index_shift_of_integers_raises_as_pandas() -> None:
    pdf = pd.DataFrame({"v": [1, 2]}, index=[5, 6])
    with pytest.raises(NotImplementedError):
        pdf.index.shift(1)
    with pytest.raises(NotImplementedError, match="DatetimeIndex"):
        dd.from_pandas(pdf, npartitions=1).index.shift(1)


@pytest.mark.parametrize("n", NPARTS)
def test_index_diff_gives_an_index(pdf: pd.DataFrame, n: int) -> None:
    idx = dd.from_pandas(pdf, npartitions=n).index
    out = idx.diff()
    assert isinstance(out, Index)
    pd.testing.assert_index_equal(out.compute(), pdf.index.diff(), exact=False)


@pytest.mark.parametrize(
    "name", ["cumsum", "cummax", "ffill", "reset_index", "apply", "pct_change", "explode", "loc"]
)
def test_series_methods_pandas_index_lacks_raise(pdf: pd.DataFrame, name: str) -> None:
    assert not hasattr(pdf.index, name)
    idx = dd.from_pandas(pdf, npartitions=2).index
    with pytest.raises(AttributeError, match=name):
        getattr(idx, name)
    assert not hasattr(idx, name) and name not in dir(idx)


def test_collection_api_and_reductions_stay(pdf: pd.DataFrame) -> None:
    idx = dd.from_pandas(pdf, npartitions=2).index
    assert_eq(idx.sum(), pdf.index.to_series().sum())
    assert idx.map_partitions(len).compute().tolist() == [10, 10]
    assert idx.npartitions == 2 and isinstance(idx.head(3), pd.Index)


# -- 6. values / to_dask_array of nullable columns ------------------------------------------


_NULLABLE = [
    (pd.array([1, None, 3, 4, 5, 6], dtype="Int64"), np.dtype("float64")),
    (pd.array([1.5, None, 3, 4, 5, 6], dtype="Float64"), np.dtype("float64")),
    (pd.array([True, None, False, True, True, False], dtype="boolean"), np.dtype("O")),
    (pd.array(["a", None, "c", "d", "e", "f"], dtype="string"), np.dtype("O")),
    (pd.Categorical([1, None, 3, 1, 3, 3]), np.dtype("float64")),
]


@pytest.mark.parametrize(("values", "dtype"), _NULLABLE)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_values_of_nullable_columns_have_one_dtype(values: Any, dtype: np.dtype, n: int) -> None:
    s = pd.Series(values)
    ds = dd.from_pandas(s, npartitions=n)
    assert s.to_numpy().dtype == dtype  # pandas' dtype when values are missing
    for x in (ds.values, ds.to_dask_array(), ds.to_frame().values):
        assert x.dtype == dtype
        chunks = [x.blocks[i].compute() for i in range(n)]  # with and without missing values
        assert {c.dtype for c in chunks} == {dtype}
        got = x.compute()
        assert got.dtype == dtype
        expected = s.to_numpy() if x.ndim == 1 else s.to_frame().to_numpy()
        assert pd.isna(got).tolist() == pd.isna(expected).tolist()
        assert got[~pd.isna(got)].tolist() == expected[~pd.isna(expected)].tolist()


@pytest.mark.parametrize("n", [1, 2])
def test_values_of_mixed_frames_match_pandas(n: int) -> None:
    pdf = pd.DataFrame({"a": pd.array([1, None, 3, 4], dtype="Int64"), "b": [1.5, 2, 3, 4]})
    x = dd.from_pandas(pdf, npartitions=n).values
    assert x.dtype == pdf.to_numpy().dtype
    got = x.compute()
    assert got.dtype == x.dtype and pd.isna(got).tolist() == pd.isna(pdf.to_numpy()).tolist()
    plain = pd.DataFrame({"a": [1, 2, 3], "b": [1.5, 2, 3]})
    lazy = dd.from_pandas(plain, npartitions=n).values
    assert lazy.dtype == plain.to_numpy().dtype
    np.testing.assert_array_equal(lazy.compute(), plain.to_numpy(), strict=True)


# -- 12. Series.reset_index(level=) ---------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 4])
@pytest.mark.parametrize(
    "kwargs",
    [
        {"level": "a"},
        {"level": 1},
        {"level": ["b"], "drop": True},
        {"level": "a", "name": "w"},
        {"level": ["b", "a"]},
        {"level": [0, 1], "drop": True},
    ],
)
def test_series_reset_index_level(n: int, kwargs: dict[str, Any]) -> None:
    pdf = _multi()
    s = dd.from_pandas(pdf, npartitions=n).v
    assert_eq(s.reset_index(**kwargs), pdf.v.reset_index(**kwargs))


@pytest.mark.parametrize("n", [1, 3])
def test_frame_reset_index_level(n: int) -> None:
    pdf = _multi()
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.reset_index(level="b"), pdf.reset_index(level="b"))
    assert_eq(df.reset_index(level=[0, 1]), pdf.reset_index(level=[0, 1]))
    assert_eq(df.reset_index(), pdf.reset_index())


def test_reset_index_bad_level_raises_as_pandas() -> None:
    pdf = _multi()
    s = dd.from_pandas(pdf, npartitions=2).v
    with pytest.raises(KeyError):
        pdf.v.reset_index(level="zz")
    with pytest.raises(KeyError, match="zz"):
        s.reset_index(level="zz")
    with pytest.raises(TypeError, match="level='a'"):
        s.reset_index("a")  # drop comes first, as in Dask
