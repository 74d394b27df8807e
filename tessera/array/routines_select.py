"""Picking and placing elements: ``select``, ``compress``, ``insert``, ``delete``, indices.

Map
---
- :func:`select` -- one element-wise ``np.select`` over the conditions and choices.
- :func:`broadcast_arrays` -- every input broadcast to the common shape, chunks unified.
- :func:`compress`, :func:`extract` -- boolean indexing along an axis / of the flattened
  array (a lazy condition gives unknown chunk sizes, a NumPy one known sizes).
- :func:`insert`, :func:`delete`, :func:`append` -- the positions of the result are worked
  out in NumPy (as ``np.insert`` does), then one ``concatenate`` and one ``take``.
- :func:`rollaxis` -- a transpose.
- :func:`unravel_index`, :func:`ravel_multi_index` -- element-wise NumPy calls.
- :func:`tril_indices`, :func:`triu_indices` -- NumPy's indices as tessera arrays.

Policy: NumPy's results, dtypes and errors (``IndexError`` for positions out of bounds).

>>> import numpy as np, tessera.array as da
>>> x = da.arange(6, chunks=4)
>>> insert(x, [1, 3], [-1, -3]).compute(), delete(x, slice(0, 4, 2)).compute()
(array([ 0, -1,  1,  2, -3,  3,  4,  5]), array([1, 3, 4, 5]))
"""

from __future__ import annotations

import operator
from functools import partial
from typing import Any

import numpy as np

from tessera.array.core import Array
from tessera.array.elementwise import elemwise
from tessera.array.reduce_rules import validate_axis
from tessera.array.routines_common import as_array

__all__ = [
    "append",
    "broadcast_arrays",
    "compress",
    "delete",
    "extract",
    "insert",
    "ravel_multi_index",
    "rollaxis",
    "select",
    "tril_indices",
    "triu_indices",
    "unravel_index",
]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _select_block(n: int, *args: Any) -> np.ndarray:
    return np.select(list(args[:n]), list(args[n : 2 * n]), args[2 * n])


def select(condlist: Any, choicelist: Any, default: Any = 0) -> Array:
    """Elements of the first choice whose condition holds, else ``default`` (:func:`numpy.select`).

    >>> import tessera.array as da
    >>> x = da.arange(6, chunks=4)
    >>> select([x < 2, x > 3], [x, x ** 2], -1).compute()
    array([ 0,  1, -1, -1, 16, 25])
    >>> select([x > 2], [2.5], da.ones(6, dtype="f4", chunks=4)).dtype  # 2.5 is weak
    dtype('float32')
    """
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"list of cases must be same length as list of conditions: got {len(condlist)} "
            f"conditions and {len(choicelist)} choices"
        )
    if not condlist:
        raise ValueError("select with an empty condition list is not possible")
    conds = [as_array(c) for c in condlist]
    for i, c in enumerate(conds):
        if c.dtype != bool:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
    # Python numbers stay as they are: NumPy's dtypes treat them as weak (float32 with 2.5)
    choices = [c if isinstance(c, (int, float, complex)) else as_array(c) for c in choicelist]
    return elemwise(partial(_select_block, len(conds)), *conds, *choices, default)


def broadcast_arrays(*args: Any) -> list[Array]:
    """The arrays broadcast to their common shape, with the same chunks
    (:func:`numpy.broadcast_arrays`).

    >>> import tessera.array as da
    >>> a, b = broadcast_arrays(da.ones((3, 1), chunks=2), da.arange(4, chunks=3))
    >>> a.shape, b.chunks
    ((3, 4), ((2, 1), (3, 1)))
    """
    from tessera.array.blockwise import unify_chunks
    from tessera.array.routines import broadcast_to

    arrays = [as_array(a) for a in args]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    ind = _LETTERS[: len(shape)]
    pairs = [x for a in arrays for x in (broadcast_to(a, shape), ind)]
    return list(unify_chunks(*pairs)[1])


def _axis_of(x: Array, axis: Any) -> tuple[Array, int]:
    """``x`` and a normalized ``axis``; ``None``: the flattened ``x`` and axis 0."""
    from tessera.array.reshape import ravel

    if axis is None:
        return ravel(x), 0
    (ax,) = validate_axis(operator.index(axis), x.ndim, x.shape, "axis")
    return x, ax


