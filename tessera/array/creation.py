"""Making arrays: from NumPy-like objects, ranges and constants.

Map
---
- :func:`from_array` -- wrap anything with ``shape``, ``dtype`` and ``__getitem__``
  (NumPy, memmap, h5py, zarr...); each block is read lazily by slicing.
  Dask's ``lock``/``asarray``/``fancy``/``inline_array``/``meta`` keywords are accepted;
  NumPy masked arrays raise ``NotImplementedError`` (their mask would be lost).
- :func:`asarray`, :func:`array` -- tessera arrays as they are, lists holding tessera
  arrays stacked lazily (:func:`holds_arrays`), anything else through ``from_array``.
- :func:`arange`, :func:`linspace` -- ranges computed block by block (nothing big in the
  graph), with NumPy's dtypes (``arange(5.0)`` is float64, ``linspace`` of float32
  bounds is float32, an integer ``linspace`` is rounded down); ``linspace`` bounds may
  be 0-d tessera arrays (computed as part of the graph).
- :func:`ones`, :func:`zeros`, :func:`full`, :func:`empty`, :func:`eye` and the ``*_like``
  versions.

Every function takes ``chunks=`` (see :func:`~tessera.array.chunks.normalize_chunks`;
``"auto"`` by default).  Names are deterministic tokens of the arguments.  The blocks of
ranges and constants are :mod:`~tessera.array.sources` calls, so a reduction over them
can make each block in cache-sized pieces (see :mod:`~tessera.array.fusion`).

>>> import tessera.array as da
>>> da.arange(0, 1, 0.25, chunks=2).compute()
array([0.  , 0.25, 0.5 , 0.75])
>>> da.eye(3, chunks=2, dtype=int).compute()
array([[1, 0, 0],
       [0, 1, 0],
       [0, 0, 1]])
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from functools import partial
from itertools import product
from typing import Any

import numpy as np

from tessera.array.chunks import chunk_bounds, normalize_chunks, slices_from_chunks
from tessera.array.core import Array, new_array
from tessera.array.sources import full_block, linspace_block, range_block
from tessera.hashing import tokenize

__all__ = [
    "arange",
    "array",
    "asarray",
    "empty",
    "empty_like",
    "eye",
    "from_array",
    "full",
    "full_like",
    "holds_arrays",
    "linspace",
    "ones",
    "ones_like",
    "zeros",
    "zeros_like",
]


def _read(source: Any, index: tuple[slice, ...], lock: Any = None, convert: bool = True) -> Any:
    with lock or contextlib.nullcontext():
        block = source[index]
    return np.asarray(block) if convert else block


def _refuse_masked(x: Any) -> None:
    if isinstance(x, np.ma.MaskedArray):
        raise NotImplementedError(
            "tessera arrays do not support NumPy masked arrays: the mask would be lost. "
            "Fill the masked values first, e.g. da.from_array(m.filled(np.nan)), or pass "
            "the mask as a separate boolean array."
        )


def from_array(
    x: Any,
    chunks: Any = "auto",
    name: str | None = None,
    lock: Any = False,
    asarray: bool | None = None,
    fancy: bool = True,
    inline_array: bool = False,
    meta: Any = None,
) -> Array:
    """Wrap a NumPy-like object as a tessera array, reading each block lazily.

    Parameters
    ----------
    x : array-like
        Anything with ``shape``, ``dtype`` and ``__getitem__`` taking slices (NumPy
        arrays and memmaps, h5py datasets, zarr arrays); other objects go through
        ``np.asarray`` first.  NumPy masked arrays raise ``NotImplementedError``.
    chunks : chunk spec
        Block sizes; ``"auto"`` aims at ``config.get("array.chunk-size")`` bytes.
    name : str, optional
        The layer name; default: ``"array-"`` and a token of ``x`` and ``chunks``.
    lock : bool or lock, optional
        Serialize the reads of ``x`` (for sources that are not thread-safe): ``True`` for
        a new :class:`~tessera.array.store.SerializableLock`, or any object usable in
        ``with`` (it must pickle for the processes scheduler).
    asarray : bool, optional
        Convert each block with ``np.asarray`` (the default, ``None``, does so too;
        ``False`` keeps what ``x[...]`` returns).
    fancy, inline_array : bool
        Accepted for Dask compatibility; blocks are always read with slices and the
        source is one graph entry shared by every block.
    meta : array, optional
        Accepted for Dask compatibility: blocks are NumPy arrays of ``x.dtype``.

    Examples
    --------
    >>> x = from_array(np.arange(12).reshape(3, 4), chunks=(2, 2))
    >>> x.chunks
    ((2, 1), (2, 2))
    >>> x.compute()[2]
    array([ 8,  9, 10, 11])
    >>> from_array(np.arange(4), chunks=2, lock=True).sum().compute()
    np.int64(6)
    """
    _refuse_masked(x)
    if isinstance(x, Array):
        return x if chunks == "auto" else x.rechunk(chunks)  # type: ignore[attr-defined]
    if not (hasattr(x, "shape") and hasattr(x, "dtype") and hasattr(x, "__getitem__")):
        x = np.asarray(x)
    shape = tuple(int(n) for n in x.shape)
    normalized = normalize_chunks(chunks, shape, dtype=x.dtype)
    name = name or f"array-{tokenize(x, normalized)}"
    if x.ndim == 0:
        return new_array(name, {(name,): np.asarray(x[()])}, (), x.dtype)
    original = f"array-original-{name}"
    if lock is True:
        from tessera.array.store import SerializableLock

        lock = SerializableLock()
    read = partial(_read, lock=lock or None, convert=asarray is not False)
    layer: dict[Any, Any] = {}
    slices = slices_from_chunks(normalized)
    for idx, index in zip(product(*(range(len(c)) for c in normalized)), slices, strict=True):
        key = (name, *idx)
        layer[key] = (read, original, index)
    return Array({original: {original: x}, name: layer}, name, normalized, x.dtype)


def holds_arrays(a: Any) -> bool:
    """Whether ``a`` is a (nested) list or tuple with a tessera array in it.

    >>> holds_arrays([1, [2, arange(2)]]), holds_arrays([1, 2])
    (True, False)
    """
    return isinstance(a, (list, tuple)) and any(isinstance(e, Array) or holds_arrays(e) for e in a)


def asarray(a: Any, dtype: Any = None, chunks: Any = "auto") -> Array:
    """A tessera array from ``a`` (returned as it is when it already is one).

    Lists and tuples holding tessera arrays are stacked lazily.

    >>> asarray([1, 2, 3], dtype="f4").compute()
    array([1., 2., 3.], dtype=float32)
    >>> asarray([arange(2, chunks=1), [5, 6]]).compute()
    array([[0, 1],
           [5, 6]])
    """
    if isinstance(a, Array):
        return a if dtype is None else a.astype(dtype)  # type: ignore[attr-defined]
    if holds_arrays(a):
        from tessera.array.concat import stack

        return asarray(stack([asarray(e) for e in a]), dtype=dtype)
    _refuse_masked(a)
    a = np.asarray(a, dtype=dtype)
    return from_array(a, chunks=chunks)


def array(a: Any, dtype: Any = None, chunks: Any = "auto") -> Array:
    """Same as :func:`asarray` (NumPy's ``array`` copies; blocks are never shared).

    >>> array([[1, 2]]).shape
    (1, 2)
    """
    return asarray(a, dtype=dtype, chunks=chunks)


def _shape(shape: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        out = tuple(int(n) for n in shape)
    except TypeError:
        raise TypeError(f"shape must be an int or a tuple of ints, got {shape!r}") from None
    if any(n < 0 for n in out):
        raise ValueError(f"negative dimensions are not allowed (shape {out})")
    return out


def full(
    shape: int | Sequence[int], fill_value: Any, dtype: Any = None, chunks: Any = "auto"
) -> Array:
    """An array of ``shape`` filled with ``fill_value``.

    >>> full((2, 3), 7, chunks=2).compute()
    array([[7, 7, 7],
           [7, 7, 7]])
    """
    if np.ndim(fill_value) != 0:
        raise ValueError(
            f"fill_value must be a scalar, got an array of shape {np.shape(fill_value)}"
        )
    shape = _shape(shape)
    dtype = np.dtype(dtype) if dtype is not None else np.array(fill_value).dtype
    normalized = normalize_chunks(chunks, shape, dtype=dtype)
    return _constant("full", shape, normalized, dtype, fill_value)


def _constant(kind: str, shape: tuple[int, ...], chunks: Any, dtype: Any, value: Any) -> Array:
    name = f"{kind}-{tokenize(shape, chunks, dtype, value)}"
    layer = {
        (name, *idx): (
            full_block,
            tuple(c[i] for c, i in zip(chunks, idx, strict=True)),
            value,
            dtype,
        )
        for idx in product(*(range(len(c)) for c in chunks))
    }
    return new_array(name, layer, chunks, dtype)


def ones(shape: int | Sequence[int], dtype: Any = float, chunks: Any = "auto") -> Array:
    """An array of ones.

    >>> ones(3, chunks=2).compute()
    array([1., 1., 1.])
    """
    shape = _shape(shape)
    return _constant(
        "ones", shape, normalize_chunks(chunks, shape, dtype=dtype), np.dtype(dtype), 1
    )


def zeros(shape: int | Sequence[int], dtype: Any = float, chunks: Any = "auto") -> Array:
    """An array of zeros.

    >>> zeros((2,), dtype=int).compute()
    array([0, 0])
    """
    shape = _shape(shape)
    return _constant(
        "zeros", shape, normalize_chunks(chunks, shape, dtype=dtype), np.dtype(dtype), 0
    )


def empty(shape: int | Sequence[int], dtype: Any = float, chunks: Any = "auto") -> Array:
    """An array whose values are not set (zeros here, to stay deterministic).

    >>> empty((2, 2), chunks=1).shape
    (2, 2)
    """
    shape = _shape(shape)
    return _constant(
        "empty", shape, normalize_chunks(chunks, shape, dtype=dtype), np.dtype(dtype), 0
    )


def _like(a: Any, dtype: Any, chunks: Any, shape: Any) -> tuple[Any, Any, Any]:
    shape = tuple(a.shape) if shape is None else shape
    dtype = a.dtype if dtype is None else dtype
    if chunks is None:
        chunks = a.chunks if isinstance(a, Array) and shape == a.shape else "auto"
    return shape, dtype, chunks


def ones_like(a: Any, dtype: Any = None, chunks: Any = None, shape: Any = None) -> Array:
    """Ones with the shape, dtype and chunks of ``a``.

    >>> ones_like(arange(3, chunks=2)).compute()
    array([1, 1, 1])
    """
    shape, dtype, chunks = _like(a, dtype, chunks, shape)
    return ones(shape, dtype=dtype, chunks=chunks)


def zeros_like(a: Any, dtype: Any = None, chunks: Any = None, shape: Any = None) -> Array:
    """Zeros with the shape, dtype and chunks of ``a``.

    >>> zeros_like(np.ones(2)).compute()
    array([0., 0.])
    """
    shape, dtype, chunks = _like(a, dtype, chunks, shape)
    return zeros(shape, dtype=dtype, chunks=chunks)


def empty_like(a: Any, dtype: Any = None, chunks: Any = None, shape: Any = None) -> Array:
    """An unset array with the shape, dtype and chunks of ``a``.

    >>> empty_like(np.ones((2, 3))).shape
    (2, 3)
    """
    shape, dtype, chunks = _like(a, dtype, chunks, shape)
    return empty(shape, dtype=dtype, chunks=chunks)


def full_like(
    a: Any, fill_value: Any, dtype: Any = None, chunks: Any = None, shape: Any = None
) -> Array:
    """``fill_value`` with the shape, dtype and chunks of ``a``.

    >>> full_like(np.ones(2, dtype=int), 5).compute()
    array([5, 5])
    """
    shape, dtype, chunks = _like(a, dtype, chunks, shape)
    return full(shape, fill_value, dtype=dtype, chunks=chunks)


def arange(*args: Any, chunks: Any = "auto", dtype: Any = None) -> Array:
    """Evenly spaced values in ``[start, stop)``, like :func:`numpy.arange`.

    Parameters
    ----------
    start, stop, step : numbers
        As for ``np.arange``: ``arange(stop)``, ``arange(start, stop)`` or
        ``arange(start, stop, step)``.
    chunks : chunk spec
    dtype : dtype, optional

    Examples
    --------
    >>> arange(5, chunks=2).compute()
    array([0, 1, 2, 3, 4])
    >>> arange(10, 0, -3, chunks=2).compute()
    array([10,  7,  4,  1])
    >>> arange(3.0).dtype, arange(np.float32(3)).dtype  # as np.arange
    (dtype('float64'), dtype('float64'))
    """
    if not 1 <= len(args) <= 3:
        raise TypeError(
            f"arange takes 1 to 3 positional arguments (start, stop, step), got {len(args)}"
        )
    start, stop, step = (0, args[0], 1) if len(args) == 1 else (*args, 1)[:3]
    if step == 0:
        raise ValueError("Maximum allowed size exceeded: arange step must not be zero")
    n = max(math.ceil((stop - start) / step), 0)
    dtype = np.dtype(dtype) if dtype is not None else _arange_dtype(start, stop, step)
    normalized = normalize_chunks(chunks, (n,), dtype=dtype)
    name = f"arange-{tokenize(start, stop, step, normalized, dtype)}"
    bounds = chunk_bounds(normalized[0])
    layer = {
        (name, i): (range_block, start, step, bounds[i], bounds[i + 1], dtype)
        for i in range(len(normalized[0]))
    }
    return new_array(name, layer, normalized, dtype)


def _arange_dtype(*args: Any) -> np.dtype[Any]:
    """The dtype ``np.arange(*args)`` gives: at least the platform integer, promoted with
    the dtype NumPy finds for each argument (so ``np.float32(5)`` gives float64)."""
    dtype = np.dtype(np.intp)
    for a in args:
        dtype = np.promote_types(dtype, np.asarray(a).dtype)
    return dtype


def linspace(
    start: float,
    stop: float,
    num: int = 50,
    endpoint: bool = True,
    chunks: Any = "auto",
    dtype: Any = None,
) -> Array:
    """``num`` evenly spaced values from ``start`` to ``stop``, like :func:`numpy.linspace`.

    >>> linspace(0, 1, 5, chunks=2).compute()
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    >>> linspace(np.float32(0), np.float32(1), 3).dtype
    dtype('float32')
    >>> linspace(-5, 0, 4, dtype=int, chunks=2).compute()  # rounded down, as NumPy does
    array([-5, -4, -2,  0])
    >>> linspace(np.float32(0), asarray(np.float32(2)), 3, chunks=2).compute()  # lazy stop
    array([0., 1., 2.], dtype=float32)
    """
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    lazy = [b for b in (start, stop) if isinstance(b, Array)]
    if any(b.ndim for b in lazy):
        raise ValueError(
            f"linspace takes scalars or 0-d tessera arrays as start and stop, got shapes "
            f"{[b.shape for b in lazy]}; for several ranges build them one by one and stack."
        )
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else 0.0
    # NumPy's: Python scalars are weak, 0-d arrays are not
    ends = [np.empty((), b.dtype) if isinstance(b, Array) else b for b in (start, stop)]
    computed = np.result_type(*ends, float(num))
    dtype = computed if dtype is None else np.dtype(dtype)
    if dtype.kind in "iu":
        from tessera.array.elementwise import astype, elemwise

        values = linspace(start, stop, num, endpoint, chunks, computed)
        return astype(elemwise(np.floor, values), dtype)
    normalized = normalize_chunks(chunks, (num,), dtype=dtype)
    name = f"linspace-{tokenize(start, stop, num, endpoint, normalized, dtype)}"
    bounds = chunk_bounds(normalized[0])
    last = num - 1 if endpoint and num > 1 else -1
    lo, by, hi = [(b.name,) if isinstance(b, Array) else b for b in (start, step, stop)]
    layer = {
        (name, i): (linspace_block, lo, by, bounds[i], bounds[i + 1], last, hi, dtype)
        for i in range(len(normalized[0]))
    }
    inputs = [b for b in (start, step, stop) if isinstance(b, Array)]
    return new_array(name, layer, normalized, dtype, inputs=inputs)


def _eye_block(rows: int, cols: int, k: int, dtype: Any) -> np.ndarray:
    return np.eye(rows, cols, k=k, dtype=dtype)


def eye(
    N: int, chunks: Any = "auto", M: int | None = None, k: int = 0, dtype: Any = float
) -> Array:
    """A 2-D array with ones on the ``k``-th diagonal, like :func:`numpy.eye`.

    >>> eye(2, M=3, k=1, chunks=2).compute()
    array([[0., 1., 0.],
           [0., 0., 1.]])
    """
    M = N if M is None else M
    normalized = normalize_chunks(chunks, (N, M), dtype=dtype)
    name = f"eye-{tokenize(N, M, k, normalized, dtype)}"
    rb, cb = chunk_bounds(normalized[0]), chunk_bounds(normalized[1])
    layer = {
        (name, i, j): (_eye_block, normalized[0][i], normalized[1][j], k + rb[i] - cb[j], dtype)
        for i in range(len(normalized[0]))
        for j in range(len(normalized[1]))
    }
    return new_array(name, layer, normalized, dtype)
