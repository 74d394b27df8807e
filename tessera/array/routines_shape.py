"""Building bigger arrays: ``pad``, ``repeat``, ``tile``, ``meshgrid``, ``indices``.

Map
---
- :func:`pad` -- axis by axis, as NumPy does, the padding joined to both ends with
  :func:`~tessera.array.concat.concatenate`: constant blocks for ``"constant"``; for
  ``"edge"``, ``"reflect"``, ``"symmetric"`` and ``"wrap"``, the elements NumPy would
  copy, found by padding ``np.arange(n)`` with the same mode and taken with
  :func:`~tessera.array.take.take` (so any pad width works, as in NumPy); for
  ``"maximum"``, ``"minimum"``, ``"mean"``, ``"median"``, a reduction of the first or
  last ``stat_length`` elements broadcast to the pad width.
- :func:`repeat` -- one task per block (``np.repeat``), chunk sizes scaled.
- :func:`tile` -- copies joined along each axis.
- :func:`meshgrid`, :func:`indices` -- 1-d ranges broadcast (views, no copies).

>>> import numpy as np, tessera.array as da
>>> x = da.arange(4, chunks=2)
>>> da.pad(x, (2, 1), mode="edge").compute()
array([0, 0, 0, 1, 2, 3, 3])
>>> da.repeat(x, 2).chunks
((4, 4),)
"""

from __future__ import annotations

import operator
from itertools import pairwise
from typing import Any

import numpy as np

from tessera.array import reductions as red
from tessera.array.concat import concatenate, stack
from tessera.array.core import Array, new_array
from tessera.array.masking import check_known
from tessera.array.rechunk import rechunk
from tessera.array.reshape import ravel
from tessera.array.routines import broadcast_to
from tessera.array.routines_common import as_array, flat_keys
from tessera.array.slicing import basic_index
from tessera.array.take import take
from tessera.hashing import tokenize

__all__ = ["indices", "meshgrid", "pad", "repeat", "tile"]

_INDEX_MODES = ("edge", "reflect", "symmetric", "wrap")


def _median(part: Array, axis: int, keepdims: bool = True) -> Array:
    """``np.median`` along ``axis`` (kept, as the reductions' ``keepdims``), any dtype.

    The axis is rechunked to one block; ``np.median`` (unlike ``np.percentile``) also
    takes booleans and complex numbers.
    """
    from tessera.array.elementwise import map_blocks

    one = tuple((int(part.shape[a]),) if a == axis else c for a, c in enumerate(part.chunks))
    whole = rechunk(part, one)
    chunks = tuple((1,) if a == axis else c for a, c in enumerate(whole.chunks))
    dtype = np.median(np.zeros(1, part.dtype)).dtype
    return map_blocks(np.median, whole, axis=axis, keepdims=True, chunks=chunks, dtype=dtype)


_STAT_MODES: dict[str, Any] = {
    "maximum": red.max,
    "minimum": red.min,
    "mean": red.mean,
    "median": _median,
}
_OPTIONS: dict[str, set[str]] = {
    "constant": {"constant_values"},
    "empty": set(),
    "edge": set(),
    "reflect": {"reflect_type"},
    "symmetric": {"reflect_type"},
    "wrap": set(),
    **{m: {"stat_length"} for m in _STAT_MODES},
}


def _pairs(value: Any, ndim: int, what: str) -> np.ndarray:
    """``value`` broadcast to an ``(ndim, 2)`` array (NumPy's rules for pad widths)."""
    arr = np.asarray(value)
    try:
        return np.broadcast_to(arr, (ndim, 2))
    except ValueError:
        raise ValueError(
            f"{what} {value!r} cannot be broadcast to (before, after) pairs for {ndim} axes"
        ) from None


