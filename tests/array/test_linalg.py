"""Linear algebra: tensordot, dot, matmul (and @), outer, vdot against NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.exceptions import AxisError

import tessera.array as da
from tessera.array.core import Array
from tessera.array.testing import assert_eq
from tests.array.strategies import chunks_for

rng = np.random.default_rng(0)


def arr(shape: tuple[int, ...], chunks: Any, dtype: Any = "f8") -> tuple[np.ndarray, Array]:
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    return x, da.from_array(x, chunks=chunks)


CHUNKINGS_2D = [((7, 9), (9, 5)), ((2, 2), (3, 2)), ((1, 1), (1, 1)), ((3, 4), (2, 5))]


@pytest.mark.parametrize(("ca", "cb"), CHUNKINGS_2D)
@pytest.mark.parametrize("split_every", [None, 2, 3, 100])
def test_matrix_products_over_chunkings(ca: Any, cb: Any, split_every: Any) -> None:
    x, a = arr((7, 9), ca)
    y, b = arr((9, 5), cb)
    assert_eq(da.matmul(a, b, split_every=split_every), x @ y)
    assert_eq(da.tensordot(a, b, axes=1, split_every=split_every), np.tensordot(x, y, axes=1))
    assert_eq(da.dot(a, b), np.dot(x, y))


def test_matmul_operator_with_numpy_on_either_side() -> None:
    x, a = arr((4, 6), (3, 2))
    y = rng.standard_normal((6, 3))
    assert_eq(a @ y, x @ y)
    assert_eq(y.T @ a.compute().T @ a, y.T @ x.T @ x)
    lazy = y.T @ da.from_array(x.T, chunks=2)  # ndarray.__matmul__ -> Array.__array_ufunc__
    assert isinstance(lazy, Array)
    assert_eq(lazy, y.T @ x.T)
    assert isinstance(np.matmul(a, y), Array)
    assert_eq(np.matmul(a, y), x @ y)
    assert_eq(a.dot(y), x.dot(y))


def test_matmul_broadcasts_leading_axes_and_handles_1d() -> None:
    x, a = arr((2, 1, 3, 4), (1, 1, 2, 3))
    y, b = arr((5, 4, 6), (2, 1, 4))
    assert_eq(a @ b, x @ y)
    v, vv = arr((4,), 3)
    w, ww = arr((3,), 2)
    assert_eq(a @ vv, x @ v)
    assert_eq(ww @ a, w @ x)
    assert_eq(vv @ vv, v @ v)
    assert (vv @ vv).shape == ()
    m, mm = arr((3, 4), (2, 3))
    assert_eq(mm @ vv, m @ v)
    assert_eq(ww @ mm, w @ m)


def test_dot_follows_numpy_for_every_rank() -> None:
    x, a = arr((2, 3, 4), (1, 2, 3))
    y, b = arr((5, 4, 6), (2, 3, 4))
    v, vv = arr((4,), 3)
    assert_eq(da.dot(a, b), np.dot(x, y))
    assert_eq(da.dot(a, vv), np.dot(x, v))
    assert_eq(da.dot(vv, vv), np.dot(v, v))
    assert_eq(da.dot(a, 3.0), np.dot(x, 3.0))
    assert_eq(da.dot(2, vv), np.dot(2, v))


@pytest.mark.parametrize(
    "axes",
    [
        *(0, 1, 2, -1, ([1], [0]), (1, 0), ([0, 2], [2, 1]), ([-1, 0], [1, -1])),
        *(([2, 1], [1, 0]), ([0, 1, 2], [2, 0, 1]), ([0, 1, 2], [1, 2, 0])),
    ],
)
def test_tensordot_axes(axes: Any) -> None:
    x, a = arr((3, 4, 5), (2, 3, 2))
    shapes = {0: (2, 3), 1: (5, 2), 2: (4, 5, 2), -1: (2,)}
    if isinstance(axes, int):
        y, b = arr(shapes[axes], 2)
    else:
        need = dict(
            zip([i % 3 for i in np.atleast_1d(axes[1])], np.atleast_1d(axes[0]), strict=True)
        )
        shape = tuple(x.shape[need[j]] if j in need else 2 for j in range(3))
        y, b = arr(shape, (1, 3, 2))
    assert_eq(da.tensordot(a, b, axes=axes), np.tensordot(x, y, axes=axes))
    assert_eq(da.tensordot(a, b, axes=axes, split_every=2), np.tensordot(x, y, axes=axes))
    assert_eq(da.tensordot(a, b, axes=axes, split_every=9), np.tensordot(x, y, axes=axes))


@pytest.mark.parametrize("axes", [([0, 1, 2], [2, 0, 1]), ([0, 1, 2], [1, 2, 0])])
@pytest.mark.parametrize("split_every", [None, 2])
def test_tensordot_contracted_axes_in_another_order(axes: Any, split_every: Any) -> None:
    x, a = arr((2, 3, 4), (1, 3, 2))
    order = np.argsort(axes[1])
    y = np.transpose(rng.standard_normal((2, 3, 4)), order)
    b = da.from_array(y, chunks=tuple((1, 3, 2)[i] for i in order))
    expected = np.tensordot(x, y, axes=axes)
    assert_eq(da.tensordot(a, b, axes=axes, split_every=split_every), expected)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_matmul_property(data: st.DataObject) -> None:
    batch = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2)))
    n, k, m = (data.draw(st.integers(1, 6)) for _ in range(3))
    b_batch = tuple(data.draw(st.sampled_from([1, s])) for s in batch)[
        data.draw(st.integers(0, len(batch))) :
    ]
    x = rng.standard_normal((*batch, n, k))
    y = rng.standard_normal((*b_batch, k, m))
    a = da.from_array(x, chunks=data.draw(chunks_for(x.shape)))
    b = da.from_array(y, chunks=data.draw(chunks_for(y.shape)))
    split_every = data.draw(st.sampled_from([None, 2, 3]))
    assert_eq(da.matmul(a, b, split_every=split_every), x @ y)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_tensordot_property(data: st.DataObject) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    ncontract = data.draw(st.integers(0, len(shape)))
    axes_a = data.draw(st.permutations(range(len(shape))))[:ncontract]
    free = tuple(data.draw(st.lists(st.integers(1, 4), max_size=2)))
    b_shape = [shape[i] for i in axes_a] + list(free)
    order = data.draw(st.permutations(range(len(b_shape))))
    b_shape = [b_shape[i] for i in order]
    axes_b = [order.index(j) for j in range(ncontract)]
    x, y = rng.standard_normal(shape), rng.standard_normal(b_shape)
    a = da.from_array(x, chunks=data.draw(chunks_for(x.shape)))
    b = da.from_array(y, chunks=data.draw(chunks_for(y.shape)))
    axes = (list(axes_a), axes_b)
    split_every = data.draw(st.sampled_from([None, 2]))
    assert_eq(
        da.tensordot(a, b, axes=axes, split_every=split_every), np.tensordot(x, y, axes=axes)
    )


@pytest.mark.parametrize(
    ("dta", "dtb"), [("bool", "bool"), ("i1", "u1"), ("f4", "f4"), ("c16", "f8"), ("i8", "f4")]
)
def test_result_dtypes_follow_numpy(dta: str, dtb: str) -> None:
    x = (np.arange(12) % 3).reshape(3, 4).astype(dta)
    y = (np.arange(20) % 2).reshape(4, 5).astype(dtb)
    a, b = da.from_array(x, chunks=(2, 1)), da.from_array(y, chunks=(1, 2))
    assert_eq(a @ b, x @ y)
    assert_eq(da.matmul(a, b, split_every=2), x @ y)
    assert_eq(da.tensordot(a, b, axes=1), np.tensordot(x, y, axes=1))


def test_empty_axes() -> None:
    assert_eq(da.from_array(np.ones((0, 3))) @ np.ones((3, 2)), np.ones((0, 3)) @ np.ones((3, 2)))
    assert_eq(da.from_array(np.ones((2, 0))) @ np.ones((0, 2)), np.ones((2, 0)) @ np.ones((0, 2)))


def test_outer_and_vdot() -> None:
    v, vv = arr((7,), 3)
    w, ww = arr((4,), 3)
    assert_eq(da.outer(vv, ww), np.outer(v, w))
    assert_eq(da.outer(vv, w), np.outer(v, w))
    assert_eq(da.outer(da.from_array(np.float32(2)), ww), np.outer(np.float32(2), w))
    c = v + 1j * v[::-1]
    cc = da.from_array(c, chunks=2)
    assert_eq(da.vdot(cc, vv), np.vdot(c, v))
    assert_eq(da.vdot(cc, cc), np.vdot(c, c))
    m, mm = arr((3, 4), 2)
    assert_eq(da.vdot(mm, mm), np.vdot(m, m))
    assert_eq(da.vdot(mm, m.T), np.vdot(m, m.T))  # same size, other shape: flattened
    assert_eq(da.outer(mm, vv), np.outer(m, v))


def test_transposed_operands_and_other_gufuncs() -> None:
    m, mm = arr((6, 4), (4, 3))
    assert_eq(mm @ mm.T, m @ m.T)
    assert_eq(mm.T @ mm, m.T @ m)
    with pytest.raises(TypeError):  # not silently element-wise
        np.vecdot(mm, mm)


def test_large_contraction_is_a_bounded_tree() -> None:
    """Eight blocks along the contracted axis, split_every=2: no task reads more than two."""
    x, a = arr((4, 16), (4, 2))
    y, b = arr((16, 3), (2, 3))
    c = da.matmul(a, b, split_every=2)
    assert_eq(c, x @ y)
    graph = c.__tessera_graph__()
    sums = [
        t for k, t in graph.items() if k[0].startswith(c.name) and k[0] != f"{c.name}-products"
    ]
    assert sums and all(len(task[1]) <= 2 for task in sums)
    assert sum(1 for k in graph if k[0] == f"{c.name}-products") == 8
    # few blocks: one task per output block, no intermediate products
    d = da.matmul(a, b, split_every=8)
    assert not any(k[0] == f"{d.name}-products" for k in d.__tessera_graph__())
    assert_eq(d, x @ y)


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(scheduler: str) -> None:
    x, a = arr((6, 8), (3, 2))
    y, b = arr((8, 4), (2, 2))
    assert_eq(da.matmul(a, b, split_every=2), x @ y, scheduler=scheduler)
    assert_eq(da.tensordot(a, a, axes=([0], [0])), x.T @ x, scheduler=scheduler)
    assert_eq(
        da.outer(da.from_array(y[0], chunks=3), y[1]), np.outer(y[0], y[1]), scheduler=scheduler
    )


def test_names_are_deterministic() -> None:
    x = np.arange(12.0).reshape(3, 4)
    a1, a2 = da.from_array(x, chunks=2), da.from_array(x, chunks=2)
    assert (a1 @ x.T).name == (a2 @ x.T).name
    assert da.tensordot(a1, x, axes=([0], [0])).name == da.tensordot(a2, x, axes=([0], [0])).name
    assert da.tensordot(a1, x, axes=([0], [0])).name != da.tensordot(a1, x, axes=([1], [1])).name
    assert da.outer(x[0], x[1]).name == da.outer(x[0], x[1]).name != da.outer(x[1], x[0]).name


def test_dot_error_uses_numpys_wording() -> None:
    a = da.ones((2, 3), chunks=2)
    with pytest.raises(
        ValueError, match=r"^shapes \(2,3\) and \(4,5\) not aligned: 3 \(dim 1\) != 4 \(dim 0\)$"
    ):
        da.dot(a, np.ones((4, 5)))
    with pytest.raises(
        ValueError, match=r"shapes \(2,3,4\) and \(5,6,7\) not aligned: 4 \(dim 2\) != 6 \(dim 1\)"
    ):
        da.dot(da.ones((2, 3, 4)), np.ones((5, 6, 7)))
    with pytest.raises(ValueError, match=r"shapes \(3,\) and \(5,\) not aligned"):
        da.dot(da.ones(3), np.ones(5))


def test_matmul_errors() -> None:
    a = da.ones((2, 3), chunks=2)
    with pytest.raises(
        ValueError, match=r"core dimension 0.*size 4 is different from 3.*\(2, 3\) and \(4, 5\)"
    ):
        a @ np.ones((4, 5))
    with pytest.raises(ValueError, match="Input operand 1 does not have enough dimensions"):
        da.matmul(a, 2.0)
    with pytest.raises(ValueError, match="Input operand 0 does not have enough dimensions"):
        da.matmul(da.from_array(np.float64(2)), a)
    with pytest.raises(ValueError, match=r"could not be broadcast.*\(2,\) and \(3,\)"):
        da.ones((2, 2, 3)) @ np.ones((3, 3, 4))
    with pytest.raises(TypeError):
        da.ones((2, 2), dtype="M8[s]") @ np.ones((2, 2))
    assert a.__matmul__("text") is NotImplemented


def test_tensordot_errors() -> None:
    a = da.ones((2, 3), chunks=2)
    with pytest.raises(
        ValueError,
        match=r"shape-mismatch for sum: axis 1 of a \(length 3\) and axis 0 of b \(length 4\)",
    ):
        da.tensordot(a, np.ones((4, 5)), axes=1)
    with pytest.raises(ValueError, match="shape-mismatch for sum: 2 axes of a"):
        da.tensordot(a, np.ones((2, 3)), axes=([0, 1], [0]))
    with pytest.raises(AxisError, match="axis 5 is out of bounds for a"):
        da.tensordot(a, np.ones((2, 3)), axes=([5], [0]))
    with pytest.raises(IndexError):  # NumPy's type; AxisError is an IndexError too
        da.tensordot(a, np.ones((2, 3)), axes=3)
    with pytest.raises(ValueError, match="duplicate axes"):
        da.tensordot(a, np.ones((3, 3)), axes=([1, 1], [0, 1]))
    with pytest.raises(ValueError, match=r"vdot.*sizes \(6 and 5"):
        da.vdot(a, np.ones(5))
    with pytest.raises(ValueError, match="split_every must be at least 2"):
        da.matmul(a, np.ones((3, 2)), split_every=1)
