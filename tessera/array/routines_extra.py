"""Medians, top-k and small element-wise routines: ``median``, ``topk``, ``nan_to_num``...

Map
---
- :func:`median`, :func:`nanmedian` -- along given axes only (as in Dask): those axes
  are rechunked to one block, then ``np.median`` runs on every block.
- :func:`topk`, :func:`argtopk` -- the ``k`` largest (``k > 0``, sorted descending) or
  smallest (``k < 0``, ascending) values along an axis, or their positions: each block
  keeps its own top ``|k|`` (values, and global positions for ``argtopk``), a tree of
  fan-in ``split_every`` merges them, the last step sorts.  ``topk`` works on unknown
  chunk sizes; ``argtopk`` needs them along the axis.
- :func:`nan_to_num`, :func:`isreal`, :func:`iscomplex`, :func:`angle` -- one element-wise
  call each; :func:`trace` (diagonal, then sum), :func:`allclose` (isclose, then all).
- :func:`fromfunction` -- a function of the coordinates, called on every block's
  coordinates; :func:`result_type` and :data:`newaxis`, as NumPy's.

Policy: NumPy's results and dtypes; ties in :func:`argtopk` go to any of the tied positions.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.array([5, 1, 9, 3, 7, 2]), chunks=2)
>>> topk(x, 2).compute(), topk(x, -2).compute(), argtopk(x, 2).compute()
(array([9, 7]), array([1, 2]), array([2, 4]))
>>> median(da.from_array(np.arange(12.0).reshape(3, 4), chunks=2), axis=0).compute()
array([4., 5., 6., 7.])
"""

from __future__ import annotations

import math
import operator
from functools import partial
from itertools import accumulate, product
from typing import Any

import numpy as np

from tessera.array.blockwise import blockwise
from tessera.array.chunks import normalize_chunks
from tessera.array.core import Array, new_array
from tessera.array.elementwise import elemwise
from tessera.array.masking import check_known
from tessera.array.reduce_rules import validate_axis
from tessera.array.routines_common import as_array, tree
from tessera.hashing import tokenize

__all__ = [
    "allclose",
    "angle",
    "argtopk",
    "fromfunction",
    "iscomplex",
    "isreal",
    "median",
    "nan_to_num",
    "nanmedian",
    "newaxis",
    "result_type",
    "topk",
    "trace",
]

newaxis = None
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _median(name: str, np_func: Any, a: Any, axis: Any, keepdims: bool) -> Array:
    from tessera.array.rechunk import rechunk

    x = as_array(a)
    if axis is None:
        raise NotImplementedError(
            f"{name} works along given axes only (axis=None would gather the whole array "
            f"in one task); pass axis=, or compute np.{name} of x.ravel() on one block"
        )
    axes = validate_axis(axis, x.ndim, x.shape, name)
    x = rechunk(x, dict.fromkeys(axes, -1))
    ind = _LETTERS[: x.ndim]
    dtype = np_func(np.ones((1,) * x.ndim, x.dtype), axis=axes).dtype
    func = partial(np_func, axis=axes, keepdims=keepdims)
    if keepdims:
        kept = {ind[a]: 1 for a in axes}
        return blockwise(func, ind, x, ind, dtype=dtype, adjust_chunks=kept, token=name)
    out = "".join(c for a, c in enumerate(ind) if a not in axes)
    return blockwise(func, out, x, ind, dtype=dtype, concatenate=True, token=name)


def median(a: Any, axis: Any = None, keepdims: bool = False) -> Array:
    """The median along ``axis`` (:func:`numpy.median`); ``axis`` is required.

    The axes reduced are rechunked to a single block each.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> median(da.from_array(np.array([[1, 9, 3], [4, 4, 8]]), chunks=1), axis=1).compute()
    array([3., 4.])
    """
    return _median("median", np.median, a, axis, keepdims)


def nanmedian(a: Any, axis: Any = None, keepdims: bool = False) -> Array:
    """The median along ``axis`` ignoring NaNs (:func:`numpy.nanmedian`); ``axis`` is required.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([[1.0, np.nan, 3.0], [4.0, 4.0, 8.0]]), chunks=1)
    >>> nanmedian(x, axis=1).compute()
    array([2., 4.])
    """
    return _median("nanmedian", np.nanmedian, a, axis, keepdims)


