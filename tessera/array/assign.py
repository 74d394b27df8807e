"""Item assignment: ``x[index] = value`` builds a new graph for ``x``.

Map
---
- :func:`setitem` -- the array ``x`` would be after ``x[index] = value`` (NumPy's rules);
  ``Array.__setitem__`` rebinds the array to it (see :mod:`~tessera.array.core`).

Policy: arrays stay immutable values; assignment makes a new graph and the assigned-to
Python object takes it over (its ``name`` changes, other arrays built from it keep the
old values).  Two kinds of index:

- a boolean mask (tessera or NumPy) covering the leading axes, with a scalar (or 0-d)
  value: one ``where`` over the blocks;
- integers, slices and one 1-d integer or boolean array (NumPy, list), with a value
  broadcastable to the selection (scalar, NumPy or tessera array).  Several arrays
  raise ``NotImplementedError`` (NumPy pairs them pointwise).  Each block of ``x``
  that the selection touches becomes one task assigning the matching piece of the
  value (a tessera value is first rechunked so that its blocks are these pieces);
  untouched blocks are kept as they are.

The value is cast to ``x.dtype`` as NumPy assignment does, so ``x.dtype`` never changes:
a Python scalar or list is converted up front by NumPy's own assignment (so ``300`` into
``uint8`` raises ``OverflowError`` and ``nan`` into integers ``ValueError``, at graph-build
time); NumPy scalars, NumPy and tessera arrays are cast block by block (``unsafe``, as in NumPy).

>>> import tessera.array as da
>>> x = da.arange(8, chunks=3)
>>> setitem(x, slice(2, 7, 2), [-1, -2, -3]).compute()
array([ 0,  1, -1,  3, -2,  5, -3,  7])
>>> setitem(x, x > 5, 0).compute()
array([0, 1, 2, 3, 4, 5, 0, 0])
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np

from tessera.array.chunks import chunk_bounds
from tessera.array.core import Array, new_array
from tessera.array.masking import is_unknown, unknown_error
from tessera.hashing import tokenize

__all__ = ["setitem"]


def _assign(
    block: np.ndarray, index: tuple[Any, ...], value: Any, ints: tuple[int, ...]
) -> np.ndarray:
    """A copy of ``block`` with ``value`` (given length-1 axes ``ints``) put at ``index``."""
    out = block.copy()
    out[index] = np.expand_dims(value, ints) if ints else value
    return out


def _converted(value: Any, dtype: np.dtype[Any]) -> Any:
    """``value`` cast by NumPy's assignment rules if it is not an array (else unchanged).

    NumPy checks Python scalars and lists when assigning them (``300`` into ``uint8``
    raises ``OverflowError``, ``nan`` into integers ``ValueError``) but casts arrays and
    NumPy scalars unsafely; assigning into an empty array of ``dtype`` does the same.
    """
    if isinstance(value, (Array, np.ndarray, np.generic)):
        return value
    out = np.empty(np.shape(value), dtype)
    out[...] = value
    return out


def _mask_assign(x: Array, mask: Any, value: Any) -> Array:
    """``x[mask] = value`` for a boolean mask over the leading axes and a scalar value."""
    from tessera.array.creation import from_array
    from tessera.array.elementwise import elemwise

    if np.ndim(value) != 0:
        raise ValueError(
            f"Assigning through a boolean mask needs a scalar value, got shape "
            f"{np.shape(value)}: the number of selected elements is not known in advance. "
            "Use da.where(mask, values, x) to take elements from an array of x's shape."
        )
    lead = x.shape[: mask.ndim]
    same_blocks = isinstance(mask, Array) and mask.chunks == x.chunks[: mask.ndim]
    if any(is_unknown(c) for c in x.chunks[: mask.ndim]) and not same_blocks:
        raise unknown_error("Assigning through a boolean mask of other chunks", x.chunks)
    if mask.shape != lead and not is_unknown(mask.chunks[0]):
        raise IndexError(
            f"boolean index did not match indexed array: the mask has shape {mask.shape} but "
            f"the axes it covers have shape {lead}"
        )
    if isinstance(mask, np.ndarray):
        mask = from_array(mask, chunks=x.chunks[: mask.ndim])
    if mask.ndim < x.ndim:
        mask = mask[(Ellipsis,) + (None,) * (x.ndim - mask.ndim)]
    if isinstance(value, Array):
        value = value.astype(x.dtype)  # type: ignore[attr-defined]
    else:
        value = np.asarray(_converted(value, x.dtype)).astype(x.dtype)
    return elemwise(np.where, mask, value, x, dtype=x.dtype)


def _selection(entry: Any, n: int, axis: int) -> tuple[Any, Any]:
    """The positions an index entry selects, ascending, and how the value is reordered.

    Positions are a ``range`` for an int or a slice (never materialized), a sorted array
    for an integer or boolean array.  The reordering is None, ``"flip"`` (a negative
    step) or the stable argsort of the array (so that, as in NumPy, the last of
    repeated positions wins).
    """
    if isinstance(entry, int):
        if not -n <= entry < n:
            raise IndexError(f"index {entry} is out of bounds for axis {axis} with size {n}")
        return range(entry % n, entry % n + 1), None
    if isinstance(entry, slice):
        r = range(*entry.indices(n))
        return (r[::-1], "flip") if r.step < 0 else (r, None)
    pos = np.asarray(entry)
    if pos.dtype == bool:
        if pos.shape != (n,):
            raise IndexError(
                f"boolean index did not match indexed array along axis {axis}; size of axis "
                f"is {n} but size of corresponding boolean axis is {pos.shape[0]}"
            )
        return np.flatnonzero(pos), None
    if pos.ndim != 1:
        raise NotImplementedError(
            f"Assignment with a {pos.ndim}-d integer index is not supported; assign through "
            "a flattened view, or use one 1-d integer array."
        )
    bad = pos[(pos < -n) | (pos >= n)]
    if bad.size:
        raise IndexError(f"index {bad[0]} is out of bounds for axis {axis} with size {n}")
    pos = pos % n if n else pos.astype(np.intp)
    order = np.argsort(pos, kind="stable")
    same = np.array_equal(order, np.arange(pos.size))
    return pos[order], None if same else order


def _cuts(pos: Any, bounds: list[int]) -> list[int]:
    """How many of the ascending positions lie below each bound."""
    if isinstance(pos, range):
        if not pos:
            return [0] * len(bounds)
        return [min(max(-((pos.start - b) // pos.step), 0), len(pos)) for b in bounds]
    return [int(c) for c in np.searchsorted(pos, bounds)]


def _local(pos: Any, lo: int) -> Any:
    """Positions local to a block: a slice for a range or a contiguous run."""
    if isinstance(pos, range):
        return slice(pos.start - lo, pos[-1] + 1 - lo, pos.step)
    if pos[-1] - pos[0] == pos.size - 1 and np.all(np.diff(pos) == 1):
        return slice(int(pos[0]) - lo, int(pos[-1]) + 1 - lo)
    return pos - lo


def _fit(value: Any, shape: tuple[int, ...]) -> Any:
    """``value`` without extra leading length-1 axes; checked to broadcast to ``shape``."""
    vshape = tuple(value.shape)
    extra = len(vshape) - len(shape)
    if extra > 0 and all(d == 1 for d in vshape[:extra]):
        value = value[(0,) * extra]
        vshape = vshape[extra:]
    ok = len(vshape) <= len(shape) and all(
        v in (1, s) for v, s in zip(vshape[::-1], shape[::-1], strict=False)
    )
    if not ok:
        raise ValueError(
            f"could not broadcast input array from shape {tuple(value.shape)} into shape {shape}"
        )
    return value


def _reordered(v: Any, orders: list[Any], lazy: bool) -> Any:
    """``v`` with each axis reordered as the sorted positions need (broadcast axes kept)."""
    from tessera.array.take import take

    pad = len(orders) - v.ndim
    for ax, order in enumerate(orders):
        if order is None or ax < pad or v.shape[ax - pad] == 1:
            continue
        at = ax - pad
        if isinstance(order, str):
            v = v[(slice(None),) * at + (slice(None, None, -1),)]
        else:
            v = take(v, order, axis=at) if lazy else np.take(v, order, axis=at)
    return v


def _index_assign(x: Array, entries: tuple[Any, ...], value: Any) -> Array:
    """``x[entries] = value`` for ints, slices and 1-d integer arrays (one per axis)."""
    for ax, c in enumerate(x.chunks):
        if is_unknown(c):
            raise unknown_error(f"Assigning to axis {ax}", x.chunks)
    picks = [_selection(e, n, ax) for ax, (e, n) in enumerate(zip(entries, x.shape, strict=True))]
    kept = [ax for ax, e in enumerate(entries) if not isinstance(e, int)]
    sel_shape = tuple(len(picks[ax][0]) for ax in kept)
    bounds = [chunk_bounds(c) for c in x.chunks]
    # per axis: the blocks touched and, for each, its (k0, k1) range of sorted positions
    touched = []
    for (pos, _), b in zip(picks, bounds, strict=True):
        cuts = _cuts(pos, b)
        touched.append(
            [(j, cuts[j], cuts[j + 1]) for j in range(len(b) - 1) if cuts[j + 1] > cuts[j]]
        )
    lazy = isinstance(value, Array)
    v = _reordered(
        _fit(value if lazy else np.asarray(value), sel_shape), [picks[ax][1] for ax in kept], lazy
    )
    if any(not t for t in touched):
        return x  # an empty selection
    if lazy:
        from tessera.array.routines import broadcast_to

        vchunks = tuple(tuple(k1 - k0 for _, k0, k1 in touched[ax]) for ax in kept)
        v = broadcast_to(v, sel_shape)
        v = v.rechunk(vchunks) if v.ndim else v  # type: ignore[attr-defined]
    else:
        v = v.reshape((1,) * (len(sel_shape) - v.ndim) + v.shape)  # one axis per kept axis
    name = f"setitem-{tokenize(x, entries, v)}"
    layer: dict[Any, Any] = {(name, *key[1:]): key for key in x.__tessera_block_keys__()}
    ints = tuple(ax for ax in range(x.ndim) if ax not in kept)  # indexed by 1-long slices
    for choice in product(*(range(len(t)) for t in touched)):
        picked = [touched[ax][j] for ax, j in enumerate(choice)]
        blocks = tuple(b for b, _, _ in picked)
        index = [
            _local(picks[ax][0][k0:k1], bounds[ax][b]) for ax, (b, k0, k1) in enumerate(picked)
        ]
        piece: Any
        if lazy:
            piece = (v.name, *(choice[ax] for ax in kept))
        else:
            part = [slice(picked[ax][1], picked[ax][2]) for ax in kept]
            piece = np.array(
                v[tuple(p if d > 1 else slice(None) for p, d in zip(part, v.shape, strict=True))]
            )  # broadcast axes stay length 1
        key, source = (name, *blocks), (x.name, *blocks)
        layer[key] = (_assign, source, tuple(index), piece, ints)
    return new_array(name, layer, x.chunks, x.dtype, inputs=[x, v] if lazy else [x])


def setitem(x: Array, index: Any, value: Any) -> Array:
    """The array ``x`` would be after ``x[index] = value``.

    Parameters
    ----------
    x : Array
        The array assigned to.
    index : index
        A boolean mask (tessera or NumPy) over the leading axes, or integers, slices,
        ``...`` and 1-d integer (or boolean) arrays.
    value : scalar, NumPy or tessera array
        A scalar with a boolean mask; otherwise broadcastable to the selection.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.zeros((3, 4), dtype=int, chunks=2)
    >>> setitem(x, (slice(None), [0, 3]), da.from_array(np.array([1, 2]))).compute()
    array([[1, 0, 0, 2],
           [1, 0, 0, 2],
           [1, 0, 0, 2]])
    >>> setitem(x, 1, 7.9).compute()[1]
    array([7, 7, 7, 7])
    """
    from tessera.array.slicing import normalize_index

    is_mask = isinstance(index, (Array, np.ndarray)) and index.dtype == bool
    if is_mask and (isinstance(index, Array) or index.ndim > 1):
        return _mask_assign(x, index, value)
    entries = normalize_index(index, x.ndim)
    if any(e is None for e in entries):
        raise NotImplementedError(
            "Assignment with None (np.newaxis) in the index is not supported"
        )
    if any(isinstance(e, Array) for e in entries):
        raise NotImplementedError(
            "Assignment with a tessera array index is supported only for a boolean mask over "
            "the leading axes (x[mask] = value); compute integer indices first."
        )
    if sum(isinstance(e, np.ndarray) for e in entries) > 1:
        raise NotImplementedError(
            "Assignment with more than one integer or boolean array in the index is not "
            "supported (NumPy pairs them pointwise); assign pair by pair (x[i, j] = v for each "
            "pair) or through a boolean mask (x[mask] = v)."
        )
    return _index_assign(x, entries, _converted(value, x.dtype))
