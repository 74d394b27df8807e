"""Random arrays: shapes, dtypes, reproducibility per seed and chunks, on every scheduler."""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.core import Array
from tessera.array.testing import assert_eq
from tests.array.strategies import chunks_for

METHODS: list[tuple[str, tuple[Any, ...], dict[str, Any], Any]] = [
    ("random", (), {}, "f8"),
    ("random", (), {"dtype": "f4"}, "f4"),
    ("standard_normal", (), {}, "f8"),
    ("normal", (3.0, 2.0), {}, "f8"),
    ("uniform", (-1.0, 5.0), {}, "f8"),
    ("integers", (0, 10), {}, "i8"),
    ("integers", (5,), {"dtype": "i2", "endpoint": True}, "i2"),
    ("exponential", (2.0,), {}, "f8"),
    ("poisson", (4.0,), {}, "i8"),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "dtype"), METHODS)
@pytest.mark.parametrize("chunks", [(3, 4), (7, 10), (1, 3)])
def test_shape_dtype_chunks_and_numpy_per_block(
    method: str, args: Any, kwargs: Any, dtype: Any, chunks: Any
) -> None:
    x = getattr(da.random.default_rng(42), method)(*args, size=(7, 10), chunks=chunks, **kwargs)
    assert isinstance(x, Array)
    assert x.shape == (7, 10) and x.dtype == np.dtype(dtype)
    assert x.chunks == da.normalize_chunks(chunks, (7, 10))
    # the documented derivation: block i is drawn by NumPy from the i-th child of the
    # array's own child of SeedSequence(seed)
    array_seq = np.random.SeedSequence(42).spawn(1)[0]
    seeds = array_seq.spawn(x.npartitions)
    blocks = []
    for idx, seed in zip(product(*(range(n) for n in x.numblocks)), seeds, strict=True):
        shape = tuple(c[i] for c, i in zip(x.chunks, idx, strict=True))
        blocks.append(getattr(np.random.default_rng(seed), method)(*args, size=shape, **kwargs))
    grid = np.empty(x.numblocks, dtype=object)
    for flat, idx in enumerate(product(*(range(n) for n in x.numblocks))):
        grid[idx] = blocks[flat]
    assert_eq(x, np.block(grid.tolist()))


def test_values_are_plausible() -> None:
    rng = da.random.default_rng(1)
    u = rng.uniform(2, 3, size=20_000, chunks=3000).compute()
    assert u.min() >= 2 and u.max() < 3 and abs(u.mean() - 2.5) < 0.01
    n = rng.normal(-4, 3, size=(200, 100), chunks=(60, 40)).compute()
    assert abs(n.mean() + 4) < 0.1 and abs(n.std() - 3) < 0.1
    i = rng.integers(3, 7, size=5000, chunks=1000).compute()
    assert set(np.unique(i).tolist()) == {3, 4, 5, 6}
    e = rng.integers(3, 7, size=5000, endpoint=True, chunks=1000).compute()
    assert set(np.unique(e).tolist()) == {3, 4, 5, 6, 7}


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_same_seed_same_values_on_every_scheduler(scheduler: str) -> None:
    reference = da.random.default_rng(7).random((30, 20), chunks=(7, 6)).compute(scheduler="sync")
    again = da.random.default_rng(7).random((30, 20), chunks=(7, 6))
    assert_eq(again, reference, scheduler=scheduler)
    if scheduler != "sync":
        assert_eq(again.compute(scheduler=scheduler, num_workers=1), reference)
    assert_eq(
        da.random.default_rng(7).normal(size=5, chunks=2),
        da.random.default_rng(7).normal(size=5, chunks=2),
    )


def test_unseeded_arrays_keep_their_values_and_calls_differ() -> None:
    x = da.random.random((50,), chunks=10)
    first = x.compute()
    assert_eq(x, first, scheduler="threads")
    y = da.random.random((50,), chunks=10)
    assert x.name != y.name and not np.array_equal(first, y.compute())
    rng = da.random.default_rng(3)
    a, b = rng.random(8, chunks=4), rng.random(8, chunks=4)
    assert not np.array_equal(a.compute(), b.compute())
    assert not np.array_equal(
        da.random.default_rng(3).random(8, chunks=4).compute(),
        da.random.default_rng(4).random(8, chunks=4).compute(),
    )


def test_other_chunks_give_other_values_same_chunks_same_names() -> None:
    a = da.random.default_rng(5).random(12, chunks=4)
    b = da.random.default_rng(5).random(12, chunks=6)
    assert not np.array_equal(a.compute(), b.compute())
    assert a.name == da.random.default_rng(5).random(12, chunks=4).name
    assert a.name != b.name
    assert a.name.startswith("random-")


