"""Joining arrays: :func:`concatenate`, :func:`stack` and the ``*stack`` shorthands.

Map
---
- :func:`concatenate` -- along an existing axis: the blocks of the inputs placed one
  after the other (no data is touched unless dtypes differ, then each block is cast).
- :func:`stack` -- along a new axis: :func:`~tessera.array.routines.expand_dims` then
  :func:`concatenate`.
- :func:`hstack`, :func:`vstack`, :func:`dstack` -- NumPy's definitions on top of those.
- :func:`block` -- nested lists of arrays joined level by level (innermost along the last
  axis), as ``np.block``.

Policy: the other axes must have equal lengths (NumPy's ``ValueError`` otherwise) and are
rechunked to the coarsest chunks that refine every input's; the result dtype is NumPy's
``result_type`` of the inputs.  Inputs may be NumPy arrays or anything ``asarray`` takes.
Lengths along the joining axis may be unknown (``nan``); along the other axes only with
``allow_unknown_chunksizes=True``, as in Dask.

>>> import numpy as np, tessera.array as da
>>> a, b = da.ones((2, 3), chunks=2), da.zeros((1, 3), chunks=2)
>>> c = concatenate([a, b])
>>> c.chunks
((2, 1), (2, 1))
>>> stack([a, a], axis=1).shape
(2, 2, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from typing import Any

import numpy as np

from tessera.array.axes import normalize_axis
from tessera.array.blockwise import common_chunks
from tessera.array.core import Array, new_array
from tessera.array.masking import is_unknown, unknown_error
from tessera.array.rechunk import rechunk
from tessera.hashing import tokenize

__all__ = ["block", "concatenate", "dstack", "hstack", "stack", "vstack"]


def _arrays(seq: Sequence[Any]) -> list[Array]:
    from tessera.array.creation import asarray

    if isinstance(seq, Array) or not hasattr(seq, "__iter__"):
        raise TypeError(f"expected a sequence of arrays, got {type(seq).__name__}")
    arrays = [asarray(a) for a in seq]
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    return arrays


def _cast(block: np.ndarray, dtype: Any) -> np.ndarray:
    return block.astype(dtype)


def concatenate(
    seq: Sequence[Any], axis: int = 0, allow_unknown_chunksizes: bool = False
) -> Array:
    """Join arrays along an existing axis, like ``np.concatenate``.

    Parameters
    ----------
    seq : sequence of array-like
        The arrays; equal shapes except along ``axis``.
    axis : int
        The axis to join along.
    allow_unknown_chunksizes : bool
        Join even when another axis has unknown lengths (``nan``), trusting that they
        are equal (they must have as many blocks); otherwise that raises ``ValueError``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.arange(3, chunks=2)
    >>> concatenate([x, np.array([9.5])]).compute()
    array([0. , 1. , 2. , 9.5])
    >>> concatenate([da.ones((2, 3)), da.ones((2, 4))])
    Traceback (most recent call last):
    ...
    ValueError: all the input array dimensions except for the concatenation axis must match
    exactly, but along dimension 1, the array at index 0 has size 3 and the array at index 1
    has size 4
    """
    arrays = _arrays(seq)
    ndim = arrays[0].ndim
    if ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    for k, a in enumerate(arrays):
        if a.ndim != ndim:
            raise ValueError(
                "all the input arrays must have same number of dimensions, but the array at "
                f"index 0 has {ndim} dimension(s) and the array at index {k} has {a.ndim} "
                "dimension(s)"
            )
    axis = normalize_axis(axis, ndim)
    dtype = np.result_type(*(a.dtype for a in arrays))
    common: dict[int, tuple[int, ...]] = {}
    for ax in range(ndim):
        if ax == axis:
            continue
        for k, a in enumerate(arrays):
            n0, n = arrays[0].shape[ax], a.shape[ax]
            if n0 == n0 and n == n and n0 != n:
                raise ValueError(
                    "all the input array dimensions except for the concatenation axis must "
                    f"match exactly, but along dimension {ax}, the array at index 0 has size "
                    f"{n0} and the array at index {k} has size {n}"
                )
        all_chunks = [a.chunks[ax] for a in arrays]
        if any(map(is_unknown, all_chunks)):
            if not allow_unknown_chunksizes:
                raise unknown_error(
                    f"Concatenating arrays whose axis {ax} has unknown lengths (pass "
                    "allow_unknown_chunksizes=True if you know they are equal)",
                    [a.chunks for a in arrays],
                )
            if len({len(c) for c in all_chunks}) != 1:
                raise ValueError(
                    f"Cannot concatenate arrays with {sorted({len(c) for c in all_chunks})} "
                    f"blocks along axis {ax}, whose lengths are unknown; call "
                    "compute_chunk_sizes() on them first."
                )
        elif any(c != all_chunks[0] for c in all_chunks):
            common[ax] = common_chunks(all_chunks)
    if common:
        arrays = [rechunk(a, common) for a in arrays]
    if len(arrays) == 1:
        return arrays[0] if arrays[0].dtype == dtype else arrays[0].astype(dtype)  # type: ignore[attr-defined]
    name = f"concatenate-{tokenize(*arrays, axis, dtype)}"
    layer: dict[Any, Any] = {}
    offset = 0
    for a in arrays:
        for idx in product(*(range(n) for n in a.numblocks)):
            out = (name, *idx[:axis], idx[axis] + offset, *idx[axis + 1 :])
            key = (a.name, *idx)
            layer[out] = key if a.dtype == dtype else (_cast, key, dtype)
        offset += a.numblocks[axis]
    chunks = list(arrays[0].chunks)
    chunks[axis] = tuple(c for a in arrays for c in a.chunks[axis])
    return new_array(name, layer, tuple(chunks), dtype, inputs=arrays)


def stack(seq: Sequence[Any], axis: int = 0, allow_unknown_chunksizes: bool = False) -> Array:
    """Join arrays of equal shape along a new axis, like ``np.stack``.

    Parameters
    ----------
    seq : sequence of array-like
        The arrays, all of the same shape.
    axis : int
        The position of the new axis in the result.
    allow_unknown_chunksizes : bool
        As in :func:`concatenate`.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.arange(4, chunks=3)
    >>> stack([x, x + 10], axis=-1).compute()[:2]
    array([[ 0, 10],
           [ 1, 11]])
    >>> stack([x, da.ones(3)])
    Traceback (most recent call last):
    ...
    ValueError: all input arrays must have the same shape, got (4,) and (3,)
    """
    from tessera.array.routines import expand_dims

    arrays = _arrays(seq)
    for a in arrays[1:]:
        if a.ndim != arrays[0].ndim or any(
            n == n and m == m and n != m for n, m in zip(a.shape, arrays[0].shape, strict=True)
        ):
            raise ValueError(
                f"all input arrays must have the same shape, got {arrays[0].shape} and {a.shape}"
            )
    axis = normalize_axis(axis, arrays[0].ndim + 1)
    expanded = [expand_dims(a, axis) for a in arrays]
    return concatenate(expanded, axis=axis, allow_unknown_chunksizes=allow_unknown_chunksizes)


def vstack(tup: Sequence[Any]) -> Array:
    """Stack arrays row-wise: 1-d arrays become rows (``np.vstack``).

    >>> import tessera.array as da
    >>> vstack([da.ones(3), da.zeros(3)]).shape
    (2, 3)
    """
    from tessera.array.routines import atleast_2d

    return concatenate([atleast_2d(a) for a in _arrays(tup)], axis=0)


def hstack(tup: Sequence[Any]) -> Array:
    """Stack arrays column-wise: along axis 1, or axis 0 for 1-d arrays (``np.hstack``).

    >>> import tessera.array as da
    >>> hstack([da.ones(3), da.zeros(2)]).shape, hstack([da.ones((2, 1)), da.ones((2, 2))]).shape
    ((5,), (2, 3))
    """
    from tessera.array.routines import atleast_1d

    arrays = [atleast_1d(a) for a in _arrays(tup)]
    return concatenate(arrays, axis=0 if arrays[0].ndim == 1 else 1)


def dstack(tup: Sequence[Any]) -> Array:
    """Stack arrays depth-wise, along a third axis (``np.dstack``).

    >>> import tessera.array as da
    >>> dstack([da.ones((2, 3)), da.ones((2, 3))]).shape
    (2, 3, 2)
    """
    from tessera.array.routines import atleast_3d

    return concatenate([atleast_3d(a) for a in _arrays(tup)], axis=2)


def _block_depth(arrays: Any) -> int:
    """How deep the lists of ``arrays`` are nested, with NumPy's errors for tuples, empty
    lists and leaves at different depths."""
    first: list[int] = []

    def walk(x: Any, where: str, depth: int) -> None:
        if type(x) is tuple:
            raise TypeError(
                f"{where} is a tuple. Only lists can be used to arrange blocks, and np.block "
                "does not allow implicit conversion from tuple to ndarray."
            )
        if type(x) is not list:
            if not first:
                first.append(depth)
            elif depth != first[0]:
                raise ValueError(
                    f"List depths are mismatched. First element was at depth {first[0]}, "
                    f"but there is an element at depth {depth} ({where})"
                )
            return
        if not x:
            raise ValueError(f"List at {where} cannot be empty")
        for i, item in enumerate(x):
            walk(item, f"{where}[{i}]", depth + 1)

    walk(arrays, "arrays", 0)
    return first[0]


def block(arrays: Any, allow_unknown_chunksizes: bool = False) -> Array:
    """Assemble an array from nested lists of blocks, like :func:`numpy.block`.

    The innermost lists are joined along the last axis, the next ones along the axis
    before, and so on; arrays with fewer axes than that get leading axes of length 1.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> a = da.ones((2, 2), chunks=1, dtype=int)
    >>> block([[a, 2 * a], [np.zeros((1, 4), dtype=int)]]).compute()
    array([[1, 1, 2, 2],
           [1, 1, 2, 2],
           [0, 0, 0, 0]])
    >>> block([[a], a])
    Traceback (most recent call last):
    ...
    ValueError: List depths are mismatched. First element was at depth 2, but there is ...
    """
    from tessera.array.creation import asarray

    depth = _block_depth(arrays)

    def leaves(x: Any) -> list[Any]:
        return [y for item in x for y in leaves(item)] if type(x) is list else [x]

    ndim = max([depth] + [np.ndim(x) for x in leaves(arrays)])

    def build(x: Any, level: int) -> Array:
        if level == depth:
            a = asarray(x)
            return a[(None,) * (ndim - a.ndim)] if a.ndim < ndim else a  # type: ignore[index]
        parts = [build(item, level + 1) for item in x]
        return concatenate(parts, level - depth, allow_unknown_chunksizes)

    return build(arrays, 0)
