"""Finding elements: ``nonzero``, ``flatnonzero``, ``argwhere``, ``searchsorted``, ``digitize``.

Map
---
- :func:`flatnonzero` -- one task per block of the flattened array: the positions of
  its non-zero elements plus the block's offset.  How many there are is known only
  after computing, so the result's chunk sizes are ``nan`` (as after ``x[mask]``).
- :func:`argwhere`, :func:`nonzero` -- the flat positions turned into indices with
  :func:`numpy.unravel_index`, block by block (same unknown chunks).
- :func:`searchsorted` -- the sorted 1-d array is joined into one task's value; each
  block of ``v`` is searched in it.  Output chunks are ``v``'s.
- :func:`digitize` -- ``bins`` is a NumPy array; one task per block of ``x``.

Policy: NumPy's results, dtypes and errors; NumPy's C order for ``argwhere`` /
``nonzero`` of multi-dimensional arrays (the array is raveled first).

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.array([[0, 3], [4, 0]]), chunks=1)
>>> da.argwhere(x).compute()
array([[0, 1],
       [1, 0]])
>>> da.flatnonzero(x).chunks
((nan, nan),)
>>> da.searchsorted(da.arange(5, chunks=2), da.from_array([2, 9])).compute()
array([2, 5])
"""

from __future__ import annotations

import math
from itertools import accumulate
from typing import Any

import numpy as np

from tessera.array.blockwise import blockwise
from tessera.array.core import Array, new_array
from tessera.array.masking import check_known
from tessera.array.reshape import ravel
from tessera.array.routines_common import as_array, flat_keys, gather
from tessera.hashing import tokenize

__all__ = ["argwhere", "digitize", "flatnonzero", "nonzero", "searchsorted"]


def _flat_positions(block: np.ndarray, offset: int) -> np.ndarray:
    return np.flatnonzero(block) + offset


def flatnonzero(a: Any) -> Array:
    """Indices of the non-zero elements of ``a`` flattened (:func:`numpy.flatnonzero`).

    The result has one block per block of ``ravel(a)``, of unknown (``nan``) size; use
    ``compute_chunk_sizes()`` to learn them.

    Examples
    --------
    >>> import tessera.array as da
    >>> flatnonzero(da.from_array([0, 2, 0, 5, 1], chunks=2)).compute()
    array([1, 3, 4])
    """
    a = as_array(a)
    flat = ravel(a) if a.ndim != 1 else a
    check_known(flat, "flatnonzero")
    offsets = [0, *accumulate(int(c) for c in flat.chunks[0])]
    name = f"flatnonzero-{tokenize(flat)}"
    layer = {
        (name, i): (_flat_positions, (flat.name, i), offsets[i]) for i in range(len(offsets) - 1)
    }
    return new_array(name, layer, ((np.nan,) * flat.numblocks[0],), np.intp, inputs=[flat])


