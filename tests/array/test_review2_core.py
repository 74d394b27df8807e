"""Second review fixes: assignment (several integer arrays, value casting, unknown chunks),
map_overlap with broadcast axes, sliding windows on a repeated axis, NumPy calls bound to
NumPy's signature (``__array_function__``) and lazy 0-d / NumPy 0-d boolean indices."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import tessera.array as da
from tessera.array.testing import assert_eq

SCHEDULERS = ["sync", "threads", "processes"]
Y = np.arange(12.0).reshape(3, 4)


def outcome(func: Callable[[], Any]) -> Any:
    """The result of ``func()`` or the type of the exception it raised."""
    try:
        return func()
    except Exception as err:  # the type is compared with NumPy's
        return type(err)


# -- assignment: several integer arrays -------------------------------------------------
@pytest.mark.parametrize(
    "index",
    [([0, 2], [1, 3]), (np.array([0, 2]), [1]), ([0, 1], [True, False, True, False])],
)
def test_setitem_several_arrays_raise(index: Any) -> None:
    d = da.from_array(Y, chunks=2)
    with pytest.raises(NotImplementedError, match="pointwise"):
        d[index] = 7
    assert_eq(d, Y)  # unchanged


@pytest.mark.parametrize("chunks", [1, 2, (3, 4)])
def test_setitem_one_array_with_ints_and_slices(chunks: Any) -> None:
    d, ref = da.from_array(Y, chunks=chunks), Y.copy()
    d[1, [3, 0, 3]] = np.array([5.0, 6.0, 7.0])
    ref[1, [3, 0, 3]] = np.array([5.0, 6.0, 7.0])
    d[::2, [True, False, False, True]] = -1
    ref[::2, [True, False, False, True]] = -1
    assert_eq(d, ref)


# -- assignment: values cast with NumPy's checks ----------------------------------------
@pytest.mark.parametrize(
    ("dtype", "index", "value"),
    [
        (np.uint8, 1, 300),
        (np.uint8, slice(0, 2), [300, 1]),
        (np.uint8, slice(0, 2), -1),
        (np.uint8, slice(0, 2), np.array([300, 1])),  # arrays cast unsafely, as in NumPy
        (np.uint8, 1, np.float64(300.0)),
        (np.int64, [0, 3], np.float64(np.nan)),
        (np.int64, [0, 3], np.nan),
        (np.int64, 2, 2.7),
        (np.int8, 0, 127),
        (np.int8, 0, 128),
        (np.float32, 1, 1e300),
        (bool, 1, 2),
    ],
)
def test_setitem_value_casting_matches_numpy(dtype: Any, index: Any, value: Any) -> None:
    x = np.arange(4).astype(dtype)
    d = da.from_array(x, chunks=2)

    def run_numpy() -> Any:
        ref = x.copy()
        ref[index] = value
        return ref

    def run_tessera() -> Any:
        d[index] = value
        return d.compute()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # invalid/overflowing casts
        want, got = outcome(run_numpy), outcome(run_tessera)
    if isinstance(want, type):
        assert got is want
        assert_eq(d, x)  # a failed assignment leaves the array as it was
    else:
        assert_eq(got, want)


@pytest.mark.parametrize(
    ("dtype", "value"),
    [(np.int64, np.nan), (np.uint8, 300), (np.uint8, -1), (np.int64, np.float64(np.nan))],
)
def test_mask_assignment_value_casting_matches_numpy(dtype: Any, value: Any) -> None:
    x = np.arange(4).astype(dtype)
    d = da.from_array(x, chunks=2)

    def run_numpy() -> Any:
        ref = x.copy()
        ref[ref > 1] = value
        return ref

    def run_tessera() -> Any:
        d[d > 1] = value
        return d.compute()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want, got = outcome(run_numpy), outcome(run_tessera)
    if isinstance(want, type):
        assert got is want
    else:
        assert_eq(got, want)


# -- assignment: a mask on an array of unknown chunks -----------------------------------
def test_mask_assignment_unknown_chunks() -> None:
    x = np.arange(6.0)
    q = da.from_array(x, chunks=2)
    q = q[q > 0]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        q[da.arange(5, chunks=5) > 2] = 0
    q[q > 2] = 0  # the mask has the array's own (unknown) chunks: fine
    ref = x[x > 0]
    ref[ref > 2] = 0
    assert_eq(q.compute(), ref)
    k = da.from_array(x, chunks=2)
    k = k[k > 0].compute_chunk_sizes()
    k[da.arange(5, chunks=5) > 2] = 0
    ref = x[x > 0]
    ref[np.arange(5) > 2] = 0
    assert_eq(k, ref)


# -- map_overlap with a broadcast axis --------------------------------------------------
W = np.arange(4.0).reshape(1, 4) * 10


@pytest.mark.parametrize("roll_axis", [0, 1])
@pytest.mark.parametrize("w_first", [False, True])
@pytest.mark.parametrize("chunks", [2, (1, 3)])
def test_map_overlap_broadcast_axis(roll_axis: int, w_first: bool, chunks: Any) -> None:
    y, w = da.from_array(Y, chunks=chunks), da.from_array(W, chunks=2)

    def func(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        return np.roll(p, 1, axis=roll_axis) + q

    want = np.roll(Y, 1, axis=roll_axis) + W
    if w_first:
        out = da.map_overlap(lambda q, p: func(p, q), w, y, depth=1, boundary="periodic")
    else:
        out = da.map_overlap(func, y, w, depth=1, boundary="periodic")
    assert_eq(out, want)
    out = da.map_overlap(lambda p, q: p + q, y, w, depth=1, boundary="reflect")
    assert_eq(out, Y + W)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_map_overlap_broadcast_axis_schedulers(scheduler: str) -> None:
    y, w = da.from_array(Y, chunks=2), da.from_array(W, chunks=2)
    out = da.map_overlap(lambda p, q: p * q, y, w, depth=(1, 1), boundary="nearest")
    assert_eq(out, Y * W, scheduler=scheduler)


# -- sliding windows along a repeated axis ----------------------------------------------
@pytest.mark.parametrize(
    ("shape", "chunks", "window", "axis"),
    [
        ((6,), 2, (2, 2), (0, 0)),
        ((7,), 3, (3, 2), (0, -1)),
        ((5, 6), (2, 3), (2, 3, 2), (1, 0, 1)),
        ((6,), 2, (1, 1), (0, 0)),
        ((6,), 2, (2, 3, 2), (0, 0, 0)),
    ],
)
def test_sliding_window_repeated_axis(shape: Any, chunks: Any, window: Any, axis: Any) -> None:
    x = np.arange(np.prod(shape)).reshape(shape)
    d = da.from_array(x, chunks=chunks)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # dispatched lazily
        out = sliding_window_view(d, window, axis=axis)
    assert isinstance(out, da.Array)
    assert_eq(out, sliding_window_view(x, window, axis=axis))


def test_sliding_window_repeated_axis_too_large() -> None:
    with pytest.raises(ValueError, match="larger than input"):
        sliding_window_view(da.arange(3, chunks=2), (2, 3), axis=(0, 0))
    with pytest.raises(ValueError, match="larger than input"):
        sliding_window_view(np.arange(3), (2, 3), axis=(0, 0))


# -- NumPy functions: arguments bound to NumPy's signature ------------------------------
X = np.array([[1.5, -2.0, 3.0, 0.5], [4.0, 2.5, -1.0, 7.0], [0.0, 1.0, 2.0, -3.0]])

LAZY = [
    ("sum-positional", lambda m, a: m.sum(a, 0, None, None, True)),
    ("mean-positional", lambda m, a: m.mean(a, 1, None, None, True)),
    ("clip-a_min", lambda m, a: m.clip(a, a_min=1, a_max=2)),
    ("clip-min", lambda m, a: m.clip(a, min=0)),
    ("clip-positional", lambda m, a: m.clip(a, -1, 1)),
    ("full_like-order", lambda m, a: m.full_like(a, 1, None, "C")),
    ("zeros_like-subok", lambda m, a: m.zeros_like(a, subok=True)),
    ("max-defaults", lambda m, a: m.max(a, axis=0, out=None, keepdims=False)),
    ("stack-arrays", lambda m, a: m.stack(arrays=[a, a], axis=1)),
    ("concatenate", lambda m, a: m.concatenate([a, a], 1)),
    ("take", lambda m, a: m.take(a, [2, 0], 1)),
    ("where", lambda m, a: m.where(a > 1, a, -a)),
    ("outer", lambda m, a: m.linalg.outer(a[0], a[1])),
    ("tensordot", lambda m, a: m.linalg.tensordot(a, a.T, axes=1)),
    ("einsum", lambda m, a: m.einsum("ij,ij->i", a, a)),
    ("quantile", lambda m, a: m.quantile(a, 0.5, axis=0)),
]


@pytest.mark.parametrize(("name", "call"), LAZY, ids=[c[0] for c in LAZY])
def test_numpy_calls_bound_to_numpy_signature(name: str, call: Any) -> None:
    d = da.from_array(X, chunks=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # no fallback to computing
        out = call(np, d)
    assert isinstance(out, da.Array), name
    assert_eq(out, call(np, X))


FALLBACK = [
    ("where", lambda m, a: m.sum(a, where=a > 1)),
    ("initial", lambda m, a: m.max(a, initial=9)),
    ("dtype", lambda m, a: m.stack([a, a], dtype="f4")),
    ("keepdims", lambda m, a: m.quantile(a, 0.5, keepdims=True)),
    ("order", lambda m, a: m.ravel(a, order="F")),
    ("order", lambda m, a: m.reshape(a, (4, 3), order="F")),
    ("median", lambda m, a: m.median(a)),
    ("ddof", lambda m, a: m.std(a, correction=1)),
]


@pytest.mark.parametrize(("reason", "call"), FALLBACK, ids=[c[0] for c in FALLBACK])
def test_numpy_arguments_tessera_lacks_fall_back(reason: str, call: Any) -> None:
    d = da.from_array(X, chunks=2)
    with pytest.warns(FutureWarning, match="computed and NumPy is called") as record:
        out = call(np, d)
    assert not isinstance(out, da.Array)
    assert_eq(out, call(np, X))
    if reason != "ddof":
        assert reason in str(record[0].message)


# -- indices: several lazy 0-d integers, NumPy 0-d booleans ------------------------------
@pytest.mark.parametrize(
    "index",
    [
        lambda i, j: (i, i),
        lambda i, j: (i, j),
        lambda i, j: (i, slice(None), j),
        lambda i, j: (None, i, slice(1, None), j),
        lambda i, j: (Ellipsis, i, j),
        lambda i, j: (j, 1, i),
        lambda i, j: (i, [0, 2]),
    ],
)
def test_several_lazy_0d_integer_indices(index: Any) -> None:
    x = np.arange(24).reshape(2, 3, 4)
    d = da.from_array(x, chunks=2)
    lazy = index(da.from_array(np.array(1)), da.from_array(np.array(-1)))
    want = x[index(1, -1)]
    if any(isinstance(e, list) for e in lazy):  # a lazy scalar with an array: still refused
        with pytest.raises(NotImplementedError):
            d[lazy]
        return
    assert_eq(d[lazy], want)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_lazy_0d_indices_schedulers(scheduler: str) -> None:
    x = np.arange(12).reshape(3, 4)
    d = da.from_array(x, chunks=2)
    assert_eq(d[d[:, 0].argmax(), d[0].argmin()], x[2, 0], scheduler=scheduler)


@pytest.mark.parametrize(
    "index",
    [
        np.array(True),
        np.array(False),
        (slice(1, None), np.array(True)),
        (np.array(False), Ellipsis, None),
    ],
)
def test_numpy_0d_boolean_index(index: Any) -> None:
    x = np.arange(12.0).reshape(3, 4)
    d = da.from_array(x, chunks=2)
    assert_eq(d[index], x[index])
