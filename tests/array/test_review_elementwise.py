"""Review fixes: list/str operands, arange/linspace dtypes, map_blocks inference and extras,
ufunc keywords (dtype=, where=, out=), multi-output ufuncs, from_array keywords."""

from __future__ import annotations

import itertools
import operator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import tessera.array as da
from tessera.array.testing import assert_eq
from tests.array.strategies import arrays_and_chunks

CHUNKS = [1, 2, 3, 5]
SCHEDULERS = ["sync", "threads", "processes"]


def _same(lazy: Any, expected: Any, scheduler: str = "sync") -> None:
    """``lazy`` computes to ``expected`` and its lazy dtype is the computed one."""
    assert lazy.dtype == np.asarray(expected).dtype, (lazy.dtype, np.asarray(expected).dtype)
    assert_eq(lazy, expected, scheduler=scheduler)


# -- 1. lists, tuples, strings and NumPy scalars as operands ------------------------------
@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize(
    "op", [operator.add, operator.mul, operator.eq, operator.lt, operator.pow, operator.mod]
)
@pytest.mark.parametrize("other", [[1, 2, 3, 4, 5], (1, 3, 1, 2, 2), [2.5], np.int8(3)])
def test_sequence_operands_both_sides(chunks: int, op: Any, other: Any) -> None:
    x = np.arange(1, 6)
    a = da.from_array(x, chunks=chunks)
    _same(op(a, other), op(x, np.asarray(other)))
    _same(op(other, a), op(np.asarray(other), x))


@settings(max_examples=30, deadline=None)
@given(arrays_and_chunks())
def test_list_of_the_same_values_as_operand(data: Any) -> None:
    x, chunks = data
    a = da.from_array(x, chunks=chunks)
    row = x[(0,) * (x.ndim - 1)].tolist()  # broadcasts along the last axis
    _same(a - x.tolist(), np.zeros_like(x))
    _same(a * row, x * np.asarray(row))
    _same(np.maximum(x.tolist(), a), x)
    _same(a >= range(x.shape[-1]), x >= np.arange(x.shape[-1]))


@pytest.mark.parametrize("chunks", [(1, 2), (2, 3)])
def test_nested_list_broadcasts_against_2d(chunks: tuple[int, int]) -> None:
    x = np.arange(6).reshape(2, 3)
    a = da.from_array(x, chunks=chunks)
    _same(a == [0, 4, 5], x == [0, 4, 5])
    column = [[10], [20]]
    _same(a + column, x + column)
    _same([[1, 2, 3]] * a, x * [[1, 2, 3]])


def test_string_operands_and_string_arrays() -> None:
    x = np.array(["a", "b", "a", "c"])
    a = da.from_array(x, chunks=3)
    _same(a == "a", x == "a")
    _same(operator.ne("b", a), operator.ne("b", x))
    _same(a == ["a", "b", "c", "c"], x == ["a", "b", "c", "c"])
    _same(da.arange(3) == "a", np.arange(3) == "a")  # no loop: False, as NumPy


def test_tuple_operand_is_not_sequence_repetition() -> None:
    a = da.arange(3, chunks=2)
    _same(a * (1, 2, 3), np.arange(3) * (1, 2, 3))
    _same((1, 2, 3) * a, np.arange(3) * (1, 2, 3))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_lists_holding_tessera_arrays_stay_lazy(scheduler: str) -> None:
    x = np.arange(6.0)
    a = da.from_array(x, chunks=4)
    calls: list[int] = []

    def spy(b: np.ndarray) -> np.ndarray:
        calls.append(1)
        return b

    s = a.map_blocks(spy, dtype=a.dtype)
    mixed = [s[0], 1, 2, 3, 4, s[5]]
    out = a + mixed
    lazy = da.asarray([s, [1, 2, 3, 4, 5, 6]])
    assert not calls  # nothing computed while building
    _same(out, x + np.array([0, 1, 2, 3, 4, 5]), scheduler)
    _same(lazy, np.array([x, [1, 2, 3, 4, 5, 6]]), scheduler)
    _same(da.maximum([[s[1]], [7]], a), np.maximum([[1.0], [7]], x), scheduler)


def test_list_operand_broadcast_error_is_numpy_error() -> None:
    with pytest.raises(ValueError, match="broadcast"):
        operator.add(da.arange(3), [1, 2])


