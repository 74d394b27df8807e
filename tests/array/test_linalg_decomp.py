"""linalg_norm, linalg_tsqr (qr, svd) and linalg_solve against NumPy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array import linalg_solve
from tessera.array.linalg_norm import norm
from tessera.array.linalg_solve import PerformanceWarning, cholesky, inv, lstsq, solve
from tessera.array.linalg_tsqr import qr, svd
from tessera.array.testing import assert_eq
from tests.array.strategies import arrays_and_chunks

SCHEDULERS = ["sync", "threads", "processes"]
VECTOR_ORDS = [None, 0, 1, 2, 3, 0.5, -1, np.inf, -np.inf]
MATRIX_ORDS = [None, "fro", 1, -1, 2, -2, np.inf, -np.inf, "nuc"]


@settings(max_examples=15, deadline=None)
@given(data=arrays_and_chunks(max_dims=3, max_side=5), keepdims=st.booleans())
def test_norm_matches_numpy(data: Any, keepdims: bool) -> None:
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    assert_eq(norm(x, keepdims=keepdims), np.linalg.norm(a, keepdims=keepdims))
    for ord in VECTOR_ORDS:
        want = np.linalg.norm(a, ord, axis=-1, keepdims=keepdims)
        assert_eq(norm(x, ord, axis=-1, keepdims=keepdims), want)
    if a.ndim >= 2:
        for ord in MATRIX_ORDS:
            want = np.linalg.norm(a, ord, axis=(-1, 0), keepdims=keepdims)
            assert_eq(norm(x, ord, axis=(-1, 0), keepdims=keepdims), want)


@pytest.mark.parametrize("ord", MATRIX_ORDS)
def test_norm_2d_default_axes_complex_and_ints(ord: Any) -> None:
    c = np.arange(12).reshape(3, 4) - 5 + 1j * np.arange(12).reshape(3, 4)[::-1]
    assert_eq(norm(da.from_array(c, chunks=2), ord), np.linalg.norm(c, ord))
    ints = np.arange(12).reshape(4, 3) - 6
    assert_eq(norm(da.from_array(ints, chunks=(3, 2)), ord), np.linalg.norm(ints, ord))


def test_norm_errors() -> None:
    x = da.ones((2, 3, 4), chunks=2)
    with pytest.raises(ValueError, match="Improper number of dimensions"):
        norm(x, ord=1)
    with pytest.raises(ValueError, match="Invalid norm order 'fro' for vectors"):
        norm(x, "fro", axis=0)
    with pytest.raises(ValueError, match="Invalid norm order for matrices"):
        norm(x, 3, axis=(0, 1))
    with pytest.raises(ValueError, match="Duplicate axes"):
        norm(x, axis=(1, -2))
    with pytest.raises(ValueError, match="Improper number of dimensions"):
        norm(x, axis=(0, 1, 2))


def _check_qr(a: np.ndarray, q: Any, r: Any) -> None:
    qv, rv = q.compute(), r.compute()
    k = min(a.shape)
    assert qv.shape == (a.shape[0], k) and rv.shape == (k, a.shape[1])
    np.testing.assert_allclose(qv @ rv, a, atol=1e-10)
    np.testing.assert_allclose(qv.T.conj() @ qv, np.eye(k), atol=1e-10)
    np.testing.assert_allclose(np.tril(rv, -1), 0, atol=1e-10)
    want_r = np.linalg.qr(a)[1]  # equal up to the signs of the rows
    np.testing.assert_allclose(np.abs(rv), np.abs(want_r), atol=1e-8)


@pytest.mark.parametrize(
    "shape, row_chunks",
    [((20, 3), 5), ((20, 3), (2, 8, 10)), ((7, 4), 7), ((9, 4), (4, 0, 5)), ((3, 5), 1)],
)
def test_qr_tsqr(shape: tuple[int, int], row_chunks: Any) -> None:
    a = np.random.default_rng(0).standard_normal(shape)
    x = da.from_array(a, chunks=(row_chunks, shape[1]))
    q, r = qr(x)
    assert q.chunks[0] == x.chunks[0]
    _check_qr(a, q, r)


def test_qr_complex_and_float32() -> None:
    rng = np.random.default_rng(1)
    c = rng.standard_normal((12, 3)) + 1j * rng.standard_normal((12, 3))
    _check_qr(c, *qr(da.from_array(c, chunks=(4, 3))))
    f = rng.standard_normal((12, 3)).astype(np.float32)
    q, _ = qr(da.from_array(f, chunks=(5, 3)))
    assert q.dtype == np.float32 and q.compute().dtype == np.float32


@pytest.mark.parametrize("shape, chunks", [((30, 4), (7, 4)), ((4, 30), (4, 7)), ((5, 5), 5)])
def test_svd(shape: tuple[int, int], chunks: Any) -> None:
    a = np.random.default_rng(2).standard_normal(shape)
    u, s, vh = svd(da.from_array(a, chunks=chunks))
    k = min(shape)
    assert u.shape == (shape[0], k) and s.shape == (k,) and vh.shape == (k, shape[1])
    assert_eq(s, np.linalg.svd(a, compute_uv=False))
    uv, sv, vhv = u.compute(), s.compute(), vh.compute()
    np.testing.assert_allclose(uv * sv @ vhv, a, atol=1e-10)
    np.testing.assert_allclose(uv.T @ uv, np.eye(k), atol=1e-10)
    np.testing.assert_allclose(vhv @ vhv.T, np.eye(k), atol=1e-10)


def test_qr_svd_errors() -> None:
    with pytest.raises(ValueError, match="one block of columns"):
        qr(da.ones((6, 4), chunks=2))
    with pytest.raises(ValueError, match="one axis only"):
        svd(da.ones((6, 4), chunks=2))
    with pytest.raises(ValueError, match="2-d"):
        qr(da.ones(3))
    x = da.ones((6, 2), chunks=(2, 2))
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        qr(x[x[:, 0] > 0])


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_linalg_schedulers(scheduler: str) -> None:
    a = np.random.default_rng(3).standard_normal((12, 3))
    x = da.from_array(a, chunks=(4, 3))
    q, r = qr(x)
    assert_eq(q @ r, a, scheduler=scheduler)
    assert_eq(norm(x, 2), np.linalg.norm(a, 2), scheduler=scheduler)
    assert_eq(svd(x)[1], np.linalg.svd(a, compute_uv=False), scheduler=scheduler)
    square = a[:3] + 3 * np.eye(3)
    assert_eq(
        solve(da.from_array(square, chunks=2), np.ones(3)),
        np.linalg.solve(square, np.ones(3)),
        scheduler=scheduler,
    )


@pytest.mark.parametrize("chunks", [1, 2, 4])
def test_solve_inv_cholesky(chunks: int) -> None:
    rng = np.random.default_rng(4)
    m = rng.standard_normal((4, 4))
    a = m @ m.T + 4 * np.eye(4)
    b1, b2 = rng.standard_normal(4), rng.standard_normal((4, 3))
    x = da.from_array(a, chunks=chunks)
    got = solve(x, da.from_array(b2, chunks=chunks))
    assert got.chunks == da.from_array(b2, chunks=chunks).chunks
    assert_eq(got, np.linalg.solve(a, b2))
    assert_eq(solve(x, b1), np.linalg.solve(a, b1))
    assert_eq(inv(x), np.linalg.inv(a))
    assert inv(x).chunks == x.chunks
    assert_eq(cholesky(x, lower=True), np.linalg.cholesky(a))
    assert_eq(cholesky(x), np.linalg.cholesky(a).T)


def test_solve_errors() -> None:
    with pytest.raises(np.linalg.LinAlgError, match="square"):
        solve(da.ones((2, 3)), da.ones(2))
    with pytest.raises(ValueError, match="b must have shape"):
        solve(da.eye(3), da.ones(2))
    with pytest.raises(np.linalg.LinAlgError, match="2-d"):
        inv(da.ones((2, 2, 2)))
    with pytest.raises(np.linalg.LinAlgError, match="Singular"):
        inv(da.zeros((2, 2))).compute()
    with pytest.raises(np.linalg.LinAlgError):
        cholesky(-da.eye(2)).compute()


@pytest.mark.parametrize("shape", [(6, 3), (3, 5), (4, 4)])
def test_lstsq(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(5)
    a = rng.standard_normal(shape)
    for b in (rng.standard_normal(shape[0]), rng.standard_normal((shape[0], 2))):
        got = lstsq(da.from_array(a, chunks=2), da.from_array(b, chunks=2))
        want = np.linalg.lstsq(a, b)
        assert math.isnan(got[1].shape[0])
        for g, w in zip(got, want, strict=True):
            assert_eq(g, w)
    rank_deficient = np.ones((5, 2))
    got = lstsq(da.from_array(rank_deficient, chunks=2), np.arange(5.0))
    assert got[1].compute().shape == (0,)
    assert int(got[2].compute()) == 1
    with pytest.raises(np.linalg.LinAlgError, match="Incompatible"):
        lstsq(da.ones((3, 2)), da.ones(4))


@pytest.mark.parametrize("kind", ["full", "deficient", "complex", "square"])
def test_lstsq_tall_by_tsqr(kind: str) -> None:
    rng = np.random.default_rng(6)
    a = {
        "full": rng.standard_normal((20, 3)),
        "deficient": np.repeat(rng.standard_normal((20, 1)), 3, axis=1),
        "complex": rng.standard_normal((20, 3)) + 1j * rng.standard_normal((20, 3)),
        "square": rng.standard_normal((3, 3)),
    }[kind]
    x = da.from_array(a, chunks=(max(1, a.shape[0] // 4), 3))
    assert x.numblocks[0] > 1 and x.numblocks[1] == 1  # the TSQR path
    for b in (rng.standard_normal(a.shape[0]), rng.standard_normal((a.shape[0], 2))):
        got = lstsq(x, da.from_array(b, chunks=5))
        for g, w in zip(got, np.linalg.lstsq(a, b), strict=True):
            assert_eq(g, w)


def test_large_matrix_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linalg_solve, "LARGE", 8)
    with pytest.warns(PerformanceWarning, match="one block") as record:
        inv(da.eye(2))
    with pytest.warns(PerformanceWarning, match=r"norm\(ord=2\)") as record_norm:
        norm(da.ones((4, 4), chunks=2), ord=2)
    assert record[0].filename == record_norm[0].filename == __file__  # points at the caller


@pytest.mark.parametrize("b_chunks", [(3, 2), (3, 1), (9, 4)])
def test_lstsq_tall_residuals_of_every_column_block(b_chunks: tuple[int, int]) -> None:
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((9, 3)), rng.standard_normal((9, 4))
    got = lstsq(da.from_array(a, chunks=(3, 3)), da.from_array(b, chunks=b_chunks))
    for g, w in zip(got, np.linalg.lstsq(a, b), strict=True):
        assert_eq(g, w)


@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0)])
@pytest.mark.parametrize("ord", [np.inf, 1, None])
def test_norm_of_empty_is_zero(shape: tuple[int, ...], ord: Any) -> None:
    if ord == 1 and len(shape) == 1:
        ord = 2
    a = np.zeros(shape)
    assert_eq(norm(da.from_array(a), ord=ord), np.linalg.norm(a, ord=ord))


def test_norm_axis_must_be_int_or_tuple() -> None:
    with pytest.raises(TypeError, match="tuple of integers"):
        norm(da.ones((2, 2)), axis=[0, 1])
