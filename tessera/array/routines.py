"""Shape routines: moving, adding, removing and flipping axes, broadcasting.

Map
---
- :func:`transpose` (``Array.T``, ``Array.transpose``), :func:`swapaxes`,
  :func:`moveaxis` -- one :func:`~tessera.array.blockwise.blockwise` call: block
  ``(i, j)`` of the result is block ``(j, i)`` of the input, transposed.
- :func:`squeeze`, :func:`expand_dims`, :func:`atleast_1d`, :func:`atleast_2d`,
  :func:`atleast_3d`, :func:`flip`, :func:`flipud`, :func:`fliplr` -- an index
  (``0``, ``None``, ``::-1``) handed to :func:`~tessera.array.slicing.basic_index`.
- :func:`broadcast_to` -- each output block is a broadcast view of one input block.
- Re-exported so ``da.<name>`` finds them: :func:`~tessera.array.reshape.reshape`,
  :func:`~tessera.array.reshape.ravel` and the joins of :mod:`~tessera.array.concat`
  (``concatenate``, ``stack``, ``hstack``, ``vstack``, ``dstack``, ``block``).

Errors follow NumPy's types (``AxisError`` for a bad axis, ``ValueError`` for shapes).

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.arange(6).reshape(2, 3), chunks=2)
>>> x.T.chunks
((2, 1), (2,))
>>> da.moveaxis(x[None], 0, -1).shape
(2, 3, 1)
>>> da.flip(x, 1).compute()
array([[2, 1, 0],
       [5, 4, 3]])
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from typing import Any

import numpy as np

from tessera.array.axes import normalize_axes, normalize_axis
from tessera.array.blockwise import blockwise
from tessera.array.chunks import normalize_chunks
from tessera.array.concat import block, concatenate, dstack, hstack, stack, vstack
from tessera.array.core import Array, new_array
from tessera.array.masking import check_known
from tessera.array.rechunk import rechunk
from tessera.array.reshape import ravel, reshape
from tessera.array.slicing import basic_index
from tessera.hashing import tokenize

__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "block",
    "broadcast_to",
    "concatenate",
    "dstack",
    "expand_dims",
    "flip",
    "fliplr",
    "flipud",
    "hstack",
    "moveaxis",
    "ravel",
    "reshape",
    "squeeze",
    "stack",
    "swapaxes",
    "transpose",
    "vstack",
]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def transpose(x: Array, axes: Sequence[int] | None = None) -> Array:
    """Permute the axes of ``x`` (reverse them by default), like ``np.transpose``.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.ones((2, 3, 4), chunks=2)
    >>> transpose(x).shape, transpose(x, (1, 0, 2)).chunks
    ((4, 3, 2), ((2, 1), (2,), (2, 2)))
    >>> transpose(x, (0, 1))
    Traceback (most recent call last):
    ...
    ValueError: axes (0, 1) don't match array: an array of dimension 3 needs a permutation ...
    """
    if axes is None:
        perm = tuple(range(x.ndim))[::-1]
    else:
        perm = normalize_axes(tuple(axes), x.ndim)
        if len(perm) != x.ndim:
            raise ValueError(
                f"axes {tuple(axes)} don't match array: an array of dimension {x.ndim} needs "
                f"a permutation of {x.ndim} axes"
            )
    if perm == tuple(range(x.ndim)):
        return x
    letters = _LETTERS[: x.ndim]
    out = "".join(letters[a] for a in perm)
    return blockwise(np.transpose, out, x, letters, dtype=x.dtype, align_arrays=False, axes=perm)


def swapaxes(x: Array, axis1: int, axis2: int) -> Array:
    """``x`` with two axes interchanged, like ``np.swapaxes``.

    >>> import tessera.array as da
    >>> swapaxes(da.ones((2, 3, 4), chunks=2), 0, -1).shape
    (4, 3, 2)
    """
    a, b = normalize_axis(axis1, x.ndim), normalize_axis(axis2, x.ndim)
    perm = list(range(x.ndim))
    perm[a], perm[b] = b, a
    return transpose(x, perm)


def moveaxis(x: Array, source: int | Sequence[int], destination: int | Sequence[int]) -> Array:
    """Move axes to new positions, the others keeping their order (``np.moveaxis``).

    >>> import tessera.array as da
    >>> x = da.ones((2, 3, 4), chunks=2)
    >>> moveaxis(x, 0, -1).shape, moveaxis(x, [0, 1], [-1, -2]).shape
    ((3, 4, 2), (4, 3, 2))
    """
    src = normalize_axes(source, x.ndim, "axis in `source` argument")
    dst = normalize_axes(destination, x.ndim, "axis in `destination` argument")
    if len(src) != len(dst):
        raise ValueError(
            "`source` and `destination` arguments must have the same number of elements, "
            f"got {src} and {dst}"
        )
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return transpose(x, order)


def squeeze(x: Array, axis: int | Sequence[int] | None = None) -> Array:
    """Remove axes of length one (all of them, or those named), like ``np.squeeze``.

    >>> import tessera.array as da
    >>> x = da.ones((1, 3, 1), chunks=2)
    >>> squeeze(x).shape, squeeze(x, axis=-1).shape
    ((3,), (1, 3))
    >>> squeeze(x, 1)
    Traceback (most recent call last):
    ...
    ValueError: cannot select an axis to squeeze out which has size not equal to one: axis 1
    of shape (1, 3, 1) has size 3
    """
    if axis is None:
        axes = tuple(a for a, n in enumerate(x.shape) if n == 1)
    else:
        axes = normalize_axes(axis, x.ndim)
        check_known(x, "Squeezing", axes)
        for a in axes:
            if x.shape[a] != 1:
                raise ValueError(
                    "cannot select an axis to squeeze out which has size not equal to one: "
                    f"axis {a} of shape {x.shape} has size {x.shape[a]}"
                )
    return basic_index(x, [0 if a in axes else slice(None) for a in range(x.ndim)])


def expand_dims(x: Array, axis: int | Sequence[int]) -> Array:
    """Insert axes of length one at the positions ``axis`` of the result (``np.expand_dims``).

    >>> import tessera.array as da
    >>> x = da.ones((2, 3), chunks=2)
    >>> expand_dims(x, 0).shape, expand_dims(x, (0, -1)).shape
    ((1, 2, 3), (1, 2, 3, 1))
    """
    ndim = x.ndim + (1 if isinstance(axis, (int, np.integer)) else len(axis))
    axes = normalize_axes(axis, ndim)
    return basic_index(x, [None if a in axes else slice(None) for a in range(ndim)])


def _atleast(arys: tuple[Any, ...], where: Any) -> Any:
    from tessera.array.creation import asarray

    out = []
    for a in arys:
        a = asarray(a)
        out.append(basic_index(a, where(a.ndim)) if where(a.ndim) is not None else a)
    return out[0] if len(out) == 1 else tuple(out)


def atleast_1d(*arys: Any) -> Any:
    """Arrays with at least one axis (a 0-d array becomes shape ``(1,)``).

    >>> import tessera.array as da
    >>> atleast_1d(da.asarray(5)).shape, [a.shape for a in atleast_1d(1, da.ones(2))]
    ((1,), [(1,), (2,)])
    """
    return _atleast(arys, lambda n: [None] if n == 0 else None)


def atleast_2d(*arys: Any) -> Any:
    """Arrays with at least two axes: ``(N,)`` becomes ``(1, N)``.

    >>> import tessera.array as da
    >>> atleast_2d(da.ones(3, chunks=2)).shape
    (1, 3)
    """
    return _atleast(arys, lambda n: [None] * (2 - n) + [slice(None)] * n if n < 2 else None)


def atleast_3d(*arys: Any) -> Any:
    """Arrays with at least three axes: ``(N,)`` becomes ``(1, N, 1)``, ``(M, N)`` ``(M, N, 1)``.

    >>> import tessera.array as da
    >>> atleast_3d(da.ones(3, chunks=2)).shape, atleast_3d(da.ones((2, 3))).shape
    ((1, 3, 1), (2, 3, 1))
    """
    where = {0: [None, None, None], 1: [None, slice(None), None], 2: [slice(None)] * 2 + [None]}
    return _atleast(arys, where.get)


def flip(x: Array, axis: int | Sequence[int] | None = None) -> Array:
    """Reverse the order of elements along ``axis`` (all axes by default), like ``np.flip``.

    >>> import tessera.array as da
    >>> flip(da.arange(5, chunks=2)).compute()
    array([4, 3, 2, 1, 0])
    """
    axes = range(x.ndim) if axis is None else normalize_axes(axis, x.ndim)
    return basic_index(
        x, [slice(None, None, -1) if a in axes else slice(None) for a in range(x.ndim)]
    )


def flipud(x: Array) -> Array:
    """Reverse the order along axis 0 (``np.flipud``).

    >>> import tessera.array as da
    >>> flipud(da.arange(3, chunks=2)).compute()
    array([2, 1, 0])
    """
    if x.ndim < 1:
        raise ValueError(f"Input must be >= 1-d, got an array of shape {x.shape}")
    return flip(x, 0)


def fliplr(x: Array) -> Array:
    """Reverse the order along axis 1 (``np.fliplr``).

    >>> import tessera.array as da
    >>> fliplr(da.ones((2, 3), chunks=2)).shape
    (2, 3)
    """
    if x.ndim < 2:
        raise ValueError(f"Input must be >= 2-d, got an array of shape {x.shape}")
    return flip(x, 1)


def broadcast_to(x: Any, shape: Sequence[int], chunks: Any = None) -> Array:
    """``x`` broadcast to ``shape`` (``np.broadcast_to``), each block a broadcast view.

    Parameters
    ----------
    x : array-like
        The array.
    shape : tuple of int
        The target shape; ``x``'s shape must broadcast to it.
    chunks : chunk spec, optional
        Chunks of the result.  Default: ``x``'s chunks on its axes, one block along
        new and broadcast axes.

    Examples
    --------
    >>> import tessera.array as da
    >>> y = broadcast_to(da.arange(3, chunks=2), (2, 3))
    >>> y.chunks, y.compute()[1]
    (((2,), (2, 1)), array([0, 1, 2]))
    >>> broadcast_to(da.ones(3), (4,))
    Traceback (most recent call last):
    ...
    ValueError: cannot broadcast an array of shape (3,) to shape (4,): ...
    """
    from tessera.array.creation import asarray

    x = asarray(x)
    shape = tuple(int(n) for n in shape)
    lead = len(shape) - x.ndim
    if (
        lead < 0
        or any(n < 0 for n in shape)
        or any(o not in (1, n) for o, n in zip(x.shape, shape[lead:], strict=True))
    ):
        raise ValueError(
            f"cannot broadcast an array of shape {x.shape} to shape {shape}: each axis of "
            "the array must have the length of the matching trailing axis, or 1"
        )
    if shape == x.shape and chunks is None:
        return x
    check_known(x, "Broadcasting")
    stretched = [lead + a for a in range(x.ndim) if x.shape[a] != shape[lead + a]]
    if chunks is None:
        out_chunks = tuple(
            (n,) if a < lead or a in stretched else x.chunks[a - lead] for a, n in enumerate(shape)
        )
    else:
        out_chunks = normalize_chunks(chunks, shape, dtype=x.dtype)
        kept = {a - lead: out_chunks[a] for a in range(lead, len(shape)) if a not in stretched}
        x = rechunk(x, kept)
    name = f"broadcast_to-{tokenize(x, shape, out_chunks)}"
    layer: dict[Any, Any] = {}
    for idx in product(*(range(len(c)) for c in out_chunks)):
        src = tuple(0 if lead + a in stretched else idx[lead + a] for a in range(x.ndim))
        block_shape = tuple(out_chunks[a][i] for a, i in enumerate(idx))
        out_key = (name, *idx)
        layer[out_key] = (np.broadcast_to, (x.name, *src), block_shape)
    return new_array(name, layer, out_chunks, x.dtype, inputs=[x])


def _transpose_method(self: Array, *axes: Any) -> Array:
    if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], (int, np.integer))):
        return transpose(self, axes[0])  # x.transpose((1, 0)) or x.transpose(None)
    return transpose(self, axes or None)


def _transposed(self: Array) -> Array:
    """The array with its axes reversed, ``x.transpose()``.

    >>> import tessera.array as da
    >>> da.ones((2, 3), chunks=2).T.shape
    (3, 2)
    """
    return transpose(self)


Array.T = property(_transposed)  # type: ignore[attr-defined]
Array.transpose = _transpose_method  # type: ignore[attr-defined]
Array.swapaxes = swapaxes  # type: ignore[attr-defined]
Array.squeeze = squeeze  # type: ignore[attr-defined]
