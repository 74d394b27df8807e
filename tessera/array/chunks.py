"""Chunk specifications: from what users write to a tuple of block sizes per axis.

Map
---
- :func:`normalize_chunks` -- ``10``, ``(5, 10)``, ``((2, 3), (4,))``, ``{0: 5}``, ``-1``,
  ``None``, ``"auto"`` or ``"64MiB"`` to ``((...), (...))``.
- :func:`parse_bytes` -- ``"128MiB"`` to ``134217728`` (from :mod:`tessera.sizes`).
- :func:`blockdims_from_blockshape`, :func:`slices_from_chunks`, :func:`chunk_bounds`.

Policy: an int chunk size ``c`` on an axis of length ``n`` gives ``n // c`` blocks of ``c``
and one of ``n % c``; ``-1`` or ``None`` means the whole axis; ``"auto"`` picks sizes so
one block holds about ``config.get("array.chunk-size")`` bytes (128 MiB by default),
split evenly over the ``"auto"`` axes.  An empty axis has one chunk of size 0.

>>> normalize_chunks(4, shape=(10,))
((4, 4, 2),)
>>> normalize_chunks({1: -1}, shape=(4, 6), previous=((2, 2), (3, 3)))
((2, 2), (6,))
>>> normalize_chunks("auto", shape=(10_000, 10_000), dtype="f8", limit="8MiB")[0]
(1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 784)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import accumulate, product
from typing import Any

import numpy as np

from tessera.sizes import parse_bytes

__all__ = [
    "Chunks",
    "blockdims_from_blockshape",
    "chunk_bounds",
    "normalize_chunks",
    "parse_bytes",
    "slices_from_chunks",
]

Chunks = tuple[tuple[Any, ...], ...]  # ints; nan where a size is unknown


def blockdims_from_blockshape(shape: Sequence[int], blockshape: Sequence[int]) -> Chunks:
    """Chunks of equal size ``blockshape`` (the last block of each axis may be smaller).

    >>> blockdims_from_blockshape((10, 7), (4, 7))
    ((4, 4, 2), (7,))
    """
    out: list[tuple[int, ...]] = []
    for n, c in zip(shape, blockshape, strict=True):
        if n == 0:
            out.append((0,))
            continue
        c = max(int(c), 1)
        out.append((c,) * (n // c) + ((n % c,) if n % c else ()))
    return tuple(out)


def _bad(chunks: Any, shape: Sequence[int], why: str) -> ValueError:
    return ValueError(
        f"Chunks {chunks!r} do not fit an array of shape {tuple(shape)}: {why}. Give one entry "
        "per axis: a block size (int), -1 for the whole axis, 'auto', or the explicit sizes "
        "of the blocks, e.g. chunks=(1000, -1) or chunks=((2, 2, 1), (5,))."
    )


def _auto(shape: Sequence[int], chunks: list[Any], itemsize: int, limit: int) -> list[Any]:
    auto_axes = [i for i, c in enumerate(chunks) if c == "auto"]
    fixed = 1
    for c in chunks:
        if c != "auto":
            fixed *= max(c if isinstance(c, int) else max(c, default=1), 1)
    budget = max(limit // (itemsize * fixed), 1)
    per_axis = budget ** (1 / len(auto_axes)) if auto_axes else 1
    # give small axes all they need, share the rest among the large ones
    for i in sorted(auto_axes, key=lambda i: shape[i]):
        size = max(int(per_axis), 1)
        if shape[i] <= size:
            chunks[i] = max(shape[i], 1)
            budget = max(budget // max(shape[i], 1), 1)
            auto_axes.remove(i)
            per_axis = budget ** (1 / len(auto_axes)) if auto_axes else 1
        else:
            chunks[i] = _round_chunk(size)
    return chunks


def _round_chunk(size: int) -> int:
    """Round a chunk size down to a 'nice' number (a multiple of a power of two)."""
    if size < 16:
        return size
    step = 2 ** int(math.log2(size) - 3)
    return size // step * step


def normalize_chunks(
    chunks: Any,
    shape: Sequence[int],
    *,
    dtype: Any = None,
    limit: int | str | None = None,
    previous: Chunks | None = None,
) -> Chunks:
    """Return explicit chunks (block sizes per axis) for an array of ``shape``.

    Parameters
    ----------
    chunks : int, tuple, dict, -1, None, "auto" or a byte size string
        What the user asked for.
    shape : tuple of int
        The array's shape.
    dtype : numpy dtype, optional
        Needed for ``"auto"`` (item size).
    limit : int or str, optional
        Target bytes per block for ``"auto"``; default ``config.get("array.chunk-size")``.
    previous : chunks, optional
        Chunks to keep for axes that a dict does not mention (rechunk).

    Examples
    --------
    >>> normalize_chunks((2, -1), shape=(5, 3))
    ((2, 2, 1), (3,))
    >>> normalize_chunks(((2, 3),), shape=(6,))
    Traceback (most recent call last):
    ...
    ValueError: Chunks ((2, 3),) do not fit an array of shape (6,): axis 0 has length 6 but ...
    """
    from tessera import config

    shape = tuple(int(n) for n in shape)
    ndim = len(shape)
    given = chunks
    if isinstance(chunks, str) and chunks != "auto":
        limit, chunks = chunks, "auto"
    if isinstance(chunks, dict):
        bad = [k for k in chunks if not (-ndim <= k < ndim)]
        if bad:
            raise _bad(given, shape, f"axis {bad[0]} does not exist")
        keep = previous if previous is not None else tuple("auto" for _ in shape)
        chunks = tuple(chunks.get(i, chunks.get(i - ndim, keep[i])) for i in range(ndim))
    if chunks is None or isinstance(chunks, (int, np.integer, str)):
        chunks = (chunks,) * ndim
    if not isinstance(chunks, (tuple, list)):
        raise _bad(given, shape, f"a {type(chunks).__name__} is not a chunk specification")
    chunks = list(chunks)
    if len(chunks) != ndim:
        raise _bad(given, shape, f"{len(chunks)} entries for {ndim} axes")
    for i, c in enumerate(chunks):
        if c is None or (isinstance(c, (int, np.integer)) and c == -1):
            chunks[i] = max(shape[i], 1) if not isinstance(c, tuple) else c
    if any(c == "auto" for c in chunks):
        if dtype is None:
            raise ValueError("chunks='auto' needs the dtype to size blocks; pass dtype=...")
        itemsize = max(np.dtype(dtype).itemsize, 1)
        lim = parse_bytes(limit if limit is not None else config.get("array.chunk-size"))
        chunks = _auto(shape, chunks, itemsize, lim)
    out = []
    for i, (c, n) in enumerate(zip(chunks, shape, strict=True)):
        if isinstance(c, (int, np.integer)) and not isinstance(c, bool):
            if c <= 0:
                raise _bad(given, shape, f"axis {i} has block size {c}; sizes must be positive")
            out.append(blockdims_from_blockshape((n,), (int(c),))[0])
        elif isinstance(c, (tuple, list)):
            sizes = tuple(int(x) for x in c)
            if any(x < 0 for x in sizes) or any(
                isinstance(x, float) and not float(x).is_integer() for x in c
            ):
                raise _bad(given, shape, f"axis {i} has negative or fractional block sizes")
            if sum(sizes) != n:
                raise _bad(
                    given,
                    shape,
                    f"axis {i} has length {n} but the blocks {sizes} add up to {sum(sizes)}",
                )
            out.append(sizes if sizes else (0,))
        else:
            raise _bad(given, shape, f"axis {i} has {c!r}")
    return tuple(out)


def chunk_bounds(chunks: tuple[int, ...]) -> list[int]:
    """Start offsets of the blocks along one axis, plus the axis length.

    >>> chunk_bounds((2, 3, 1))
    [0, 2, 5, 6]
    """
    return [0, *accumulate(chunks)]


def slices_from_chunks(chunks: Chunks) -> list[tuple[slice, ...]]:
    """The slice of every block, in C order of block index.

    >>> slices_from_chunks(((2, 1), (3,)))
    [(slice(0, 2, None), slice(0, 3, None)), (slice(2, 3, None), slice(0, 3, None))]
    """
    per_axis = []
    for c in chunks:
        b = chunk_bounds(c)
        per_axis.append([slice(b[j], b[j + 1]) for j in range(len(c))])
    return list(product(*per_axis))
