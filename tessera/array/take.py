"""Integer array indexing along one axis: ``x[[3, 0, 3]]``, ``take(x, idx, axis)``.

Map
---
- :func:`take` -- elements at integer positions along one axis (any order, repeats,
  negative positions), like ``np.take`` and ``x[..., idx, ...]``.

Plan: the positions are cut into output blocks; per output block the graph knows which
input blocks it needs.  When the positions are monotonic (sorted either way) each
output block comes from one input block -- the output follows the input's block
structure, and a range of positions inside one block depends on that block only.
Otherwise the positions are cut into pieces of the input's largest chunk size; an
output block that needs several input blocks gets one small task per input block
(taking just the elements it needs) and a task joining those pieces in order, so no
task holds more than one input block plus its output.

Lazy positions (a tessera integer array, known only when computed): output block ``j``
follows block ``j`` of the positions.  For every input block ``i`` along the axis, a
task takes from block ``i`` the elements that block ``j`` of the positions points into;
a last task puts those pieces in order.  Out-of-range positions raise ``IndexError``
when computed.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.arange(10) * 10, chunks=4)
>>> take(x, [9, -1, 0, 5]).compute()
array([90, 90,  0, 50])
>>> take(x, [1, 2, 5]).chunks
((2, 1),)
"""

from __future__ import annotations

from itertools import pairwise, product
from typing import Any

import numpy as np

from tessera.array.axes import normalize_axis
from tessera.array.chunks import chunk_bounds
from tessera.array.core import Array, new_array
from tessera.array.masking import check_known
from tessera.hashing import tokenize

__all__ = ["take"]


def _take(block: np.ndarray, positions: np.ndarray, axis: int) -> np.ndarray:
    return np.take(block, positions, axis=axis)


def _join(parts: list[np.ndarray], order: np.ndarray | None, axis: int) -> np.ndarray:
    joined = np.concatenate(parts, axis=axis)
    return joined if order is None else np.take(joined, order, axis=axis)


def _at(rest: tuple[int, ...], axis: int, i: int) -> tuple[int, ...]:
    """A block index: ``rest`` for the other axes, ``i`` along ``axis``."""
    return (*rest[:axis], i, *rest[axis:])


def _groups(owner: np.ndarray, target: int) -> list[tuple[int, int]]:
    """Cut the positions into output blocks: ``(start, stop)`` ranges of the index."""
    n = len(owner)
    if n == 0:
        return [(0, 0)]
    steps = np.diff(owner)
    if (steps >= 0).all() or (steps <= 0).all():
        cuts = [0, *(np.flatnonzero(steps) + 1).tolist(), n]
        return [(s, min(s + target, b)) for a, b in pairwise(cuts) for s in range(a, b, target)]
    return [(s, min(s + target, n)) for s in range(0, n, target)]