def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Array:
    """Pad ``array`` (:func:`numpy.pad`).

    Parameters
    ----------
    array : array-like
    pad_width : int or sequence
        ``((before_1, after_1), ...)``, ``(before, after)`` or one int for all.
    mode : str
        ``"constant"``, ``"edge"``, ``"reflect"``, ``"symmetric"``, ``"wrap"``,
        ``"maximum"``, ``"minimum"``, ``"mean"``, ``"median"`` or ``"empty"`` (zeros).
    constant_values : scalar or sequence, optional
        For ``"constant"``: the values per axis and side (default 0).
    stat_length : None, int or sequence, optional
        For the statistic modes: how many elements at each end the statistic covers
        (default: the whole axis).
    reflect_type : {"even"}, optional
        For ``"reflect"``/``"symmetric"``; ``"odd"`` is not supported.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([[1, 2], [3, 4]]), chunks=1)
    >>> pad(x, 1, constant_values=((0, 9), (7, 8))).compute()
    array([[7, 0, 0, 8],
           [7, 1, 2, 8],
           [7, 3, 4, 8],
           [7, 9, 9, 8]])
    >>> pad(da.arange(3), 4, mode="reflect").compute()
    array([0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2])
    >>> pad(da.arange(5, chunks=2), (1, 2), mode="mean", stat_length=2).compute()
    array([0, 0, 1, 2, 3, 4, 4, 4])
    >>> pad(x, 1, mode="linear_ramp")
    Traceback (most recent call last):
    ...
    NotImplementedError: pad mode 'linear_ramp' is not supported; use one of ...
    """
    x = as_array(array)
    widths = _pairs(pad_width, x.ndim, "pad_width")
    if not np.issubdtype(widths.dtype, np.integer):
        raise TypeError("`pad_width` must be of integral type.")
    if (widths < 0).any():
        raise ValueError("index can't contain negative values")
    if mode not in _OPTIONS:
        raise NotImplementedError(
            f"pad mode {mode!r} is not supported; use one of {', '.join(map(repr, _OPTIONS))}"
        )
    unknown = set(kwargs) - _OPTIONS[mode]
    if unknown:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unknown}")
    if kwargs.get("reflect_type", "even") != "even":
        raise NotImplementedError("pad supports only reflect_type='even', not 'odd'")
    values = _pairs(kwargs.get("constant_values", 0), x.ndim, "constant_values")
    lengths = kwargs.get("stat_length")
    stats = None if lengths is None else _pairs(lengths, x.ndim, "stat_length")
    if stats is not None and (stats <= 0).any():
        raise ValueError("stat_length of 0 yields no value for padding")
    for axis in range(x.ndim):
        before, after = (int(w) for w in widths[axis])
        if not before and not after:
            continue
        check_known(x, "pad", (axis,))
        n = int(x.shape[axis])
        if n == 0 and mode not in ("constant", "empty"):
            raise ValueError(
                f"can't extend empty axis {axis} using modes other than 'constant' or 'empty'"
            )
        if mode in _INDEX_MODES:
            idx = np.pad(np.arange(n), (before, after), mode=mode)  # type: ignore[call-overload]
            sides = [take(x, idx[:before], axis), take(x, idx[before + n :], axis)]
        elif mode in _STAT_MODES:
            cover = (n, n) if stats is None else (min(int(k), n) for k in stats[axis])
            ends = [slice(0, k) if i == 0 else slice(n - k, n) for i, k in enumerate(cover)]
            sides = [
                _stat(x, axis, w, mode, end) for w, end in zip((before, after), ends, strict=True)
            ]
        else:
            sides = [_constant(x, axis, w, values[axis][k]) for k, w in enumerate((before, after))]
        x = concatenate([sides[0], x, sides[1]], axis)
    return x


def _constant(x: Array, axis: int, width: int, value: Any) -> Array:
    from tessera.array.creation import asarray

    shape = tuple(width if a == axis else n for a, n in enumerate(x.shape))
    chunks = tuple((width,) if a == axis else c for a, c in enumerate(x.chunks))
    fill = np.empty((), x.dtype)
    fill[()] = value  # NumPy's assignment rules: a NaN into integers raises ValueError
    return broadcast_to(asarray(fill), shape, chunks=chunks)


def _stat(x: Array, axis: int, width: int, mode: str, end: slice) -> Array:
    """``width`` copies of a statistic of the elements ``end`` along ``axis``."""
    part = basic_index(x, [end if a == axis else slice(None) for a in range(x.ndim)])
    stat: Any = _STAT_MODES[mode](part, axis=axis, keepdims=True)
    if mode in ("mean", "median") and np.issubdtype(x.dtype, np.integer):
        stat = np.around(stat)  # as NumPy: integers round, booleans are any non-zero
    shape = tuple(width if a == axis else n for a, n in enumerate(x.shape))
    chunks = tuple((width,) if a == axis else c for a, c in enumerate(x.chunks))
    return broadcast_to(stat.astype(x.dtype), shape, chunks=chunks)


def _repeat_block(block: np.ndarray, repeats: Any, axis: int) -> np.ndarray:
    return np.repeat(block, repeats, axis)


