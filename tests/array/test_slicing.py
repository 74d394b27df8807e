"""Indexing: basic slicing, integer arrays, boolean masks, unknown chunks, ``blocks``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.testing import assert_eq
from tessera.scheduling.graph import cull, get_dependencies
from tests.array.strategies import chunks_for

SCHEDULERS = ["sync", "threads", "processes"]


def reads(y: da.Array, x: da.Array) -> set[Any]:
    """The blocks of x that computing y needs."""
    needed = cull(y.__tessera_graph__(), y.__tessera_keys__())
    return {k for k in needed if isinstance(k, tuple) and k[0] == x.name}


@st.composite
def some_chunks(draw: Any, shape: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Random chunks for ``shape``, sometimes with empty blocks in them."""
    out = []
    for axis in draw(chunks_for(shape)):
        blocks = list(axis)
        for _ in range(draw(st.integers(0, 2))):
            blocks.insert(draw(st.integers(0, len(blocks))), 0)
        out.append(tuple(blocks))
    return tuple(out)


@st.composite
def basic_indices(draw: Any, shape: tuple[int, ...]) -> tuple[Any, ...]:
    """A random basic index (ints, slices with any step, None, one Ellipsis) for shape."""
    bound = st.one_of(st.none(), st.integers(-9, 9))
    entries: list[Any] = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "slice", "none+slice"]))
        if kind == "int" and n:
            entries.append(draw(st.integers(-n, n - 1)))
            continue
        if kind == "none+slice":
            entries.append(None)
        step = draw(st.one_of(st.none(), st.sampled_from([1, 2, 3, -1, -2, -3])))
        entries.append(slice(draw(bound), draw(bound), step))
    if entries and draw(st.booleans()):  # replace a run of slices at the end by ...
        cut = draw(st.integers(0, len(entries)))
        tail = entries[cut:]
        if all(isinstance(e, slice) for e in tail):
            entries = [*entries[:cut], Ellipsis]
    return tuple(entries)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_basic_indexing_matches_numpy(data: Any) -> None:
    shape = tuple(data.draw(st.lists(st.integers(0, 7), max_size=3), label="shape"))
    a = np.arange(int(np.prod(shape))).reshape(shape)
    x = da.from_array(a, chunks=data.draw(some_chunks(shape), label="chunks"))
    index = data.draw(basic_indices(shape), label="index")
    assert_eq(x[index], a[index])


@pytest.mark.parametrize(
    "index",
    [
        (slice(None, None, -1),),
        (slice(8, 1, -3), 2),
        (Ellipsis, slice(None, None, -2)),
        (None, 3, None, slice(-2, None)),
        (slice(100, -100, -1), None),
        (-1, -1),
        (slice(5, 5),),
        (Ellipsis,),
        (),
        (slice(None), None, Ellipsis, None),
    ],
)
def test_basic_indexing_cases(index: Any) -> None:
    a = np.arange(90).reshape(10, 9)
    for chunks in [(3, 4), (1, 9), (10, 2)]:
        assert_eq(da.from_array(a, chunks=chunks)[index], a[index])


def test_zero_dimensional_indexing() -> None:
    x = da.from_array(np.array(5.0))
    assert x[()] is x
    assert_eq(x[None], np.array(5.0)[None])
    assert_eq(x[...], np.array(5.0))


def test_negative_step_reverses_block_order() -> None:
    x = da.from_array(np.arange(10), chunks=4)
    y = x[::-1]
    assert y.chunks == ((2, 4, 4),)
    assert_eq(y, np.arange(10)[::-1])


def test_slice_of_one_block_depends_on_that_block_only() -> None:
    x = da.from_array(np.arange(100).reshape(10, 10), chunks=(3, 4))
    assert reads(x[4:6, 5:7], x) == {(x.name, 1, 1)}
    assert reads(x[4], x) == {(x.name, 1, j) for j in range(3)}
    assert reads(x[[4, 5, 3], 9], x) == {(x.name, 1, 2)}
    assert reads(x[::-1][::-1][1:2, 9], x) == {(x.name, 0, 2)}
    assert len(x[4:6, 5:7].layers[x[4:6, 5:7].name]) == 1


