"""Vector and matrix norms: ``da.linalg.norm`` (:func:`numpy.linalg.norm`).

Map
---
- :func:`norm` -- validation, then tree reductions: sums and maxima of ``|x|`` (or its
  powers) over the axes.  The spectral and nuclear matrix norms (``ord`` of 2, -2 and
  ``"nuc"``) need singular values: the two matrix axes are rechunked to one block and
  ``np.linalg.norm`` runs block by block (a ``PerformanceWarning`` when such a block
  is large, as for :func:`~tessera.array.linalg_solve.one_block`).

Policy: NumPy's results, dtypes (floats; complex inputs give real norms) and errors.

>>> import numpy as np, tessera.array as da
>>> from tessera.array.linalg_norm import norm
>>> x = da.from_array(np.array([[3.0, -4.0], [0.0, 12.0]]), chunks=1)
>>> float(norm(x).compute())
13.0
>>> norm(x, ord=1, axis=1).compute()
array([ 7., 12.])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tessera.array import reductions as red
from tessera.array.axes import normalize_axis
from tessera.array.core import Array
from tessera.array.linalg_solve import warn_large
from tessera.array.rechunk import rechunk
from tessera.array.routines import expand_dims
from tessera.array.routines_common import as_array, flat_keys
from tessera.hashing import tokenize

__all__ = ["norm"]


def _vector(x: Any, ord: Any, axis: int) -> Any:
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    absx = np.abs(x)
    if ord is None or ord == 2:
        return np.sqrt(red.sum(np.real(x.conj() * x), axis=axis))
    if ord == np.inf:
        return _max0(absx, axis)
    if ord == -np.inf:
        return red.min(absx, axis=axis)
    if ord == 0:
        return red.sum((x != 0).astype(absx.dtype), axis=axis)
    if ord == 1:
        return red.sum(absx, axis=axis)
    return red.sum(absx**ord, axis=axis) ** (1.0 / ord)


def _max0(absx: Any, axis: int) -> Any:
    """The maximum of ``|x|`` (NumPy's ``initial=0``): 0 over an empty axis."""
    return red.max(absx, axis=axis) if absx.shape[axis] else red.sum(absx, axis=axis)


def _matrix(x: Any, ord: Any, row: int, col: int) -> Any:
    if ord in (2, -2, "nuc"):
        return _by_svd(x, ord, row, col)
    absx = np.abs(x)
    if ord in (None, "fro", "f"):
        return np.sqrt(red.sum(np.real(x.conj() * x), axis=(row, col)))
    if ord in (1, -1):
        pick = _max0 if ord == 1 else red.min
        return pick(red.sum(absx, axis=row), axis=col - 1 if col > row else col)
    if ord in (np.inf, -np.inf):
        pick = _max0 if ord == np.inf else red.min
        return pick(red.sum(absx, axis=col), axis=row - 1 if row > col else row)
    raise ValueError("Invalid norm order for matrices.")


def _norm_block(block: np.ndarray, ord: Any, axes: tuple[int, int]) -> Any:
    return np.linalg.norm(block, ord=ord, axis=axes)


def _by_svd(x: Array, ord: Any, row: int, col: int) -> Array:
    from tessera.array.core import new_array

    whole = tuple(
        (int(n),) if a in (row, col) else c
        for a, (n, c) in enumerate(zip(x.shape, x.chunks, strict=True))
    )
    x = rechunk(x, whole)
    biggest = math.prod(max(c, default=0) for c in x.chunks) * x.dtype.itemsize
    warn_large(biggest, f"norm(ord={ord!r})", 4)
    name = f"norm-{tokenize(x, ord, row, col)}"
    layer = {}
    for key in flat_keys(x):
        out_key = (name, *(i for a, i in enumerate(key[1:]) if a not in (row, col)))
        layer[out_key] = (_norm_block, key, ord, (row, col))
    chunks = tuple(c for a, c in enumerate(x.chunks) if a not in (row, col))
    dtype = np.linalg.norm(np.ones((1, 1), x.dtype), ord=ord).dtype
    return new_array(name, layer, chunks, dtype, inputs=[x])


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Array:
    """Matrix or vector norm (:func:`numpy.linalg.norm`).

    Parameters
    ----------
    x : array-like
        1-d or 2-d when ``axis`` is None (any ndim with ``ord=None``: the flattened
        2-norm).
    ord : {None, non-zero int, inf, -inf, 0, "fro", "nuc"}
        The order, with NumPy's meaning for vectors and matrices.
    axis : None, int or 2-tuple of int
        A vector axis, or the two matrix axes.
    keepdims : bool
        Keep the normed axes with length 1.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(9.0).reshape(3, 3) - 4, chunks=2)
    >>> float(norm(x, ord=np.inf).compute()), float(norm(x, "nuc").compute())
    (9.0, 9.797958971132712)
    >>> norm(x, ord=3, axis=0, keepdims=True).shape
    (1, 3)
    >>> norm(x, ord="fro", axis=0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid norm order 'fro' for vectors
    """
    a: Any = as_array(x)
    if not np.issubdtype(a.dtype, np.inexact):
        a = a.astype(float)
    if axis is None:
        if ord is None:
            result: Any = np.sqrt(red.sum(np.real(a.conj() * a)))
            return expand_dims(result, tuple(range(a.ndim))) if keepdims else result
        if a.ndim not in (1, 2):
            raise ValueError("Improper number of dimensions to norm.")
        axis = tuple(range(a.ndim))
    if not isinstance(axis, (int, np.integer, tuple)):
        raise TypeError(f"'axis' must be None, an integer or a tuple of integers, got {axis!r}")
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    axes = tuple(normalize_axis(ax, a.ndim) for ax in axes)
    if len(axes) == 1:
        result = _vector(a, ord, axes[0])
    elif len(axes) == 2:
        if axes[0] == axes[1]:
            raise ValueError("Duplicate axes given.")
        result = _matrix(a, ord, *axes)
    else:
        raise ValueError("Improper number of dimensions to norm.")
    return expand_dims(result, axes) if keepdims else result
