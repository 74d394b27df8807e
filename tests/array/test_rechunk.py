"""Rechunking: values under any chunking, and the memory bound of the staged plan."""

from __future__ import annotations

import math
from itertools import product
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.rechunk import plan_axis, plan_rechunk
from tessera.array.testing import assert_eq
from tessera.scheduling.graph import get_dependencies
from tests.array.test_slicing import some_chunks

SCHEDULERS = ["sync", "threads", "processes"]


@st.composite
def old_and_new_chunks(draw: Any, shape: tuple[int, ...]) -> tuple[Any, Any]:
    """Two chunkings of ``shape``: per axis all ones, the whole axis, or random cuts.

    Half of the time the new chunking is the opposite of the old one on every axis
    (ones <-> whole), the all-to-all case.
    """
    kinds = [draw(st.sampled_from(["ones", "whole", "random"])) for _ in shape]
    opposite = {"ones": "whole", "whole": "ones", "random": "random"}
    new_kinds = (
        [opposite[k] for k in kinds]
        if draw(st.booleans())
        else [draw(st.sampled_from(["ones", "whole", "random"])) for _ in shape]
    )

    def make(kinds: list[str]) -> tuple[tuple[int, ...], ...]:
        out = []
        for n, kind in zip(shape, kinds, strict=True):
            if kind == "random":
                out.append(draw(some_chunks((n,)))[0])
            else:
                out.append((1,) * n if kind == "ones" else (n,))
        return tuple(out)

    return make(kinds), make(new_kinds)


@settings(max_examples=50, deadline=None)
@given(data=st.data(), threshold=st.sampled_from([2, 4, 8]))
def test_rechunk_values_match_numpy(data: Any, threshold: int) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 12), min_size=1, max_size=3), label="shape"))
    a = np.arange(math.prod(shape)).reshape(shape)
    old, new = data.draw(old_and_new_chunks(shape), label="chunks")
    y = da.from_array(a, chunks=old).rechunk(new, threshold=threshold)
    assert y.chunks == new
    assert_eq(y, a)


def test_rechunk_specs() -> None:
    a = np.arange(60).reshape(6, 10)
    x = da.from_array(a, chunks=(2, 5))
    assert x.rechunk(3).chunks == ((3, 3), (3, 3, 3, 1))
    assert x.rechunk({1: -1}).chunks == ((2, 2, 2), (10,))
    assert x.rechunk({-1: 4}).chunks == ((2, 2, 2), (4, 4, 2))
    assert x.rechunk(((1, 5), (10,))).chunks == ((1, 5), (10,))
    assert x.rechunk((-1, None)).chunks == ((6,), (5, 5))
    assert x.rechunk("auto").chunks == ((6,), (10,))
    assert x.rechunk((2, 5)) is x
    assert_eq(da.rechunk(x, (4, 3)), a)
    assert da.from_array(x, chunks=3).chunks == ((3, 3), (3, 3, 3, 1))
    assert x.rechunk(4, balance=True).chunks == ((3, 3), (4, 3, 3))
    assert x.rechunk({0: "auto"}, block_size_limit=16 * 8).chunks[0] == (3, 3)  # 5 columns
    assert_eq(x.rechunk(4, balance=True), a)
    with pytest.raises(ValueError, match="add up to 5"):
        x.rechunk(((2, 3), (10,)))
    with pytest.raises(ValueError, match="threshold must be at least 2"):
        x.rechunk((3, 3), threshold=1)


def test_rechunk_empty_and_zero_dimensional() -> None:
    e = np.ones((0, 4))
    assert_eq(da.from_array(e, chunks=(1, 2)).rechunk((1, 4)), e)
    s = da.from_array(np.array(2.5))
    assert s.rechunk(()) is s


def test_rechunk_keeps_unknown_axes_and_refuses_to_change_them() -> None:
    a = np.arange(24).reshape(6, 4)
    x = da.from_array(a, chunks=(2, 2))
    y = x[x[:, 0] > 4]
    z = y.rechunk({1: 4})
    assert np.isnan(z.shape[0]) and z.chunks[1] == (4,)
    assert_eq(z, a[a[:, 0] > 4])
    assert_eq(y.rechunk((y.chunks[0], 1)), a[a[:, 0] > 4])
    with pytest.raises(ValueError, match=r"compute_chunk_sizes\(\)"):
        y.rechunk(3)
    with pytest.raises(ValueError, match=r"axis 0 .*compute_chunk_sizes\(\)"):
        y.rechunk({0: 2})


