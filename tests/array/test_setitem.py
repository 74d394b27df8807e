"""Item assignment (``x[index] = value``) and ``Array.copy`` against NumPy's assignment."""

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


def numpy_set(x: np.ndarray, index: tuple[Any, ...], value: Any) -> np.ndarray:
    """NumPy's ``x[index] = value`` on a copy (at most one integer array in ``index``)."""
    y = x.copy()
    positions, shape = [], []
    for e, n in zip(index, x.shape, strict=True):
        pos = np.arange(n)[e]
        positions.append(np.atleast_1d(pos))
        shape.append(1 if isinstance(e, int) else len(pos))
    y[np.ix_(*positions)] = np.broadcast_to(value, _selection_shape(x.shape, index)).reshape(shape)
    return y


@st.composite
def index_for(draw: Any, shape: tuple[int, ...]) -> tuple[Any, ...]:
    """An index of ints, slices and at most one 1-d int array for ``shape``."""
    out: list[Any] = []
    for n in shape:
        one_array = any(isinstance(e, np.ndarray) for e in out)  # NumPy pairs several
        kind = draw(st.sampled_from(["int", "slice"] if one_array else ["int", "slice", "array"]))
        if kind == "int":
            out.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            step = draw(st.none() | st.sampled_from([1, 2, 3, -1, -2]))
            out.append(slice(start, stop, step))
        else:
            out.append(np.array(draw(st.lists(st.integers(-n, n - 1), max_size=5)), dtype=int))
    return tuple(out)


@given(arrays_and_chunks(max_dims=3, max_side=6), st.data())
@settings(max_examples=80, deadline=None)
def test_setitem_matches_numpy(xc: Any, data: Any) -> None:
    x, chunks = xc
    index = data.draw(index_for(x.shape))
    kind = data.draw(st.sampled_from(["scalar", "numpy", "lazy"]))
    d = da.from_array(x, chunks=chunks)
    sel_shape = _selection_shape(x.shape, index)
    if kind == "scalar":
        value: Any = -1.5
    else:
        value = np.arange(float(np.prod(sel_shape))).reshape(sel_shape) + 100
        if kind == "lazy":
            value = da.from_array(value, chunks=2)
    ref = numpy_set(x, index, np.asarray(value))
    d[index] = value
    assert_eq(d, ref)


def _selection_shape(shape: tuple[int, ...], index: tuple[Any, ...]) -> tuple[int, ...]:
    out = []
    for e, n in zip(index, shape, strict=True):
        if isinstance(e, slice):
            out.append(len(range(*e.indices(n))))
        elif isinstance(e, np.ndarray):
            out.append(len(e))
    return tuple(out)


@pytest.mark.parametrize("chunks", [3, 4, 10])
def test_mask_assignment(chunks: int) -> None:
    x = np.arange(10)
    d = da.from_array(x, chunks=chunks)
    name = d.name
    d[d > 5] = 0
    assert d.name != name
    assert_eq(d, np.where(x > 5, 0, x))
    d[d < 2] = 7.9  # cast to int as NumPy does
    assert d.dtype == x.dtype
    assert_eq(d, np.array([7, 7, 2, 3, 4, 5, 7, 7, 7, 7]))


def test_mask_2d_leading_axes_and_numpy_masks() -> None:
    x = np.arange(12.0).reshape(3, 4)
    d = da.from_array(x, chunks=2)
    d[d[:, 0] > 3] = -1  # a 1-d lazy mask over rows
    ref = x.copy()
    ref[x[:, 0] > 3] = -1
    assert_eq(d, ref)
    d[ref > 5] = 0  # a 2-d NumPy mask
    ref[ref > 5] = 0
    assert_eq(d, ref)
    d[np.array([True, False, True])] = 2  # a 1-d NumPy mask: positions
    ref[np.array([True, False, True])] = 2
    assert_eq(d, ref)
    d[d > 1] = da.from_array(np.array(5.0))  # a lazy 0-d value
    ref[ref > 1] = 5
    assert_eq(d, ref)


def test_int_and_slice_assignment() -> None:
    x = np.arange(20).reshape(4, 5)
    d = da.from_array(x, chunks=(3, 2))
    d[0] = 5
    d[1:3] = np.array([1, 2, 3, 4, 5])
    d[:, -1] = da.arange(4, chunks=3) * 10
    d[[3, 0, 3], 1:4] = [[-1, -2, -3]] * 3
    ref = x.copy()
    ref[0] = 5
    ref[1:3] = [1, 2, 3, 4, 5]
    ref[:, -1] = np.arange(4) * 10
    ref[[3, 0, 3], 1:4] = [[-1, -2, -3]] * 3
    assert_eq(d, ref)
    d[..., ::-2] = np.array([7, 8, 9])
    ref[..., ::-2] = [7, 8, 9]
    assert_eq(d, ref)
    d[2:2] = 1  # empty selection: nothing changes
    assert_eq(d, ref)


def test_earlier_results_keep_old_values_and_copy() -> None:
    d = da.arange(6, chunks=4)
    before = d + 1
    c = d.copy()
    d[:3] = 0
    assert_eq(before, np.arange(6) + 1)
    assert_eq(c, np.arange(6))
    assert_eq(d, np.array([0, 0, 0, 3, 4, 5]))
    assert c is not d and c.name != d.name


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_setitem_schedulers(scheduler: str) -> None:
    x = np.arange(12.0).reshape(3, 4)
    d = da.from_array(x, chunks=2)
    d[d > 6] = np.nan
    d[0, [1, 3]] = da.from_array(np.array([-1.0, -2.0]), chunks=1)
    ref = x.copy()
    ref[ref > 6] = np.nan
    ref[0, [1, 3]] = [-1, -2]
    assert_eq(d, ref, scheduler=scheduler)


def test_setitem_errors() -> None:
    d = da.arange(10, chunks=3)
    with pytest.raises(ValueError, match="scalar value"):
        d[d > 5] = np.arange(10)
    with pytest.raises(IndexError, match="out of bounds"):
        d[10] = 1
    with pytest.raises(IndexError, match="out of bounds"):
        d[[1, 12]] = 1
    with pytest.raises(ValueError):
        d[1:3] = np.arange(3)
    with pytest.raises(IndexError, match="did not match"):
        d[da.ones(4, dtype=bool, chunks=2)] = 1
    with pytest.raises(NotImplementedError, match="None"):
        d[None] = 1
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        u = d[d > 3]
        u[0] = 1
    assert_eq(d, np.arange(10))  # failed assignments leave the array as it was


def test_broadcast_values_are_not_materialized_in_the_graph() -> None:
    import pickle

    d = da.zeros((10**5, 4), chunks=(10**4, 4))
    d[:, 1] = 1
    d[::3] = np.arange(4.0)  # broadcast over 33334 rows
    d[::-1, 2:] = np.array([[[5.0, 6.0]]])  # extra leading length-1 axes
    assert len(pickle.dumps(d.__tessera_graph__())) < 50_000
    ref = np.zeros((10**5, 4))
    ref[:, 1] = 1
    ref[::3] = np.arange(4.0)
    ref[::-1, 2:] = np.array([[[5.0, 6.0]]])
    assert_eq(d, ref)