def test_module_seed_and_legacy_names() -> None:
    da.random.seed(11)
    a = da.random.random((4, 4), chunks=2)
    b = da.random.randint(0, 5, size=6, chunks=3)
    da.random.seed(11)
    assert_eq(da.random.random_sample((4, 4), chunks=2), a.compute())
    assert_eq(da.random.randint(0, 5, size=6, chunks=3), b.compute())
    assert da.random.randint(3, size=2).dtype == np.dtype(int)
    for f in (da.random.standard_normal, da.random.exponential, da.random.poisson):
        assert f(size=(2, 3), chunks=2).shape == (2, 3)
    assert da.random.normal(1, 2, size=3).shape == (3,)
    assert da.random.uniform(size=3).dtype == np.float64
    assert da.random.integers(2, size=3).dtype == np.int64
    rs = da.random.RandomState(2)
    assert_eq(
        rs.random_sample(5, chunks=2), da.random.default_rng(2).random(5, chunks=2).compute()
    )


def test_seeds_of_every_kind() -> None:
    assert da.random.default_rng(np.random.SeedSequence(9)).random(3).name == (
        da.random.default_rng(9).random(3).name
    )
    from_numpy = da.random.default_rng(np.random.default_rng(1)).random(3)
    assert from_numpy.name == da.random.default_rng(np.random.default_rng(1)).random(3).name
    assert da.random.default_rng(np.random.PCG64(1)).random(3).shape == (3,)
    assert da.random.default_rng([1, 2, 3]).random(3).shape == (3,)
    rng = da.random.default_rng(0)
    assert da.random.default_rng(rng) is rng
    assert "Generator(entropy=0)" in repr(rng)
    with pytest.raises(ValueError):
        da.random.default_rng(-1)


def test_size_none_and_array_parameters() -> None:
    assert da.random.default_rng(0).random().shape == ()
    assert 0 <= float(da.random.default_rng(0).random().compute()) < 1
    loc = np.array([0.0, 100.0, 1000.0])
    x = da.random.default_rng(0).normal(loc, 0.01, size=(4, 3), chunks=(2, 2))
    assert_eq(x.compute().round(), np.broadcast_to(loc, (4, 3)))
    y = da.random.default_rng(0).uniform(loc, loc + 1)  # size from the parameters
    assert y.shape == (3,) and bool(((y.compute() >= loc) & (y.compute() < loc + 1)).all())
    z = da.random.default_rng(0).integers(np.array([[0], [10]]), 12, size=(2, 5), chunks=1)
    values = z.compute()
    assert (values[0] < 12).all() and (values[1] >= 10).all()


def test_bad_inputs_raise_numpys_errors() -> None:
    rng = da.random.default_rng(0)
    with pytest.raises(ValueError, match="scale < 0"):
        rng.normal(0, -1, size=3)
    with pytest.raises(ValueError, match="scale < 0"):
        rng.normal(0, np.array([1.0, -1.0]), size=2)
    with pytest.raises(ValueError, match=r"high <= 0|low >= high"):
        rng.integers(5, 3, size=3)
    with pytest.raises(TypeError, match="Unsupported dtype"):
        rng.random(3, dtype="i4")
    with pytest.raises(
        ValueError, match=r"negative dimensions are not allowed \(size \(3, -1\)\)"
    ):
        rng.random((3, -1))
    with pytest.raises(TypeError, match="size must be None, an int or a tuple of ints"):
        rng.random("big")
    with pytest.raises(
        ValueError, match=r"parameters of shape \(3,\) cannot be broadcast to size \(2, 2\)"
    ):
        rng.normal(np.zeros(3), 1, size=(2, 2))
    with pytest.raises(ValueError, match=r"Chunks .* do not fit an array of shape \(4,\)"):
        rng.random(4, chunks=((1, 2),))


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_property_values_depend_only_on_seed_and_chunks(data: st.DataObject) -> None:
    shape = tuple(data.draw(st.lists(st.integers(0, 6), min_size=1, max_size=3)))
    chunks = data.draw(chunks_for(shape))
    seed = data.draw(st.integers(0, 2**32))
    x = da.random.default_rng(seed).random(shape, chunks=chunks)
    y = da.random.default_rng(seed).random(shape, chunks=chunks)
    assert x.name == y.name
    values = x.compute(scheduler="sync")
    assert values.shape == shape and ((values >= 0) & (values < 1)).all()
    assert_eq(y, values, scheduler="threads")
