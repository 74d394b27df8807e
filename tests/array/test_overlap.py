"""overlap / trim_internal / map_overlap against NumPy's ``pad`` and whole-array stencils."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.chunks import chunk_bounds
from tessera.array.overlap_args import min_chunks
from tessera.array.testing import assert_eq
from tessera.scheduling.synchronous import get
from tests.array.strategies import arrays_and_chunks

PAD_MODE = {"reflect": "symmetric", "periodic": "wrap", "nearest": "edge"}
SCHEDULERS = ["sync", "threads", "processes"]


def pad(x: np.ndarray, depth: list[tuple[int, int]], kinds: list[Any]) -> np.ndarray:
    """``x`` padded axis by axis as tessera's boundary kinds say ('none' pads nothing)."""
    for ax, (d, kind) in enumerate(zip(depth, kinds, strict=True)):
        width = [(0, 0)] * x.ndim
        if kind == "none":
            continue
        width[ax] = d
        if kind in PAD_MODE:
            x = np.pad(x, width, mode=PAD_MODE[kind])
        else:
            x = np.pad(x, width, mode="constant", constant_values=kind)
    return x


def expected_overlap(
    x: np.ndarray, chunks: Any, depth: list[tuple[int, int]], kinds: list[Any]
) -> np.ndarray:
    """The overlapped blocks of ``x`` (chunked as ``chunks``) joined, computed from NumPy."""
    padded = pad(x, depth, kinds)
    for ax, (c, (left, right), kind) in enumerate(zip(chunks, depth, kinds, strict=True)):
        shift = 0 if kind == "none" else left
        bounds = chunk_bounds(c)
        parts = []
        for j in range(len(c)):
            lo = bounds[j] - (left if j > 0 or kind != "none" else 0) + shift
            hi = bounds[j + 1] + (right if j < len(c) - 1 or kind != "none" else 0) + shift
            parts.append(np.take(padded, range(lo, hi), axis=ax))
        padded = np.concatenate(parts, axis=ax)
    return padded


def check_blocks(y: da.Array) -> None:
    """Every computed block has the shape its chunks announce."""
    keys = y.__tessera_block_keys__()
    blocks = get(y.__tessera_graph__(), keys)
    for key, block in zip(keys, blocks, strict=True):
        want = tuple(c[i] for c, i in zip(y.chunks, key[1:], strict=True))
        assert block.shape == want, (key, block.shape, want)


def stencil(b: np.ndarray) -> np.ndarray:
    """A 3-point moving sum along every axis (wrapping inside the block)."""
    out = b.copy()
    for ax in range(b.ndim):
        out = out + np.roll(b, 1, ax) + np.roll(b, -1, ax)
    return out


@pytest.mark.parametrize("kind", ["reflect", "periodic", "nearest", "none", 0, -7.5])
@pytest.mark.parametrize("chunks", [3, 4, ((2, 3, 5),), 10])
def test_overlap_1d_matches_pad(kind: Any, chunks: Any) -> None:
    x = np.arange(10.0)
    g = da.overlap.overlap(da.from_array(x, chunks=chunks), depth=2, boundary=kind)
    c = min_chunks(da.from_array(x, chunks=chunks).chunks, [2], "overlap")
    assert_eq(g, expected_overlap(x, c, [(2, 2)], [kind]))
    check_blocks(g)


def test_overlap_2d_dict_depth_and_boundary() -> None:
    x = np.arange(48).reshape(6, 8)
    d = da.from_array(x, chunks=(3, 4))
    g = da.overlap.overlap(d, depth={0: 2, 1: 1}, boundary={0: 100, 1: "reflect"})
    assert g.chunks == ((7, 7), (6, 6))
    assert_eq(g, expected_overlap(x, d.chunks, [(2, 2), (1, 1)], [100, "reflect"]))
    back = da.overlap.trim_internal(g, {0: 2, 1: 1}, boundary={0: 100, 1: "reflect"})
    assert_eq(back, x)
    assert_eq(da.overlap.trim_overlap(g, {0: 2, 1: 1}, {0: 100, 1: "reflect"}), x)


def test_overlap_asymmetric_and_none() -> None:
    x = np.arange(12)
    d = da.from_array(x, chunks=4)
    g = da.overlap.overlap(d, depth={0: (1, 2)}, boundary="none")
    assert_eq(g, expected_overlap(x, d.chunks, [(1, 2)], ["none"]))
    assert_eq(da.overlap.trim_internal(g, {0: (1, 2)}), x)


