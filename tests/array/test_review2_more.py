"""Second review fixes: the order of cumulative carries for objects, compute-time checks of
unknown-length blocks that meet (element-wise ops, ``where``, ``einsum``), tessera arrays
as ``map_blocks`` keywords, lazy ``linspace`` bounds, weak Python scalars in ``select``
and the ``std`` of object arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tessera.array as da
from tessera.array.testing import assert_eq

SCHEDULERS = ["sync", "threads", "processes"]


# -- cumulative scans of non-commutative objects ----------------------------------------
LETTERS = np.array(list("abcdefg"), dtype=object)


@pytest.mark.parametrize("chunks", [1, 2, 3, 7])
@pytest.mark.parametrize("name", ["cumsum", "nancumsum"])
def test_cumsum_strings_in_order(chunks: int, name: str) -> None:
    got = getattr(da, name)(da.from_array(LETTERS, chunks=chunks))
    assert_eq(got, getattr(np, name)(LETTERS))


@pytest.mark.parametrize("chunks", [(1, 2), (2, 1), (3, 3)])
@pytest.mark.parametrize("axis", [0, 1, None])
def test_cumsum_lists_2d(chunks: Any, axis: Any) -> None:
    a = np.empty((3, 3), dtype=object)
    for i, j in np.ndindex(a.shape):
        a[i, j] = [3 * i + j]
    got = da.cumsum(da.from_array(a, chunks=chunks), axis=axis).compute()
    assert got.tolist() == np.cumsum(a, axis=axis).tolist()


class _Word:
    """A non-commutative product: concatenation."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __mul__(self, other: _Word) -> _Word:
        return _Word(self.text + other.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Word) and other.text == self.text

    __hash__ = None  # type: ignore[assignment]


@pytest.mark.parametrize("chunks", [1, 2, 4])
def test_cumprod_objects_in_order(chunks: int) -> None:
    a = np.array([_Word(c) for c in "wxyz"], dtype=object)
    got = da.cumprod(da.from_array(a, chunks=chunks)).compute()
    assert [w.text for w in got] == [w.text for w in np.cumprod(a)]


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_cumsum_strings_schedulers(scheduler: str) -> None:
    x = da.from_array(LETTERS, chunks=2)
    assert_eq(x.cumsum(), np.cumsum(LETTERS), scheduler=scheduler)


# -- unknown-length blocks meeting in one task ------------------------------------------
def _filtered(chunks: int) -> tuple[Any, Any, Any, Any]:
    a = np.arange(8.0)
    u = da.from_array(a, chunks=chunks)
    u = u[u > 0]
    return u, u[u > 2], a[a > 0], a[a > 2]


BROADCAST = "operands could not be broadcast together with shapes"


@pytest.mark.parametrize("chunks", [2, 3, 8])
def test_unknown_lengths_differ_raise(chunks: int) -> None:
    u, v, _, _ = _filtered(chunks)
    for lazy in (u * v, u + v[:, None][:, 0], da.where(u > 2, u, v), np.add(v, u)):
        with pytest.raises(ValueError, match=BROADCAST):
            lazy.compute()
    with pytest.raises(ValueError, match=BROADCAST):
        da.einsum("i,i->", u, v).compute()
    with pytest.raises(ValueError, match=BROADCAST):
        da.einsum("i,i->i", u, v).compute()


@pytest.mark.parametrize("chunks", [2, 3, 8])
def test_unknown_lengths_equal_compute(chunks: int) -> None:
    u, v, un, vn = _filtered(chunks)
    assert_eq(u * u, un * un)
    assert_eq(da.where(u > 2, u, -u), np.where(un > 2, un, -un))
    assert_eq(da.einsum("i,i->", u, u), np.einsum("i,i->", un, un))
    assert_eq(v * v[::1] + 1, vn * vn + 1)
    assert_eq(u * np.ones(1), un * np.ones(1))  # a length known to be 1 broadcasts
    assert_eq(u[:, None] * v, un[:, None] * vn)  # different letters: an outer product
    assert_eq((u * u).sum(), (un * un).sum())


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_unknown_lengths_schedulers(scheduler: str) -> None:
    u, v, un, _ = _filtered(3)
    assert_eq(u + u, un + un, scheduler=scheduler)
    with pytest.raises(ValueError, match=BROADCAST):
        (u - v).compute(scheduler=scheduler)


def test_unknown_lengths_map_blocks() -> None:
    u, v, un, _ = _filtered(2)
    assert_eq(da.map_blocks(np.add, u, u), un + un)
    with pytest.raises(ValueError, match=BROADCAST):
        da.map_blocks(np.add, u, v).compute()


# -- map_blocks: tessera arrays as keyword arguments ------------------------------------
@pytest.mark.parametrize("chunks", [1, 2, 5])
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_map_blocks_lazy_keyword(chunks: int, scheduler: str) -> None:
    a = np.arange(5.0)
    x = da.from_array(a, chunks=chunks)
    offset = da.arange(4, chunks=3) * 2
    got = da.map_blocks(lambda b, off: b + off.sum(), x, off=offset, dtype=float)
    assert_eq(got, a + 12, scheduler=scheduler)


