"""roll, rot90 and diff against NumPy: any chunking, every scheduler, NumPy's errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.exceptions import AxisError

import tessera.array as da
from tessera.array.testing import assert_eq
from tests.array.strategies import arrays_and_chunks

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(case=arrays_and_chunks(), data=st.data())
def test_roll_any_chunking(case: Any, data: Any) -> None:
    x, chunks = case
    axes = data.draw(st.sampled_from([None, 0, -1, (0, -1), (0, 0), [-1, 0, -1]]))
    count = 1 if axes is None or isinstance(axes, int) else len(axes)
    shift = data.draw(st.lists(st.integers(-20, 20), min_size=count, max_size=count))
    shift_arg = shift[0] if count == 1 and data.draw(st.booleans()) else shift
    if axes is not None and isinstance(axes, int) and not isinstance(shift_arg, int):
        shift_arg = shift[0]
    lazy = da.roll(da.from_array(x, chunks=chunks), shift_arg, axis=axes)
    assert_eq(lazy, np.roll(x, shift_arg, axis=axes))


@SETTINGS
@given(case=arrays_and_chunks(), data=st.data())
def test_rot90_any_chunking(case: Any, data: Any) -> None:
    x, chunks = case
    if x.ndim < 2:
        x, chunks = x[:, None], (*chunks, (1,))
    k = data.draw(st.integers(-5, 5))
    axes = data.draw(st.sampled_from([(0, 1), (1, 0), (-1, 0), (0, -1)]))
    assert_eq(da.rot90(da.from_array(x, chunks=chunks), k, axes), np.rot90(x, k, axes))


@SETTINGS
@given(case=arrays_and_chunks(), data=st.data())
def test_diff_any_chunking(case: Any, data: Any) -> None:
    x, chunks = case
    n = data.draw(st.integers(0, 4))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    kwargs = data.draw(st.sampled_from([{}, {"prepend": 0.5}, {"append": -1}]))
    lazy = da.diff(da.from_array(x, chunks=chunks), n=n, axis=axis, **kwargs)
    assert_eq(lazy, np.diff(x, n=n, axis=axis, **kwargs))


def test_roll_flat_and_empty() -> None:
    x = np.arange(24).reshape(4, 6)
    lazy = da.from_array(x, chunks=(3, 4))
    assert_eq(da.roll(lazy, 5), np.roll(x, 5))
    assert_eq(da.roll(lazy, (1, 2)), np.roll(x, (1, 2)))
    assert_eq(da.roll(lazy, -7, axis=1), np.roll(x, -7, axis=1))
    empty = np.ones((0, 3))
    assert_eq(da.roll(da.from_array(empty), 2, axis=0), np.roll(empty, 2, axis=0))
    assert da.roll(lazy, 6, axis=1) is lazy  # a whole turn changes nothing


def test_diff_with_arrays_and_bools() -> None:
    x = np.array([[1, 4, 9], [16, 25, 36]])
    lazy = da.from_array(x, chunks=1)
    col = np.array([[0], [1]])
    assert_eq(
        da.diff(lazy, prepend=col, append=da.from_array(col)), np.diff(x, prepend=col, append=col)
    )
    assert_eq(da.diff(lazy, axis=0), np.diff(x, axis=0))
    b = np.array([True, False, False, True])
    assert_eq(da.diff(da.from_array(b, chunks=3)), np.diff(b))
    assert_eq(da.diff(lazy, n=5), np.diff(x, n=5))  # longer than the axis: empty
    assert da.diff(lazy, n=0) is lazy


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: da.roll(x, 1, axis=2), AxisError, "axis 2 is out of bounds"),
        (lambda x: da.roll(x, (1, 2), axis=(0, 1, 1)), ValueError, "shape mismatch"),
        (lambda x: da.roll(x, [[1]], axis=[[0]]), ValueError, "1D sequences"),
        (lambda x: da.roll(x, 1.5, axis=0), TypeError, "integer"),
        (lambda x: da.rot90(x, axes=(0,)), ValueError, "len\\(axes\\) must be 2"),
        (lambda x: da.rot90(x, axes=(1, -1)), ValueError, "Axes must be different"),
        (lambda x: da.rot90(x, axes=(0, 3)), ValueError, "out of range for array of ndim=2"),
        (lambda x: da.diff(x, n=-1), ValueError, "order must be non-negative"),
        (lambda x: da.diff(x[0, 0]), ValueError, "at least one dimensional"),
        (lambda x: da.diff(x, axis=3), AxisError, "axis 3 is out of bounds"),
    ],
)
def test_errors(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call(da.ones((2, 3), chunks=1))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(scheduler: str) -> None:
    x = np.arange(30.0).reshape(5, 6)
    lazy = da.from_array(x, chunks=(2, 4))
    assert_eq(
        da.roll(lazy, (2, -1), axis=(0, 1)), np.roll(x, (2, -1), axis=(0, 1)), scheduler=scheduler
    )
    assert_eq(da.rot90(lazy, 3), np.rot90(x, 3), scheduler=scheduler)
    assert_eq(da.diff(lazy, 2, axis=0), np.diff(x, 2, axis=0), scheduler=scheduler)