@pytest.mark.parametrize("chunks", CHUNKS)
def test_functions_with_list_arguments(chunks: int) -> None:
    x = np.arange(5.0)
    a = da.from_array(x, chunks=chunks)
    other = [3, 0, 3, 1, 9]
    _same(da.maximum(a, other), np.maximum(x, other))
    _same(np.add(a, other), np.add(x, other))
    _same(da.where(a > 2, other, a), np.where(x > 2, other, x))
    _same(da.where([True, False, True, False, True], a, -1), np.where(x % 2 == 0, x, -1))
    _same(da.clip(a, [1, 1, 1, 1, 1], 3), np.clip(x, [1, 1, 1, 1, 1], 3))
    _same(da.isclose(a, other), np.isclose(x, other))


# -- 2. arange and linspace dtypes ---------------------------------------------------------
ARANGE_TYPES = [int, float, bool, np.float32, np.float16, np.int8, np.uint8, np.uint64, np.int32]


@pytest.mark.parametrize("types", list(itertools.product(ARANGE_TYPES, repeat=2)))
def test_arange_dtype_is_numpys(types: tuple[Any, Any]) -> None:
    start, stop = types[0](1), types[1](7)
    _same(da.arange(start, stop, chunks=2), np.arange(start, stop))
    _same(da.arange(stop, chunks=3), np.arange(stop))
    _same(da.arange(0, stop, np.float32(1.5), chunks=2), np.arange(0, stop, np.float32(1.5)))


def test_arange_float_values_and_negative_power() -> None:
    _same(da.arange(5.0, chunks=2), np.arange(5.0))
    _same(da.arange(1.0, 5.0, chunks=2) ** -1, np.arange(1.0, 5.0) ** -1)
    assert da.arange(2**63 + 1, 2**63 + 4).dtype == np.arange(2**63 + 1, 2**63 + 4).dtype


@pytest.mark.parametrize(
    "start, stop, dtype",
    [
        (np.float32(0), np.float32(1), None),
        (0, 1, None),
        (np.float16(-2), 3, None),
        (-5, 0, int),
        (-7, 11, "i2"),
        (0, 10, np.uint8),
    ],
)
@pytest.mark.parametrize("chunks", [1, 3])
def test_linspace_dtype_and_integer_rounding(
    start: Any, stop: Any, dtype: Any, chunks: int
) -> None:
    got = da.linspace(start, stop, 7, chunks=chunks, dtype=dtype)
    want = np.linspace(start, stop, 7, dtype=dtype)
    assert got.dtype == want.dtype
    assert_eq(got, want, rtol=1e-3)  # float16: NumPy's steps are rounded to float16


# -- 3. map_blocks dtype inference -----------------------------------------------------------
@pytest.mark.parametrize("chunks", [(1, 4), (2, 2), (3, 3)])
def test_map_blocks_infers_dtype_with_drop_and_new_axis(chunks: tuple[int, int]) -> None:
    x = np.arange(12).reshape(3, 4)
    a = da.from_array(x, chunks=chunks).rechunk((chunks[0], 4))
    m = a.map_blocks(lambda b: b.mean(axis=1), drop_axis=1)
    _same(m, x.mean(axis=1))
    _same(m.sum(), x.mean(axis=1).sum())
    n = a.map_blocks(lambda b: (b / 2)[:, None, :], new_axis=1)
    _same(n, (x / 2)[:, None, :])


def test_map_blocks_infers_dtype_with_block_id_and_block_info() -> None:
    a = da.ones(4, dtype=int, chunks=2)
    m = a.map_blocks(lambda b, block_id=None: b / (block_id[0] + 1))
    _same(m, np.array([1.0, 1.0, 0.5, 0.5]))

    def f(b: np.ndarray, block_info: Any = None) -> np.ndarray:
        lo, _ = block_info[0]["array-location"][0]
        return (b + lo).astype(np.float32)

    _same(a.map_blocks(f), np.array([1, 1, 3, 3], dtype=np.float32))


def test_map_blocks_failed_inference_asks_for_dtype() -> None:
    a = da.arange(8, chunks=4)
    with pytest.raises(ValueError, match=r"dtype inference failed.*pass dtype="):
        a.map_blocks(lambda b: b[[0, 3]], chunks=(2,))
    _same(a.map_blocks(lambda b: b[[0, 3]], chunks=(2,), dtype=a.dtype), np.array([0, 3, 4, 7]))


# -- 4. ufunc dtype= ------------------------------------------------------------------------
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_ufunc_dtype_keyword_reaches_the_blocks(scheduler: str) -> None:
    x = np.arange(5)
    a = da.from_array(x, chunks=2)
    _same(da.add(a, 1, dtype="f4"), np.add(x, 1, dtype="f4"), scheduler)
    _same(da.exp(a, dtype="f4"), np.exp(x, dtype="f4"), scheduler)
    _same(np.multiply(a, 3, dtype="f4"), np.multiply(x, 3, dtype="f4"), scheduler)
    _same(np.add(a, 1, casting="unsafe", dtype="i1"), np.add(x, 1, casting="unsafe", dtype="i1"))


