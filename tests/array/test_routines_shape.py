"""pad, repeat, tile, meshgrid, indices, gradient, apply_along_axis against NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.testing import assert_eq
from tests.array.strategies import arrays_and_chunks

SCHEDULERS = ["sync", "threads", "processes"]
MODES = ["constant", "edge", "reflect", "symmetric", "wrap"]


@settings(max_examples=40, deadline=None)
@given(
    data=arrays_and_chunks(max_dims=3, max_side=4, dtype="i8"),
    mode=st.sampled_from(MODES),
    widths=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=3, max_size=3),
)
def test_pad_matches_numpy(data: Any, mode: str, widths: list[tuple[int, int]]) -> None:
    a, chunks = data
    pad_width = widths[: a.ndim]
    x = da.from_array(a, chunks=chunks)
    assert_eq(da.pad(x, pad_width, mode=mode), np.pad(a, pad_width, mode=mode))


@pytest.mark.parametrize("pad_width", [2, (1, 3), ((0, 2), (3, 1))])
def test_pad_constant_values(pad_width: Any) -> None:
    a = np.arange(6).reshape(2, 3)
    x = da.from_array(a, chunks=1)
    for values in (5, (1, 2), ((1, 2), (3, 4)), 2.7):
        want = np.pad(a, pad_width, constant_values=values)
        assert_eq(da.pad(x, pad_width, constant_values=values), want)
    assert_eq(da.pad(x, pad_width, mode="empty").shape, np.pad(a, pad_width, mode="empty").shape)


@pytest.mark.parametrize("mode", ["maximum", "minimum", "mean", "median"])
@pytest.mark.parametrize("stat_length", [None, 1, 3, (1, 2), ((2, 1), (3, 9))])
def test_pad_statistics(mode: str, stat_length: Any) -> None:
    rng = np.random.default_rng(0)
    for dtype in (np.int64, np.float64):
        a = (rng.standard_normal((4, 5)) * 10).astype(dtype)
        x = da.from_array(a, chunks=(3, 2))
        for pad_width in (2, ((1, 3), (0, 2))):
            want = np.pad(a, pad_width, mode=mode, stat_length=stat_length)
            assert_eq(da.pad(x, pad_width, mode=mode, stat_length=stat_length), want)


def test_pad_errors() -> None:
    x = da.ones((2, 2), chunks=1)
    with pytest.raises(ValueError, match="negative"):
        da.pad(x, -1)
    with pytest.raises(TypeError, match="integral"):
        da.pad(x, 1.5)
    with pytest.raises(NotImplementedError, match="linear_ramp"):
        da.pad(x, 1, mode="linear_ramp")
    with pytest.raises(ValueError, match="stat_length of 0"):
        da.pad(x, 1, mode="mean", stat_length=0)
    with pytest.raises(ValueError, match="unsupported keyword"):
        da.pad(x, 1, mode="edge", constant_values=3)
    with pytest.raises(NotImplementedError, match="odd"):
        da.pad(x, 1, mode="reflect", reflect_type="odd")
    with pytest.raises(ValueError, match="empty axis"):
        da.pad(da.ones((0, 2)), 1, mode="wrap")


@pytest.mark.parametrize("chunks", [1, 2, (3, 1)])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_repeat(chunks: Any, axis: Any) -> None:
    a = np.arange(12).reshape(3, 4)
    x = da.from_array(a, chunks=chunks)
    for reps in (0, 1, 3, [2]):
        assert_eq(da.repeat(x, reps, axis=axis), np.repeat(a, reps, axis=axis))
    if axis is not None:
        counts = np.arange(a.shape[axis]) % 3
        assert_eq(da.repeat(x, counts, axis=axis), np.repeat(a, counts, axis=axis))


def test_repeat_errors() -> None:
    x = da.ones((2, 3), chunks=1)
    with pytest.raises(ValueError, match="negative"):
        da.repeat(x, -2)
    with pytest.raises(ValueError, match="broadcast"):
        da.repeat(x, [1, 2], axis=1)


@pytest.mark.parametrize("reps", [0, 2, (2, 1), (1, 0, 3), (2, 2, 1, 1)])
def test_tile(reps: Any) -> None:
    a = np.arange(6).reshape(2, 3)
    assert_eq(da.tile(da.from_array(a, chunks=(1, 2)), reps), np.tile(a, reps))
    with pytest.raises(ValueError, match="negative"):
        da.tile(da.from_array(a), -1)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sparse", [False, True])
def test_meshgrid(indexing: str, sparse: bool) -> None:
    xs = [np.arange(3), np.linspace(0, 1, 4), np.array([[5, 6]])]
    arrays = [da.from_array(v, chunks=2) for v in xs]
    for k in (1, 2, 3):
        got = da.meshgrid(*arrays[:k], indexing=indexing, sparse=sparse)
        want = np.meshgrid(*xs[:k], indexing=indexing, sparse=sparse)
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_eq(g, w)
    with pytest.raises(ValueError, match="indexing"):
        da.meshgrid(*arrays, indexing="xx")


@pytest.mark.parametrize("dims", [(), (3,), (2, 4), (2, 1, 3)])
def test_indices(dims: tuple[int, ...]) -> None:
    assert_eq(da.indices(dims, chunks=2), np.indices(dims))
    assert_eq(da.indices(dims, dtype=float), np.indices(dims, dtype=float))
    for g, w in zip(da.indices(dims, sparse=True), np.indices(dims, sparse=True), strict=True):
        assert_eq(g, w)


@settings(max_examples=30, deadline=None)
@given(data=arrays_and_chunks(max_dims=3, max_side=6), edge_order=st.sampled_from([1, 2]))
def test_gradient_matches_numpy(data: Any, edge_order: int) -> None:
    a, chunks = data
    if min(a.shape) < edge_order + 1:
        a = np.pad(a, edge_order, mode="reflect" if min(a.shape) > 1 else "edge")
        chunks = 2
    x = da.from_array(a, chunks=chunks)
    got = da.gradient(x, edge_order=edge_order)
    want = np.gradient(a, edge_order=edge_order)
    if a.ndim == 1:
        got, want = [got], [want]
    for g, w in zip(got, want, strict=True):
        assert g.chunks == x.chunks
        assert_eq(g, w)


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_spacing_and_axes(edge_order: int) -> None:
    a = np.random.default_rng(0).standard_normal((5, 6))
    x = da.from_array(a, chunks=(2, 4))
    coords = np.cumsum(np.arange(1, 7) ** 1.5)
    for args, axis in [((2.0,), None), ((0.5, coords), None), ((coords,), 1), ((3,), (0,))]:
        got = da.gradient(x, *args, axis=axis, edge_order=edge_order)
        want = np.gradient(a, *args, axis=axis, edge_order=edge_order)
        for g, w in zip(
            got if isinstance(got, tuple) else [got],
            want if isinstance(want, tuple) else [want],
            strict=True,
        ):
            assert_eq(g, w)
    ints = np.arange(8) ** 2
    assert_eq(
        da.gradient(da.from_array(ints, chunks=3), np.arange(8)), np.gradient(ints, np.arange(8))
    )


def test_gradient_errors() -> None:
    x = da.ones((2, 5), chunks=1)
    with pytest.raises(ValueError, match="too small"):
        da.gradient(x, edge_order=2)
    with pytest.raises(ValueError, match="edge_order"):
        da.gradient(x, edge_order=3)
    with pytest.raises(TypeError, match="number of arguments"):
        da.gradient(x, 1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match="match the length"):
        da.gradient(x, np.arange(3), axis=1)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_apply_along_axis(axis: int) -> None:
    a = np.random.default_rng(1).standard_normal((4, 5, 3))
    x = da.from_array(a, chunks=2)
    for func in (np.sum, np.cumsum, lambda v: np.outer(v, v), lambda v: v[:2] * 2):
        assert_eq(da.apply_along_axis(func, axis, x), np.apply_along_axis(func, axis, a))
    got = da.apply_along_axis(np.sort, axis, x, shape=(a.shape[axis],), dtype=np.float64)
    assert_eq(got, np.apply_along_axis(np.sort, axis, a))
    assert_eq(
        da.apply_along_axis(np.quantile, axis, x, 0.5),
        np.apply_along_axis(np.quantile, axis, a, 0.5),
    )


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_shape_routines_schedulers(scheduler: str) -> None:
    a = np.arange(12.0).reshape(3, 4) ** 2
    x = da.from_array(a, chunks=2)
    assert_eq(da.pad(x, 2, mode="reflect"), np.pad(a, 2, mode="reflect"), scheduler=scheduler)
    assert_eq(da.gradient(x)[1], np.gradient(a)[1], scheduler=scheduler)
    assert_eq(da.repeat(x, 2, axis=0), np.repeat(a, 2, axis=0), scheduler=scheduler)
    assert_eq(
        da.apply_along_axis(np.diff, 1, x), np.apply_along_axis(np.diff, 1, a), scheduler=scheduler
    )


def test_pad_constant_follows_numpy_assignment() -> None:
    ints = da.arange(4, chunks=2)
    with pytest.raises(ValueError, match="NaN"):
        da.pad(ints, 1, constant_values=np.nan)
    for value in (2.7, 300, -1):
        a = np.arange(4, dtype=np.uint8)
        want = np.pad(a, 1, constant_values=value)
        assert_eq(da.pad(da.from_array(a, chunks=3), 1, constant_values=value), want)


@pytest.mark.parametrize("mode", ["median", "mean", "maximum"])
def test_pad_statistics_of_bool_and_complex(mode: str) -> None:
    for a in (np.array([True, False, True, True]), np.array([1 + 1j, 2, 3j, -1])):
        x = da.from_array(a, chunks=3)
        for stat_length in (None, 2):
            want = np.pad(a, (2, 1), mode=mode, stat_length=stat_length)
            assert_eq(da.pad(x, (2, 1), mode=mode, stat_length=stat_length), want)


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("spacing", [(), (2.0,), ([0.0, 1, 3, 4, 7],)])
def test_gradient_of_dates_and_timedeltas(edge_order: int, spacing: Any) -> None:
    dates = np.array(["2020-01-01", "2020-01-03", "2020-01-04", "2020-01-10", "2020-01-11"])
    dates = dates.astype("M8[D]")
    for a in (dates, dates - dates[0]):
        got = da.gradient(da.from_array(a, chunks=2), *spacing, edge_order=edge_order)
        assert_eq(got, np.gradient(a, *spacing, edge_order=edge_order))


def test_gradient_of_bool_raises() -> None:
    with pytest.raises(TypeError, match="boolean"):
        np.gradient(np.array([True, False]))
    with pytest.raises(TypeError, match="boolean"):
        da.gradient(da.from_array(np.array([True, False, True]), chunks=2))