@given(arrays_and_chunks(max_dims=2, max_side=8), st.data())
@settings(max_examples=60, deadline=None)
def test_overlap_hypothesis(xc: Any, data: Any) -> None:
    x, chunks = xc
    depth = [(data.draw(st.integers(0, n)),) * 2 for n in x.shape]
    kinds = [
        data.draw(st.sampled_from(["none", "reflect", "periodic", "nearest", 1.5]))
        for _ in x.shape
    ]
    d = da.from_array(x, chunks=chunks)
    g = da.overlap.overlap(d, depth=tuple(depth), boundary=tuple(kinds))
    base = min_chunks(d.chunks, [p[0] for p in depth], "overlap")
    assert_eq(g, expected_overlap(x, base, depth, kinds))
    check_blocks(g)
    y = da.map_overlap(stencil, d, depth=tuple(depth), boundary=tuple(kinds))
    assert y.chunks == base
    if all(p[0] >= 1 for p in depth):  # the stencil reaches 1 element on every axis
        whole = stencil(pad(x, depth, kinds))
        # padded axes: cut the padding off; 'none' axes: the edge elements are unreliable
        sizes = list(zip(depth, x.shape, kinds, strict=True))
        cut = [slice(p[0], p[0] + n) if k != "none" else slice(1, n - 1) for p, n, k in sizes]
        mine = [slice(None) if k != "none" else slice(1, n - 1) for _, n, k in sizes]
        assert_eq(y[tuple(mine)], whole[tuple(cut)])


@pytest.mark.parametrize("kind", ["reflect", "periodic", "nearest", 0, 2.5])
@pytest.mark.parametrize("chunks", [(2, 3), (3, 4), (6, 8), ((1, 2, 3), (5, 1, 2))])
def test_map_overlap_stencil_matches_whole_array(kind: Any, chunks: Any) -> None:
    x = np.random.default_rng(0).random((6, 8))
    d = da.from_array(x, chunks=chunks)
    y = da.map_overlap(stencil, d, depth=1, boundary=kind)
    whole = stencil(pad(x, [(1, 1)] * 2, [kind] * 2))[1:-1, 1:-1]
    assert_eq(y, whole)
    check_blocks(y)
    assert_eq(d.map_overlap(stencil, depth=1, boundary=kind), whole)


@pytest.mark.parametrize("chunks", [3, ((1, 4, 5),), 10])
def test_map_overlap_boundary_none_is_default(chunks: Any) -> None:
    x = np.arange(10) ** 2
    y = da.map_overlap(stencil, da.from_array(x, chunks=chunks), depth=1)
    assert_eq(y[1:-1], stencil(x)[1:-1])
    check_blocks(y)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_map_overlap_schedulers(scheduler: str) -> None:
    x = np.arange(20.0).reshape(4, 5)
    d = da.from_array(x, chunks=2)
    y = d.map_overlap(stencil, depth=1, boundary="periodic")
    assert_eq(y, stencil(x), scheduler=scheduler)


def test_map_overlap_trim_false_and_depth_zero() -> None:
    x = np.arange(10)
    d = da.from_array(x, chunks=4)
    y = da.map_overlap(lambda b: b[2:-2], d, depth=2, boundary="reflect", trim=False)
    assert y.chunks == d.chunks
    assert_eq(y, x)
    assert_eq(da.map_overlap(lambda b: b * 2, d, depth=0), x * 2)


def test_map_overlap_several_arrays() -> None:
    x, y = np.arange(12.0), np.arange(12.0) ** 2
    a, b = da.from_array(x, chunks=4), da.from_array(y, chunks=((5, 7),))
    out = da.map_overlap(lambda p, q: p + np.roll(q, 1), a, b, depth=1, boundary="periodic")
    assert_eq(out, x + np.roll(y, 1))
    out = da.map_overlap(
        lambda p, q: p + np.roll(q, 1), a, b, depth=[1, 1], boundary=["periodic", "periodic"]
    )
    assert_eq(out, x + np.roll(y, 1))
    with pytest.raises(ValueError, match="align_arrays=True"):
        da.map_overlap(np.add, a, b, depth=1, align_arrays=False)


