"""``x.vindex[...]``: point-wise ("vectorized") indexing with integer arrays.

Map
---
- :class:`VIndex` -- returned by ``Array.vindex``; ``x.vindex[rows, cols]`` picks the
  elements ``x[rows[k], cols[k]]`` like NumPy's ``x[rows, cols]`` with several integer
  arrays (which plain ``x[...]`` does not take, as in Dask).
- :func:`vindex` -- the function behind it.

Rules: the index arrays (lists, NumPy integer arrays, or ints) are broadcast together to
one shape ``B`` and address the leading axes; the result has shape ``B + x.shape[k:]``
(``k`` arrays given).  Negative positions count from the end; out-of-range positions
raise ``IndexError`` like NumPy.

Plan: the points are grouped by the block they fall in; one task per (block, block of the
remaining axes) gathers its points, and one task per block of the remaining axes puts the
points back in request order.  Only the blocks holding points are read.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.arange(20).reshape(4, 5), chunks=2)
>>> x.vindex[[0, 3, 1], [4, 0, 1]].compute()
array([ 4, 15,  6])
"""

from __future__ import annotations

from collections import defaultdict
from itertools import product
from typing import Any

import numpy as np

from tessera.array.chunks import chunk_bounds
from tessera.array.core import Array, new_array
from tessera.hashing import tokenize

__all__ = ["VIndex", "vindex"]


def _gather(block: np.ndarray, offsets: tuple[np.ndarray, ...]) -> np.ndarray:
    return block[offsets]


def _assemble(
    parts: list[np.ndarray], order: np.ndarray, shape: tuple[int, ...], dtype: Any
) -> Any:
    if not parts:
        return np.empty(shape, dtype=dtype)
    return np.concatenate(parts, axis=0)[order].reshape(shape)


def vindex(x: Array, *indices: Any) -> Array:
    """Point-wise indexing of ``x``'s leading axes by broadcast integer arrays.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(24).reshape(2, 3, 4), chunks=2)
    >>> vindex(x, [1, 0], [2, 0]).compute()
    array([[20, 21, 22, 23],
           [ 0,  1,  2,  3]])
    """
    if not indices or len(indices) > x.ndim:
        raise IndexError(
            f"vindex takes 1 to {x.ndim} index arrays for an array of shape {x.shape}, "
            f"got {len(indices)}"
        )
    arrays = [np.asarray(i) for i in indices]
    for a in arrays:
        if a.dtype.kind not in "iu":
            raise IndexError(f"vindex needs integer index arrays, got dtype {a.dtype}")
    try:
        points = np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = " ".join(str(a.shape) for a in arrays)
        raise IndexError(
            f"shape mismatch: indexing arrays could not be broadcast together with shapes {shapes}"
        ) from None
    k = len(points)
    bshape = points[0].shape
    flat = []
    for axis, p in enumerate(points):
        n = x.shape[axis]
        p = p.ravel().astype(np.int64)
        bad = (p < -n) | (p >= n)
        if bad.any():
            raise IndexError(
                f"index {int(p[bad][0])} is out of bounds for axis {axis} with size {n}"
            )
        flat.append(np.where(p < 0, p + n, p))
    npoints = flat[0].size if flat else 0
    bounds = [np.asarray(chunk_bounds(c)) for c in x.chunks[:k]]
    block_of = [np.searchsorted(b, f, side="right") - 1 for b, f in zip(bounds, flat, strict=True)]
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for pt in range(npoints):
        groups[tuple(int(b[pt]) for b in block_of)].append(pt)
    name = f"vindex-{tokenize(x, [f.tobytes() for f in flat], bshape)}"
    rest_chunks = x.chunks[k:]
    layer: dict[Any, Any] = {}
    grouped = [np.array(g, dtype=np.int64) for g in groups.values()]
    order = np.argsort(np.concatenate(grouped)) if grouped else np.empty(0, dtype=np.int64)
    for r in product(*(range(len(c)) for c in rest_chunks)):
        parts = []
        for g, members in groups.items():
            sel = np.array(members, dtype=np.int64)
            offsets = tuple(flat[a][sel] - bounds[a][g[a]] for a in range(k))
            key = (f"{name}-part", *g, *r)
            source = (x.name, *g, *r)
            layer[key] = (_gather, source, offsets)
            parts.append(key)
        shape = (npoints, *(c[j] for c, j in zip(rest_chunks, r, strict=True)))
        out_key = (name, 0, *r)
        layer[out_key] = (_assemble, parts, order, shape, x.dtype)
    points_array = new_array(name, layer, ((npoints,), *rest_chunks), x.dtype, inputs=[x])
    if len(bshape) == 1:
        return points_array
    from tessera.array.reshape import reshape

    return reshape(points_array, (*bshape, *x.shape[k:]))


class VIndex:
    """``x.vindex``: index with broadcast integer arrays, point by point."""

    def __init__(self, array: Array) -> None:
        self.array = array

    def __getitem__(self, index: Any) -> Array:
        if not isinstance(index, tuple):
            index = (index,)
        return vindex(self.array, *index)


Array.vindex = property(VIndex)  # type: ignore[attr-defined]
