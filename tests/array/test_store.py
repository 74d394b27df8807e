"""Storing: store into array-likes, .npy stacks, zarr."""

from __future__ import annotations

import json
import os
import pickle
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.core import Array
from tessera.array.store import SerializableLock, StoreResult
from tessera.array.testing import assert_eq
from tests.array.strategies import chunks_for

SCHEDULERS = ["sync", "threads", "processes"]


def source(shape: tuple[int, ...] = (6, 5), chunks: Any = (4, 2)) -> tuple[np.ndarray, Array]:
    x = np.arange(np.prod(shape), dtype="f8").reshape(shape)
    return x, da.from_array(x, chunks=chunks)


@pytest.mark.parametrize("chunks", [(4, 2), (6, 5), (1, 1), (5, 3)])
@pytest.mark.parametrize("lock", [True, False, threading.Lock()])
def test_store_into_numpy(chunks: Any, lock: Any) -> None:
    x, a = source(chunks=chunks)
    out = np.zeros_like(x)
    assert da.store(a, out, lock=lock) is None
    assert_eq(out, x)


def test_store_many_sources_regions_and_method() -> None:
    x, a = source()
    y, b = source((3,), 2)
    out1, out2 = np.zeros((8, 5)), np.zeros(7)
    da.store([a, b], [out1, out2], regions=[(slice(2, 8),), (slice(1, 7, 2),)])
    expected1 = np.zeros((8, 5))
    expected1[2:] = x
    expected2 = np.zeros(7)
    expected2[1:7:2] = y
    assert_eq(out1, expected1)
    assert_eq(out2, expected2)
    out3 = np.zeros((6, 5))
    a.store(out3)
    assert_eq(out3, x)
    reverse = np.zeros(7)
    da.store(b, reverse, regions=(slice(None, None, -3),))  # positions 6, 3, 0
    expected = np.zeros(7)
    expected[::-3] = y
    assert_eq(reverse, expected)
    out4 = np.zeros((6, 5), dtype="i4")  # NumPy casts on assignment
    da.store(a, out4)
    assert_eq(out4, x.astype("i4"))


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_store_property_any_chunks_any_region(data: st.DataObject) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=3)))
    x = np.arange(np.prod(shape)).reshape(shape)
    a = da.from_array(x, chunks=data.draw(chunks_for(shape)))
    offsets = [data.draw(st.integers(0, 2)) for _ in shape]
    out = np.full(tuple(n + o for n, o in zip(shape, offsets, strict=True)), -1)
    region = tuple(slice(o, o + n) for o, n in zip(offsets, shape, strict=True))
    da.store(a, out, regions=region, lock=data.draw(st.booleans()))
    expected = np.full(out.shape, -1)
    expected[region] = x
    assert_eq(out, expected)


def test_compute_false_returns_a_collection() -> None:
    x, a = source()
    out = np.zeros_like(x)
    writes = da.store(a, out, compute=False)
    assert isinstance(writes, StoreResult)
    assert repr(writes).startswith("StoreResult<store-")
    assert not out.any()
    total, nothing = da.compute(a, writes)
    assert nothing is None
    assert_eq(total, x)
    assert_eq(out, x)
    out[:] = 0
    assert writes.compute(scheduler="threads") is None
    assert_eq(out, x)
    persisted = writes.persist(scheduler="sync")
    assert isinstance(persisted, StoreResult) and persisted.compute() is None
    # same source and target: same keys
    assert da.store(a, out, compute=False).keys == writes.keys


def test_return_stored() -> None:
    x, a = source()
    out = np.zeros_like(x)
    stored = da.store(a, out, return_stored=True)
    assert isinstance(stored, Array)
    assert_eq(out, x)
    assert_eq(stored, x)
    out2, out3 = np.zeros_like(x), np.zeros_like(x)
    lazy = da.store([a, a], [out2, out3], return_stored=True, compute=False)
    assert isinstance(lazy, tuple) and len(lazy) == 2 and not out2.any()
    assert_eq(lazy[1], x)
    assert_eq(out3, x)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_store_into_memmap_on_every_scheduler(scheduler: str, tmp_path: Path) -> None:
    x, a = source((40, 30), (7, 11))
    mm = np.lib.format.open_memmap(tmp_path / "out.npy", mode="w+", dtype="f8", shape=(40, 30))
    da.store(a, mm, scheduler=scheduler)
    mm.flush()
    assert_eq(np.load(tmp_path / "out.npy"), x)
    raw = np.memmap(tmp_path / "raw.bin", mode="w+", dtype="f8", shape=(40, 30))
    a.store(raw, scheduler=scheduler, lock=False)
    assert_eq(np.asarray(raw), x)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_store_into_numpy_on_every_scheduler(scheduler: str) -> None:
    x, a = source()
    out = np.zeros_like(x)
    if scheduler == "processes":
        with pytest.raises(TypeError, match="cannot be written from another process"):
            da.store(a, out, scheduler=scheduler)
    else:
        da.store(a, out, scheduler=scheduler)
        assert_eq(out, x)