def test_index_errors_match_numpy() -> None:
    x = da.from_array(np.arange(20).reshape(10, 2), chunks=3)
    with pytest.raises(IndexError, match="index 10 is out of bounds for axis 0 with size 10"):
        x[10]
    with pytest.raises(IndexError, match="index -3 is out of bounds for axis 1 with size 2"):
        x[0, -3]
    with pytest.raises(IndexError, match="too many indices for array: array is 2-dimensional"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., 0, ...]
    with pytest.raises(IndexError, match="only integers, slices"):
        x[1.5]
    with pytest.raises(IndexError, match="only integers, slices"):
        x["a"]
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        x[::0]
    with pytest.raises(TypeError, match="slice indices must be integers"):
        x[1.0:]
    with pytest.raises(IndexError, match="index 12 is out of bounds for axis 0 with size 10"):
        x[[0, 12]]
    with pytest.raises(IndexError, match="integer"):
        x[np.array([0.5])]
    with pytest.raises(NotImplementedError, match="one integer or boolean array"):
        x[[0, 1], [0, 1]]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_integer_array_indexing_matches_numpy(data: Any) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 7), min_size=1, max_size=3), label="shape"))
    a = np.arange(int(np.prod(shape))).reshape(shape)
    x = da.from_array(a, chunks=data.draw(some_chunks(shape), label="chunks"))
    axis = data.draw(st.integers(0, len(shape) - 1), label="axis")
    n = shape[axis]
    positions = data.draw(st.lists(st.integers(-n, n - 1), max_size=12), label="positions")
    if data.draw(st.booleans(), label="sorted"):
        positions = sorted(p % n for p in positions)
    index = (slice(None),) * axis + (positions,)
    assert_eq(x[index], a[index])
    assert_eq(da.take(x, positions, axis=axis), np.take(a, positions, axis=axis))


def test_integer_array_with_other_indices_follows_numpy_placement() -> None:
    a = np.arange(3 * 4 * 5).reshape(3, 4, 5)
    x = da.from_array(a, chunks=2)
    for index in [
        (0, slice(None), [1, 2]),  # separated by a slice: the array's axis goes first
        (slice(None), 0, [4, 1, 1]),  # adjacent: stays in place
        ([2, 0], slice(1, 3), -1),
        (slice(None, None, -1), [3, 3, 0], None),
        (0, None, [1, 2]),
        (Ellipsis, [2, 0]),
        (np.array([2, 0]), Ellipsis, 0),
        (1, [0, 1, 2, 3]),
    ]:
        assert_eq(x[index], a[index])


def test_unsorted_take_reads_only_pieces_of_each_block() -> None:
    a = np.arange(40)
    x = da.from_array(a, chunks=5)
    idx = np.random.default_rng(0).permutation(40)
    y = x[idx]
    assert_eq(y, a[idx])
    dsk = y.__tessera_graph__()
    for key in dsk:
        if isinstance(key, tuple) and str(key[0]).startswith("take-piece"):
            reads = [d for d in get_dependencies(dsk, key) if d[0] == x.name]
            assert len(reads) == 1
    assert max(y.chunks[0]) <= 5


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_lazy_integer_index(scheduler: str) -> None:
    a = np.arange(60).reshape(6, 10)
    x = da.from_array(a, chunks=(4, 3))
    i = np.array([9, 0, -1, 3, 3, 5, 2])
    di = da.from_array(i, chunks=3)
    y = x[:, di]
    assert y.chunks == ((4, 2), (3, 3, 1))
    assert_eq(y, a[:, i], scheduler=scheduler)
    assert_eq(x[di[:4] % 6], a[i[:4] % 6], scheduler=scheduler)
    assert_eq(da.take(x, di[::-1], axis=1), np.take(a, i[::-1], axis=1), scheduler=scheduler)
    with pytest.raises(IndexError, match="index 20 is out of bounds for axis 0 with size 6"):
        x[da.from_array(np.array([20]))].compute(scheduler="sync")
    with pytest.raises(IndexError, match=r"must be of integer \(or boolean\) type"):
        x[da.ones(3, dtype="f8")]


def test_numpy_boolean_along_one_axis_gives_known_sizes() -> None:
    a = np.arange(24).reshape(4, 6)
    x = da.from_array(a, chunks=(3, 4))
    keep = np.array([True, False, True, True, False, True])
    assert_eq(x[:, keep], a[:, keep])
    assert x[:, keep].shape == (4, 4)
    assert_eq(x[keep[:4]], a[keep[:4]])
    with pytest.raises(IndexError, match="boolean index did not match indexed array along axis 1"):
        x[:, keep[:5]]


@pytest.mark.parametrize("chunks", [(2, 3), (1, 6), (4, 1), (3, 5)])
def test_full_shape_masks_give_numpy_order_and_unknown_sizes(chunks: Any) -> None:
    a = np.arange(24).reshape(4, 6) % 7
    x = da.from_array(a, chunks=chunks)
    for m, mnp in [(x > 2, a > 2), (a % 2 == 0, a % 2 == 0)]:
        y = x[m]
        assert y.ndim == 1 and np.isnan(y.shape[0]) and all(np.isnan(c) for c in y.chunks[0])
        assert_eq(y, a[mnp])
        known = y.compute_chunk_sizes()
        assert known.shape == a[mnp].shape
        assert_eq(known, a[mnp])
        assert known.name == y.name


