"""The Array collection: metadata, repr, compute on every scheduler, persist, names."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import tessera
import tessera.array as da
from tessera.array.testing import assert_eq

SCHEDULERS = ["sync", "threads", "processes"]


def test_metadata() -> None:
    x = da.ones((5, 7), chunks=(2, 3), dtype="i4")
    assert x.shape == (5, 7) and x.ndim == 2 and x.size == 35 and x.dtype == np.dtype("i4")
    assert x.chunks == ((2, 2, 1), (3, 3, 1)) and x.numblocks == (3, 3) and x.npartitions == 9
    assert x.chunksize == (2, 3) and x.nbytes == 140 and x.itemsize == 4 and len(x) == 5
    assert "shape=(5, 7)" in repr(x) and "chunksize=(2, 3)" in repr(x) and "tasks=9" in repr(x)
    assert "<table>" in x._repr_html_()


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_compute_on_every_scheduler(scheduler: str) -> None:
    x = da.arange(100, chunks=10)
    assert_eq(x + 1, np.arange(100) + 1, scheduler=scheduler)
    assert_eq(da.ones((3, 4), chunks=2) * 2, np.full((3, 4), 2.0), scheduler=scheduler)


def test_compute_shares_work_and_keys_are_deterministic() -> None:
    x = da.arange(100, chunks=10)
    assert (x + 1).name == (x + 1).name
    assert (x + 1).name != (x + 2).name
    y, z = x + 1, (x + 1) * 2
    a, b = tessera.compute(y, z)
    np.testing.assert_array_equal(a, np.arange(100) + 1)
    np.testing.assert_array_equal(b, (np.arange(100) + 1) * 2)
    assert da.compute is tessera.compute


def test_array_protocol_and_conversions() -> None:
    x = da.arange(6, chunks=4)
    np.testing.assert_array_equal(np.asarray(x), np.arange(6))
    assert np.asarray(x, dtype="f4").dtype == np.float32
    s = da.from_array(np.array(3.5))
    assert float(s) == 3.5 and int(s) == 3 and bool(s)
    with pytest.raises(TypeError, match="0-d"):
        len(s)


def test_persist_keeps_blocks() -> None:
    x = (da.arange(10, chunks=3) + 1).persist()
    assert len(x.layers) == 1 and len(x.layers[x.name]) == 4
    assert_eq(x * 2, (np.arange(10) + 1) * 2)


def test_arrays_pickle() -> None:
    x = da.arange(10, chunks=3) + 1
    assert_eq(pickle.loads(pickle.dumps(x)), np.arange(10) + 1)


def test_empty_and_zero_dim() -> None:
    assert_eq(da.zeros((0, 3), chunks=2), np.zeros((0, 3)))
    assert_eq(da.from_array(np.float64(2.0)) + 1, np.float64(3.0))
