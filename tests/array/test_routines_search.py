"""nonzero, flatnonzero, argwhere, searchsorted, digitize, unique, isin against NumPy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.testing import assert_eq
from tests.array.strategies import chunks_for
from tests.array.test_slicing import some_chunks

SCHEDULERS = ["sync", "threads", "processes"]


@st.composite
def int_arrays(draw: Any, max_dims: int = 3) -> tuple[np.ndarray, Any]:
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=1, max_size=max_dims)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    a = rng.integers(0, 4, size=shape)
    return a, draw(some_chunks(shape))


@settings(max_examples=40, deadline=None)
@given(data=int_arrays())
def test_nonzero_family_matches_numpy(data: Any) -> None:
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    assert_eq(da.flatnonzero(x), np.flatnonzero(a))
    assert_eq(da.argwhere(x), np.argwhere(a))
    got = da.nonzero(x)
    assert len(got) == a.ndim
    for g, want in zip(got, np.nonzero(a), strict=True):
        assert_eq(g, want)


def test_nonzero_chunks_are_unknown_and_computable() -> None:
    x = da.from_array(np.array([0, 1, 0, 2, 3]), chunks=2)
    y = da.flatnonzero(x)
    assert all(math.isnan(c) for c in y.chunks[0])
    assert y.compute_chunk_sizes().chunks == ((1, 1, 1),)
    assert da.argwhere(x).shape[1] == 1


def test_argwhere_of_0d() -> None:
    assert_eq(da.argwhere(da.from_array(np.array(3))), np.argwhere(np.array(3)))
    assert_eq(da.argwhere(da.from_array(np.array(0))), np.argwhere(np.array(0)))


def test_nonzero_of_0d_raises() -> None:
    with pytest.raises(ValueError, match="0d arrays"):
        da.nonzero(da.from_array(np.array(1)))


def test_flatnonzero_needs_known_chunks() -> None:
    x = da.arange(6, chunks=2)
    y = x[x > 2]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        da.flatnonzero(y)
    assert_eq(da.flatnonzero(y.compute_chunk_sizes() > 3), np.array([1, 2]))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_argwhere_schedulers(scheduler: str) -> None:
    a = np.arange(12).reshape(3, 4) % 3
    x = da.from_array(a, chunks=(2, 3))
    assert_eq(da.argwhere(x), np.argwhere(a), scheduler=scheduler)


@settings(max_examples=30, deadline=None)
@given(
    a=st.lists(st.integers(-5, 5), min_size=1, max_size=12).map(sorted),
    v=st.lists(st.integers(-7, 7), min_size=0, max_size=9),
    side=st.sampled_from(["left", "right"]),
    data=st.data(),
)
def test_searchsorted_matches_numpy(a: list[int], v: list[int], side: str, data: Any) -> None:
    sa, sv = np.array(a), np.array(v, dtype=int)
    xa = da.from_array(sa, chunks=data.draw(chunks_for(sa.shape)))
    xv = da.from_array(sv, chunks=data.draw(chunks_for(sv.shape)))
    got = da.searchsorted(xa, xv, side=side)
    assert got.chunks == xv.chunks
    assert_eq(got, np.searchsorted(sa, sv, side=side))


def test_searchsorted_sorter_and_2d_values() -> None:
    a = np.array([5, 1, 3])
    v = np.array([[0, 4], [6, 3]])
    got = da.searchsorted(da.from_array(a), da.from_array(v, chunks=1), sorter=np.argsort(a))
    assert_eq(got, np.searchsorted(a, v, sorter=np.argsort(a)))


def test_searchsorted_errors() -> None:
    with pytest.raises(ValueError, match="1-d"):
        da.searchsorted(da.ones((2, 2)), da.ones(2))
    with pytest.raises(ValueError, match="side"):
        da.searchsorted(da.ones(2), da.ones(2), side="up")
    with pytest.raises(ValueError, match=r"sorter\.size must equal a\.size"):
        da.searchsorted(da.arange(4, chunks=2), [1], sorter=[0, 1])  # raised before computing


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("bins", [[0.0, 1.0, 2.5, 4.0], [4.0, 2.5, 1.0, 0.0]])
def test_digitize(right: bool, bins: list[float]) -> None:
    a = np.array([[-1.0, 0.0, 1.0], [2.5, 3.0, 9.0]])
    x = da.from_array(a, chunks=(1, 2))
    assert_eq(da.digitize(x, bins, right=right), np.digitize(a, bins, right=right))


def test_digitize_errors() -> None:
    with pytest.raises(ValueError, match="monotonically"):
        da.digitize(da.ones(3), [1, 0, 2])
    with pytest.raises(TypeError, match="concrete bins"):
        da.digitize(da.ones(3), da.ones(2))


@settings(max_examples=40, deadline=None)
@given(data=int_arrays(), flags=st.tuples(st.booleans(), st.booleans(), st.booleans()))
def test_unique_matches_numpy(data: Any, flags: tuple[bool, bool, bool]) -> None:
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    got = da.unique(x, *flags, split_every=2)
    want = np.unique(a, *flags)
    if not any(flags):
        got, want = (got,), (want,)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert_eq(g, w)


def test_unique_nan_and_chunks() -> None:
    a = np.array([2.0, np.nan, 1.0, np.nan, 2.0])
    x = da.from_array(a, chunks=2)
    values, counts = da.unique(x, return_counts=True)
    assert math.isnan(values.shape[0])
    assert_eq(values, np.unique(a))
    assert_eq(counts, np.unique(a, return_counts=True)[1])
    assert_eq(da.unique(x, equal_nan=False), np.unique(a, equal_nan=False))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_unique_schedulers(scheduler: str) -> None:
    a = np.array([4, 1, 4, 2, 2, 9, 1])
    values, index, counts = da.unique(da.from_array(a, chunks=3), True, False, True)
    for got, want in zip((values, index, counts), np.unique(a, True, False, True), strict=True):
        assert_eq(got, want, scheduler=scheduler)
    nans = np.array([np.nan, 1.0, np.nan, 2.0, np.nan])
    inverse = da.unique(da.from_array(nans, chunks=2), return_inverse=True, equal_nan=False)[1]
    assert_eq(
        inverse, np.unique(nans, return_inverse=True, equal_nan=False)[1], scheduler=scheduler
    )


@settings(max_examples=30, deadline=None)
@given(data=int_arrays(), tests=st.lists(st.integers(0, 5), max_size=6), invert=st.booleans())
def test_isin_matches_numpy(data: Any, tests: list[int], invert: bool) -> None:
    a, chunks = data
    t = np.array(tests, dtype=int)
    got = da.isin(da.from_array(a, chunks=chunks), da.from_array(t, chunks=2), invert=invert)
    assert got.chunks == da.from_array(a, chunks=chunks).chunks
    assert_eq(got, np.isin(a, t, invert=invert))


@pytest.mark.parametrize("chunks", [1, 2, 4, 7])
def test_unique_inverse_gives_each_nan_its_own_slot(chunks: int) -> None:
    a = np.array([np.nan, 1.0, np.nan, 2.0, 1.0, np.nan, np.nan])
    c = np.array([complex(np.nan, 0), 1, complex(0, np.nan), 1j, complex(np.nan, 0), 1])
    for data in (a, c, a.reshape(-1, 1)):
        x = da.from_array(data, chunks=chunks)
        for equal_nan in (True, False):
            got = da.unique(x, True, True, True, equal_nan=equal_nan, split_every=2)
            want = np.unique(data, True, True, True, equal_nan=equal_nan)
            for g, w in zip(got, want, strict=True):
                assert_eq(g, w)
