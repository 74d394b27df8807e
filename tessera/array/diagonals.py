"""Diagonals and triangles: :func:`diag`, :func:`diagonal`, :func:`tril`, :func:`triu`.

Map
---
- :func:`diagonal` -- the elements ``(i, i + offset)`` of two axes, as a last axis: the
  diagonal is cut where it crosses a block edge, and each piece is read from the one
  block it lies in.
- :func:`diag` -- a diagonal of a 2-d array, or a 2-d array with a 1-d one on a diagonal
  (the blocks off the diagonal are zeros made in place, never read).
- :func:`tril`, :func:`triu` -- the lower/upper triangle of the last two axes: a block
  wholly inside the triangle is the input block itself, one wholly outside is zeros, and
  only the blocks the diagonal crosses are masked (``np.tril``/``np.triu`` with the block's
  own offset).

Semantics and errors are NumPy's (a 1-d input of ``tril``/``triu`` is broadcast to a
square, as there).

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.arange(9).reshape(3, 3), chunks=2)
>>> da.diagonal(x, 1).compute(), da.diag(x).compute()
(array([1, 5]), array([0, 4, 8]))
>>> da.tril(x).compute()
array([[0, 0, 0],
       [3, 4, 0],
       [6, 7, 8]])
"""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections.abc import Callable
from itertools import pairwise, product
from typing import Any

import numpy as np
from numpy.exceptions import AxisError

from tessera.array.chunks import chunk_bounds, normalize_chunks
from tessera.array.core import Array, new_array
from tessera.array.masking import check_known
from tessera.array.routines import broadcast_to
from tessera.hashing import tokenize

__all__ = ["diag", "diagonal", "tril", "triu"]


def _diagonal_piece(
    block: np.ndarray, axis1: int, axis2: int, rows: tuple[int, int], cols: tuple[int, int]
) -> np.ndarray:
    index = [slice(None)] * block.ndim
    index[axis1], index[axis2] = slice(*rows), slice(*cols)
    return np.diagonal(block[tuple(index)], axis1=axis1, axis2=axis2).copy()


def _axis(axis: Any, ndim: int, which: str) -> int:
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise AxisError(axis, ndim, msg_prefix=which)
    return int(axis % ndim)


def _segments(a: Array, offset: int, axis1: int, axis2: int) -> list[tuple[int, ...]]:
    """Pieces ``(row block, col block, row start, row stop, col start, col stop)`` of the
    diagonal, in order, each inside one block (one empty piece if the diagonal is empty)."""
    r0, c0 = max(0, -offset), max(0, offset)
    length = max(0, min(a.shape[axis1] - r0, a.shape[axis2] - c0))
    rb, cb = chunk_bounds(a.chunks[axis1]), chunk_bounds(a.chunks[axis2])
    cuts = {0, length}
    cuts |= {b - r0 for b in rb if 0 < b - r0 < length}
    cuts |= {b - c0 for b in cb if 0 < b - c0 < length}
    out: list[tuple[int, ...]] = []
    for s, e in pairwise(sorted(cuts)) if length else [(0, 0)]:
        i = min(bisect_right(rb, r0 + s) - 1, len(rb) - 2)
        j = min(bisect_right(cb, c0 + s) - 1, len(cb) - 2)
        out.append((i, j, r0 + s - rb[i], r0 + e - rb[i], c0 + s - cb[j], c0 + e - cb[j]))
    return out


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Array:
    """The diagonal of the plane of ``axis1`` and ``axis2``, like :func:`numpy.diagonal`.

    The two axes are removed and the diagonal becomes the last axis.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(24).reshape(2, 3, 4), chunks=2)
    >>> diagonal(x, offset=1, axis1=1, axis2=2).compute()
    array([[ 1,  6, 11],
           [13, 18, 23]])
    >>> diagonal(x, axis1=0, axis2=-3)
    Traceback (most recent call last):
    ...
    ValueError: axis1 and axis2 cannot be the same
    """
    from tessera.array.creation import asarray

    a = asarray(a)
    if a.ndim < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    ax1, ax2 = _axis(axis1, a.ndim, "axis1"), _axis(axis2, a.ndim, "axis2")
    if ax1 == ax2:
        raise ValueError("axis1 and axis2 cannot be the same")
    offset = operator.index(offset)
    check_known(a, "diagonal", (ax1, ax2))
    pieces = _segments(a, offset, ax1, ax2)
    keep = [ax for ax in range(a.ndim) if ax not in (ax1, ax2)]
    name = f"diagonal-{tokenize(a, offset, ax1, ax2)}"
    layer: dict[Any, Any] = {}
    for rest in product(*(range(a.numblocks[ax]) for ax in keep)):
        for t, (i, j, *bounds) in enumerate(pieces):
            source = dict(zip(keep, rest, strict=True)) | {ax1: i, ax2: j}
            key = (a.name, *(source[ax] for ax in range(a.ndim)))
            out_key = (name, *rest, t)
            layer[out_key] = (
                _diagonal_piece,
                key,
                ax1,
                ax2,
                tuple(bounds[:2]),
                tuple(bounds[2:]),
            )
    lengths = tuple(p[3] - p[2] for p in pieces)
    chunks = (*(a.chunks[ax] for ax in keep), lengths)
    return new_array(name, layer, chunks, a.dtype, inputs=[a])


