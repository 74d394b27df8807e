"""bincount, histogram, percentile/quantile, average, ptp, cov, corrcoef against NumPy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.testing import assert_eq
from tests.array.strategies import arrays_and_chunks

SCHEDULERS = ["sync", "threads", "processes"]
CHUNKS = [1, 3, 7, 20]


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("minlength", [0, 12])
def test_bincount(chunks: int, minlength: int) -> None:
    a = np.array([0, 3, 3, 1, 7, 2, 2, 2, 0, 5])
    w = np.linspace(0.5, 5.0, 10)
    x, xw = da.from_array(a, chunks=chunks), da.from_array(w, chunks=4)
    got = da.bincount(x, minlength=minlength, split_every=2)
    assert math.isnan(got.shape[0])
    assert_eq(got, np.bincount(a, minlength=minlength))
    assert_eq(da.bincount(x, weights=xw, minlength=minlength), np.bincount(a, w, minlength))


def test_bincount_errors() -> None:
    with pytest.raises(ValueError, match="1-d"):
        da.bincount(da.ones((2, 2), dtype=int))
    with pytest.raises(TypeError):
        da.bincount(da.ones(3))
    with pytest.raises(ValueError, match="same shape"):
        da.bincount(da.ones(3, dtype=int), weights=da.ones(4))
    with pytest.raises(ValueError, match="negative"):
        da.bincount(da.from_array(np.array([1, -1]))).compute()


@settings(max_examples=25, deadline=None)
@given(
    data=arrays_and_chunks(max_dims=2, max_side=6),
    bins=st.sampled_from([3, 5, [-20.0, -1.0, 0.0, 2.0, 30.0]]),
    density=st.booleans(),
    weighted=st.booleans(),
)
def test_histogram_matches_numpy(data: Any, bins: Any, density: bool, weighted: bool) -> None:
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    w = np.abs(a) + 1 if weighted else None
    rng = None if isinstance(bins, list) else (-10.0, 10.0)
    xw = None if w is None else da.from_array(w, chunks=2)
    hist, edges = da.histogram(x, bins=bins, range=rng, density=density, weights=xw)
    want, want_edges = np.histogram(a, bins=bins, range=rng, density=density, weights=w)
    np.testing.assert_array_equal(edges, want_edges)
    assert hist.shape == want.shape
    assert_eq(hist, want)


def test_histogram_errors() -> None:
    x = da.ones(4, chunks=2)
    with pytest.raises(ValueError, match="range="):
        da.histogram(x, bins=4)
    with pytest.raises(NotImplementedError, match="auto"):
        da.histogram(x, bins="auto", range=(0, 1))
    with pytest.raises(ValueError, match="monotonically"):
        da.histogram(x, bins=[0, 2, 1])


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_histogram_and_bincount_schedulers(scheduler: str) -> None:
    a = np.arange(20) % 7
    x = da.from_array(a, chunks=6)
    assert_eq(
        da.histogram(x, 7, range=(0, 7))[0], np.histogram(a, 7, (0, 7))[0], scheduler=scheduler
    )
    assert_eq(da.bincount(x), np.bincount(a), scheduler=scheduler)


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "nearest", "midpoint"])
@pytest.mark.parametrize("q", [50, [0, 10, 50, 100], [[5.0, 95.0]]])
def test_percentile_exact_on_one_block_and_along_axis(method: str, q: Any) -> None:
    a = np.random.default_rng(0).standard_normal((5, 6))
    assert_eq(
        da.percentile(da.from_array(a), q, method=method), np.percentile(a, q, method=method)
    )
    x = da.from_array(a, chunks=(2, 4))
    for axis in (0, 1, -1):
        want = np.percentile(a, q, axis=axis, method=method)
        assert_eq(da.percentile(x, q, axis=axis, method=method), want)
    assert_eq(
        da.quantile(x, np.asarray(q) / 100, axis=0), np.quantile(a, np.asarray(q) / 100, axis=0)
    )


@pytest.mark.parametrize("chunks", [5, 17, 100])
@pytest.mark.parametrize("method", ["linear", "nearest"])
def test_percentile_exact_over_small_blocks(chunks: int, method: str) -> None:
    a = np.random.default_rng(1).standard_normal(400)
    q = [0, 1, 25, 50, 75, 99, 100]
    got = da.percentile(da.from_array(a, chunks=chunks), q, method=method)
    assert_eq(got, np.percentile(a, q, method=method))


@pytest.mark.parametrize("chunks", [1100, 2500])
def test_percentile_approximate_over_big_blocks(chunks: int) -> None:
    a = np.random.default_rng(1).standard_normal(5000)
    q = [0, 1, 25, 50, 75, 99, 100]
    got = da.percentile(da.from_array(a, chunks=chunks), q).compute()
    want = np.percentile(a, q)
    assert got[0] == want[0] and got[-1] == want[-1]  # the extremes are exact
    np.testing.assert_allclose(got, want, atol=0.02)
    assert np.all(np.diff(got) >= 0)


def test_percentile_nan_and_errors() -> None:
    x = da.from_array(np.array([1.0, np.nan, 3.0, 4.0]), chunks=2)
    assert np.isnan(da.percentile(x, 50).compute())
    with pytest.raises(ValueError, match=r"\[0, 100\]"):
        da.percentile(x, -1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        da.quantile(x, [0.5, 2])


@settings(max_examples=12, deadline=None)
@given(
    data=arrays_and_chunks(max_dims=3, max_side=5), returned=st.booleans(), seed=st.integers(0, 99)
)
def test_average_matches_numpy(data: Any, returned: bool, seed: int) -> None:
    a, chunks = data
    x = da.from_array(a, chunks=chunks)
    w = np.random.default_rng(seed).uniform(0.5, 2.0, size=a.shape)
    for axis in (None, 0, -1):
        assert_eq(
            da.average(x, axis=axis, returned=returned)
            if not returned
            else da.average(x, axis=axis, returned=True)[0],
            np.average(a, axis=axis),
        )
        got = da.average(x, axis=axis, weights=w, returned=returned)
        want = np.average(a, axis=axis, weights=w, returned=returned)
        if returned:
            assert_eq(got[0], want[0])
            assert_eq(got[1], want[1])
        else:
            assert_eq(got, want)
    w1 = w.reshape(-1)[: a.shape[-1]]
    assert_eq(da.average(x, axis=-1, weights=w1), np.average(a, axis=-1, weights=w1))


def test_average_int_and_errors() -> None:
    a = np.arange(6).reshape(2, 3)
    x = da.from_array(a, chunks=1)
    assert_eq(da.average(x, axis=1, weights=[1, 2, 3]), np.average(a, axis=1, weights=[1, 2, 3]))
    got, scl = da.average(x, axis=0, returned=True)
    want, want_scl = np.average(a, axis=0, returned=True)
    assert_eq(got, want)
    assert_eq(scl, want_scl)
    with pytest.raises(TypeError, match="Axis must be specified"):
        da.average(x, weights=[1, 2, 3])
    with pytest.raises(ValueError, match="consistent"):
        da.average(x, axis=1, weights=[1, 2])


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_ptp(axis: Any) -> None:
    a = np.random.default_rng(3).integers(-9, 9, size=(4, 5))
    x = da.from_array(a, chunks=(3, 2))
    assert_eq(da.ptp(x, axis=axis), np.ptp(a, axis=axis))
    assert_eq(da.ptp(x, axis=axis, keepdims=True), np.ptp(a, axis=axis, keepdims=True))


@pytest.mark.parametrize("rowvar", [True, False])
@pytest.mark.parametrize("chunks", [1, 2, (3, 1)])
def test_cov_corrcoef(rowvar: bool, chunks: Any) -> None:
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    x, y = da.from_array(a, chunks=chunks), da.from_array(b, chunks=2)
    assert_eq(da.cov(x, rowvar=rowvar), np.cov(a, rowvar=rowvar))
    assert_eq(da.cov(x, y, rowvar=rowvar), np.cov(a, b, rowvar=rowvar))
    assert_eq(da.cov(x, bias=True), np.cov(a, bias=True))
    assert_eq(da.cov(x, ddof=2), np.cov(a, ddof=2))
    assert_eq(da.corrcoef(x, rowvar=rowvar), np.corrcoef(a, rowvar=rowvar))
    assert_eq(da.corrcoef(x, y), np.corrcoef(a, b))
    assert_eq(da.cov(x[0]), np.cov(a[0]))
    assert_eq(da.corrcoef(x[0]), np.corrcoef(a[0]))


def test_cov_complex_and_errors() -> None:
    a = np.array([[1 + 2j, 3 - 1j, 0.5j], [2, 1j, 4]])
    x = da.from_array(a, chunks=1)
    assert_eq(da.cov(x), np.cov(a))
    assert_eq(da.corrcoef(x), np.corrcoef(a))
    with pytest.raises(ValueError, match="more than 2"):
        da.cov(da.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="integer"):
        da.cov(x, ddof=0.5)
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
        da.cov(da.ones((2, 1)))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_stats_schedulers(scheduler: str) -> None:
    a = np.random.default_rng(5).standard_normal((4, 6))
    x = da.from_array(a, chunks=3)
    assert_eq(da.cov(x), np.cov(a), scheduler=scheduler)
    assert_eq(
        da.percentile(x, [10, 90], axis=1), np.percentile(a, [10, 90], axis=1), scheduler=scheduler
    )
    ties = np.repeat([0.0, 1.0, 2.0], 800)
    got = da.percentile(da.from_array(ties, chunks=1_200), [25, 50])  # approximate path
    assert_eq(got, np.percentile(ties, [25, 50]), scheduler=scheduler)


def test_empty_blocks() -> None:
    a = np.array([3.0, 1.0, 2.0, 2.0])
    x = da.from_array(a, chunks=((0, 2, 0, 2, 0),))
    assert_eq(da.percentile(x, [0, 100]), np.percentile(a, [0, 100]))
    assert_eq(da.histogram(x, [0, 1.5, 4])[0], np.histogram(a, [0, 1.5, 4])[0])
    assert_eq(da.bincount(x.astype(int)), np.bincount(a.astype(int)))


@pytest.mark.parametrize(
    ("data", "chunks"),
    [
        (np.random.default_rng(1).integers(0, 5, 20_000).astype(float), 5_000),
        (np.repeat([0.0, 1.0, 2.0], 800), 1_200),
        (np.random.default_rng(2).integers(0, 3, 100_000).astype(float), 5_000),  # 2 levels
        (np.random.default_rng(3).integers(-4, 4, 30_000), 2_000),
    ],
)
def test_percentile_approximate_on_tied_values(data: np.ndarray, chunks: int) -> None:
    q = [0, 10, 25, 50, 75, 90, 100]
    x = da.from_array(data, chunks=chunks)
    assert x.npartitions > 1 and chunks > 1001  # the approximate path
    assert_eq(da.percentile(x, q), np.percentile(data, q))


def test_percentile_merge_tasks_stay_small() -> None:
    from tessera.scheduling.synchronous import get

    a = np.random.default_rng(4).permutation(100_000) / 7
    q = [1, 50, 99.5]
    p = da.percentile(da.from_array(a, chunks=100), q)  # small blocks, many of them
    graph = dict(p.__tessera_graph__())
    merges = [task for key, task in graph.items() if "-merge" in str(key[0])]
    assert merges and all(len(task[1]) <= 16 for task in merges)
    root = graph[(p.name, 0)][1]
    inputs = get(graph, list(graph[root][1]))
    assert sum(np.size(values) for _, values, _, _ in inputs) <= 16 * (1001 + len(q))
    np.testing.assert_allclose(p.compute(), np.percentile(a, q), rtol=1e-3)


def test_percentile_axis_tuple_and_empty() -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    x = da.from_array(a, chunks=(1, 2, 3))
    for axis in [(0, 1), (2, 0), (0, 1, 2)]:
        assert_eq(da.percentile(x, [30, 60], axis=axis), np.percentile(a, [30, 60], axis=axis))
    with pytest.raises(IndexError):
        da.percentile(da.from_array(np.zeros((0, 3)), chunks=2), 50)


def test_average_of_small_ints_does_not_overflow() -> None:
    a = np.array([100, 120, 90, 127], dtype=np.int8)
    x = da.from_array(a, chunks=1)
    assert_eq(da.average(x, weights=a), np.average(a, weights=a))
    w = np.array([100, 100], dtype=np.int8)
    got = da.average(x.reshape(2, 2), axis=1, weights=w, returned=True)
    want_both = np.average(a.reshape(2, 2), axis=1, weights=w, returned=True)
    for g, want in zip(got, want_both, strict=True):
        assert_eq(g, want)


def test_average_and_weights_with_unknown_chunks() -> None:
    a = np.arange(12.0).reshape(4, 3)
    x = da.from_array(a, chunks=2)
    rows = x[da.from_array(np.array([True, False, True, True]), chunks=2)]
    avg, total = da.average(rows, axis=0, returned=True)
    want, want_total = np.average(a[[0, 2, 3]], axis=0, returned=True)
    assert_eq(avg, want)
    assert_eq(total, want_total)
    flat = x.ravel()[x.ravel() > 2]
    assert_eq(da.average(flat, returned=True)[1], np.average(a[a > 2], returned=True)[1])
    for call in (
        lambda: da.average(flat, weights=flat),
        lambda: da.bincount(flat.astype(int), weights=flat),
        lambda: da.histogram(flat, bins=[0, 5, 12], weights=flat),
    ):
        with pytest.raises(ValueError, match="known chunk sizes"):
            call()


def test_cov_corrcoef_of_complex_y() -> None:
    m = np.array([[0.0, 2, 1], [1, 1, 3]])
    y = np.array([1 + 2j, 3, 1j])
    x = da.from_array(m, chunks=1)
    assert_eq(da.cov(x, y), np.cov(m, y))
    assert_eq(da.corrcoef(x, y), np.corrcoef(m, y))
    assert_eq(da.cov(x, da.from_array(y, chunks=2), rowvar=True), np.cov(m, y))


def test_split_every_none_means_default() -> None:
    a = np.array([3, 1, 3, 0, 2])
    x = da.from_array(a, chunks=2)
    assert_eq(da.bincount(x, split_every=None), np.bincount(a))
    got = da.histogram(x, bins=[0, 2, 4], split_every=None)[0]
    assert_eq(got, np.histogram(a, bins=[0, 2, 4])[0])
    assert_eq(da.unique(x, split_every=None), np.unique(a))