def _as_indices(flat: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if not shape:
        return np.empty((len(flat), 0), dtype=np.intp)
    return np.stack(np.unravel_index(flat, shape), axis=1).astype(np.intp, copy=False)


def argwhere(a: Any) -> Array:
    """Indices of the non-zero elements, one row each (:func:`numpy.argwhere`).

    Returns an array of shape ``(nan, a.ndim)``: its row chunks are unknown.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(6).reshape(2, 3), chunks=2)
    >>> argwhere(x > 3).compute()
    array([[1, 1],
           [1, 2]])
    >>> argwhere(x > 3).shape
    (nan, 2)
    """
    a = as_array(a)
    flat = flatnonzero(a)
    shape = tuple(int(n) for n in a.shape)
    name = f"argwhere-{tokenize(flat, shape)}"
    layer = {(name, i, 0): (_as_indices, key, shape) for i, key in enumerate(flat_keys(flat))}
    return new_array(name, layer, (flat.chunks[0], (a.ndim,)), np.intp, inputs=[flat])


def _axis_indices(flat: np.ndarray, shape: tuple[int, ...], axis: int) -> np.ndarray:
    return np.unravel_index(flat, shape)[axis].astype(np.intp, copy=False)


def nonzero(a: Any) -> tuple[Array, ...]:
    """The indices of the non-zero elements, one array per axis (:func:`numpy.nonzero`).

    Each array has unknown (``nan``) chunk sizes.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> rows, cols = nonzero(da.from_array(np.eye(3), chunks=2))
    >>> rows.compute(), cols.compute()
    (array([0, 1, 2]), array([0, 1, 2]))
    >>> nonzero(da.from_array(np.array(1)))
    Traceback (most recent call last):
    ...
    ValueError: Calling nonzero on 0d arrays is not allowed. Use da.atleast_1d(x).nonzero() ...
    """
    a = as_array(a)
    if a.ndim == 0:
        raise ValueError(
            "Calling nonzero on 0d arrays is not allowed. Use da.atleast_1d(x).nonzero() "
            "instead, as NumPy asks."
        )
    flat = flatnonzero(a)
    if a.ndim == 1:
        return (flat,)
    shape = tuple(int(n) for n in a.shape)
    out = []
    for axis in range(a.ndim):
        name = f"nonzero-{axis}-{tokenize(flat, shape)}"
        layer = {
            (name, i): (_axis_indices, key, shape, axis) for i, key in enumerate(flat_keys(flat))
        }
        out.append(new_array(name, layer, flat.chunks, np.intp, inputs=[flat]))
    return tuple(out)


def searchsorted(a: Any, v: Any, side: str = "left", sorter: Any = None) -> Array:
    """Where ``v``'s elements would go in the sorted 1-d ``a`` (:func:`numpy.searchsorted`).

    Parameters
    ----------
    a : 1-d array-like
        Sorted ascending (unless ``sorter`` sorts it).  It is joined into one task's
        value, so it should fit in memory; it may have any chunks.
    v : array-like
        Values to place; the result has its shape and chunks.
    side : {"left", "right"}
        Which of equal positions to give.
    sorter : 1-d array-like of int, optional
        Indices that sort ``a``.

    Examples
    --------
    >>> import tessera.array as da
    >>> a = da.from_array([1, 3, 3, 7], chunks=2)
    >>> searchsorted(a, da.from_array([3, 8, 0], chunks=2), side="right").compute()
    array([3, 4, 0])
    >>> searchsorted(a, [1], side="middle")
    Traceback (most recent call last):
    ...
    ValueError: side must be 'left' or 'right', got 'middle'
    """
    a, v = as_array(a), as_array(v)
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")
    if a.ndim != 1:
        raise ValueError(f"searchsorted needs a 1-d sorted array a, got {a.ndim} dimensions")
    name = f"searchsorted-{tokenize(a, v, side, sorter)}"
    sorted_key = (f"{name}-a",)
    sorter_arr = None if sorter is None else np.asarray(sorter)
    if sorter_arr is not None and sorter_arr.size != a.size and not math.isnan(a.size):
        raise ValueError(
            f"sorter.size must equal a.size: a has {a.size} elements, sorter {sorter_arr.size}"
        )
    layer: dict[Any, Any] = {sorted_key: gather(a)}
    for key in flat_keys(v):
        out_key = (name, *key[1:])
        layer[out_key] = (_search, sorted_key, key, side, sorter_arr)
    return new_array(name, layer, v.chunks, np.intp, inputs=[a, v])


def _search(a: np.ndarray, v: np.ndarray, side: str, sorter: Any) -> np.ndarray:
    return np.searchsorted(a, v, side=side, sorter=sorter).astype(np.intp, copy=False)  # type: ignore[call-overload]


def digitize(x: Any, bins: Any, right: bool = False) -> Array:
    """The index of the bin each element of ``x`` falls in (:func:`numpy.digitize`).

    Parameters
    ----------
    x : array-like
    bins : 1-d NumPy array-like
        Monotonic bin edges (concrete values, not a tessera array, as in Dask).
    right : bool
        Whether bins include their right edge.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.from_array([0.2, 6.4, 3.0, 1.6], chunks=3)
    >>> digitize(x, [0.0, 1.0, 2.5, 4.0, 10.0]).compute()
    array([1, 4, 3, 2])
    >>> digitize(x, [3, 1, 2])
    Traceback (most recent call last):
    ...
    ValueError: bins must be monotonically increasing or decreasing
    """
    x = as_array(x)
    if isinstance(bins, Array):
        raise TypeError("digitize needs concrete bins (a NumPy array), not a tessera array")
    bins = np.asarray(bins)
    probe = np.digitize(np.zeros(0, dtype=x.dtype), bins, right=right)  # NumPy's errors
    ind = "".join(chr(ord("a") + i) for i in range(x.ndim))
    return blockwise(np.digitize, ind, x, ind, bins, None, dtype=probe.dtype, right=right)