def stage_graph(x: da.Array, y: da.Array, threshold: int = 8) -> list[tuple[str, Any]]:
    """(layer name, chunks) of x and of each rechunk stage that built y, in order."""
    stages = plan_rechunk(x.chunks, y.chunks, threshold)
    names = [n for n in y.layers if n.startswith("rechunk-")]
    assert len(names) == len(stages)
    return [(x.name, x.chunks), *zip(names, stages, strict=True)]


def block_elements(chunks: Any, index: tuple[int, ...]) -> int:
    return math.prod(c[i] for c, i in zip(chunks, index, strict=True))


def task_reads(x: da.Array, y: da.Array, threshold: int = 8) -> list[tuple[int, int, int]]:
    """Per rechunk task: (blocks read, elements read, elements out), x's blocks whole."""
    layers = stage_graph(x, y, threshold)
    dsk = y.__tessera_graph__()
    chunks_of = dict(layers)
    out = []
    for name, chunks in layers[1:]:
        for key in y.layers[name]:
            read = [d for d in get_dependencies(dsk, key) if d[0] in chunks_of]
            size = sum(block_elements(chunks_of[d[0]], d[1:]) for d in read)
            out.append((len(read), size, block_elements(chunks, key[1:])))
    return out


ALL_TO_ALL = [
    ((1, 64), (64, 1)),
    ((64, 1), (1, 64)),
    ((1, 100), (100, 1)),
    ((2, 150), (150, 2)),
    ((1, 40, 40), (40, 40, 1)),
    ((30, 1, 8), (1, 30, 8)),
]


@pytest.mark.parametrize(("old", "new"), ALL_TO_ALL)
def test_all_to_all_rechunk_reads_few_blocks_per_task(old: Any, new: Any) -> None:
    shape = tuple(max(o, n) for o, n in zip(old, new, strict=True))
    x = da.ones(shape, chunks=old, dtype="i1")
    y = x.rechunk(new)
    direct_fan_in = math.prod(max(1, n // o) for o, n in zip(old, new, strict=True))
    assert direct_fan_in >= 30  # a direct plan would read that many whole blocks per task
    assert len(stage_graph(x, y)) > 2
    biggest = max(math.prod(old), math.prod(new))
    for blocks, elements, _ in task_reads(x, y):
        assert blocks <= 8 * 2  # the threshold, times 2 where block edges do not line up
        assert elements <= 8 * 2 * biggest
    assert_eq(y, np.ones(shape, dtype="i1"))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_task_reads_a_bounded_number_of_bytes(data: Any) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 40), min_size=2, max_size=3), label="shape"))
    old, new = data.draw(old_and_new_chunks(shape), label="chunks")
    x = da.ones(shape, chunks=old, dtype="i1")
    y = x.rechunk(new, threshold=4)
    if y is x:
        return
    biggest = max(math.prod(max(c) for c in old), math.prod(max(c) for c in new))
    layers = stage_graph(x, y, threshold=4)
    for _, chunks in layers[1:-1]:  # intermediate blocks never exceed the larger block
        for index in product(*(range(len(c)) for c in chunks)):
            assert block_elements(chunks, index) <= biggest
    for _, elements, _ in task_reads(x, y, threshold=4):
        assert elements <= 4 * 2 ** len(shape) * biggest


def test_plan_rechunk() -> None:
    assert plan_rechunk(((2, 2), (4,)), ((4,), (2, 2))) == [((4,), (2, 2))]
    assert plan_rechunk(((1,) * 4,), ((4,),)) == [((4,),)]  # 1-d: always direct
    merge = plan_rechunk(((1,) * 50, (1,) * 50), ((50,), (50,)))
    assert len(merge) == 1  # only merging: inputs add up to the output, done directly
    steps = plan_rechunk(((1,) * 64, (64,)), ((64,), (1,) * 64), threshold=4)
    assert [tuple(max(c) for c in s) for s in steps] == [(4, 16), (16, 4), (64, 1)]
    assert plan_axis((3, 3), (2, 4)) == [
        [(0, slice(0, 2))],
        [(0, slice(2, 3)), (1, slice(0, 3))],
    ]


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_rechunk_on_every_scheduler(scheduler: str) -> None:
    a = np.arange(400).reshape(20, 20)
    x = da.from_array(a, chunks=(1, 20))
    assert_eq(x.rechunk((20, 1)), a, scheduler=scheduler)
    assert_eq(x.rechunk((7, 3)), a, scheduler=scheduler)


def test_names_are_deterministic() -> None:
    x = da.ones((20, 20), chunks=(1, 20))
    assert x.rechunk((20, 1)).name == x.rechunk((20, 1)).name
    assert x.rechunk((20, 1)).name != x.rechunk((20, 2)).name
