"""Review fixes: rechunk None/-1/balance, lazy 0-d and boolean scalar indices, and NumPy
functions dispatching to tessera (``__array_function__``)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import tessera.array as da
from tessera.array.testing import assert_eq

SCHEDULERS = ["sync", "threads", "processes"]


# -- rechunk --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "want"),
    [
        ((None, 5), ((3, 3, 3, 1), (5, 5))),
        ({0: None, 1: 5}, ((3, 3, 3, 1), (5, 5))),
        ((None, -1), ((3, 3, 3, 1), (10,))),
        ((-1, None), ((10,), (3, 3, 3, 1))),
        (-1, ((10,), (10,))),
        ({1: None}, ((3, 3, 3, 1), (3, 3, 3, 1))),
    ],
)
def test_rechunk_none_keeps_axis(spec: Any, want: Any) -> None:
    x = np.arange(100).reshape(10, 10)
    y = da.from_array(x, chunks=3).rechunk(spec)
    assert y.chunks == want
    assert_eq(y, x)


@pytest.mark.parametrize(
    ("n", "size", "want"),
    [(10, 4, (4, 3, 3)), (10, 3, (3, 3, 2, 2)), (10, 5, (5, 5)), (13, 5, (5, 4, 4)), (7, 7, (7,))],
)
def test_rechunk_balance(n: int, size: int, want: tuple[int, ...]) -> None:
    y = da.arange(n, chunks=2).rechunk(size, balance=True)
    assert y.chunks == (want,)
    assert max(want) - min(want) <= 1 and max(want) <= size  # never above the size asked
    assert_eq(y, np.arange(n))


def test_rechunk_balance_2d_and_same_chunks() -> None:
    x = da.ones((10, 10), chunks=(4, 10))
    y = x.rechunk((4, -1), balance=True)  # balance applies even when chunks are unchanged
    assert y.chunks == ((4, 3, 3), (10,))
    assert_eq(y, np.ones((10, 10)))


def test_rechunk_method_and_unknown_axis_none() -> None:
    x = da.ones((10, 10), chunks=3)
    assert x.rechunk((5, 5), method="tasks").chunks == ((5, 5), (5, 5))
    with pytest.raises(ValueError, match="method='tasks'"):
        x.rechunk((5, 5), method="p2p")
    m = da.arange(10, chunks=4)
    u = da.stack([m, m], axis=1)[m > 3]  # unknown rows
    assert_eq(u.rechunk((None, 1)), np.stack([np.arange(10)] * 2, axis=1)[4:])


# -- indexing -------------------------------------------------------------------------
@pytest.mark.parametrize("chunks", [(2, 3), (5, 10), (1, 4)])
def test_lazy_0d_integer_index(chunks: Any) -> None:
    x = np.arange(50).reshape(5, 10) % 7
    d = da.from_array(x, chunks=chunks)
    assert_eq(d[d[:, 0].argmax()], x[x[:, 0].argmax()])
    assert_eq(d[:, d[0].argmin()], x[:, x[0].argmin()])
    assert_eq(d[1:, d[0].argmax(), None], x[1:, x[0].argmax(), None])
    assert_eq(d[2, d.sum(axis=0).argmax()], x[2, x.sum(axis=0).argmax()])
    flat = da.from_array(x.ravel(), chunks=7)
    assert_eq(flat[flat.argmax()], x.ravel()[x.argmax()])
    assert_eq(flat[-flat[:3].argmax() - 1], x.ravel()[-x.ravel()[:3].argmax() - 1])


@pytest.mark.parametrize(
    "index",
    [True, False, (True,), (Ellipsis, False), (slice(1, 3), True), (None, slice(None), False)],
)
def test_boolean_scalar_index(index: Any) -> None:
    x = np.arange(50).reshape(5, 10)
    assert_eq(da.from_array(x, chunks=(2, 3))[index], x[index])


def test_range_index_and_unsupported_boolean_scalars() -> None:
    x = np.arange(50).reshape(5, 10)
    d = da.from_array(x, chunks=(2, 3))
    assert_eq(d[range(2)], x[range(2)])
    assert_eq(d[:, range(8, 2, -2)], x[:, range(8, 2, -2)])
    with pytest.raises(NotImplementedError, match="boolean scalar"):
        d[True, 1]
    with pytest.raises(NotImplementedError, match="boolean scalar"):
        d[True, False]


# -- NumPy functions on tessera arrays --------------------------------------------------
X = np.array([[1.5, -2.25, 3.0, np.nan], [0.5, 4.0, -1.0, 2.0], [7.0, 1.0, 1.0, -3.5]])
CASES = [
    ("concatenate", lambda m, a: m.concatenate([a, a], axis=1)),
    ("stack", lambda m, a: m.stack([a, a])),
    ("where", lambda m, a: m.where(a > 1, a, 0)),
    ("clip", lambda m, a: m.clip(a, -1, 2)),
    ("round", lambda m, a: m.round(a, 1)),
    ("diff", lambda m, a: m.diff(a, axis=0)),
    ("dot", lambda m, a: m.dot(m.where(m.isnan(a), 0, a), m.where(m.isnan(a), 0, a).T)),
    ("nansum", lambda m, a: m.nansum(a, axis=1)),
    ("einsum", lambda m, a: m.einsum("ij->j", m.where(m.isnan(a), 0, a))),
    ("mean", lambda m, a: m.mean(a, axis=0)),
    ("sum", lambda m, a: m.sum(a)),
    ("unique", lambda m, a: m.unique(m.where(m.isnan(a), 0, a))),
    ("transpose", lambda m, a: m.transpose(a)),
    ("cumsum", lambda m, a: m.cumsum(a, axis=1)),
    ("norm", lambda m, a: m.linalg.norm(m.where(m.isnan(a), 0, a))),
    ("isnan", lambda m, a: m.isnan(a)),
]


@pytest.mark.parametrize(("name", "call"), CASES, ids=[c[0] for c in CASES])
def test_numpy_functions_dispatch_lazily(name: str, call: Any) -> None:
    d = da.from_array(X, chunks=(2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # no fallback to computing
        out = call(np, d)
    assert isinstance(out, da.Array), name
    assert_eq(out, call(np, X))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_numpy_dispatch_schedulers(scheduler: str) -> None:
    d = da.from_array(X, chunks=2)
    out = np.where(np.isnan(d), np.clip(d, 0, 1), np.concatenate([d[:1], d[1:]]))
    assert_eq(out, np.where(np.isnan(X), np.clip(X, 0, 1), X), scheduler=scheduler)


def test_numpy_metadata_functions_do_not_compute() -> None:
    d = da.from_array(X, chunks=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        assert np.shape(d) == (3, 4)
        assert np.ndim(d) == 2
        assert np.size(d) == 12
        assert np.size(d, 1) == 4
        assert np.result_type(d, np.int8) == np.float64
        assert np.can_cast(d, np.float32, "same_kind")
        assert not np.iscomplexobj(d)
        assert np.isrealobj(d)


def test_numpy_function_tessera_lacks_computes_with_warning() -> None:
    d = da.from_array(X[1], chunks=2)
    with pytest.warns(FutureWarning, match="numpy.unwrap"):
        out = np.unwrap(d)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, np.unwrap(X[1]))


def test_foreign_types_are_not_handled() -> None:
    class Other:
        def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
            return NotImplemented

    with pytest.raises(TypeError, match="no implementation found"):
        np.concatenate([da.ones(2, chunks=1), Other()])