def compress(condition: Any, a: Any, axis: Any = None) -> Array:
    """The slices along ``axis`` where ``condition`` is true (:func:`numpy.compress`).

    A NumPy (or list) condition shorter than the axis counts as false past its end.

    >>> import numpy as np, tessera.array as da
    >>> compress([True, False, True], da.from_array(np.arange(6).reshape(3, 2)), axis=0).compute()
    array([[0, 1],
           [4, 5]])
    """
    x, ax = _axis_of(as_array(a), axis)
    n = x.shape[ax]
    if isinstance(condition, Array):
        if condition.ndim != 1:
            raise ValueError(f"condition must be a 1-d array, got shape {condition.shape}")
        mask: Any = condition.astype(bool)  # type: ignore[attr-defined]
    else:
        cond = np.asarray(condition, dtype=bool)
        if cond.ndim != 1:
            raise ValueError(f"condition must be a 1-d array, got shape {cond.shape}")
        if cond[n:].any():
            raise IndexError(
                f"index {n + int(np.flatnonzero(cond[n:])[0])} is out of bounds for axis "
                f"{ax} with size {n}"
            )
        mask = np.zeros(n, dtype=bool)
        mask[: min(len(cond), n)] = cond[:n]
    return x[(slice(None),) * ax + (mask,)]  # type: ignore[index]


def extract(condition: Any, arr: Any) -> Array:
    """The elements of the flattened ``arr`` where the flattened ``condition`` is non-zero
    (:func:`numpy.extract`).

    >>> import tessera.array as da
    >>> x = da.arange(8, chunks=3)
    >>> extract(x % 3 == 0, x).compute()
    array([0, 3, 6])
    """
    from tessera.array.reshape import ravel

    if isinstance(condition, Array):
        mask: Any = ravel(condition) != 0
    else:
        mask = np.ravel(condition) != 0
    return ravel(as_array(arr))[mask]  # type: ignore[index]


def _positions(obj: Any, n: int, axis: int) -> np.ndarray:
    """Positions along an axis of length ``n`` (ints, a slice or a sequence), as ``intp``."""
    if isinstance(obj, slice):
        return np.arange(*obj.indices(n))
    indices = np.asarray(obj)
    if indices.size and indices.dtype.kind not in "iu":
        raise IndexError(
            f"insert/delete positions must be integers (or a slice), got dtype {indices.dtype}"
        )
    bad = (indices < -n) | (indices > n)
    if bad.any():
        raise IndexError(
            f"index {indices[bad].flat[0]} is out of bounds for axis {axis} with size {n}"
        )
    return indices.astype(np.intp)


def insert(arr: Any, obj: Any, values: Any, axis: Any = None) -> Array:
    """``values`` inserted before the positions ``obj`` along ``axis`` (:func:`numpy.insert`).

    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(4).reshape(2, 2), chunks=1)
    >>> insert(x, 1, 9, axis=1).compute()
    array([[0, 9, 1],
           [2, 9, 3]])
    """
    from tessera.array.concat import concatenate
    from tessera.array.reshape import reshape
    from tessera.array.routines import broadcast_to, moveaxis
    from tessera.array.take import take

    x, ax = _axis_of(as_array(arr), axis)
    n = x.shape[ax]
    indices = _positions(obj, n, ax)
    v = as_array(values).astype(x.dtype)  # type: ignore[attr-defined]
    if v.ndim < x.ndim:
        v = reshape(v, (1,) * (x.ndim - v.ndim) + v.shape)
    indices = np.where(indices < 0, indices + n, indices)
    if indices.size == 1:  # a block of values at one position, as NumPy
        if indices.ndim == 0:
            v = moveaxis(v, 0, ax)
        numnew = v.shape[ax]
        new_positions = int(indices.flat[0]) + np.arange(numnew)
    else:
        indices = indices.ravel()
        numnew = len(indices)
        new_positions = indices.copy()
        new_positions[np.argsort(indices, kind="stable")] += np.arange(numnew)
    shape = list(x.shape)
    shape[ax] = numnew
    v = broadcast_to(v, tuple(shape))
    perm = np.empty(n + numnew, dtype=np.intp)
    kept = np.ones(n + numnew, dtype=bool)
    kept[new_positions] = False
    perm[new_positions] = n + np.arange(numnew)
    perm[kept] = np.arange(n)
    return take(concatenate([x, v], axis=ax), perm, axis=ax)


def delete(arr: Any, obj: Any, axis: Any = None) -> Array:
    """``arr`` without the positions ``obj`` along ``axis`` (:func:`numpy.delete`); ``obj``
    is an int, a slice, a sequence of ints or a boolean mask of the axis' length.

    >>> import tessera.array as da
    >>> delete(da.arange(5, chunks=2), [0, -1]).compute()
    array([1, 2, 3])
    """
    from tessera.array.take import take

    x, ax = _axis_of(as_array(arr), axis)
    n = x.shape[ax]
    keep = np.ones(n, dtype=bool)
    raw = np.asarray(obj) if not isinstance(obj, slice) else None
    if raw is not None and raw.dtype == bool:
        if raw.shape != (n,):
            raise ValueError(
                f"boolean array argument obj to delete must be one dimensional and match the "
                f"axis length of {n}, got shape {raw.shape}"
            )
        keep = ~raw
    else:
        keep[obj] = False  # NumPy's IndexError for positions out of bounds
    return take(x, np.flatnonzero(keep), axis=ax)


