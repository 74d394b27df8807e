"""Point-wise indexing with several integer arrays (``x.vindex``) against NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.testing import assert_eq
from tests.array.strategies import chunks_for


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_vindex_matches_numpy_fancy_indexing(data: Any) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=3)))
    x = np.arange(int(np.prod(shape))).reshape(shape)
    a = da.from_array(x, chunks=data.draw(chunks_for(shape)))
    k = data.draw(st.integers(1, len(shape)))
    npoints = data.draw(st.integers(0, 8))
    index = tuple(
        np.array(
            data.draw(st.lists(st.integers(-n, n - 1), min_size=npoints, max_size=npoints)),
            dtype=np.intp,
        )
        for n in shape[:k]
    )
    assert_eq(a.vindex[index], x[index])


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_vindex_broadcasts_and_runs_everywhere(scheduler: str) -> None:
    x = np.arange(60).reshape(4, 5, 3)
    a = da.from_array(x, chunks=2)
    rows, cols = np.array([[0, 3], [1, -1]]), np.array([[4], [1]])
    assert_eq(a.vindex[rows, cols], x[rows, cols], scheduler=scheduler)


def test_vindex_errors() -> None:
    a = da.ones((3, 4), chunks=2)
    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 0 with size 3"):
        a.vindex[[3], [0]]
    with pytest.raises(IndexError, match="could not be broadcast together"):
        a.vindex[[0, 1], [0, 1, 2]]
    with pytest.raises(IndexError, match="integer index arrays"):
        a.vindex[[0.5], [1]]
    with pytest.raises(IndexError, match="1 to 2 index arrays"):
        a.vindex[[0], [0], [0]]


def test_vindex_reads_only_the_blocks_it_needs() -> None:
    a = da.from_array(np.arange(100).reshape(10, 10), chunks=5)
    picked = a.vindex[[1, 2], [3, 4]]
    layer = picked.layers[picked.name]
    sources = {task[1] for key, task in layer.items() if key[0].endswith("-part")}
    assert sources == {(a.name, 0, 0)}
