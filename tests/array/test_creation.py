"""Creation functions against NumPy, several chunkings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera import config
from tessera.array.chunks import normalize_chunks
from tessera.array.testing import assert_eq
from tests.array.strategies import arrays_and_chunks


@settings(max_examples=40, deadline=None)
@given(arrays_and_chunks())
def test_from_array_any_chunks(data: Any) -> None:
    x, chunks = data
    a = da.from_array(x, chunks=chunks)
    assert a.chunks == chunks
    assert_eq(a, x)


def test_from_array_reads_blocks_lazily() -> None:
    reads: list[Any] = []

    class Source:
        shape, dtype, ndim = (6, 4), np.dtype("i8"), 2

        def __getitem__(self, index: Any) -> np.ndarray:
            reads.append(index)
            return np.arange(24).reshape(6, 4)[index]

    a = da.from_array(Source(), chunks=(3, 2))
    assert reads == []
    assert_eq(a, np.arange(24).reshape(6, 4))
    assert len(reads) == 4


def test_from_array_memmap(tmp_path: Any) -> None:
    m = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype="f4", shape=(10, 3))
    m[:] = np.arange(30).reshape(10, 3)
    assert_eq(da.from_array(m, chunks=4) * 2, np.asarray(m) * 2)


@pytest.mark.parametrize(
    "args", [(10,), (2, 11), (2, 11, 3), (10, 0, -3), (0.5, 3.2, 0.7), (5, 2), (-3,)]
)
@pytest.mark.parametrize("chunks", [1, 3, "auto"])
def test_arange(args: tuple[Any, ...], chunks: Any) -> None:
    assert_eq(da.arange(*args, chunks=chunks), np.arange(*args))


def test_arange_dtype_and_errors() -> None:
    assert_eq(da.arange(5, chunks=2, dtype="f4"), np.arange(5, dtype="f4"))
    with pytest.raises(ValueError, match="step"):
        da.arange(0, 5, 0)
    with pytest.raises(TypeError, match="1 to 3"):
        da.arange()


@pytest.mark.parametrize("num,endpoint", [(5, True), (7, False), (1, True), (0, True), (50, True)])
def test_linspace(num: int, endpoint: bool) -> None:
    assert_eq(
        da.linspace(-1, 3, num, endpoint=endpoint, chunks=3),
        np.linspace(-1, 3, num, endpoint=endpoint),
    )


@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 4), ()])
def test_constants(shape: tuple[int, ...]) -> None:
    assert_eq(da.ones(shape, chunks=2), np.ones(shape))
    assert_eq(da.zeros(shape, chunks=2, dtype="i2"), np.zeros(shape, dtype="i2"))
    assert_eq(da.full(shape, 3.5, chunks=2), np.full(shape, 3.5))
    assert da.empty(shape, chunks=2).shape == shape
    x = np.arange(int(np.prod(shape))).reshape(shape)
    assert_eq(da.ones_like(x), np.ones_like(x))
    assert_eq(da.zeros_like(da.from_array(x, chunks=1)), np.zeros_like(x))
    assert_eq(da.full_like(x, 7), np.full_like(x, 7))
    assert da.empty_like(x).shape == shape


@pytest.mark.parametrize("n,m,k", [(4, None, 0), (5, 3, 1), (3, 6, -2), (6, 6, 4)])
@pytest.mark.parametrize("chunks", [1, 2, 4])
def test_eye(n: int, m: Any, k: int, chunks: int) -> None:
    assert_eq(da.eye(n, M=m, k=k, chunks=chunks), np.eye(n, m, k=k))


def test_bad_shapes_and_fill() -> None:
    with pytest.raises(ValueError, match="negative dimensions"):
        da.ones((2, -1))
    with pytest.raises(ValueError, match="fill_value must be a scalar"):
        da.full(3, [1, 2])


def test_asarray() -> None:
    x = da.arange(3, chunks=2)
    assert da.asarray(x) is x
    assert_eq(da.asarray(x, dtype="f8"), np.arange(3.0))
    assert_eq(da.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]))


def test_normalize_chunks_forms() -> None:
    assert normalize_chunks(3, (7,)) == ((3, 3, 1),)
    assert normalize_chunks((3, -1), (7, 4)) == ((3, 3, 1), (4,))
    assert normalize_chunks((None, 2), (2, 4)) == ((2,), (2, 2))
    assert normalize_chunks({0: 2}, (4, 4), previous=((1, 3), (4,))) == ((2, 2), (4,))
    assert normalize_chunks(((1, 3),), (4,)) == ((1, 3),)
    assert normalize_chunks(2, (0,)) == ((0,),)
    with config.set({"array.chunk-size": "800B"}):
        auto = normalize_chunks("auto", (1000,), dtype="f8")
    assert max(auto[0]) * 8 <= 800


@pytest.mark.parametrize(
    "chunks,match",
    [
        ((2, 2, 2), "3 entries for 2 axes"),
        (((1, 1), (4,)), "add up to 2"),
        ((0, 2), "block size 0"),
        ({5: 1}, "axis 5 does not exist"),
        ("lots", "size in bytes"),
        (1.5j, "not a chunk specification"),
    ],
)
def test_bad_chunks(chunks: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        da.ones((4, 4), chunks=chunks)


@given(st.integers(1, 10**6), st.sampled_from(["f8", "i1", "c16"]))
def test_auto_chunks_cover_the_shape(n: int, dtype: str) -> None:
    (c,) = normalize_chunks("auto", (n,), dtype=dtype, limit="1MiB")
    assert sum(c) == n and max(c) * np.dtype(dtype).itemsize <= 2**20
