"""Shape routines: transpose, reshape, squeeze, expand_dims, concatenate, stack..."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.testing import assert_eq
from tests.array.test_slicing import some_chunks

SCHEDULERS = ["sync", "threads", "processes"]


@st.composite
def shapes_with_size(draw: Any, size: int) -> tuple[int, ...]:
    """A random shape whose product is ``size`` (with some axes of length one)."""
    dims: list[int] = []
    while size > 1:
        d = draw(st.sampled_from([d for d in range(2, size + 1) if size % d == 0]))
        dims.append(d)
        size //= d
    dims = draw(st.permutations(dims)) if dims else []
    for _ in range(draw(st.integers(0, 2))):
        dims.insert(draw(st.integers(0, len(dims))), 1)
    return tuple(dims)


@settings(max_examples=50, deadline=None)
@given(data=st.data(), size=st.sampled_from([1, 6, 12, 16, 24, 30, 36, 48, 60, 64]))
def test_reshape_matches_numpy(data: Any, size: int) -> None:
    old = data.draw(shapes_with_size(size), label="old")
    new = data.draw(shapes_with_size(size), label="new")
    a = np.arange(size).reshape(old)
    x = da.from_array(a, chunks=data.draw(some_chunks(old), label="chunks"))
    assert_eq(x.reshape(new), a.reshape(new))
    assert_eq(da.ravel(x), a.ravel())


def test_reshape_forms_and_minus_one() -> None:
    a = np.arange(24).reshape(4, 6)
    x = da.from_array(a, chunks=(3, 4))
    assert_eq(x.reshape(2, 12), a.reshape(2, 12))
    assert_eq(x.reshape((3, -1)), a.reshape(3, -1))
    assert_eq(da.reshape(x, -1), a.reshape(-1))
    assert_eq(da.reshape(x, (2, 3, 4)), a.reshape(2, 3, 4))
    assert_eq(x.flatten(), a.flatten())
    assert_eq(x.ravel(), a.ravel())
    assert x.reshape(4, 6) is x
    assert_eq(da.from_array(np.array(3)).reshape(1, 1), np.array(3).reshape(1, 1))
    assert_eq(da.ones((1, 1)).reshape(()), np.ones(()))
    assert_eq(da.ones((0, 3)).reshape(3, 0, 2), np.ones((3, 0, 2)))


def test_reshape_keeps_blocks_small() -> None:
    # merging: the first axis is split so blocks keep about their size
    x = da.ones((100, 100), chunks=(10, 10))
    y = x.reshape(10_000)
    assert max(y.chunks[0]) <= 200
    assert_eq(y, np.ones(10_000))
    # splitting one long axis into few rows keeps blocks of the old size
    z = da.arange(10_000, chunks=100).reshape(2, -1)
    assert z.chunks == ((1, 1), (100,) * 50)
    assert_eq(z, np.arange(10_000).reshape(2, -1))
    w = da.ones((10, 10_000), chunks=(10, 100)).ravel()
    assert set(w.chunks[0]) == {1000}
    # irregular groups (4, 6) -> (3, 8) still work, through a whole-group block
    a = np.arange(48).reshape(2, 4, 6)
    assert_eq(da.from_array(a, chunks=1).reshape(2, 3, 8), a.reshape(2, 3, 8))


def test_reshape_errors() -> None:
    x = da.ones((4, 6), chunks=2)
    with pytest.raises(ValueError, match=r"cannot reshape array of size 24 into shape \(5, 5\)"):
        x.reshape(5, 5)
    with pytest.raises(ValueError, match="can only specify one unknown dimension"):
        x.reshape(-1, -1)
    with pytest.raises(ValueError, match=r"into shape \(7, newaxis\)"):
        x.reshape(7, -1)
    with pytest.raises(ValueError, match="negative dimensions"):
        x.reshape(-2, -12)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_transpose_matches_numpy(data: Any) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=4), label="shape"))
    a = np.arange(math.prod(shape)).reshape(shape)
    x = da.from_array(a, chunks=data.draw(some_chunks(shape)))
    perm = data.draw(st.permutations(range(len(shape))), label="perm")
    assert_eq(da.transpose(x, perm), np.transpose(a, perm))
    assert_eq(x.transpose(*perm), a.transpose(*perm))
    assert_eq(x.transpose(perm), a.transpose(perm))
    assert_eq(x.T, a.T)
    assert_eq(x.transpose(), a.transpose())
    src, dst = data.draw(st.integers(0, len(shape) - 1)), data.draw(st.integers(-len(shape), -1))
    assert_eq(da.moveaxis(x, src, dst), np.moveaxis(a, src, dst))
    assert_eq(da.swapaxes(x, src, dst), np.swapaxes(a, src, dst))
    assert_eq(x.swapaxes(src, dst), a.swapaxes(src, dst))


def test_transpose_moves_blocks_and_errors() -> None:
    a = np.arange(24).reshape(2, 3, 4)
    x = da.from_array(a, chunks=(1, 2, 3))
    assert x.T.chunks == ((3, 1), (2, 1), (1, 1))
    assert_eq(da.moveaxis(x, [0, 1], [-1, 0]), np.moveaxis(a, [0, 1], [-1, 0]))
    with pytest.raises(ValueError, match=r"axes .* don't match array"):
        da.transpose(x, (0, 1))
    with pytest.raises(ValueError, match="repeated axis"):
        da.transpose(x, (0, 1, 1))
    with pytest.raises(np.exceptions.AxisError, match="axis 3 is out of bounds for array of dim"):
        da.transpose(x, (0, 1, 3))
    with pytest.raises(ValueError, match="same number of elements"):
        da.moveaxis(x, [0, 1], [0])
    with pytest.raises(np.exceptions.AxisError):
        da.swapaxes(x, 0, 5)


def test_squeeze_and_expand_dims() -> None:
    a = np.arange(6).reshape(1, 3, 1, 2)
    x = da.from_array(a, chunks=(1, 2, 1, 1))
    assert_eq(da.squeeze(x), np.squeeze(a))
    assert_eq(x.squeeze(axis=(0, -2)), a.squeeze(axis=(0, -2)))
    assert_eq(da.squeeze(x, 2), np.squeeze(a, 2))
    with pytest.raises(ValueError, match="cannot select an axis to squeeze out"):
        da.squeeze(x, 1)
    for axis in [0, -1, 2, (0, 1), (-1, 0, 3)]:
        assert_eq(da.expand_dims(x, axis), np.expand_dims(a, axis))
    with pytest.raises(np.exceptions.AxisError):
        da.expand_dims(x, 5)
    with pytest.raises(ValueError, match="repeated axis"):
        da.expand_dims(x, (0, 0))


def test_atleast_flip_and_broadcast_to() -> None:
    a = np.arange(6).reshape(2, 3)
    x = da.from_array(a, chunks=2)
    s = da.from_array(np.array(7))
    for f, g in [(da.atleast_1d, np.atleast_1d), (da.atleast_2d, np.atleast_2d)]:
        assert_eq(f(s), g(np.array(7)))
        assert_eq(f(x[0]), g(a[0]))
        assert_eq(f(x), g(a))
    assert_eq(da.atleast_3d(x[0]), np.atleast_3d(a[0]))
    assert_eq(da.atleast_3d(x), np.atleast_3d(a))
    assert_eq(da.atleast_3d(s), np.atleast_3d(np.array(7)))
    assert len(da.atleast_1d(x, s)) == 2
    for axis in [None, 0, 1, (0, 1), -1]:
        assert_eq(da.flip(x, axis), np.flip(a, axis))
    assert_eq(da.flipud(x), np.flipud(a))
    assert_eq(da.fliplr(x), np.fliplr(a))
    with pytest.raises(ValueError, match="Input must be >= 2-d"):
        da.fliplr(x[0])
    for shape in [(2, 3), (4, 2, 3), (0, 2, 3)]:
        assert_eq(da.broadcast_to(x, shape), np.broadcast_to(a, shape))
    col = x[:, :1]
    assert_eq(da.broadcast_to(col, (5, 2, 4)), np.broadcast_to(a[:, :1], (5, 2, 4)))
    y = da.broadcast_to(col, (5, 2, 4), chunks=(2, 1, 3))
    assert y.chunks == ((2, 2, 1), (1, 1), (3, 1))
    assert_eq(y, np.broadcast_to(a[:, :1], (5, 2, 4)))
    with pytest.raises(ValueError, match=r"cannot broadcast an array of shape \(2, 3\) to shape"):
        da.broadcast_to(x, (2, 4))
    with pytest.raises(ValueError, match="cannot broadcast"):
        da.broadcast_to(x, (3,))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_concatenate_and_stack_match_numpy(data: Any) -> None:
    ndim = data.draw(st.integers(1, 3), label="ndim")
    axis = data.draw(st.integers(-ndim, ndim - 1), label="axis")
    base = list(data.draw(st.lists(st.integers(1, 5), min_size=ndim, max_size=ndim)))
    parts, arrays = [], []
    for k in range(data.draw(st.integers(1, 4), label="count")):
        shape = list(base)
        shape[axis] = data.draw(st.integers(0, 4))
        dtype = data.draw(st.sampled_from(["i8", "f8", "i4"]))
        a = (np.arange(math.prod(shape)) + 100 * k).reshape(shape).astype(dtype)
        parts.append(a)
        arrays.append(da.from_array(a, chunks=data.draw(some_chunks(tuple(shape)))))
    assert_eq(da.concatenate(arrays, axis=axis), np.concatenate(parts, axis=axis))
    same = [da.from_array(parts[0], chunks=data.draw(some_chunks(parts[0].shape))) for _ in parts]
    assert_eq(da.stack(same, axis=axis), np.stack([parts[0]] * len(parts), axis=axis))


def test_concatenate_details_and_errors() -> None:
    a, b = np.arange(6).reshape(2, 3), np.arange(9.0).reshape(3, 3)
    x, y = da.from_array(a, chunks=(1, 2)), da.from_array(b, chunks=(2, 1))
    z = da.concatenate([x, y])
    assert z.dtype == np.float64 and z.chunks == ((1, 1, 2, 1), (1, 1, 1))
    assert_eq(z, np.concatenate([a, b]))
    assert_eq(da.concatenate([x, b]), np.concatenate([a, b]))
    assert_eq(da.concatenate([x]), a)
    with pytest.raises(ValueError, match="need at least one array"):
        da.concatenate([])
    with pytest.raises(ValueError, match="zero-dimensional arrays cannot be concatenated"):
        da.concatenate([x[0, 0], x[0, 1]])
    with pytest.raises(ValueError, match="along dimension 1, the array at index 0 has size 3"):
        da.concatenate([x, y[:, :2]])
    with pytest.raises(ValueError, match=r"index 0 has 2 dimension.* index 1 has 1 dimension"):
        da.concatenate([x, y[0]])
    with pytest.raises(np.exceptions.AxisError):
        da.concatenate([x, x], axis=2)
    with pytest.raises(ValueError, match=r"same shape, got \(2, 3\) and \(3, 3\)"):
        da.stack([x, y])


def test_joining_arrays_with_unknown_lengths() -> None:
    a = np.arange(10)
    x = da.from_array(a, chunks=4)
    y = x[x % 2 == 0]
    z = da.concatenate([y, x])
    assert np.isnan(z.shape[0])
    assert_eq(z, np.concatenate([a[a % 2 == 0], a]))
    with pytest.raises(ValueError, match="allow_unknown_chunksizes=True"):
        da.stack([y, y], axis=1)
    stacked = da.stack([y, y], axis=1, allow_unknown_chunksizes=True)
    assert_eq(da.transpose(stacked), np.stack([a[::2]] * 2))
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        longer = da.concatenate([y, y])[:, None]
        da.concatenate([y[:, None], longer], axis=1, allow_unknown_chunksizes=True)


def test_hstack_vstack_dstack() -> None:
    a, b = np.arange(3), np.arange(3, 6)
    x, y = da.from_array(a, chunks=2), da.from_array(b, chunks=1)
    for f, g in [(da.hstack, np.hstack), (da.vstack, np.vstack), (da.dstack, np.dstack)]:
        assert_eq(f([x, y]), g([a, b]))
        assert_eq(f([x[None], y[None]]), g([a[None], b[None]]))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_routines_on_every_scheduler(scheduler: str) -> None:
    a = np.arange(24).reshape(4, 6)
    x = da.from_array(a, chunks=(3, 4))
    assert_eq(x.reshape(6, 4).T, a.reshape(6, 4).T, scheduler=scheduler)
    assert_eq(da.stack([x, x + 1], axis=1), np.stack([a, a + 1], axis=1), scheduler=scheduler)
    assert_eq(
        da.broadcast_to(x[:1], (3, 4, 6)), np.broadcast_to(a[:1], (3, 4, 6)), scheduler=scheduler
    )


def test_names_are_deterministic() -> None:
    x = da.ones((4, 6), chunks=(3, 4))
    for f in [
        lambda: x.T,
        lambda: x.reshape(6, 4),
        lambda: da.concatenate([x, x]),
        lambda: da.stack([x, x]),
        lambda: da.broadcast_to(x, (2, 4, 6)),
        lambda: da.squeeze(x[None]),
    ]:
        assert f().name == f().name
    assert x.reshape(6, 4).name != x.reshape(4, 6, 1).name
