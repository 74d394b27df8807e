"""diag, diagonal, tril and triu against NumPy: any chunking, every scheduler, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.exceptions import AxisError

import tessera.array as da
from tessera.array.testing import assert_eq
from tests.array.strategies import arrays_and_chunks, chunks_for

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _matrix(data: Any, min_dims: int = 2) -> tuple[np.ndarray, Any]:
    shape = tuple(data.draw(st.lists(st.integers(1, 7), min_size=min_dims, max_size=3)))
    x = np.random.default_rng(data.draw(st.integers(0, 99))).integers(-9, 9, size=shape)
    return x, data.draw(chunks_for(shape))


@SETTINGS
@given(data=st.data())
def test_diagonal_any_chunking(data: Any) -> None:
    x, chunks = _matrix(data)
    offset = data.draw(st.integers(-8, 8))
    axis1, axis2 = data.draw(
        st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=2, max_size=2).filter(
            lambda a: a[0] % x.ndim != a[1] % x.ndim
        )
    )
    lazy = da.diagonal(da.from_array(x, chunks=chunks), offset, axis1, axis2)
    assert_eq(lazy, np.diagonal(x, offset, axis1, axis2))


@SETTINGS
@given(data=st.data(), kind=st.sampled_from(["tril", "triu"]))
def test_triangles_any_chunking(data: Any, kind: str) -> None:
    x, chunks = _matrix(data, min_dims=1)
    k = data.draw(st.integers(-8, 8))
    lazy = getattr(da, kind)(da.from_array(x, chunks=chunks), k)
    assert_eq(lazy, getattr(np, kind)(x, k))


@SETTINGS
@given(case=arrays_and_chunks(max_dims=2, dtype="i8"), k=st.integers(-5, 5))
def test_diag_any_chunking(case: Any, k: int) -> None:
    x, chunks = case
    assert_eq(da.diag(da.from_array(x, chunks=chunks), k), np.diag(x, k))


def test_triangle_blocks_are_passed_zeroed_or_masked() -> None:
    x = np.arange(36).reshape(6, 6)
    lazy = da.tril(da.from_array(x, chunks=2))
    layer = lazy.layers[lazy.name]
    kinds = {task[0].__name__ if callable(task[0]) else "alias" for task in layer.values()}
    assert kinds == {"alias", "zeros", "tril"}
    assert_eq(lazy, np.tril(x))


def test_diag_of_a_vector_reads_only_its_blocks() -> None:
    v = da.arange(5, chunks=2)
    out = da.diag(v, -2)
    assert out.chunks == ((2, 2, 2, 1), (2, 2, 1, 2))
    assert_eq(out, np.diag(np.arange(5), -2))
    assert_eq(da.diag(da.from_array(np.arange(6), chunks=((0, 3, 0, 3),))), np.diag(np.arange(6)))
    assert_eq(da.diag(da.from_array(np.ones(0)), 2), np.diag(np.ones(0), 2))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: da.diag(x[None]), ValueError, "Input must be 1- or 2-d."),
        (lambda x: da.diagonal(x[0]), ValueError, "at least two dimensions"),
        (lambda x: da.diagonal(x, axis1=1, axis2=-1), ValueError, "cannot be the same"),
        (lambda x: da.diagonal(x, axis1=3), AxisError, "axis1: axis 3 is out of bounds"),
        (lambda x: da.diagonal(x, axis2=-3), AxisError, "axis2: axis -3 is out of bounds"),
        (lambda x: da.tril(x[0, 0]), TypeError, "at least one dimension"),
        (lambda x: da.triu(x[x > 0]), ValueError, "unknown"),
    ],
)
def test_errors(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call(da.ones((3, 3), chunks=2))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(scheduler: str) -> None:
    x = np.arange(20.0).reshape(4, 5)
    lazy = da.from_array(x, chunks=(3, 2))
    assert_eq(da.diagonal(lazy, 1), np.diagonal(x, 1), scheduler=scheduler)
    assert_eq(da.triu(lazy, -1), np.triu(x, -1), scheduler=scheduler)
    assert_eq(da.diag(da.diag(lazy)), np.diag(np.diag(x)), scheduler=scheduler)