# -- 5. map_blocks meta/token/enforce_ndim, blockwise without dtype ---------------------------
def test_map_blocks_meta_token_name() -> None:
    a = da.arange(6, chunks=2)
    m = a.map_blocks(lambda b: b[[0, 1]] * 1.5, meta=np.array((), dtype=float))
    _same(m, np.arange(6) * 1.5)  # no inference: the stand-in blocks would fail
    t = a.map_blocks(np.negative, token="neg")
    assert t.name.startswith("neg-")
    assert t.name == a.map_blocks(np.negative, token="neg").name
    assert a.map_blocks(np.negative, name="exact").name == "exact"
    _same(t, -np.arange(6))


def test_map_blocks_enforce_ndim() -> None:
    a = da.arange(6, chunks=2)
    _same(a.map_blocks(lambda b: b + 1, enforce_ndim=True), np.arange(1, 7))
    bad = a.map_blocks(lambda b: b.sum(), enforce_ndim=True)
    with pytest.raises(ValueError, match="Dimension mismatch"):
        bad.compute(scheduler="sync")


def test_map_blocks_kwargs_named_like_blockwise_parameters() -> None:
    def f(b: np.ndarray, concatenate: int = 0, dtype: Any = None) -> np.ndarray:
        return b + concatenate

    _same(da.arange(4, chunks=2).map_blocks(f, concatenate=5), np.arange(5, 9))


@pytest.mark.parametrize("chunks", [1, 2, 4])
def test_blockwise_infers_dtype(chunks: int) -> None:
    a = da.arange(4, chunks=chunks)
    _same(da.blockwise(lambda b: b + 1, "i", a, "i"), np.arange(1, 5))
    _same(da.blockwise(np.sqrt, "i", a, "i"), np.sqrt(np.arange(4)))
    m = np.arange(6.0).reshape(2, 3)
    b = da.from_array(m, chunks=(1, chunks))
    total = da.blockwise(lambda blocks: sum(x.sum(axis=1) for x in blocks), "i", b, "ij")
    _same(total, m.sum(axis=1))
    with pytest.raises(ValueError, match="dtype inference failed in blockwise"):
        da.blockwise(lambda b: b[5], "i", a, "i")
    named = da.blockwise(lambda b: b[::-1], "i", a, "i", token="rev", meta=np.array([], "i2"))
    assert named.name.startswith("rev-") and named.dtype == np.int16


# -- 6. block_info entries --------------------------------------------------------------------
def test_block_info_inputs_and_output() -> None:
    x, y = da.arange(6, chunks=2), da.ones((3, 6), chunks=(3, 2))
    seen: dict[Any, Any] = {}

    def f(a: np.ndarray, c: int, b: np.ndarray, block_info: Any = None) -> np.ndarray:
        seen[block_info[None]["chunk-location"]] = block_info
        return a + b * c

    out = da.map_blocks(f, x, 10, y)
    _same(out, np.arange(6) + np.ones((3, 6)) * 10)
    info = seen[(0, 2)]
    assert info[0] == {
        "shape": (6,),
        "num-chunks": (3,),
        "chunk-location": (2,),
        "array-location": [(4, 6)],
    }
    assert info[2]["shape"] == (3, 6) and info[2]["num-chunks"] == (1, 3)
    assert info[2]["chunk-location"] == (0, 2)
    assert info[2]["array-location"] == [(0, 3), (4, 6)]
    assert 1 not in info
    assert info[None] == {
        "shape": (3, 6),
        "num-chunks": (1, 3),
        "chunk-location": (0, 2),
        "array-location": [(0, 3), (4, 6)],
        "chunk-shape": (3, 2),
        "dtype": np.dtype(float),
    }


def test_block_info_with_drop_axis_and_chunks() -> None:
    x = da.arange(12, chunks=4).reshape(3, 4).rechunk((2, 2))

    def f(b: np.ndarray, block_info: Any = None) -> np.ndarray:
        assert block_info[0]["num-chunks"] == (2, 1)
        assert block_info[0]["array-location"][1] == (0, 4)
        lo, hi = block_info[None]["array-location"][0]
        assert block_info[None]["chunk-shape"] == (hi - lo,)
        return b.sum(axis=1) + lo

    out = x.map_blocks(f, drop_axis=1)
    _same(out, np.arange(12).reshape(3, 4).sum(axis=1) + np.array([0, 0, 2]))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_block_info_builds_an_array_from_scratch(scheduler: str) -> None:
    def f(b: np.ndarray, block_info: Any = None) -> np.ndarray:
        lo, hi = block_info[None]["array-location"][0]
        return np.arange(lo, hi, dtype=block_info[None]["dtype"])

    out = da.ones(7, chunks=3).map_blocks(f, dtype="f4")
    _same(out, np.arange(7, dtype="f4"), scheduler)