def _keep(part: tuple[np.ndarray, Any], k: int, axis: int) -> tuple[Any, Any]:
    """The ``|k|`` largest (``k > 0``) or smallest values of ``part`` and their positions
    (``None`` when only the values are wanted)."""
    values, positions = part
    n = values.shape[axis]
    if n <= abs(k):
        return values, positions
    kth = n - k if k > 0 else -k - 1
    chosen = np.argpartition(values, kth, axis=axis)
    chosen = chosen.take(range(n - k, n) if k > 0 else range(-k), axis=axis)
    if positions is not None:
        positions = np.take_along_axis(positions, chosen, axis)
    return np.take_along_axis(values, chosen, axis), positions


def _top_block(block: np.ndarray, offset: int | None, k: int, axis: int) -> tuple[Any, Any]:
    if offset is None:
        return _keep((block, None), k, axis)
    shape = [1] * block.ndim
    shape[axis] = block.shape[axis]
    positions = np.arange(offset, offset + block.shape[axis]).reshape(shape)
    return _keep((block, np.broadcast_to(positions, block.shape)), k, axis)


def _top_merge(parts: list[Any], k: int, axis: int) -> tuple[Any, Any]:
    values = np.concatenate([p[0] for p in parts], axis=axis)
    positions = None if parts[0][1] is None else np.concatenate([p[1] for p in parts], axis=axis)
    return _keep((values, positions), k, axis)


def _top_final(part: tuple[Any, Any], k: int, axis: int, want: str) -> np.ndarray:
    values, positions = part
    order = np.argsort(values, axis=axis, kind="stable")
    if k > 0:
        order = np.flip(order, axis=axis)
    return np.take_along_axis(values if want == "values" else positions, order, axis)


def _top(want: str, a: Any, k: int, axis: int, split_every: Any) -> Array:
    x = as_array(a)
    k = operator.index(k)
    (axis,) = validate_axis(axis, x.ndim, x.shape, f"{want} top-k")
    n = x.shape[axis]
    if k == 0 or (not math.isnan(n) and abs(k) > n):
        raise ValueError(
            f"top-k: k must be a non-zero int with |k| <= {n} (the length of axis {axis}), "
            f"got {k}; k > 0 takes the largest values, k < 0 the smallest"
        )
    name = f"{'topk' if want == 'values' else 'argtopk'}-{tokenize(x, k, axis, split_every)}"
    if want == "values":  # positions not needed: unknown chunk sizes are fine
        offsets: list[Any] = [None] * x.numblocks[axis]
    else:
        check_known(x, "argtopk", [axis])
        offsets = [0, *accumulate(x.chunks[axis])][:-1]
    layer: dict[Any, Any] = {}
    others = [range(nb) if a != axis else range(1) for a, nb in enumerate(x.numblocks)]
    for idx in product(*others):
        keys = []
        for j in range(x.numblocks[axis]):
            key = (f"{name}-part", *idx[:axis], j, *idx[axis + 1 :])
            layer[key] = (_top_block, (x.name, *key[1:]), offsets[j], k, axis)
            keys.append(key)
        where = "-".join(map(str, idx))
        merged, final = tree(
            f"{name}-merge-{where}", keys, partial(_top_merge, k=k, axis=axis), split_every
        )
        layer.update(merged)
        out_key = (name, *idx)
        layer[out_key] = (_top_final, final, k, axis, want)
    chunks = tuple((abs(k),) if a == axis else c for a, c in enumerate(x.chunks))
    dtype = x.dtype if want == "values" else np.dtype(np.intp)
    return new_array(name, layer, chunks, dtype, inputs=[x])


def topk(a: Any, k: int, axis: int = -1, split_every: Any = None) -> Array:
    """The ``k`` largest values along ``axis``, largest first (``k < 0``: the ``-k``
    smallest, smallest first), as Dask's ``topk``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([[4, 8, 1], [6, 2, 7]]), chunks=1)
    >>> topk(x, 2, axis=1).compute()
    array([[8, 4],
           [7, 6]])
    """
    return _top("values", a, k, axis, split_every)


def argtopk(a: Any, k: int, axis: int = -1, split_every: Any = None) -> Array:
    """The positions along ``axis`` of the values :func:`topk` returns, in its order.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> argtopk(da.from_array(np.array([4, 8, 1, 6]), chunks=3), -2).compute()
    array([2, 0])
    """
    return _top("positions", a, k, axis, split_every)


