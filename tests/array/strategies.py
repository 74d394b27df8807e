"""Hypothesis strategies for array tests: shapes with random chunkings."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
from hypothesis import strategies as st


@st.composite
def chunks_for(draw: Any, shape: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Random explicit chunks for ``shape`` (every block at least 1 long)."""
    out = []
    for n in shape:
        if n == 0:
            out.append((0,))
            continue
        cuts = draw(st.sets(st.integers(1, n - 1), max_size=min(n - 1, 4))) if n > 1 else set()
        edges = [0, *sorted(cuts), n]
        out.append(tuple(b - a for a, b in pairwise(edges)))
    return tuple(out)


@st.composite
def arrays_and_chunks(
    draw: Any, max_dims: int = 3, max_side: int = 7, dtype: Any = "f8"
) -> tuple[np.ndarray, tuple[tuple[int, ...], ...]]:
    """A small NumPy array with random values and random chunks for it."""
    shape = tuple(draw(st.lists(st.integers(1, max_side), min_size=1, max_size=max_dims)))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 10).astype(dtype)
    return x, draw(chunks_for(shape))
