"""Boolean masks and what follows from them: arrays whose chunk sizes are unknown.

Map
---
- :func:`mask` -- ``x[m]`` for a lazy boolean array ``m`` covering some axes of ``x``:
  one task per block pair, the selected elements of each block become one block of a
  flat axis whose sizes are unknown (``nan`` in ``chunks`` and ``shape``, like Dask).
- :func:`compute_chunk_sizes` -- also ``Array.compute_chunk_sizes()``: a new array with
  the same graph and known chunks (computes the shapes of the blocks it must).
- :func:`is_unknown`, :func:`unknown_error`, :func:`check_known` -- the check and the
  error every operation that needs sizes uses ("call ``compute_chunk_sizes()``").

Policy: masking never computes anything.  A 1-d mask is rechunked like the axis it
masks; output block ``i`` holds the elements of input block ``i`` the mask keeps.  A
mask over several axes is applied, as Dask does, to those axes flattened (a reshape),
so the elements come out in NumPy's C order.

>>> import numpy as np, tessera.array as da
>>> x = da.arange(10, chunks=4)
>>> y = x[x % 3 == 0]
>>> y.chunks
((nan, nan, nan),)
>>> y.compute_chunk_sizes().chunks
((2, 1, 1),)
>>> y.compute()
array([0, 3, 6, 9])
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import product
from typing import Any

import numpy as np

from tessera.array.core import Array, new_array
from tessera.array.rechunk import rechunk
from tessera.base import Collection, compute
from tessera.hashing import tokenize

__all__ = ["check_known", "compute_chunk_sizes", "is_unknown", "mask", "unknown_error"]


def is_unknown(chunks: Iterable[float]) -> bool:
    """Whether some of ``chunks`` (one axis) are unknown (``nan``).

    >>> is_unknown((2, float("nan"))), is_unknown((2, 3))
    (True, False)
    """
    return any(c != c for c in chunks)


def unknown_error(what: str, chunks: Any) -> ValueError:
    """The error for an operation that needs chunk sizes that are unknown.

    >>> print(unknown_error("Reshaping", ((float("nan"),),)))
    Reshaping needs known chunk sizes, but this array's chunks are ((nan,),) ...
    """
    return ValueError(
        f"{what} needs known chunk sizes, but this array's chunks are {chunks} (nan means "
        "unknown, e.g. after boolean indexing). Compute them first: "
        "x = x.compute_chunk_sizes()."
    )


def check_known(x: Array, what: str, axes: Iterable[int] | None = None) -> None:
    """Raise :func:`unknown_error` if the chunks of ``x`` along ``axes`` are unknown.

    >>> import tessera.array as da
    >>> check_known(da.ones(3, chunks=2), "Reshaping")
    """
    axes = range(x.ndim) if axes is None else axes
    if any(is_unknown(x.chunks[ax]) for ax in axes):
        raise unknown_error(what, x.chunks)


def _mask_block(block: np.ndarray, m: np.ndarray, axis: int) -> np.ndarray:
    return block[(slice(None),) * axis + (m,)]


def mask(x: Array, m: Array, axis: int = 0) -> Array:
    """``x[..., m, ...]``: the lazy boolean array ``m`` applied to axes ``axis ...``.

    Parameters
    ----------
    x : Array
        The array.
    m : Array of bool
        Its shape must equal ``x.shape[axis:axis + m.ndim]``.
    axis : int
        The first axis ``m`` covers.

    Returns
    -------
    Array
        ``m``'s axes replaced by one axis of unknown length, one block per block of the
        (flattened) mask.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(12).reshape(3, 4), chunks=2)
    >>> keep = da.from_array(np.array([True, False, True, True]), chunks=2)
    >>> y = mask(x, keep, axis=1)
    >>> y.chunks
    ((2, 1), (nan, nan))
    >>> y.compute()
    array([[ 0,  2,  3],
           [ 4,  6,  7],
           [ 8, 10, 11]])
    """
    covered = x.shape[axis : axis + m.ndim]
    if m.ndim == 0 or len(covered) < m.ndim:
        raise IndexError(
            f"A boolean index of shape {m.shape} cannot cover the axes from {axis} on of an "
            f"array of shape {x.shape}"
        )
    for k, (n, p) in enumerate(zip(covered, m.shape, strict=True)):
        if n == n and p == p and n != p:
            raise IndexError(
                f"boolean index did not match indexed array along axis {axis + k}; size of "
                f"axis is {n} but size of corresponding boolean axis is {p}"
            )
    if m.ndim > 1:  # NumPy's order is C order over the masked axes: flatten them first
        from tessera.array.reshape import reshape

        check_known(x, f"Boolean indexing with a {m.ndim}-dimensional mask")
        check_known(m, f"Boolean indexing with a {m.ndim}-dimensional mask")
        x = reshape(x, (*x.shape[:axis], -1, *x.shape[axis + m.ndim :]))
        m = reshape(m, (-1,))
    axes = range(axis, axis + m.ndim)
    if m.chunks != x.chunks[axis : axis + m.ndim]:  # the (smaller) mask follows x's chunks
        check_known(x, "Boolean indexing with a mask chunked differently", axes)
        check_known(m, "Boolean indexing with a mask chunked differently")
        m = rechunk(m, x.chunks[axis : axis + m.ndim])
    name = f"getitem-mask-{tokenize(x, m, axis)}"
    layer: dict[Any, Any] = {}
    for idx in product(*(range(n) for n in x.numblocks)):
        out_key = (name, *idx)
        layer[out_key] = (_mask_block, (x.name, *idx), (m.name, idx[axis]), axis)
    chunks = (*x.chunks[:axis], (math.nan,) * m.npartitions, *x.chunks[axis + 1 :])
    return new_array(name, layer, chunks, x.dtype, inputs=[x, m])


class _BlockShapes(Collection):
    """The shapes of some blocks of an array, as a computable collection."""

    def __init__(self, x: Array, blocks: list[tuple[int, ...]]) -> None:
        self.x = x
        self.name = f"chunk-shapes-{tokenize(x, blocks)}"
        self.layer = {(self.name, i): (np.shape, (x.name, *b)) for i, b in enumerate(blocks)}

    def __tessera_graph__(self) -> dict[Any, Any]:
        dsk = dict(self.x.__tessera_graph__())
        dsk.update(self.layer)
        return dsk

    def __tessera_keys__(self) -> list[Any]:
        return list(self.layer)

    def __tessera_postcompute__(self) -> tuple[Any, tuple[Any, ...]]:
        return list, ()


def compute_chunk_sizes(x: Array, **kwargs: Any) -> Array:
    """A copy of ``x`` with known chunk sizes (computes the shapes of its blocks).

    Only the blocks needed are computed: along each axis with unknown sizes, the blocks
    in the first row of the other axes.  Keyword arguments go to ``compute``
    (``scheduler=`` ...).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(6), chunks=3)
    >>> y = x[x > 1]
    >>> y.shape
    (nan,)
    >>> y.compute_chunk_sizes().shape
    (4,)
    >>> compute_chunk_sizes(y, scheduler="sync").chunks
    ((1, 3),)
    """
    unknown = [ax for ax in range(x.ndim) if is_unknown(x.chunks[ax])]
    if not unknown:
        return x
    needed: dict[tuple[int, ...], None] = {}
    for ax in unknown:
        for i in range(x.numblocks[ax]):
            needed[tuple(i if a == ax else 0 for a in range(x.ndim))] = None
    blocks = list(needed)
    (shapes,) = compute(_BlockShapes(x, blocks), **kwargs)
    chunks = [list(c) for c in x.chunks]
    for b, shape in zip(blocks, shapes, strict=True):
        for ax in unknown:
            chunks[ax][b[ax]] = shape[ax]
    return Array(x.layers, x.name, tuple(tuple(c) for c in chunks), x.dtype)


Array.compute_chunk_sizes = compute_chunk_sizes  # type: ignore[attr-defined]