def test_map_blocks_lazy_keyword_with_block_id() -> None:
    x = da.from_array(np.zeros(4), chunks=2)

    def func(b: Any, off: Any, scale: float, block_id: Any = None) -> Any:
        return b + off * scale + block_id[0]

    got = da.map_blocks(func, x, off=da.from_array(np.array(5.0)), scale=2.0)
    assert_eq(got, np.array([10.0, 10.0, 11.0, 11.0]))


def test_map_blocks_lazy_keyword_inference_and_unknown_chunks() -> None:
    u, _, un, _ = _filtered(3)
    got = da.map_blocks(lambda b, y: b * y.shape[0], u, y=u)  # the whole array, computed
    assert_eq(got, un * len(un))


def test_map_blocks_other_lazy_keyword_refused() -> None:
    import pandas as pd

    import tessera.dataframe as dd

    total = dd.from_pandas(pd.Series([1, 2]), npartitions=1).sum()
    with pytest.raises(TypeError, match="keyword argument 'y'"):
        da.map_blocks(lambda b, y: b + y, da.ones(2, chunks=1), y=total)


# -- linspace with lazy bounds ----------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "stop", "kwargs"),
    [
        (np.array(0.0), 1, {"num": 3}),
        (0, np.float32(2), {"num": 5, "chunks": 2}),
        (np.float32(-1), np.float32(2), {"num": 7, "chunks": 3}),
        (np.array(-5), 0, {"num": 4, "dtype": int, "chunks": 2}),
        (np.array(1.0), np.array(2.0), {"num": 4, "endpoint": False, "chunks": 3}),
        (np.array(1.0), 2, {"num": 1}),
    ],
)
@pytest.mark.parametrize("lazy", ["start", "stop", "both"])
def test_linspace_lazy_bounds(start: Any, stop: Any, kwargs: Any, lazy: str) -> None:
    lo = da.from_array(np.asarray(start)) if lazy in ("start", "both") else start
    hi = da.from_array(np.asarray(stop)) if lazy in ("stop", "both") else stop
    want = np.linspace(
        np.asarray(start) if lazy != "stop" else start,
        np.asarray(stop) if lazy != "start" else stop,
        **{k: v for k, v in kwargs.items() if k != "chunks"},
    )
    assert_eq(da.linspace(lo, hi, **kwargs), want)


def test_linspace_lazy_bounds_schedulers_and_errors() -> None:
    lo = da.from_array(np.arange(3.0)).sum()
    got = da.linspace(lo, 10, 5, chunks=2)
    for scheduler in SCHEDULERS:
        assert_eq(got, np.linspace(3.0, 10, 5), scheduler=scheduler)
    with pytest.raises(ValueError, match="0-d tessera arrays"):
        da.linspace(da.ones(2), 1, 3)


# -- select: Python scalars are weak ----------------------------------------------------
@pytest.mark.parametrize("dtype", ["f4", "f2", "i1", "c8"])
@pytest.mark.parametrize("chunks", [1, 2])
def test_select_python_scalars_weak(dtype: str, chunks: int) -> None:
    a = np.array([1, -2, 3, 0], dtype=dtype)
    x = da.from_array(a, chunks=chunks)
    conds, nconds = [x.real > 0, x.real < 0], [a.real > 0, a.real < 0]
    assert_eq(da.select(conds, [x, 2]), np.select(nconds, [a, 2]))
    assert_eq(da.select(conds, [x, 2.5], 1), np.select(nconds, [a, 2.5], 1))
    assert_eq(da.select(conds, [x, np.float64(2.5)]), np.select(nconds, [a, np.float64(2.5)]))
    assert_eq(da.select(conds, [3, x]), np.select(nconds, [3, a]))


# -- std of object arrays ---------------------------------------------------------------
@pytest.mark.parametrize("chunks", [1, 2, 3])
@pytest.mark.parametrize("name", ["std", "nanstd"])
@pytest.mark.parametrize("ddof", [0, 1])
def test_std_object_whole(chunks: int, name: str, ddof: int) -> None:
    a = np.array([1, 2.5, 3], dtype=object)
    got = getattr(da, name)(da.from_array(a, chunks=chunks), ddof=ddof)
    assert_eq(got, getattr(np, name)(a, ddof=ddof))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_std_object_2d(scheduler: str) -> None:
    a = np.array([[1, 2.5, 3], [2, 4, 7]], dtype=object)
    x = da.from_array(a, chunks=2)
    assert_eq(x.std(), a.std(), scheduler=scheduler)
    assert_eq(da.std(x, axis=(0, 1)), np.std(a, axis=(0, 1)), scheduler=scheduler)
    with pytest.raises(TypeError, match="sqrt"):  # as NumPy: floats have no sqrt method
        np.std(a, axis=1)
    with pytest.raises(TypeError, match="sqrt"):
        x.std(axis=1).compute(scheduler=scheduler)


def test_std_object_elements_with_sqrt() -> None:
    from decimal import Decimal

    a = np.array([Decimal(1), Decimal(4), Decimal(7)], dtype=object)
    got = da.std(da.from_array(a, chunks=2), axis=0, keepdims=True)
    assert got.dtype == object
    assert got.compute().tolist() == np.std(a, axis=0, keepdims=True).tolist()