def nan_to_num(
    x: Any, copy: bool = True, nan: float = 0.0, posinf: Any = None, neginf: Any = None
) -> Array:
    """NaN as ``nan``, infinities as ``posinf``/``neginf`` (default: the largest finite
    values) (:func:`numpy.nan_to_num`); ``copy`` is accepted for NumPy's signature.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> nan_to_num(da.from_array(np.array([np.nan, np.inf, 1.0])), posinf=9).compute()
    array([0., 9., 1.])
    """
    return elemwise(partial(np.nan_to_num, nan=nan, posinf=posinf, neginf=neginf), as_array(x))


def isreal(x: Any) -> Array:
    """Whether each element has no imaginary part (:func:`numpy.isreal`).

    >>> import numpy as np, tessera.array as da
    >>> isreal(da.from_array(np.array([1 + 1j, 2 + 0j]))).compute()
    array([False,  True])
    """
    return elemwise(np.isreal, as_array(x))


def iscomplex(x: Any) -> Array:
    """Whether each element has a non-zero imaginary part (:func:`numpy.iscomplex`).

    >>> import numpy as np, tessera.array as da
    >>> iscomplex(da.from_array(np.array([1 + 1j, 2 + 0j]))).compute()
    array([ True, False])
    """
    return elemwise(np.iscomplex, as_array(x))


def angle(z: Any, deg: bool = False) -> Array:
    """The angle of each complex element, in radians or ``deg`` degrees (:func:`numpy.angle`).

    >>> import numpy as np, tessera.array as da
    >>> angle(da.from_array(np.array([1j, -1 + 0j])), deg=True).compute()
    array([ 90., 180.])
    """
    return elemwise(partial(np.angle, deg=deg), as_array(z))


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None) -> Array:
    """The sum along a diagonal (:func:`numpy.trace`).

    >>> import numpy as np, tessera.array as da
    >>> trace(da.from_array(np.arange(9).reshape(3, 3), chunks=2), offset=1).compute()
    np.int64(6)
    """
    from tessera.array.diagonals import diagonal
    from tessera.array.reductions import sum as total

    return total(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def allclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Array:
    """Whether all elements are equal within a tolerance (:func:`numpy.allclose`); lazy 0-d.

    >>> import tessera.array as da
    >>> bool(allclose(da.ones(4, chunks=2), 1 + 1e-9))
    True
    """
    from tessera.array.ufuncs import isclose

    return isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan).all()


def result_type(*arrays_and_dtypes: Any) -> np.dtype[Any]:
    """NumPy's :func:`numpy.result_type`, tessera arrays counted by their dtype.

    >>> import tessera.array as da
    >>> result_type(da.ones(2, dtype="i4"), 1.5, "f4")
    dtype('float64')
    """
    return np.result_type(*(a.dtype if isinstance(a, Array) else a for a in arrays_and_dtypes))


def _fromfunction_block(
    function: Any, start: tuple[int, ...], shape: tuple[int, ...], dtype: Any, kwargs: Any
) -> np.ndarray:
    coords = np.indices(shape, dtype=dtype)
    moved = [c + np.asarray(s, dtype=dtype) for c, s in zip(coords, start, strict=True)]
    return np.asarray(function(*moved, **kwargs))


def fromfunction(
    function: Any, shape: Any, *, dtype: Any = float, chunks: Any = "auto", **kwargs: Any
) -> Array:
    """``function(*coordinates)`` over a grid of ``shape`` (:func:`numpy.fromfunction`).

    ``function`` is called once per block with that block's coordinate arrays (of
    ``dtype``) and must work element-wise; ``kwargs`` are passed to it.

    >>> import tessera.array as da
    >>> fromfunction(lambda i, j: i * 10 + j, (2, 3), dtype=int, chunks=2).compute()
    array([[ 0,  1,  2],
           [10, 11, 12]])
    """
    shape = tuple(operator.index(n) for n in np.atleast_1d(shape))
    chunks = normalize_chunks(chunks, shape, dtype=np.dtype(dtype))
    probe = _fromfunction_block(function, (0,) * len(shape), (1,) * len(shape), dtype, kwargs)
    name = f"fromfunction-{tokenize(function, shape, chunks, dtype, kwargs)}"
    starts = [[0, *accumulate(c)][:-1] for c in chunks]
    layer = {
        (name, *idx): (
            _fromfunction_block,
            function,
            tuple(starts[a][i] for a, i in enumerate(idx)),
            tuple(chunks[a][i] for a, i in enumerate(idx)),
            dtype,
            kwargs,
        )
        for idx in product(*(range(len(c)) for c in chunks))
    }
    return new_array(name, layer, chunks, probe.dtype)