def take(x: Array, indices: Any, axis: int = 0) -> Array:
    """Elements of ``x`` at integer positions ``indices`` along ``axis``.

    Parameters
    ----------
    x : Array
        The array.
    indices : 1-d sequence of int, or 1-d tessera integer array
        Positions, in any order, repeated or negative (counted from the end).
    axis : int
        The axis to index.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(12).reshape(3, 4), chunks=2)
    >>> take(x, [3, 0], axis=1).compute()
    array([[ 3,  0],
           [ 7,  4],
           [11,  8]])
    >>> take(x, [3], axis=0)
    Traceback (most recent call last):
    ...
    IndexError: index 3 is out of bounds for axis 0 with size 3
    """
    axis = normalize_axis(axis, x.ndim)
    if isinstance(indices, Array):
        return _take_lazy(x, indices, axis)
    idx = np.asarray(indices)
    if idx.size == 0 and idx.dtype.kind not in "iu":
        idx = idx.astype(np.intp)
    if idx.dtype.kind not in "iu":
        raise IndexError(f"arrays used as indices must be of integer type, got {idx.dtype}")
    if idx.ndim == 0:
        return x[(slice(None),) * axis + (int(idx),)]  # type: ignore[index]
    if idx.ndim > 1:
        raise NotImplementedError(
            f"Integer indices must be 1-dimensional; got shape {idx.shape}. Index with the "
            "flattened positions and reshape the result."
        )
    check_known(x, f"Indexing axis {axis} with an integer array", [axis])
    n = int(x.shape[axis])
    idx = _positions(idx, n, axis).astype(np.intp)
    chunks = x.chunks[axis]
    bounds = np.asarray(chunk_bounds(chunks))
    owner = np.searchsorted(bounds, idx, side="right") - 1
    groups = _groups(owner, max(max(chunks), 1))
    token = tokenize(x, idx, axis)
    name, piece = f"take-{token}", f"take-piece-{token}"
    others = [range(nb) for ax, nb in enumerate(x.numblocks) if ax != axis]
    layer: dict[Any, Any] = {}
    for j, (a, b) in enumerate(groups):
        sel, own = idx[a:b], owner[a:b]
        used = own[np.sort(np.unique(own, return_index=True)[1])].tolist() if len(own) else [0]
        for rest in product(*others):
            out_key = (name, *_at(rest, axis, j))
            if len(used) == 1:
                src = (x.name, *_at(rest, axis, used[0]))
                layer[out_key] = (_take, src, sel - bounds[used[0]], axis)
                continue
            parts, positions = [], []
            for u in used:
                where = np.flatnonzero(own == u)
                part = (piece, j, *_at(rest, axis, u))
                src = (x.name, *_at(rest, axis, u))
                layer[part] = (_take, src, sel[where] - bounds[u], axis)
                parts.append(part)
                positions.append(where)
            pos = np.concatenate(positions)
            order = None if (np.diff(pos) > 0).all() else np.argsort(pos, kind="stable")
            layer[out_key] = (_join, parts, order, axis)
    out_chunks = (*x.chunks[:axis], tuple(b - a for a, b in groups), *x.chunks[axis + 1 :])
    return new_array(name, layer, out_chunks, x.dtype, inputs=[x])


def _positions(idx: np.ndarray, n: int, axis: int) -> np.ndarray:
    bad = idx[(idx < -n) | (idx >= n)]
    if bad.size:
        raise IndexError(f"index {bad[0]} is out of bounds for axis {axis} with size {n}")
    return np.where(idx < 0, idx + n, idx)


def _take_from(
    block: np.ndarray, idx: np.ndarray, lo: int, hi: int, n: int, axis: int
) -> np.ndarray:
    idx = _positions(idx, n, axis)
    return np.take(block, idx[(idx >= lo) & (idx < hi)] - lo, axis=axis)


def _assemble(
    pieces: list[np.ndarray], idx: np.ndarray, bounds: np.ndarray, axis: int
) -> np.ndarray:
    owner = np.searchsorted(bounds, _positions(idx, int(bounds[-1]), axis), side="right") - 1
    joined = np.concatenate(pieces, axis=axis)  # grouped by input block, stable within
    return np.take(joined, np.argsort(np.argsort(owner, kind="stable")), axis=axis)


def _take_lazy(x: Array, indices: Array, axis: int) -> Array:
    """``take`` with positions in a tessera array (see the module docstring)."""
    if indices.dtype.kind not in "iu" or indices.ndim != 1:
        raise IndexError(
            "a lazy index array must be 1-dimensional and of integer type, got "
            f"{indices.ndim}-d {indices.dtype}"
        )
    check_known(x, f"Indexing axis {axis} with an integer array", [axis])
    n = int(x.shape[axis])
    bounds = np.asarray(chunk_bounds(x.chunks[axis]))
    token = tokenize(x, indices, axis)
    name, piece = f"take-{token}", f"take-piece-{token}"
    others = [range(nb) for ax, nb in enumerate(x.numblocks) if ax != axis]
    layer: dict[Any, Any] = {}
    for j in range(indices.numblocks[0]):
        for rest in product(*others):
            parts = []
            for i in range(x.numblocks[axis]):
                part = (piece, j, *_at(rest, axis, i))
                src = (x.name, *_at(rest, axis, i))
                lo, hi = int(bounds[i]), int(bounds[i + 1])
                layer[part] = (_take_from, src, (indices.name, j), lo, hi, n, axis)
                parts.append(part)
            out_key = (name, *_at(rest, axis, j))
            layer[out_key] = (_assemble, parts, (indices.name, j), bounds, axis)
    out_chunks = (*x.chunks[:axis], indices.chunks[0], *x.chunks[axis + 1 :])
    return new_array(name, layer, out_chunks, x.dtype, inputs=[x, indices])