# -- 7. multi-output ufuncs, where=, out= -------------------------------------------------------
@pytest.mark.parametrize("chunks", [1, 2, 4])
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_multi_output_ufuncs(chunks: int, scheduler: str) -> None:
    x = np.linspace(-3.5, 7.25, 6)
    a = da.from_array(x, chunks=chunks)
    for lazy, expected in [
        (np.divmod(a, 4), np.divmod(x, 4)),
        (da.divmod(a, 4), np.divmod(x, 4)),
        (divmod(a, 4), divmod(x, 4)),
        (divmod(7, a), divmod(7, x)),
        (np.modf(a), np.modf(x)),
        (da.frexp(a), np.frexp(x)),
    ]:
        assert isinstance(lazy, tuple) and len(lazy) == 2
        for got, want in zip(lazy, expected, strict=True):
            _same(got, want, scheduler)
    q, r = da.compute(*np.divmod(a, 4), scheduler=scheduler)
    assert_eq(q * 4 + r, x)


@pytest.mark.parametrize("chunks", [1, 2, 4])
def test_ufunc_where_array(chunks: int) -> None:
    x = np.arange(6.0) - 2
    a = da.from_array(x, chunks=chunks)
    mask = x > 0
    got = np.sqrt(a, where=a > 0)
    assert got.dtype == np.float64
    assert_eq(got[a > 0], np.sqrt(x[mask]))
    assert_eq(got, np.where(mask, np.sqrt(np.abs(x)), 0.0))  # false places: zeros
    assert_eq(da.add(a, 1, where=list(mask)), np.where(mask, x + 1, 0.0))
    q, r = np.divmod(a, 3, where=mask)
    assert_eq(q, np.where(mask, x // 3, 0.0))
    assert_eq(r, np.where(mask, x % 3, 0.0))
    assert_eq(np.sqrt(a + 2, where=True), np.sqrt(x + 2))


def test_ufunc_out_is_refused() -> None:
    a = da.arange(3, chunks=2)
    with pytest.raises(TypeError, match="immutable"):
        np.add(a, 1, out=np.empty(3, dtype=int))
    with pytest.raises(TypeError, match="immutable"):
        da.negative(a, out=a)


def test_ufunc_methods_stay_unsupported() -> None:
    with pytest.raises(TypeError):
        np.add.outer(da.arange(3, chunks=2), da.arange(2, chunks=1))


# -- 8. from_array keywords and masked arrays ------------------------------------------------
@pytest.mark.parametrize("scheduler", SCHEDULERS)
@pytest.mark.parametrize("lock", [False, True])
def test_from_array_dask_keywords(scheduler: str, lock: bool) -> None:
    x = np.arange(10).reshape(2, 5)
    a = da.from_array(
        x, chunks=(1, 2), lock=lock, asarray=True, inline_array=True, fancy=False, meta=x[:0]
    )
    assert_eq(a, x, scheduler=scheduler)
    assert_eq(a.sum(), x.sum(), scheduler=scheduler)
    named = da.from_array(x, chunks=2, name="mine")
    assert named.name == "mine"
    assert_eq(named, x)


def test_from_array_asarray_false_keeps_block_type() -> None:
    class Source:
        shape, dtype, ndim = (4,), np.dtype(int), 1

        def __getitem__(self, index: Any) -> list[int]:
            return list(range(4))[index[0]]

    blocks = da.from_array(Source(), chunks=2, asarray=False)
    assert (
        blocks.map_blocks(lambda b: np.array([isinstance(b, list)]), dtype=bool)
        .compute(scheduler="sync")
        .all()
    )
    assert_eq(da.from_array(Source(), chunks=2), np.arange(4))


def test_masked_arrays_raise_a_clear_error() -> None:
    m = np.ma.masked_array([1, 2, 3], mask=[0, 1, 0])
    for make in (da.from_array, da.asarray, da.array):
        with pytest.raises(NotImplementedError, match=r"filled\(np.nan\)"):
            make(m)
    with pytest.raises(NotImplementedError, match="masked"):
        da.arange(3) + m
    assert_eq(da.from_array(m.filled(0), chunks=2).sum(), m.sum())
