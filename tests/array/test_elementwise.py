"""Element-wise operations: operators, broadcasting, ufuncs, where, astype, map_blocks."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import tessera.array as da
from tessera.array.testing import assert_eq
from tests.array.strategies import arrays_and_chunks

BINARY = [
    operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
    operator.mod, operator.pow, operator.lt, operator.le, operator.eq, operator.ne,
    operator.gt, operator.ge,
]  # fmt: skip


@pytest.mark.parametrize("op", BINARY)
def test_binary_operators_with_arrays_scalars_and_numpy(op: Any) -> None:
    x = np.arange(1, 13, dtype="f8").reshape(3, 4)
    y = np.arange(12, 0, -1, dtype="f8").reshape(3, 4)
    a, b = da.from_array(x, chunks=(2, 3)), da.from_array(y, chunks=(1, 4))
    assert_eq(op(a, b), op(x, y))
    assert_eq(op(a, 2.5), op(x, 2.5))
    assert_eq(op(3, a), op(3, x))
    assert_eq(op(a, y), op(x, y))


def test_bitwise_and_unary() -> None:
    x = np.arange(-5, 7, dtype="i8")
    a = da.from_array(x, chunks=5)
    for op in [operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift]:
        assert_eq(op(a, 2), op(x, 2))
        assert_eq(op(2, a.clip(0, 5)), op(2, x.clip(0, 5)))
    assert_eq(-a, -x)
    assert_eq(+a, +x)
    assert_eq(abs(a), abs(x))
    assert_eq(~a, ~x)


@settings(max_examples=30, deadline=None)
@given(arrays_and_chunks(), arrays_and_chunks())
def test_arithmetic_any_chunks(first: Any, second: Any) -> None:
    (x, cx), (y, cy) = first, second
    a = da.from_array(x, chunks=cx)
    b = da.from_array(x * 2, chunks=cx)
    assert_eq(a * 3 - b / 2, x * 3 - (x * 2) / 2)
    c = da.from_array(y, chunks=cy)
    try:
        expected = x + y
    except ValueError:
        with pytest.raises(ValueError, match="could not be broadcast"):
            a + c
    else:
        assert_eq(a + c, expected)


def test_broadcasting() -> None:
    x = np.arange(12.0).reshape(3, 4)
    row = np.arange(4.0)
    col = np.arange(3.0).reshape(3, 1)
    a = da.from_array(x, chunks=2)
    assert_eq(a + da.from_array(row, chunks=3), x + row)
    assert_eq(a * da.from_array(col, chunks=1), x * col)
    assert_eq(da.from_array(col, chunks=2) + da.from_array(row, chunks=2), col + row)
    assert_eq(a + np.float32(1), x + np.float32(1))


def test_broadcast_errors_name_the_shapes() -> None:
    a = da.ones((3, 4), chunks=2)
    with pytest.raises(ValueError, match=r"\(3, 4\) \(3,\)"):
        a + da.ones(3, chunks=2)


def test_dtype_promotion_follows_numpy() -> None:
    x = np.arange(5, dtype="i2")
    a = da.from_array(x, chunks=2)
    for other in [np.int8(3), 3, 3.0, np.float32(2), np.arange(5, dtype="u4")]:
        assert_eq(a + other, x + other)
    assert (a / 2).dtype == (x / 2).dtype
    with pytest.raises(OverflowError):
        da.from_array(np.arange(3, dtype="i1"), chunks=2) + 1000


@pytest.mark.parametrize(
    "name",
    ["sin", "cos", "exp", "log1p", "sqrt", "floor", "isnan", "isfinite", "sign", "square",
     "arctan", "rint", "negative", "absolute"],
)  # fmt: skip
def test_unary_ufuncs_both_ways(name: str) -> None:
    x = np.linspace(0.1, 5, 11)
    a = da.from_array(x, chunks=4)
    assert_eq(getattr(da, name)(a), getattr(np, name)(x))
    lazy = getattr(np, name)(a)
    assert isinstance(lazy, da.Array)
    assert_eq(lazy, getattr(np, name)(x))


@pytest.mark.parametrize("name", ["maximum", "minimum", "arctan2", "hypot", "fmax", "logaddexp"])
def test_binary_ufuncs(name: str) -> None:
    x, y = np.linspace(-2, 2, 9), np.linspace(3, -1, 9)
    a, b = da.from_array(x, chunks=4), da.from_array(y, chunks=3)
    assert_eq(getattr(da, name)(a, b), getattr(np, name)(x, y))
    assert_eq(getattr(np, name)(a, y), getattr(np, name)(x, y))


def test_ufuncs_on_plain_numpy_stay_eager() -> None:
    assert isinstance(da.sin(np.ones(2)), np.ndarray)


def test_where_clip_round_isclose_real_imag() -> None:
    x = np.linspace(-3, 3, 13)
    a = da.from_array(x, chunks=5)
    assert_eq(da.where(a > 0, a, 0), np.where(x > 0, x, 0))
    assert_eq(da.where(x > 0, 1, a), np.where(x > 0, 1, x))
    assert_eq(da.clip(a, -1, 2), np.clip(x, -1, 2))
    assert_eq(a.clip(max=1), np.clip(x, None, 1))
    assert_eq(a.round(1), np.round(x, 1))
    assert_eq(da.around(a * 1.234, 2), np.around(x * 1.234, 2))
    assert_eq(da.isclose(a, x + 1e-12), np.isclose(x, x + 1e-12))
    z = x + 1j * x[::-1]
    c = da.from_array(z, chunks=4)
    assert_eq(c.real, z.real)
    assert_eq(c.imag, z.imag)
    assert_eq(c.conj(), z.conj())
    with pytest.raises(ValueError, match="both or neither"):
        da.where(a > 0, a)


def test_astype() -> None:
    x = np.linspace(0, 10, 7)
    a = da.from_array(x, chunks=3)
    assert_eq(a.astype("i4"), x.astype("i4"))
    assert a.astype(a.dtype) is a
    with pytest.raises(TypeError, match="according to the rule 'safe'"):
        a.astype("i4", casting="safe")


def test_map_blocks() -> None:
    x = np.arange(12).reshape(3, 4)
    a = da.from_array(x, chunks=2)
    assert_eq(a.map_blocks(lambda b: b * 2), x * 2)
    assert_eq(da.map_blocks(np.add, a, a), x + x)
    ids = da.map_blocks(lambda b, block_id=None: np.full(b.shape, block_id[1]), a)
    assert_eq(ids, np.array([[0, 0, 1, 1]] * 3))
    info = da.map_blocks(
        lambda b, block_info=None: np.full(b.shape, block_info[None]["array-location"][0][0]), a
    )
    assert_eq(info, np.array([[0] * 4, [0] * 4, [2] * 4]))
    summed = a.map_blocks(lambda b: b.sum(axis=1), drop_axis=1, dtype=x.dtype)
    assert summed.shape == (3,)
    expanded = a.map_blocks(lambda b: b[..., None], new_axis=2, dtype=x.dtype)
    assert_eq(expanded, x[..., None])
    sized = a.map_blocks(lambda b: b[:1], chunks=(1, 2), dtype=x.dtype)
    assert sized.chunks == ((1, 1), (2, 2)) and sized.compute().shape == (2, 4)
    with pytest.raises(TypeError, match="expects a function"):
        da.map_blocks(3, a)  # type: ignore[arg-type]


def test_elementwise_names_are_deterministic() -> None:
    a = da.arange(10, chunks=3)
    assert (a + 1).name == (a + 1).name and np.sin(a).name == da.sin(a).name
    assert (a + 1).name != (a + 2).name


def test_elementwise_on_unknown_chunk_sizes() -> None:
    x = np.arange(10)
    a = da.from_array(x, chunks=3)
    masked = a[a > 3]
    assert_eq((masked + 1).compute_chunk_sizes(), x[x > 3] + 1)
    assert_eq(masked * masked, x[x > 3] ** 2)
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        len(masked)
    with pytest.raises(ValueError, match="needs known chunk sizes"):
        masked + a