def test_store_errors() -> None:
    _, a = source()
    with pytest.raises(ValueError, match=r"shape \(6, 5\) into a target of shape \(5, 6\)"):
        da.store(a, np.zeros((5, 6)))
    with pytest.raises(ValueError, match=r"shape \(6, 5\) into the region .* of shape \(4, 5\)"):
        da.store(a, np.zeros((6, 5)), regions=(slice(2, None),))
    with pytest.raises(ValueError, match=r"different number of sources \[2\] and targets \[1\]"):
        da.store([a, a], [np.zeros((6, 5))])
    with pytest.raises(TypeError, match="a target needs shape and __setitem__, got str"):
        da.store(a, "file.npy")
    with pytest.raises(TypeError, match="sources must be tessera arrays, got list"):
        da.store([[1, 2]], [np.zeros(2)])
    with pytest.raises(TypeError, match="a region is a tuple of at most 2 slices"):
        da.store(a, np.zeros((6, 5)), regions=(0, slice(None)))
    read_only = np.zeros((6, 5))
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        da.store(a, read_only)


def test_numpy_source_is_accepted() -> None:
    x = np.arange(4.0)
    out = np.zeros(4)
    da.store(x, out)
    assert_eq(out, x)


def test_serializable_lock() -> None:
    lock = SerializableLock()
    clone = pickle.loads(pickle.dumps(lock))
    assert clone.lock is lock.lock and clone.token == lock.token
    assert SerializableLock().lock is not lock.lock
    with clone:
        assert lock.lock.locked()
    assert not lock.lock.locked()


# -- npy stacks -----------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_npy_stack_round_trip(axis: int, scheduler: str, tmp_path: Path) -> None:
    x, a = source((7, 6), (3, 4))
    d = tmp_path / "stack"
    da.to_npy_stack(d, a, axis=axis, scheduler=scheduler)
    info = json.loads((d / "info").read_text())
    assert info["axis"] == axis % 2
    n = a.numblocks[axis]
    assert sorted(os.listdir(d)) == sorted([*(f"{i}.npy" for i in range(n)), "info"])
    b = da.from_npy_stack(d)
    assert b.chunks[axis % 2] == a.chunks[axis % 2]
    assert b.numblocks[1 - axis % 2] == 1
    assert_eq(b, x, scheduler=scheduler)
    assert_eq(da.from_npy_stack(d, mmap_mode=None), x)
    assert da.from_npy_stack(d).name == b.name
    assert [p.name for p in tmp_path.iterdir()] == ["stack"]  # no staging left


def test_npy_stack_dtypes_and_overwrite(tmp_path: Path) -> None:
    s = np.array(
        [(1, 2.5, (3, 4)), (5, 6.5, (7, 8))], dtype=[("a", "i2"), ("b", "f4"), ("c", "u1", (2,))]
    )
    da.to_npy_stack(tmp_path, da.from_array(s, chunks=1))
    assert_eq(da.from_npy_stack(tmp_path), s)
    da.to_npy_stack(tmp_path, da.arange(5, chunks=5))  # replaces the stack in place
    assert_eq(da.from_npy_stack(tmp_path), np.arange(5))
    with pytest.raises(ValueError, match="dtype object"):
        da.to_npy_stack(tmp_path / "o", da.from_array(np.array([None, 1], dtype=object)))
    with pytest.raises(np.exceptions.AxisError, match=r"axis 2 is out of bounds .* shape \(5,\)"):
        da.to_npy_stack(tmp_path / "bad", da.arange(5, chunks=2), axis=2)


def test_from_npy_stack_is_lazy_and_reads_dask_stacks(tmp_path: Path) -> None:
    chunks = ((2, 3), (4,))
    np.save(tmp_path / "0.npy", np.ones((2, 4)))
    np.save(tmp_path / "1.npy", np.zeros((3, 4)))
    info = {"chunks": chunks, "dtype": np.dtype("f8"), "axis": 0}
    (tmp_path / "info").write_bytes(pickle.dumps(info))  # as Dask writes it
    x = da.from_npy_stack(tmp_path)
    assert_eq(x, np.concatenate([np.ones((2, 4)), np.zeros((3, 4))]))
    (tmp_path / "1.npy").unlink()
    lazy = da.from_npy_stack(tmp_path)  # nothing is read until compute
    with pytest.raises(FileNotFoundError):
        lazy.compute()
    np.save(tmp_path / "1.npy", np.zeros((2, 4)))
    with pytest.raises(
        ValueError, match=r"1\.npy holds shape \(2, 4\), the info file says \(3, 4\)"
    ):
        da.from_npy_stack(tmp_path).compute()


