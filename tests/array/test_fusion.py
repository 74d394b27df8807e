"""Reductions over blocks made in cache-sized pieces: values against NumPy, graph rewriting."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera import config
from tessera.array.fusion import optimize_array, stream_reductions
from tessera.array.pieces import Streamed, split_plan
from tessera.array.testing import assert_eq
from tests.array.strategies import chunks_for

REDUCTIONS = [
    "sum", "prod", "mean", "min", "max", "any", "all", "std", "var",
    "nansum", "nanprod", "nanmean", "nanmin", "nanmax", "nanstd", "nanvar", "count_nonzero",
]  # fmt: skip


def _streamed(x: Any) -> int:
    """How many streamed tasks the optimized graph of ``x`` holds (nested ones too)."""

    def count(t: Any) -> int:
        if isinstance(t, tuple) and t and callable(t[0]):
            return isinstance(t[0], Streamed) + sum(count(a) for a in t[1:])
        if isinstance(t, list):
            return sum(count(a) for a in t)
        return 0

    dsk = stream_reductions(x.__tessera_graph__(), x.__tessera_keys__())
    return sum(count(t) for t in dsk.values())


@pytest.fixture
def small_pieces() -> Iterator[None]:
    with config.set({"array.piece-size": 24}):  # 3 elements of 8 bytes
        yield


def _same(lazy: Any, expected: Any, exact: bool = False) -> None:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        got = lazy.compute(scheduler="sync")
    assert np.asarray(got).dtype == np.asarray(expected).dtype
    if exact:
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9, equal_nan=True)


def _numpy(name: str, data: np.ndarray, **kwargs: Any) -> Any:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return getattr(np, name)(data, **kwargs)


# -- values against NumPy ------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_sources_and_elementwise_any_chunking(data: Any) -> None:
    """ones * leaf + 1 (a source, a read block, a constant), reduced over random axes."""
    shape = tuple(data.draw(st.lists(st.integers(1, 9), min_size=1, max_size=3)))
    chunks = data.draw(chunks_for(shape))
    name = data.draw(st.sampled_from(REDUCTIONS))
    axis = data.draw(st.sampled_from([None, *range(len(shape))]))
    piece = data.draw(st.sampled_from([8, 16, 40]))
    values = np.random.default_rng(data.draw(st.integers(0, 99))).normal(size=shape)
    values[values > 1.5] = np.nan
    lazy = da.ones(shape, chunks=chunks) * da.from_array(values, chunks=chunks) + 1
    expected = _numpy(name, np.ones(shape) * values + 1, axis=axis)
    with config.set({"array.piece-size": piece}):
        _same(getattr(da, name)(lazy, axis=axis), expected)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_every_reduction_over_a_streamed_block(
    small_pieces: None, name: str, axis: int | None
) -> None:
    data = np.arange(12.0 * 7).reshape(12, 7) % 5 - 1
    lazy = (da.full((12, 7), 2.0, chunks=(6, 7)) * da.from_array(data, chunks=(6, 7))) / 3
    assert _streamed(getattr(da, name)(lazy, axis=axis)) > 0
    _same(getattr(da, name)(lazy, axis=axis), _numpy(name, 2.0 * data / 3, axis=axis))


@pytest.mark.parametrize("dtype", ["i8", "i4", "u1", "f8", "f4"])
def test_arange_and_linspace_sources(small_pieces: None, dtype: str) -> None:
    x = da.arange(3, 200, 2, chunks=25, dtype=dtype)
    y = np.arange(3, 200, 2, dtype=dtype)
    for name in ["sum", "prod", "min", "max", "mean", "var"]:
        _same(getattr(da, name)(x), _numpy(name, y), exact=dtype[0] in "iu")
    _same(((x * 3) % 7).sum(), ((y * 3) % 7).sum(), exact=dtype[0] in "iu")
    lin = da.linspace(-1, 5, 101, chunks=30)
    _same(lin.max(), np.linspace(-1, 5, 101).max(), exact=True)
    _same((lin**2).sum(), (np.linspace(-1, 5, 101) ** 2).sum())


def test_integer_sums_and_products_are_exact(small_pieces: None) -> None:
    x = da.arange(1, 10_001, chunks=1_000)
    y = np.arange(1, 10_001)
    _same(x.sum(), y.sum(), exact=True)
    _same((x % 7 + 1).prod(), (y % 7 + 1).prod(), exact=True)  # wraps around, as NumPy
    _same((x * x).sum(), (y * y).sum(), exact=True)


def test_float_sum_accuracy() -> None:
    r = da.random.default_rng(0).random(400_000, chunks=100_000)
    data = r.compute()
    with config.set({"array.piece-size": "4KiB"}):
        assert _streamed(r.sum()) == 4
        got = float(r.sum().compute())
    assert got == pytest.approx(float(np.sum(data)), rel=1e-13, abs=0)
    assert got == pytest.approx(float(np.sum(data, dtype=np.longdouble)), rel=1e-13, abs=0)


@pytest.mark.parametrize(
    ("method", "args", "kwargs"),
    [
        ("random", (), {}),
        ("random", (), {"dtype": "f4"}),
        ("standard_normal", (), {}),
        ("normal", (np.arange(3.0), 2.0), {}),
        ("uniform", (-1, 1), {}),
        ("exponential", (2.0,), {}),
        ("poisson", (4.0,), {}),
        ("integers", (0, 1000), {}),
        ("integers", (0, 100), {"dtype": "i2"}),
        ("integers", (0, 2), {"dtype": bool}),
    ],
)
def test_random_sources_give_the_block_values(
    small_pieces: None, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """A random block made slab by slab has the values of the block made whole."""
    x = getattr(da.random.default_rng(7), method)(*args, size=(40, 3), chunks=(25, 3), **kwargs)
    with config.set({"array.piece-size": 0}):
        values = x.compute(scheduler="sync")
    assert _streamed(x.max()) == 2
    _same(x.max(), values.max(), exact=True)
    _same(x.min(axis=0), values.min(axis=0), exact=True)
    _same((x == values[0, 0]).sum(), (values == values[0, 0]).sum(), exact=True)


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(-(10**12), 10**12) | st.floats(-1e6, 1e6),
    step=st.sampled_from([1, 3, -7, 0.5, -0.1, 1e-3]),
    lo=st.integers(0, 50),
    length=st.integers(1, 60),
    cut=st.integers(1, 9),
)
def test_source_slabs_are_the_block(start: Any, step: Any, lo: int, length: int, cut: int) -> None:
    """Slabs written into reused memory have exactly the values of the whole block."""
    from tessera.array.sources import full_block, linspace_block, range_block

    bounds = [(a, min(a + cut, length)) for a in range(0, length, cut)]
    dtype = np.arange(start, start + step, step).dtype
    args = (start, step, lo, lo + length, dtype)
    whole = range_block(*args)
    slabs = [s.copy() for s in range_block.slabs(0, bounds, *args)]
    np.testing.assert_array_equal(np.concatenate(slabs), whole)
    lin = (float(start), float(step), lo, lo + length, lo + length - 1, 42.0, np.dtype("f8"))
    slabs = [s.copy() for s in linspace_block.slabs(0, bounds, *lin)]
    np.testing.assert_array_equal(np.concatenate(slabs), linspace_block(*lin))
    full = ((3, length), start, np.dtype("f8"))
    slabs = [s.copy() for s in full_block.slabs(1, bounds, *full)]
    np.testing.assert_array_equal(np.concatenate(slabs, axis=1), full_block(*full))


# -- the graph -----------------------------------------------------------------------------


def test_shared_blocks_are_computed_once(small_pieces: None) -> None:
    calls = []

    def plus_one(block: np.ndarray) -> np.ndarray:
        calls.append(block.size)
        return block + 1

    y = da.elemwise(plus_one, da.arange(60, chunks=20))
    s, m = y.sum(), y.max()
    assert _streamed(s) == 3
    calls.clear()  # the dtype probe
    assert s.compute(scheduler="sync") == 1830
    assert len(calls) > 3 and sum(calls) == 60  # alone, each block of y is made in pieces
    calls.clear()
    assert da.compute(s, m, y.var(), scheduler="sync") == (1830, 60, np.arange(1, 61).var())
    assert len(calls) > 3 and sum(calls) == 60  # three reductions, each piece made once
    calls.clear()
    total, some = da.compute(s, y[::7], scheduler="sync")
    assert total == 1830 and some.tolist() == list(range(1, 61, 7))
    assert calls == [20, 20, 20]  # a slice reads every block of y too: made once, whole


def test_several_reductions_of_one_block_share_a_task(small_pieces: None) -> None:
    x = da.linspace(0, 1, 50, chunks=25) * 3
    expected = np.linspace(0, 1, 50) * 3
    both = da.compute(x.sum(), x.min(), x.std(), scheduler="sync")
    np.testing.assert_allclose(both, (expected.sum(), expected.min(), expected.std()))
    merged = {**x.sum().__tessera_graph__(), **x.min().__tessera_graph__()}
    keys = [x.sum().__tessera_keys__(), x.min().__tessera_keys__()]
    dsk = stream_reductions(merged, keys)
    shared = [k for k in dsk if k[0] == "streamed"]
    assert len(shared) == 2 and all(isinstance(dsk[k][0], Streamed) for k in shared)


def test_requested_keys_stay(small_pieces: None) -> None:
    x = da.arange(30, chunks=10) * 2
    values, total = da.compute(x, x.sum(), scheduler="sync")
    assert_eq(values, np.arange(30) * 2)
    assert total == 870
    dsk = stream_reductions(
        {**x.__tessera_graph__(), **x.sum().__tessera_graph__()},
        [x.__tessera_keys__(), x.sum().__tessera_keys__()],
        piece=2,
    )
    assert all(k in dsk for k in x.__tessera_block_keys__())


def test_one_block_on_the_reduced_axis_nested_task(small_pieces: None) -> None:
    x = da.ones((12, 10), chunks=(12, 5)) * 3
    assert _streamed(x.sum(axis=0)) == 2  # chunk runs inside the aggregate task
    assert_eq(x.sum(axis=0), np.full(10, 36.0))
    assert_eq(x.mean(axis=(0, 1), keepdims=True), np.full((1, 1), 3.0))


def test_broadcast_and_lower_dimensional_inputs(small_pieces: None) -> None:
    row = np.arange(40.0)
    col = np.arange(30.0)[:, None]
    x = da.ones((30, 40), chunks=(15, 20)) + da.from_array(row, chunks=20) * col
    expected = np.ones((30, 40)) + row * col
    for axis in (None, 0, 1):
        assert_eq(x.sum(axis=axis), expected.sum(axis=axis))
        assert_eq(x.max(axis=axis), expected.max(axis=axis))


def test_unknown_chunk_sizes(small_pieces: None) -> None:
    x = da.from_array(np.arange(50), chunks=10)
    m = x[x % 3 == 0]
    assert_eq((m * 2).sum(), (np.arange(50)[np.arange(50) % 3 == 0] * 2).sum())


def test_optimize_array_streams_then_fuses(small_pieces: None) -> None:
    y = (da.arange(40, chunks=20) - 3).min()
    dsk = optimize_array(y.__tessera_graph__(), y.__tessera_keys__())
    assert len(dsk) == 3 and len(y.__tessera_graph__()) == 7  # 2 streamed, 1 final
    assert y.compute() == -3


def test_small_blocks_and_piece_size_zero_are_left_alone() -> None:
    x = da.arange(100, chunks=10) + 1
    with config.set({"array.piece-size": "1MiB"}):
        assert _streamed(x.sum()) == 0  # 10 elements per block: nothing to gain
    with config.set({"array.piece-size": 0}):
        assert _streamed(da.arange(10**6, chunks=10**5).sum()) == 0
    with config.set({"array.piece-size": 16}):
        assert _streamed(x.sum()) == 10
    assert _streamed(da.arange(10, chunks=5).argmax()) == 0  # no combine for pieces


@pytest.mark.parametrize("scheduler", ["threads", "processes"])
def test_schedulers(small_pieces: None, scheduler: str) -> None:
    x = da.random.default_rng(3).random((20, 6), chunks=(10, 3))
    values = x.compute(scheduler="sync")
    y = (x * 2 - 1).var(axis=0)
    assert_eq(y, ((values * 2) - 1).var(axis=0), scheduler=scheduler)
    assert int(da.arange(1000, chunks=300).sum().compute(scheduler=scheduler)) == 499500


# -- the cut -------------------------------------------------------------------------------


def test_split_plan() -> None:
    assert split_plan((), 1) is None
    assert split_plan((5,), 4) is None  # at most two pieces: keep whole
    assert split_plan((9,), 3) == (0, [(0, 3), (3, 6), (6, 9)])
    assert split_plan((1, 12), 4) == (1, [(0, 4), (4, 8), (8, 12)])  # first long axis
    assert split_plan((3, 4), 2) == (1, [(0, 1), (1, 2), (2, 3), (3, 4)])  # longest axis
    assert split_plan((1, 1, 7), 0) is None