def test_map_overlap_drop_and_new_axis() -> None:
    x = np.arange(24).reshape(4, 6)
    d = da.from_array(x, chunks=(2, 3))
    y = d.map_overlap(
        lambda b: b.sum(axis=0), depth=1, boundary="reflect", drop_axis=0, dtype=x.dtype
    )
    padded = np.pad(x, 1, mode="symmetric")
    rows = np.concatenate([padded[0:4], padded[2:6]])  # the grown blocks along axis 0
    assert_eq(y, rows.sum(axis=0)[1:-1])
    z = da.map_overlap(lambda b: stencil(b)[None], d, depth=1, boundary=0, new_axis=0)
    assert_eq(z, stencil(np.pad(x, 1))[1:-1, 1:-1][None])


def test_map_overlap_block_id_and_kwargs() -> None:
    d = da.arange(8, chunks=4)

    def f(b: np.ndarray, scale: int, block_id: Any = None) -> np.ndarray:
        return b * scale + block_id[0] * 100

    assert_eq(da.map_overlap(f, d, depth=1, scale=2), np.arange(8) * 2 + np.repeat([0, 100], 4))


def test_small_chunks_are_merged_or_refused() -> None:
    x = np.arange(10)
    d = da.from_array(x, chunks=((1, 1, 3, 4, 1),))
    y = da.map_overlap(stencil, d, depth=2, boundary="periodic")
    assert min(y.chunks[0]) >= 2
    assert_eq(y, stencil(np.pad(x, 2, mode="wrap"))[2:-2])
    with pytest.raises(ValueError, match="allow_rechunk=True"):
        da.map_overlap(stencil, d, depth=2, allow_rechunk=False)
    with pytest.raises(ValueError, match="allow_rechunk=True"):
        da.overlap.overlap(d, 2, "none", allow_rechunk=False)
    with pytest.raises(ValueError, match="larger than axis 0"):
        da.overlap.overlap(d, 11, "reflect")


def test_bad_arguments() -> None:
    d = da.arange(6, chunks=3)
    with pytest.raises(TypeError, match="function first"):
        da.map_overlap(d, stencil, depth=1)
    with pytest.raises(TypeError, match="tessera arrays"):
        da.map_overlap(stencil, np.arange(6), depth=1)
    with pytest.raises(ValueError, match="is not one of"):
        da.overlap.overlap(d, 1, "mirror")
    with pytest.raises(ValueError, match="non-negative"):
        da.overlap.overlap(d, -1, "none")
    with pytest.raises(ValueError, match="names axis 3"):
        da.overlap.overlap(d, {3: 1}, "none")
    with pytest.raises(ValueError, match="depth is larger than the block"):
        da.overlap.trim_internal(d, 2, "reflect")
    unknown = d[d > 2]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        da.overlap.overlap(unknown, 1, "none")


@pytest.mark.parametrize(
    ("shape", "chunks", "window", "axis"),
    [
        ((10,), 3, 3, None),
        ((10,), 4, 1, 0),
        ((10,), ((1, 2, 7),), 10, None),
        ((6, 7), (2, 3), (2, 3), None),
        ((6, 7), (4, 2), 3, 1),
        ((6, 7), (1, 7), (4, 2), (0, -1)),
        ((4, 5, 6), 2, (3, 2), (2, 0)),
    ],
)
def test_sliding_window_view(shape: Any, chunks: Any, window: Any, axis: Any) -> None:
    x = np.arange(np.prod(shape)).reshape(shape)
    d = da.from_array(x, chunks=chunks)
    want = np.lib.stride_tricks.sliding_window_view(x, window, axis)
    y = da.overlap.sliding_window_view(d, window, axis)
    assert_eq(y, want)
    check_blocks(y)
    assert isinstance(np.lib.stride_tricks.sliding_window_view(d, window, axis), da.Array)


def test_sliding_window_view_errors() -> None:
    d = da.arange(10, chunks=3)
    with pytest.raises(ValueError, match="larger than input"):
        da.overlap.sliding_window_view(d, 11)
    with pytest.raises(ValueError, match="> 0"):
        da.overlap.sliding_window_view(d, 0)
    with pytest.raises(ValueError, match="must name axes"):
        da.overlap.sliding_window_view(d, 2, 1)
    with pytest.raises(ValueError, match="automatic_rechunk=True"):
        da.overlap.sliding_window_view(d, 4, automatic_rechunk=False)
