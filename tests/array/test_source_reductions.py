"""Reductions of source arrays (random, arange, full) over one block and many, on every
scheduler: the regression of a single-block 2-d ``mean`` whose streamed chunk task sat
in a nested list and reached the final step unevaluated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tessera.array as da
from tessera import config
from tessera.array.fusion import stream_reductions
from tessera.array.testing import assert_eq

SHAPE = (24, 10)
SOURCES: dict[str, Callable[[Any], Any]] = {
    "random": lambda chunks: da.random.default_rng(1).random(SHAPE, chunks=chunks),
    "arange": lambda chunks: da.arange(240, chunks=chunks[0] * chunks[1]).reshape(SHAPE),
    "full": lambda chunks: da.full(SHAPE, 2.5, chunks=chunks),
}
CHUNKS = {"one block": SHAPE, "many blocks": (8, 5)}
REDUCTIONS = ["mean", "var", "std", "sum"]


def _plain_arange_chunks(name: str, chunks: tuple[int, int]) -> tuple[int, int]:
    """arange is 1-d: reshape keeps one block only when the 1-d array is one block."""
    return SHAPE if name == "arange" and chunks != SHAPE else chunks


@pytest.fixture(autouse=True)
def small_pieces() -> Any:
    with config.set({"array.piece-size": 64}):  # 8 elements: every block is streamed
        yield


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("layout", list(CHUNKS))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_reduction_of_a_source_matches_numpy(
    source: str, layout: str, reduction: str, axis: Any
) -> None:
    x = SOURCES[source](_plain_arange_chunks(source, CHUNKS[layout]))
    values = x.compute(scheduler="sync")
    got = getattr(x, reduction)(axis=axis)
    assert_eq(got, getattr(np, reduction)(values, axis=axis), rtol=1e-12)


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
@pytest.mark.parametrize("layout", list(CHUNKS))
def test_schedulers_agree(scheduler: str, layout: str) -> None:
    x = SOURCES["random"](CHUNKS[layout])
    values = x.compute(scheduler="sync")
    for reduction in REDUCTIONS:
        got = getattr(x, reduction)().compute(scheduler=scheduler)
        expected = getattr(np, reduction)(values)
        assert got == pytest.approx(expected, rel=1e-12)


def test_single_block_reduction_is_streamed_and_unnested() -> None:
    """One block per output: the chunk step runs inside the final task, with no list."""
    y = SOURCES["random"](SHAPE).mean()
    (task,) = stream_reductions(y.__tessera_graph__(), y.__tessera_keys__()).values()
    assert type(task[1]) is tuple and type(task[1][0]).__name__ == "Streamed"


def test_default_piece_size_single_block() -> None:
    """The report: a 1000 x 1000 random block (streamed at the default piece size)."""
    with config.set({"array.piece-size": "1MiB"}):
        x = da.random.default_rng(1).random((600, 600), chunks=600)
        values = x.compute(scheduler="sync")
        assert_eq(x.mean(), values.mean())
        assert_eq(x.std(), values.std())