def _fail_on_second(block: np.ndarray, block_id: Any = None) -> np.ndarray:
    if block_id[0] == 1:
        raise RuntimeError("block 1 failed")
    return block


@pytest.mark.parametrize("exists", [False, True])
def test_failed_to_npy_stack_leaves_nothing(exists: bool, tmp_path: Path) -> None:
    d = tmp_path / "stack"
    if exists:
        da.to_npy_stack(d, da.arange(3, chunks=3))
    bad = da.map_blocks(_fail_on_second, da.arange(9, chunks=3), dtype="i8")
    with pytest.raises(RuntimeError, match="block 1 failed"):
        da.to_npy_stack(d, bad, scheduler="sync")
    assert [p.name for p in tmp_path.iterdir()] == (["stack"] if exists else [])
    if exists:  # the old stack is untouched
        assert_eq(da.from_npy_stack(d), np.arange(3))


# -- zarr -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zarr_loop() -> None:
    """zarr 3 keeps an event loop thread, and its file I/O starts loop executor threads.

    Start the loop before the tests and give it an executor whose threads the leak check
    knows (zarr keeps them for the session, as it would its own).
    """
    zarr = pytest.importorskip("zarr")
    zarr.create(shape=(1,), chunks=(1,), dtype="i1")[:] = 1
    get_loop = getattr(getattr(getattr(zarr, "core", None), "sync", None), "_get_loop", None)
    if get_loop is not None:
        get_loop().set_default_executor(ThreadPoolExecutor(2, thread_name_prefix="test-executor"))


def test_zarr_round_trip(zarr_loop: None, tmp_path: Path) -> None:
    zarr = pytest.importorskip("zarr")
    x, a = source((9, 7), (4, 3))
    path = str(tmp_path / "x.zarr")
    da.to_zarr(a, path, component="data")
    z = zarr.open_array(store=path, path="data", mode="r")
    assert z.chunks == (4, 3)
    assert_eq(np.asarray(z[:]), x)
    b = da.from_zarr(path, component="data")
    assert b.chunks == a.chunks
    assert_eq(b, x)
    assert_eq(da.from_zarr(path, component="data", chunks=5), x)
    with pytest.raises(Exception, match=r"exist|contain"):
        da.to_zarr(a, path, component="data")
    da.to_zarr(a + 1, path, component="data", overwrite=True)
    assert_eq(da.from_zarr(path, component="data"), x + 1)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_zarr_on_every_scheduler(zarr_loop: None, scheduler: str, tmp_path: Path) -> None:
    pytest.importorskip("zarr")
    x, a = source((9, 7), (4, 3))
    writes = da.to_zarr(a, str(tmp_path / "s.zarr"), compute=False)
    writes.compute(scheduler=scheduler)
    assert_eq(da.from_zarr(str(tmp_path / "s.zarr")), x, scheduler=scheduler)


def test_zarr_into_existing_arrays(zarr_loop: None) -> None:
    zarr = pytest.importorskip("zarr")
    x, a = source((9, 7), (2, 5))  # not aligned with the zarr chunks: rechunked
    z = zarr.create(shape=(9, 7), chunks=(3, 3), dtype="f8")
    da.to_zarr(a, z)
    assert_eq(np.asarray(z[:]), x)
    big = zarr.create(shape=(12, 7), chunks=(3, 7), dtype="f8", fill_value=0)
    da.to_zarr(a, big, region=(slice(3, 12),))
    expected = np.zeros((12, 7))
    expected[3:] = x
    assert_eq(np.asarray(big[:]), expected)
    with pytest.raises(TypeError, match="cannot be written from another process"):
        da.to_zarr(a, z, compute=False).compute(scheduler="processes")


def test_zarr_irregular_chunks_and_region_errors(zarr_loop: None, tmp_path: Path) -> None:
    pytest.importorskip("zarr")
    a = da.from_array(np.arange(10), chunks=((3, 4, 3),))
    with pytest.raises(ValueError, match=r"regular chunks .* got \(\(3, 4, 3\),\)"):
        da.to_zarr(a, str(tmp_path / "a.zarr"))
    with pytest.raises(ValueError, match="region= is only for writing into an existing"):
        da.to_zarr(a.rechunk(5), str(tmp_path / "b.zarr"), region=(slice(0, 10),))


def test_zarr_missing_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zarr", None)
    with pytest.raises(
        ImportError,
        match=r"tessera.array.to_zarr needs the 'zarr' package.*pip install \"tessera\[zarr\]\"",
    ):
        da.to_zarr(da.arange(3), "x.zarr")
    with pytest.raises(ImportError, match="from_zarr needs the 'zarr' package"):
        da.from_zarr("x.zarr")