def test_lazy_mask_along_one_axis_and_over_leading_axes() -> None:
    a = np.arange(60).reshape(3, 4, 5)
    x = da.from_array(a, chunks=(2, 3, 2))
    keep = np.array([True, False, True, True])
    m = da.from_array(keep, chunks=1)  # rechunked to x's chunks
    assert_eq(x[:, m], a[:, keep])
    assert x[:, m].chunks[0] == (2, 1) and np.isnan(x[:, m].chunks[1][0])
    lead = a[:, :, 0] > 20
    assert_eq(x[da.from_array(lead, chunks=2)], a[lead])
    assert_eq(x[0, m, 1:3], a[0, keep, 1:3])
    with pytest.raises(IndexError, match="boolean index did not match"):
        x[da.ones(5, dtype=bool)]


def test_unknown_chunks_raise_with_a_fix() -> None:
    a = np.arange(10)
    x = da.from_array(a, chunks=4)
    y = x[x > 3]
    for op in [lambda: y[:2], lambda: y[1], lambda: y[[0]], lambda: y.reshape(2, -1)]:
        with pytest.raises(ValueError, match=r"compute_chunk_sizes\(\)"):
            op()
    assert_eq(y[:], a[a > 3])
    assert_eq(y.compute_chunk_sizes()[1:3], a[a > 3][1:3])
    z = da.from_array(np.arange(20).reshape(10, 2), chunks=4)
    w = z[z[:, 0] > 3]
    assert_eq(w[:, 1], np.arange(20).reshape(10, 2)[2:, 1])
    assert w.compute_chunk_sizes().chunks == ((2, 4, 2), (2,))


def test_compute_chunk_sizes_computes_only_the_first_row_of_blocks() -> None:
    a = np.arange(30).reshape(6, 5)
    x = da.from_array(a, chunks=(2, 2))
    y = x[x[:, 0] % 4 == 0]
    shapes_graph: list[Any] = []

    def record(dsk: Any, keys: Any, **kwargs: Any) -> Any:
        shapes_graph.append(keys)
        from tessera.scheduling import synchronous

        return synchronous.get(dsk, keys, **kwargs)

    known = y.compute_chunk_sizes(scheduler=record)
    assert len(shapes_graph[0][0]) == y.numblocks[0]
    assert_eq(known, a[a[:, 0] % 4 == 0])


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_indexing_on_every_scheduler(scheduler: str) -> None:
    a = np.arange(48).reshape(6, 8)
    x = da.from_array(a, chunks=(4, 3))
    assert_eq(x[1:5, ::-3], a[1:5, ::-3], scheduler=scheduler)
    assert_eq(x[[5, 0, 0], 2:], a[[5, 0, 0], 2:], scheduler=scheduler)
    assert_eq(x[x % 3 == 0], a[a % 3 == 0], scheduler=scheduler)
    expected = np.concatenate([a[4:, 6:], a[4:, 3:6], a[4:, :3]], 1)
    assert_eq(x.blocks[1, ::-1], expected, scheduler=scheduler)


def test_names_are_deterministic() -> None:
    x = da.from_array(np.arange(20).reshape(4, 5), chunks=2)
    assert x[1:3, ::-1].name == x[1:3, ::-1].name
    assert x[1:3].name != x[1:4].name
    assert x[[3, 1]].name == x[[3, 1]].name != x[[1, 3]].name
    assert x[x > 2].name == x[x > 2].name
    assert x.blocks[0].name == x.blocks[0].name


def test_blocks_accessor() -> None:
    a = np.arange(42).reshape(6, 7)
    x = da.from_array(a, chunks=(2, 3))
    assert x.blocks.shape == (3, 3) and x.blocks.size == 9 and x.blocks.ndim == 2
    assert_eq(x.blocks[0, 1], a[:2, 3:6])
    assert_eq(x.blocks[-1], a[4:])
    assert_eq(x.blocks[:, -1], a[:, 6:])
    assert_eq(x.blocks[::2, [2, 0]], a[np.r_[0:2, 4:6]][:, np.r_[6:7, 0:3]])
    assert_eq(x.blocks[..., 1], a[:, 3:6])
    assert x.blocks[:] is x
    assert reads(x.blocks[1, 2], x) == {(x.name, 1, 2)}
    assert [b.shape for b in x.blocks.ravel()][:4] == [(2, 3), (2, 3), (2, 1), (2, 3)]
    assert x.partitions[0, 0].shape == (2, 3)
    with pytest.raises(
        IndexError, match="block index 3 is out of bounds for axis 0 with 3 blocks"
    ):
        x.blocks[3]
    with pytest.raises(IndexError, match="too many indices"):
        x.blocks[0, 0, 0]
    with pytest.raises(IndexError, match="selects no blocks"):
        x.blocks[2:2]


def test_iteration_uses_indexing() -> None:
    a = np.arange(6).reshape(3, 2)
    rows = list(da.from_array(a, chunks=2))
    assert len(rows) == 3
    assert_eq(rows[2], a[2])
