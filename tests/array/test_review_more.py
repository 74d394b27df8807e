"""Review fixes: object-dtype reductions, writers refusing unknown chunks, contractions over
unknown chunks, lazy histogram bins/range, and the routines added in routines_extra,
routines_select and the random samplers."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

import tessera.array as da
from tessera.array.routines_extra import (
    allclose,
    angle,
    argtopk,
    fromfunction,
    iscomplex,
    isreal,
    median,
    nan_to_num,
    nanmedian,
    newaxis,
    result_type,
    topk,
    trace,
)
from tessera.array.routines_select import (
    append,
    broadcast_arrays,
    compress,
    delete,
    extract,
    insert,
    ravel_multi_index,
    rollaxis,
    select,
    tril_indices,
    triu_indices,
    unravel_index,
)
from tessera.array.testing import assert_eq
from tests.array.test_store import zarr_loop  # noqa: F401 - zarr 3's threads, started once

SCHEDULERS = ["sync", "threads", "processes"]
CHUNKS = [1, 2, 3, 5]


# -- object dtype reductions ------------------------------------------------------------
OBJ = np.array([[1, 2.5, 3, 4, 5.5], [2, 3, 4, 5, 7]], dtype=object)


@pytest.mark.parametrize("name", ["sum", "prod", "mean", "var", "min", "max", "nansum"])
@pytest.mark.parametrize("chunks", [(1, 2), (2, 3), (1, 5)])
@pytest.mark.parametrize("axis", [0, 1])
def test_object_reductions_along_axis(name: str, chunks: Any, axis: int) -> None:
    x = da.from_array(OBJ, chunks=chunks)
    got = getattr(da, name)(x, axis=axis)
    assert got.dtype == object
    want = getattr(np, name)(OBJ, axis=axis)
    if name == "var":  # merged partials round differently from NumPy's two passes
        np.testing.assert_allclose(got.compute().astype(float), want.astype(float))
    else:  # sums of halves: exact in any order
        assert_eq(got, want)


@pytest.mark.parametrize("name", ["sum", "prod", "mean", "var", "nanmean", "nanvar"])
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_object_reductions_whole(name: str, scheduler: str) -> None:
    a = np.array([1, 2.5, 3], dtype=object)
    got = getattr(da, name)(da.from_array(a, chunks=2))
    want = getattr(np, name)(a)  # NumPy: a Python number for sum/prod, float64 for the rest
    assert got.dtype == getattr(want, "dtype", np.dtype(object))
    value = got.compute(scheduler=scheduler)
    assert value == pytest.approx(want, rel=1e-15)
    assert type(value) is type(want)


def test_object_sum_exact_and_mean_method() -> None:
    a = np.array([1, 2.5, 3], dtype=object)
    x = da.from_array(a, chunks=2)
    assert x.sum().compute() == 6.5
    assert x.mean().compute() == np.mean(a)
    big = np.array([10**20, 1, -(10**20)], dtype=object)  # exact Python ints
    assert da.from_array(big, chunks=1).sum().compute() == 1


# -- writers refuse unknown chunks ------------------------------------------------------
def _unknown() -> da.Array:
    x = da.arange(10, chunks=3)
    return x[x > 2]


@pytest.mark.usefixtures("zarr_loop")
def test_to_zarr_unknown_chunks(tmp_path: Any) -> None:
    pytest.importorskip("zarr")
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        da.to_zarr(_unknown(), str(tmp_path / "z.zarr"))
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        _unknown().to_zarr(str(tmp_path / "m.zarr"))
    assert os.listdir(tmp_path) == []


def test_to_npy_stack_unknown_chunks(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        da.to_npy_stack(str(tmp_path / "stack"), _unknown())
    assert os.listdir(tmp_path) == []


@pytest.mark.usefixtures("zarr_loop")
def test_to_zarr_method_round_trip(tmp_path: Any) -> None:
    pytest.importorskip("zarr")
    x = da.from_array(np.arange(12).reshape(3, 4), chunks=2)
    x.to_zarr(str(tmp_path / "x.zarr"), component="a")
    assert_eq(da.from_zarr(str(tmp_path / "x.zarr"), component="a"), np.arange(12).reshape(3, 4))
    known = _unknown().compute_chunk_sizes()  # type: ignore[attr-defined]
    known.rechunk(3).to_zarr(str(tmp_path / "k.zarr"))
    assert_eq(da.from_zarr(str(tmp_path / "k.zarr")), np.arange(3, 10))


# -- contractions over unknown chunks ---------------------------------------------------
def _masked(n: int, chunks: int) -> tuple[Any, Any, Any, Any]:
    rng = np.random.default_rng(0)
    a = rng.integers(-5, 5, size=(n, 3)).astype(float)
    keep = rng.random(n) > 0.4
    x = da.from_array(a, chunks=(chunks, 2))
    m = x[da.from_array(keep, chunks=chunks)]
    v = da.from_array(a[:, 0], chunks=chunks)[da.from_array(keep, chunks=chunks)]
    return m, a[keep], v, a[keep, 0]


@pytest.mark.parametrize("chunks", [2, 3, 7])
def test_contractions_unknown(chunks: int) -> None:
    m, mn, v, vn = _masked(12, chunks)
    assert np.isnan(m.shape[0])
    assert_eq(m.T @ m, mn.T @ mn)
    assert_eq(da.dot(m.T, m), np.dot(mn.T, mn))
    assert_eq(da.tensordot(m, m, ([0], [0])), np.tensordot(mn, mn, ([0], [0])))
    assert_eq(da.einsum("ij,ik->jk", m, m), np.einsum("ij,ik->jk", mn, mn))
    assert_eq(da.einsum("ij,ij->i", m, m), np.einsum("ij,ij->i", mn, mn))
    assert_eq(v @ v, vn @ vn)
    assert_eq(m.T @ v, mn.T @ vn)
    assert_eq(da.vdot(v, v), np.vdot(vn, vn))
    assert_eq(v[:, None] * v, vn[:, None] * vn)
    assert_eq(m + m, mn + mn)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_contractions_unknown_schedulers(scheduler: str) -> None:
    m, mn, v, vn = _masked(10, 3)
    assert_eq(m.T @ m, mn.T @ mn, scheduler=scheduler)
    assert_eq(da.einsum("i,i", v, v), np.einsum("i,i", vn, vn), scheduler=scheduler)


def test_contractions_unknown_split_every() -> None:
    m, mn, _, _ = _masked(30, 2)  # 15 blocks: the tree of products
    assert_eq(da.matmul(m.T, m, split_every=2), mn.T @ mn)


def test_contractions_unknown_mismatch() -> None:
    m, _, v, _ = _masked(12, 3)
    known = da.ones((12, 3), chunks=3)
    with pytest.raises(ValueError, match="unknown"):
        m.T @ known
    with pytest.raises(ValueError, match="unknown"):
        da.tensordot(m, known, ([0], [0]))
    with pytest.raises(ValueError, match="unknown"):
        da.einsum("i,i", v, da.ones(12, chunks=3))
    with pytest.raises(ValueError, match="unknown"):
        v + da.ones(12, chunks=3)
    with pytest.raises(ValueError, match="unknown"):
        v @ v.rechunk(12)[:2]


# -- lazy histogram ---------------------------------------------------------------------
@pytest.mark.parametrize("chunks", CHUNKS)
def test_histogram_lazy_range(chunks: int) -> None:
    a = np.random.default_rng(1).normal(size=23)
    x = da.from_array(a, chunks=chunks)
    hist, edges = da.histogram(x, bins=4, range=(x.min(), x.max()))
    want, want_edges = np.histogram(a, bins=4, range=(a.min(), a.max()))
    assert_eq(hist, want)
    assert_eq(edges, want_edges)
    hist, edges = da.histogram(x, bins=5, range=(-1, x.max()), weights=x, density=True)
    want, want_edges = np.histogram(a, bins=5, range=(-1, a.max()), weights=a, density=True)
    assert_eq(hist, want)
    assert_eq(edges, want_edges)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_histogram_lazy_bins(scheduler: str) -> None:
    a = np.arange(20) % 7
    x = da.from_array(a, chunks=6)
    bins = da.from_array(np.array([0, 1, 3, 6, 7]), chunks=2)
    hist, edges = da.histogram(x, bins=bins)
    want, want_edges = np.histogram(a, bins=[0, 1, 3, 6, 7])
    assert_eq(hist, want, scheduler=scheduler)
    assert_eq(edges, want_edges, scheduler=scheduler)


def test_histogram_lazy_errors() -> None:
    x = da.arange(5, chunks=2)
    with pytest.raises(ValueError, match="1-d"):
        da.histogram(x, bins=da.ones((2, 2)))
    with pytest.raises(TypeError, match="pair"):
        da.histogram(x, bins=3, range=da.arange(2))


# -- median, topk -----------------------------------------------------------------------
@pytest.mark.parametrize("chunks", [1, 2, 3])
@pytest.mark.parametrize("axis", [0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_median(chunks: int, axis: Any, keepdims: bool) -> None:
    a = np.random.default_rng(2).normal(size=(5, 6))
    a[1, 2] = np.nan
    x = da.from_array(a, chunks=chunks)
    assert_eq(median(x, axis=axis, keepdims=keepdims), np.median(a, axis, keepdims=keepdims))
    want = np.nanmedian(a, axis, keepdims=keepdims)
    assert_eq(nanmedian(x, axis=axis, keepdims=keepdims), want)


def test_median_needs_axis() -> None:
    with pytest.raises(NotImplementedError, match="axis"):
        median(da.ones(4), axis=None)


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("k", [1, 3, 7, -1, -4, 12, -12])
def test_topk_1d(chunks: int, k: int) -> None:
    a = np.random.default_rng(3).permutation(12) * 1.5
    x = da.from_array(a, chunks=chunks)
    want = np.sort(a)[::-1][:k] if k > 0 else np.sort(a)[:-k]
    assert_eq(topk(x, k), want)
    assert_eq(argtopk(x, k), np.argsort(a)[::-1][:k] if k > 0 else np.argsort(a)[:-k])


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_topk_2d(axis: int, scheduler: str) -> None:
    a = np.random.default_rng(4).permutation(30).reshape(5, 6)
    x = da.from_array(a, chunks=2)
    want = np.flip(np.sort(a, axis=axis), axis=axis).take(range(2), axis=axis)
    assert_eq(topk(x, 2, axis=axis, split_every=2), want, scheduler=scheduler)
    order = np.argsort(a, axis=axis).take(range(3), axis=axis)
    assert_eq(argtopk(x, -3, axis=axis), order, scheduler=scheduler)


def test_topk_unknown_chunks() -> None:
    a = np.array([5, -1, 9, 3, -7, 2, 8])
    x = da.from_array(a, chunks=3)
    assert_eq(topk(x[x > 0], 2), np.array([9, 8]))
    assert_eq(topk(x[x > 0], -5), np.array([2, 3, 5, 8, 9]))
    with pytest.raises(ValueError, match="unknown"):
        argtopk(x[x > 0], 2)


def test_topk_errors() -> None:
    with pytest.raises(ValueError, match="k must be"):
        topk(da.arange(5), 0)
    with pytest.raises(ValueError, match="k must be"):
        topk(da.arange(5), 6)


# -- element-wise and small routines ----------------------------------------------------
@pytest.mark.parametrize("chunks", [1, 2, 4])
def test_elementwise_extras(chunks: int) -> None:
    a = np.array([np.nan, np.inf, -np.inf, 1.5, 0.0])
    x = da.from_array(a, chunks=chunks)
    assert_eq(nan_to_num(x), np.nan_to_num(a))
    assert_eq(
        nan_to_num(x, nan=-1, posinf=9, neginf=-9), np.nan_to_num(a, nan=-1, posinf=9, neginf=-9)
    )
    z = np.array([1 + 1j, 2 + 0j, -1j, -3 + 0j, 0j])
    y = da.from_array(z, chunks=chunks)
    assert_eq(isreal(y), np.isreal(z))
    assert_eq(iscomplex(y), np.iscomplex(z))
    assert_eq(angle(y), np.angle(z))
    assert_eq(angle(y, deg=True), np.angle(z, deg=True))
    assert_eq(isreal(x), np.isreal(a))


@pytest.mark.parametrize("offset", [-2, 0, 1, 5])
def test_trace(offset: int) -> None:
    a = np.arange(60, dtype="i4").reshape(3, 4, 5)
    x = da.from_array(a, chunks=2)
    assert_eq(trace(x, offset), np.trace(a, offset))
    assert_eq(trace(x, offset, axis1=1, axis2=2), np.trace(a, offset, axis1=1, axis2=2))
    assert_eq(trace(x, offset, dtype="f4"), np.trace(a, offset, dtype="f4"))


def test_allclose_result_type_newaxis() -> None:
    x = da.from_array(np.array([1.0, np.nan]), chunks=1)
    assert not bool(allclose(x, [1.0, np.nan]))
    assert bool(allclose(x, [1.0 + 1e-9, np.nan], equal_nan=True))
    assert result_type(da.ones(2, dtype="i2"), np.int8) == np.result_type(np.int16, np.int8)
    assert result_type(da.ones(2, dtype="f4"), 2.0) == np.result_type(np.float32, 2.0)
    assert newaxis is np.newaxis


@pytest.mark.parametrize("chunks", [1, 2, (3, 2)])
def test_fromfunction(chunks: Any) -> None:
    def f(i: Any, j: Any, scale: int = 1) -> Any:
        return (i * 10 + j) * scale

    got = fromfunction(f, (4, 3), dtype=int, chunks=chunks, scale=2)
    assert_eq(got, np.fromfunction(f, (4, 3), dtype=int, scale=2))
    assert_eq(fromfunction(f, (3, 2), chunks=chunks), np.fromfunction(f, (3, 2)))


# -- select, compress, insert, delete... ------------------------------------------------
@pytest.mark.parametrize("chunks", [1, 3, 4])
def test_select(chunks: int) -> None:
    a = np.arange(10)
    x = da.from_array(a, chunks=chunks)
    got = select([x < 3, x > 6, x > 1], [x, x * 10.5, -x], default=7)
    assert_eq(got, np.select([a < 3, a > 6, a > 1], [a, a * 10.5, -a], default=7))
    with pytest.raises(TypeError, match="boolean"):
        select([x], [x])
    with pytest.raises(ValueError, match="same length"):
        select([x < 1], [])


def test_broadcast_arrays() -> None:
    a, b = np.arange(3).reshape(3, 1), np.arange(4)
    got = broadcast_arrays(da.from_array(a, chunks=2), da.from_array(b, chunks=3))
    for g, w in zip(got, np.broadcast_arrays(a, b), strict=True):
        assert_eq(g, w)
    assert got[0].chunks == got[1].chunks


@pytest.mark.parametrize("chunks", [1, 2, 3])
def test_compress_extract(chunks: int) -> None:
    a = np.arange(12).reshape(3, 4)
    x = da.from_array(a, chunks=chunks)
    for cond, axis in [([True, False, True], 0), ([False, True], 1), ([1, 0, 1, 1, 0], None)]:
        assert_eq(compress(cond, x, axis=axis), np.compress(cond, a, axis=axis))
    lazy = da.from_array(np.array([True, False, True, True]), chunks=chunks)
    assert_eq(compress(lazy, x, axis=1), np.compress([True, False, True, True], a, axis=1))
    with pytest.raises(IndexError):
        compress([False] * 3 + [True], x, axis=0)
    assert_eq(extract(x % 3 == 0, x), np.extract(a % 3 == 0, a))
    assert_eq(extract(a % 2, x), np.extract(a % 2, a))


@pytest.mark.parametrize("chunks", [1, 2, 5])
@pytest.mark.parametrize(
    ("obj", "values", "axis"),
    [
        (1, 9, None),
        (0, [7, 8, 9], 1),
        ([1], [5, 6, 7], 1),
        (-1, [[1], [2], [3]], 1),
        ([1, 3], [-1, -3], 1),
        ([3, 1, 1], 99.7, 0),
        ([-1, 0], [[5], [6]], 0),
        (slice(0, 3, 2), [4, 5], 1),
        ([2], [[1, 2, 3, 4]], 0),
        (4, 0, 1),
    ],
)
def test_insert(chunks: int, obj: Any, values: Any, axis: Any) -> None:
    a = np.arange(12).reshape(3, 4)
    x = da.from_array(a, chunks=chunks)
    assert_eq(insert(x, obj, values, axis=axis), np.insert(a, obj, values, axis=axis))


def test_insert_errors() -> None:
    x = da.ones((3, 4), chunks=2)
    with pytest.raises(IndexError, match="out of bounds"):
        insert(x, 6, 1, axis=1)
    with pytest.raises(IndexError, match="integers"):
        insert(x, [1.5], 1, axis=1)
    with pytest.raises(ValueError):
        insert(x, 1, [1, 2], axis=1)  # NumPy: could not broadcast


@pytest.mark.parametrize("chunks", [1, 2, 5])
@pytest.mark.parametrize(
    ("obj", "axis"),
    [(0, None), ([0, -1], 1), (slice(1, None, 2), 0), ([True, False, True], 0), (-2, 1)],
)
def test_delete(chunks: int, obj: Any, axis: Any) -> None:
    a = np.arange(12).reshape(3, 4)
    x = da.from_array(a, chunks=chunks)
    assert_eq(delete(x, obj, axis=axis), np.delete(a, obj, axis=axis))


def test_delete_errors() -> None:
    with pytest.raises(IndexError):
        delete(da.arange(4), 4)
    with pytest.raises(ValueError, match="match"):
        delete(da.arange(4), np.array([True, False]))


def test_append_rollaxis() -> None:
    a = np.arange(6).reshape(2, 3)
    x = da.from_array(a, chunks=2)
    assert_eq(append(x, [[1.5, 2, 3]]), np.append(a, [[1.5, 2, 3]]))
    assert_eq(append(x, [[7, 8, 9]], axis=0), np.append(a, [[7, 8, 9]], axis=0))
    b = np.ones((2, 3, 4, 5))
    y = da.from_array(b, chunks=2)
    for axis, start in [(3, 1), (2, 0), (1, 4), (0, -1), (2, 2)]:
        assert_eq(rollaxis(y, axis, start), np.rollaxis(b, axis, start))
    with pytest.raises(np.exceptions.AxisError):
        rollaxis(y, 1, 6)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_unravel_ravel_index(order: str, scheduler: str) -> None:
    flat = np.array([0, 5, 11, 7, 3])
    x = da.from_array(flat, chunks=2)
    got = unravel_index(x, (3, 4), order=order)
    want = np.unravel_index(flat, (3, 4), order=order)
    for g, w in zip(got, want, strict=True):
        assert_eq(g, w, scheduler=scheduler)
    back = ravel_multi_index(got, (3, 4), order=order)
    assert_eq(back, flat, scheduler=scheduler)
    with pytest.raises(ValueError):
        ravel_multi_index((x,), (3, 4))


def test_tri_indices() -> None:
    for k in [-1, 0, 2]:
        for got, want in zip(
            tril_indices(4, k, 5, chunks=3), np.tril_indices(4, k, 5), strict=True
        ):
            assert_eq(got, want)
        for got, want in zip(triu_indices(4, k), np.triu_indices(4, k), strict=True):
            assert_eq(got, want)


# -- random -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "args", "check"),
    [
        ("binomial", (10, 0.3), lambda v: ((v >= 0) & (v <= 10)).all()),
        ("gamma", (2.0, 1.5), lambda v: (v > 0).all()),
        ("beta", (2.0, 3.0), lambda v: ((v >= 0) & (v <= 1)).all()),
        ("lognormal", (0.0, 0.5), lambda v: (v > 0).all()),
    ],
)
def test_random_distributions(method: str, args: Any, check: Any) -> None:
    rng = da.random.default_rng(11)
    x = getattr(rng, method)(*args, size=(40, 30), chunks=(15, 10))
    want = getattr(np.random.default_rng(0), method)(*args, size=2).dtype
    assert x.dtype == want and x.chunks == ((15, 15, 10), (10, 10, 10))
    values = x.compute(scheduler="sync")
    assert check(values)
    same = getattr(da.random.default_rng(11), method)(*args, size=(40, 30), chunks=(15, 10))
    np.testing.assert_array_equal(same.compute(scheduler="threads"), values)
    assert getattr(da.random, method)(*args, size=5).shape == (5,)


def test_random_randn_choice_permutation() -> None:
    assert da.random.randn(3, 4, chunks=2).compute().shape == (3, 4)
    rng = da.random.default_rng(5)
    c = rng.choice([10, 20, 30], size=(6, 5), chunks=4, p=[0.2, 0.0, 0.8]).compute()
    assert set(np.unique(c)) <= {10, 30}
    u = rng.choice(20, size=10, replace=False, chunks=3)
    assert u.chunks == ((3, 3, 3, 1),) and len(set(u.compute().tolist())) == 10
    lazy = rng.choice(da.arange(5, chunks=2) * 2, size=8, chunks=3).compute()
    assert set(lazy.tolist()) <= {0, 2, 4, 6, 8}
    p = rng.permutation(da.from_array(np.arange(10).reshape(5, 2), chunks=2)).compute()
    np.testing.assert_array_equal(np.sort(p[:, 0]), np.arange(0, 10, 2))
    np.testing.assert_array_equal(p[:, 1] - p[:, 0], np.ones(5, int))
    assert sorted(da.random.permutation(6).compute().tolist()) == list(range(6))
    assert da.random.choice(4, size=3).dtype == np.int64
    with pytest.raises(ValueError):
        rng.choice(3, size=5, replace=False)


def test_random_choice_processes() -> None:
    x = da.random.default_rng(8).choice(7, size=20, chunks=6)
    np.testing.assert_array_equal(x.compute(scheduler="processes"), x.compute(scheduler="sync"))