def diag(v: Any, k: int = 0) -> Array:
    """Extract a diagonal (2-d ``v``) or build a 2-d array with ``v`` on one (1-d ``v``).

    Examples
    --------
    >>> import tessera.array as da
    >>> diag(da.arange(1, 3, chunks=1), k=1).compute()
    array([[0, 1, 0],
           [0, 0, 2],
           [0, 0, 0]])
    >>> diag(da.ones((2, 2, 2)))
    Traceback (most recent call last):
    ...
    ValueError: Input must be 1- or 2-d.
    """
    from tessera.array.creation import asarray

    v = asarray(v)
    k = operator.index(k)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    check_known(v, "diag")
    blocks = [b for b, c in enumerate(v.chunks[0]) if c]  # skip blocks of length 0
    own = tuple(v.chunks[0][b] for b in blocks)
    if not own:
        from tessera.array.creation import zeros

        return zeros((abs(k), abs(k)), dtype=v.dtype)
    pad = normalize_chunks(max(own), (abs(k),))[0] if k else ()
    rows, cols = (own + pad, pad + own) if k >= 0 else (pad + own, own + pad)
    shift = len(pad)
    name = f"diag-{tokenize(v, k)}"
    layer: dict[Any, Any] = {}
    for r, c in product(range(len(rows)), range(len(cols))):
        i = r if k >= 0 else r - shift  # the block of v on the diagonal of this block row
        if 0 <= i < len(own) and c == (i + shift if k >= 0 else i):
            layer[(name, r, c)] = (np.diag, (v.name, blocks[i]))
        else:
            layer[(name, r, c)] = (np.zeros, (rows[r], cols[c]), v.dtype)
    return new_array(name, layer, (rows, cols), v.dtype, inputs=[v])


def _triangle(kind: str, np_func: Callable[..., Any], m: Any, k: int) -> Array:
    from tessera.array.creation import asarray

    m = asarray(m)
    if m.ndim == 0:
        raise TypeError(
            f"{kind} needs an array of at least one dimension (the last two are the matrix), "
            "got a 0-d array"
        )
    if m.ndim == 1:
        check_known(m, kind)
        m = broadcast_to(m, (m.shape[0], m.shape[0]), chunks=(m.chunks[0], m.chunks[0]))
    k = operator.index(k)
    check_known(m, kind, (m.ndim - 2, m.ndim - 1))
    rb, cb = chunk_bounds(m.chunks[-2]), chunk_bounds(m.chunks[-1])
    name = f"{kind}-{tokenize(m, k)}"
    lower = kind == "tril"
    layer: dict[Any, Any] = {}
    for idx in product(*(range(n) for n in m.numblocks)):
        i, j = idx[-2:]
        shape = tuple(c[b] for c, b in zip(m.chunks, idx, strict=True))
        own = k + rb[i] - cb[j]  # the offset of the diagonal inside this block
        rows, cols = shape[-2], shape[-1]
        inside = cols - 1 <= own if lower else -(rows - 1) >= own
        outside = -(rows - 1) > own if lower else cols - 1 < own
        key, source = (name, *idx), (m.name, *idx)
        if inside or 0 in shape:
            layer[key] = source  # an alias of the input block
        elif outside:
            layer[key] = (np.zeros, shape, m.dtype)
        else:
            layer[key] = (np_func, source, own)
    return new_array(name, layer, m.chunks, m.dtype, inputs=[m])


def tril(m: Any, k: int = 0) -> Array:
    """The lower triangle (elements on and below the ``k``-th diagonal), like ``np.tril``.

    >>> import tessera.array as da
    >>> tril(da.ones((3, 3), chunks=2, dtype=int), k=-1).compute()
    array([[0, 0, 0],
           [1, 0, 0],
           [1, 1, 0]])
    """
    return _triangle("tril", np.tril, m, k)


def triu(m: Any, k: int = 0) -> Array:
    """The upper triangle (elements on and above the ``k``-th diagonal), like ``np.triu``.

    >>> import tessera.array as da
    >>> triu(da.arange(1, 4, chunks=2)).compute()
    array([[1, 2, 3],
           [0, 2, 3],
           [0, 0, 3]])
    """
    return _triangle("triu", np.triu, m, k)