def repeat(a: Any, repeats: Any, axis: int | None = None) -> Array:
    """Repeat each element ``repeats`` times along ``axis`` (:func:`numpy.repeat`).

    ``repeats`` is an int or a 1-d NumPy array with one count per element along
    ``axis``; ``axis=None`` repeats the flattened array.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.from_array([[1, 2], [3, 4]], chunks=1)
    >>> repeat(x, [1, 2], axis=0).compute()
    array([[1, 2],
           [3, 4],
           [3, 4]])
    >>> repeat(x, -1)
    Traceback (most recent call last):
    ...
    ValueError: negative dimensions are not allowed
    """
    from tessera.array.axes import normalize_axis

    x = as_array(a)
    if axis is None:
        x, axis = ravel(x), 0
    axis = normalize_axis(axis, x.ndim)
    check_known(x, "repeat", (axis,))
    reps = np.asarray(repeats)
    if (reps < 0).any():
        raise ValueError("negative dimensions are not allowed")
    if reps.ndim > 1 or (reps.ndim == 1 and reps.size not in (1, x.shape[axis])):
        raise ValueError(
            f"operands could not be broadcast together with shape ({x.shape[axis]},) "
            f"({reps.size},)"
        )
    reps = reps.astype(np.intp).reshape(-1)
    if reps.size == 1:
        reps = np.full(int(x.shape[axis]), reps[0])
    bounds = np.cumsum((0, *x.chunks[axis]))
    pieces = [reps[lo:hi] for lo, hi in pairwise(bounds)]
    name = f"repeat-{tokenize(x, reps, axis)}"
    layer = {
        (name, *key[1:]): (_repeat_block, key, pieces[key[1 + axis]], axis) for key in flat_keys(x)
    }
    chunks = list(x.chunks)
    chunks[axis] = tuple(int(p.sum()) for p in pieces)
    return new_array(name, layer, tuple(chunks), x.dtype, inputs=[x])


def tile(A: Any, reps: Any) -> Array:
    """``A`` repeated ``reps`` times along each axis (:func:`numpy.tile`).

    Examples
    --------
    >>> import tessera.array as da
    >>> tile(da.from_array([1, 2], chunks=1), (2, 2)).compute()
    array([[1, 2, 1, 2],
           [1, 2, 1, 2]])
    """
    x = as_array(A)
    counts = (operator.index(reps),) if np.ndim(reps) == 0 else tuple(map(operator.index, reps))
    if any(c < 0 for c in counts):
        raise ValueError("negative dimensions are not allowed")
    ndim = max(x.ndim, len(counts))
    counts = (1,) * (ndim - len(counts)) + counts
    x = basic_index(x, [None] * (ndim - x.ndim) + [slice(None)] * x.ndim)
    for axis, c in enumerate(counts):
        if c == 1:
            continue
        if c == 0:
            x = basic_index(x, [slice(0, 0) if a == axis else slice(None) for a in range(ndim)])
        else:
            x = concatenate([x] * c, axis)
    return x


def meshgrid(
    *xi: Any, indexing: str = "xy", sparse: bool = False, copy: bool = True
) -> list[Array]:
    """Coordinate arrays from 1-d coordinate vectors (:func:`numpy.meshgrid`).

    Each output is a broadcast view chunked like the inputs along their axes.

    Examples
    --------
    >>> import tessera.array as da
    >>> xx, yy = meshgrid(da.arange(3, chunks=2), da.arange(2))
    >>> xx.compute()
    array([[0, 1, 2],
           [0, 1, 2]])
    >>> yy.chunks
    ((2,), (2, 1))
    """
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    arrays = [ravel(as_array(v)) for v in xi]
    ndim = len(arrays)
    order = list(range(ndim))
    if indexing == "xy" and ndim > 1:
        order[0], order[1] = 1, 0
    shape = [0] * ndim
    chunks: list[Any] = [()] * ndim
    for k, arr in enumerate(arrays):
        shape[order[k]], chunks[order[k]] = arr.shape[0], arr.chunks[0]
    out = []
    for k, arr in enumerate(arrays):
        index = [slice(None) if a == order[k] else None for a in range(ndim)]
        view = basic_index(arr, index)
        out.append(view if sparse else broadcast_to(view, tuple(shape), chunks=tuple(chunks)))
    return out


def indices(dimensions: Any, dtype: Any = int, chunks: Any = "auto", sparse: bool = False) -> Any:
    """An array of the indices of a grid (:func:`numpy.indices`).

    Returns shape ``(len(dimensions), *dimensions)``, chunked by ``chunks`` along the
    grid axes and one block per grid axis along the first.

    Examples
    --------
    >>> import tessera.array as da
    >>> ix = indices((2, 3), chunks=2)
    >>> ix.chunks
    ((1, 1), (2,), (2, 1))
    >>> ix.compute()[1]
    array([[0, 1, 2],
           [0, 1, 2]])
    """
    from tessera.array.chunks import normalize_chunks
    from tessera.array.creation import arange

    dims = tuple(operator.index(d) for d in dimensions)
    grid_chunks = normalize_chunks(chunks, dims, dtype=np.dtype(dtype))
    ranges = [arange(n, chunks=(c,), dtype=dtype) for n, c in zip(dims, grid_chunks, strict=True)]
    grids = meshgrid(*ranges, indexing="ij", sparse=sparse)
    if sparse:
        return tuple(grids)
    if not dims:
        return as_array(np.zeros((0,), dtype=dtype))
    return stack(grids, axis=0)