def append(arr: Any, values: Any, axis: Any = None) -> Array:
    """``values`` appended to ``arr`` along ``axis`` (flattened if None) (:func:`numpy.append`).

    >>> import tessera.array as da
    >>> append(da.arange(3, chunks=2), [[7, 8]]).compute()
    array([0, 1, 2, 7, 8])
    """
    from tessera.array.concat import concatenate
    from tessera.array.reshape import ravel

    x, v = as_array(arr), as_array(values)
    if axis is None:
        x, v, axis = ravel(x), ravel(v), 0
    return concatenate([x, v], axis=axis)


def rollaxis(a: Any, axis: int, start: int = 0) -> Array:
    """``axis`` moved to lie before ``start`` (:func:`numpy.rollaxis`).

    >>> import tessera.array as da
    >>> rollaxis(da.ones((2, 3, 4)), 2).shape
    (4, 2, 3)
    """
    from numpy.exceptions import AxisError

    from tessera.array.routines import transpose

    x = as_array(a)
    (ax,) = validate_axis(axis, x.ndim, x.shape, "rollaxis")
    if start < 0:
        start += x.ndim
    if not 0 <= start < x.ndim + 1:
        raise AxisError(
            f"rollaxis: 'start' arg requires {-x.ndim} <= start < {x.ndim + 1}, but {start} "
            "was passed in"
        )
    if ax < start:
        start -= 1
    order = [i for i in range(x.ndim) if i != ax]
    order.insert(start, ax)
    return transpose(x, order)


def _unravel_one(indices: Any, shape: tuple[int, ...], order: str, i: int) -> np.ndarray:
    return np.unravel_index(indices, shape, order=order)[i]  # type: ignore[call-overload]


def unravel_index(indices: Any, shape: Any, order: str = "C") -> tuple[Array, ...]:
    """Coordinate arrays of flat ``indices`` in an array of ``shape``
    (:func:`numpy.unravel_index`).

    >>> import tessera.array as da
    >>> [c.compute() for c in unravel_index(da.from_array([1, 5, 7], chunks=2), (2, 4))]
    [array([0, 1, 1]), array([1, 1, 3])]
    """
    shape = tuple(operator.index(n) for n in np.atleast_1d(shape))
    x = as_array(indices)
    np.unravel_index(np.zeros(0, dtype=x.dtype), shape, order=order)  # type: ignore[call-overload]
    return tuple(
        elemwise(partial(_unravel_one, shape=shape, order=order, i=i), x, dtype=np.intp)
        for i in range(len(shape))
    )


def _ravel_block(*coords: Any, dims: tuple[int, ...], mode: Any, order: str) -> np.ndarray:
    return np.ravel_multi_index(coords, dims, mode=mode, order=order)  # type: ignore[call-overload]


def ravel_multi_index(multi_index: Any, dims: Any, mode: Any = "raise", order: str = "C") -> Array:
    """Flat indices of coordinate arrays in an array of shape ``dims``
    (:func:`numpy.ravel_multi_index`).

    >>> import tessera.array as da
    >>> rows, cols = da.from_array([0, 1, 1], chunks=2), da.from_array([1, 1, 3], chunks=2)
    >>> ravel_multi_index((rows, cols), (2, 4)).compute()
    array([1, 5, 7])
    """
    dims = tuple(operator.index(n) for n in np.atleast_1d(dims))
    coords = [as_array(c) for c in multi_index]
    if len(coords) != len(dims):
        raise ValueError(
            f"parameter multi_index must be a sequence of length {len(dims)} (one array per "
            f"dimension of dims={dims}), got {len(coords)}"
        )
    func = partial(_ravel_block, dims=dims, mode=mode, order=order)
    return elemwise(func, *coords, dtype=np.intp)


def tril_indices(
    n: int, k: int = 0, m: int | None = None, chunks: Any = "auto"
) -> tuple[Array, Array]:
    """Row and column indices of the lower triangle of an ``(n, m)`` array
    (:func:`numpy.tril_indices`), as tessera arrays.

    >>> [i.compute() for i in tril_indices(3)]
    [array([0, 1, 1, 2, 2, 2]), array([0, 0, 1, 0, 1, 2])]
    """
    from tessera.array.creation import asarray

    rows, cols = np.tril_indices(n, k, m)
    return asarray(rows, chunks=chunks), asarray(cols, chunks=chunks)


def triu_indices(
    n: int, k: int = 0, m: int | None = None, chunks: Any = "auto"
) -> tuple[Array, Array]:
    """Row and column indices of the upper triangle of an ``(n, m)`` array
    (:func:`numpy.triu_indices`), as tessera arrays.

    >>> [i.compute() for i in triu_indices(3, k=1)]
    [array([0, 0, 1]), array([1, 2, 2])]
    """
    from tessera.array.creation import asarray

    rows, cols = np.triu_indices(n, k, m)
    return asarray(rows, chunks=chunks), asarray(cols, chunks=chunks)
