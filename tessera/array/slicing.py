"""Indexing arrays: ``x[...]`` with NumPy's rules, reading only the blocks it needs.

Map
---
- :func:`getitem` -- ``Array.__getitem__``: checks and expands the index, does the basic
  part (ints, slices, ``...``, ``None``) here, and hands one integer array index (NumPy,
  list, or lazy tessera) to :func:`~tessera.array.take.take` and one boolean array to
  :func:`~tessera.array.masking.mask`.
- :func:`normalize_index` -- the index as a tuple with one entry per axis (plus ``None``
  entries), arrays converted and checked, ``...`` expanded.
- Re-exported here so that ``da.<name>`` finds them: :func:`~tessera.array.take.take`,
  :func:`~tessera.array.masking.compute_chunk_sizes`; ``Array.blocks`` comes from
  :mod:`~tessera.array.blocks`.

Policy: every output block of a basic index is one slice of one input block, so a
slice inside one block builds a graph that depends on that block only.  Along a sliced
axis the output keeps the input's block structure (blocks the slice misses are
dropped; a negative step reverses their order).  An integer index removes the axis,
``None`` adds one of length 1.  One array index (integer, or boolean) is supported per
index, as in Dask (lazy 0-d integers are scalars: any number of them may be used);
NumPy's placement rule for it is followed (its axes go first when integers and the
array are separated by a slice).

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.arange(24).reshape(4, 6), chunks=(2, 3))
>>> x[1, ::-2].compute()
array([11,  9,  7])
>>> x[..., None, 0].chunks
((2, 2), (1,))
>>> x[[3, 0, 3]].compute()[:, 0]
array([18,  0, 18])
>>> x[x % 5 == 0].compute()
array([ 0,  5, 10, 15, 20])
>>> x[x[:, 0].argmax()].compute()
array([18, 19, 20, 21, 22, 23])
"""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections.abc import Sequence
from itertools import product
from typing import Any

import numpy as np

from tessera.array import blocks as _blocks  # noqa: F401 - installs Array.blocks
from tessera.array import vindex as _vindex  # noqa: F401 - installs Array.vindex
from tessera.array.chunks import chunk_bounds
from tessera.array.core import Array, new_array
from tessera.array.masking import check_known, compute_chunk_sizes, is_unknown, mask, unknown_error
from tessera.array.take import take
from tessera.hashing import tokenize

__all__ = ["compute_chunk_sizes", "take"]

_VALID = (
    "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer "
    "or boolean arrays are valid indices"
)


def _convert(entry: Any) -> Any:
    """One index entry as an int, slice, None, Ellipsis, NumPy array or tessera Array."""
    if entry is None or entry is Ellipsis or isinstance(entry, (slice, Array)):
        if isinstance(entry, slice):
            for part in (entry.start, entry.stop, entry.step):
                if part is not None and not hasattr(part, "__index__"):
                    raise TypeError(
                        "slice indices must be integers or None or have an __index__ method, "
                        f"got {entry}"
                    )
        return entry
    if isinstance(entry, (bool, np.bool_)):
        raise NotImplementedError(
            f"Indexing with a boolean scalar ({entry!r}) together with integer or array "
            "indices is not supported; use None to add an axis, or a boolean array."
        )
    if isinstance(entry, (list, tuple, np.ndarray, range)):
        arr = np.asarray(entry)
        if arr.size == 0 and arr.dtype.kind not in "biu":
            arr = arr.astype(np.intp)
        if arr.dtype.kind not in "biu":
            raise IndexError(
                f"arrays used as indices must be of integer (or boolean) type: {_VALID}"
            )
        if arr.ndim == 0:
            return _convert(arr.item())
        return arr
    if hasattr(entry, "__index__"):
        return operator.index(entry)
    raise IndexError(f"{_VALID}; got {type(entry).__name__} {entry!r}")


def _width(entry: Any) -> int:
    """How many input axes an index entry consumes."""
    if entry is None:
        return 0
    if isinstance(entry, (np.ndarray, Array)) and entry.dtype == bool:
        return max(entry.ndim, 1)
    return 1


def normalize_index(index: Any, ndim: int) -> tuple[Any, ...]:
    """``index`` as a tuple covering every axis: ``...`` expanded, trailing ``:`` added.

    >>> normalize_index((Ellipsis, 1), 3)
    (slice(None, None, None), slice(None, None, None), 1)
    >>> normalize_index([0, 2], 2)
    (array([0, 2]), slice(None, None, None))
    >>> normalize_index((0, 0, 0), 2)
    Traceback (most recent call last):
    ...
    IndexError: too many indices for array: array is 2-dimensional, but 3 were indexed
    """
    entries = [_convert(e) for e in (index if isinstance(index, tuple) else (index,))]
    if sum(e is Ellipsis for e in entries) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(_width(e) for e in entries if e is not Ellipsis)
    if used > ndim:
        raise IndexError(
            f"too many indices for array: array is {ndim}-dimensional, but {used} were indexed"
        )
    fill = [slice(None)] * (ndim - used)
    if any(e is Ellipsis for e in entries):
        at = next(i for i, e in enumerate(entries) if e is Ellipsis)
        entries[at : at + 1] = fill
    else:
        entries += fill
    return tuple(entries)


def _slice_axis(
    chunks: tuple[int, ...], s: slice, axis: int
) -> tuple[tuple[int, ...], list[tuple[int, Any]]]:
    """Output chunks along a sliced axis and, per output block, (input block, local slice)."""
    if is_unknown(chunks):
        if s == slice(None) or s == slice(None, None, 1):
            return chunks, [(i, slice(None)) for i in range(len(chunks))]
        raise unknown_error(f"Slicing axis {axis} with {s}", chunks)
    n = sum(chunks)
    start, stop, step = s.indices(n)
    if (start, stop, step) == (0, n, 1):
        return chunks, [(i, slice(None)) for i in range(len(chunks))]
    r = range(start, stop, step)
    bounds = chunk_bounds(chunks)
    found: list[tuple[int, int, slice, int]] = []
    for b in range(len(chunks)):
        lo, hi = bounds[b], bounds[b + 1]
        if step > 0:
            k0, k1 = -((start - lo) // step), -((start - hi) // step)
        else:
            k0, k1 = (start - hi) // -step + 1, (start - lo) // -step + 1
        k0, k1 = max(k0, 0), min(k1, len(r))
        if k1 > k0:
            sub = r[k0:k1]
            end = sub[-1] - lo + (1 if step > 0 else -1)
            local = slice(sub[0] - lo, None if end < 0 else end, step)
            found.append((k0, b, local, len(sub)))
    if not found:
        return (0,), [(0, slice(0, 0))]
    found.sort()
    return tuple(f[3] for f in found), [(f[1], f[2]) for f in found]


def _int_axis(chunks: tuple[int, ...], i: int, axis: int) -> tuple[int, int]:
    """(input block, local index) of the integer index ``i`` along an axis."""
    if is_unknown(chunks):
        raise unknown_error(f"Indexing axis {axis} with an integer", chunks)
    n = sum(chunks)
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
    i %= n
    bounds = chunk_bounds(chunks)
    b = bisect_right(bounds, i) - 1
    while chunks[b] == 0:  # skip empty blocks sharing the bound
        b += 1
    return b, i - bounds[b]


def _getitem(block: Any, index: tuple[Any, ...]) -> Any:
    return block[index]


def basic_index(x: Array, index: Sequence[Any]) -> Array:
    """``x[index]`` for an expanded index of ints, slices and ``None`` (one per axis).

    >>> import tessera.array as da
    >>> basic_index(da.arange(10, chunks=4), (slice(1, 9, 3),)).chunks
    ((1, 2),)
    """
    index = tuple(index)
    if all(isinstance(e, slice) and e == slice(None) for e in index):
        return x
    out_chunks: list[tuple[int, ...]] = []
    options: list[list[tuple[int | None, Any]]] = []
    axis = 0
    for e in index:
        if e is None:
            out_chunks.append((1,))
            options.append([(None, None)])
            continue
        if isinstance(e, slice):
            c, pieces = _slice_axis(x.chunks[axis], e, axis)
            out_chunks.append(c)
            options.append(list(pieces))
        else:
            options.append([_int_axis(x.chunks[axis], e, axis)])
        axis += 1
    keeps = [not isinstance(e, int) for e in index]
    name = f"getitem-{tokenize(x, index)}"
    layer: dict[Any, Any] = {}
    for choice in product(*(range(len(o)) for o in options)):
        picked = [options[ax][j] for ax, j in enumerate(choice)]
        out_key = (name, *(j for j, keep in zip(choice, keeps, strict=True) if keep))
        in_key = (x.name, *(b for b, _ in picked if b is not None))
        local = tuple(loc for _, loc in picked)
        whole = all(isinstance(loc, slice) and loc == slice(None) for loc in local)
        layer[out_key] = in_key if whole else (_getitem, in_key, local)
    return new_array(name, layer, tuple(out_chunks), x.dtype, inputs=[x])


def getitem(x: Array, index: Any) -> Array:
    """``x[index]`` following NumPy's rules (``Array.__getitem__``).

    Parameters
    ----------
    x : Array
        The array.
    index : int, slice, None, Ellipsis, bool, list, range, NumPy or tessera array, or a tuple
        At most one integer or boolean array (a boolean array with ``x``'s shape, or
        with the shape of the axes it covers), or any number of lazy 0-d integers
        (scalars, e.g. ``x[x.argmax()]``).  ``True``/``False`` (or NumPy 0-d booleans)
        add an axis of length 1/0, as in NumPy (only with slices, ``None`` and ``...``).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(12).reshape(3, 4), chunks=2)
    >>> getitem(x, (slice(None), -1)).compute()
    array([ 3,  7, 11])
    >>> x[3]
    Traceback (most recent call last):
    ...
    IndexError: index 3 is out of bounds for axis 0 with size 3
    """
    parts = tuple(
        np.bool_(e) if isinstance(e, np.ndarray) and e.shape == () and e.dtype == bool else e
        for e in (index if isinstance(index, tuple) else (index,))
    )
    if any(isinstance(e, (bool, np.bool_)) for e in parts):
        return _bool_scalars(x, parts)
    entries = normalize_index(index, x.ndim)
    arrays = [i for i, e in enumerate(entries) if isinstance(e, (np.ndarray, Array))]
    if arrays and all(_is_lazy_int(entries[i]) for i in arrays):
        return _lazy_ints(x, entries, arrays)
    if len(arrays) > 1:
        raise NotImplementedError(
            f"An index may hold one integer or boolean array; got {len(arrays)} (NumPy would "
            "broadcast them together). Index one axis at a time, e.g. x[i][:, j] (which "
            "selects the outer product, not NumPy's pointwise pairs)."
        )
    if not arrays:
        return basic_index(x, entries)
    at = arrays[0]
    advanced = entries[at]
    axis = sum(_width(e) for e in entries[:at])  # the input axis it starts at
    out_axis = sum(not isinstance(e, int) for e in entries[:at])
    advanced = _check_array(x, advanced, axis)
    basic = list(entries)
    basic[at : at + 1] = [slice(None)] * _width(advanced)
    y = basic_index(x, basic)
    if isinstance(advanced, Array) and advanced.dtype == bool:
        y = mask(y, advanced, out_axis)
    else:
        y = take(y, advanced, axis=out_axis)
    ints = [i for i, e in enumerate(entries) if isinstance(e, int)]
    spots = sorted([*ints, at])
    if ints and spots != list(range(spots[0], spots[-1] + 1)) and out_axis:
        from tessera.array.routines import moveaxis

        y = moveaxis(y, out_axis, 0)  # NumPy: separated advanced indices go first
    return y


def _is_lazy_int(entry: Any) -> bool:
    """Whether an index entry is a lazy 0-d integer (a scalar, like ``x.argmax()``)."""
    return isinstance(entry, Array) and entry.ndim == 0 and entry.dtype.kind in "iu"


def _lazy_ints(x: Array, entries: tuple[Any, ...], at: list[int]) -> Array:
    """``x[entries]`` where ``entries[at]`` are lazy 0-d integers: 1-long takes, then [0]."""
    basic = [slice(None) if i in at else e for i, e in enumerate(entries)]
    y = basic_index(x, basic)
    for i in reversed(at):  # the last first: the output axes before it stay in place
        out_axis = sum(not isinstance(e, int) for e in basic[:i])
        y = take(y, entries[i][None], axis=out_axis)
        y = basic_index(
            y, [slice(None)] * out_axis + [0] + [slice(None)] * (y.ndim - out_axis - 1)
        )
    return y


def _bool_scalars(x: Array, parts: tuple[Any, ...]) -> Array:
    """``x[True]`` adds an axis of length 1 (like None), ``x[False]`` one of length 0."""
    flags = [e for e in parts if isinstance(e, (bool, np.bool_))]
    basic = all(
        e is None or e is Ellipsis or isinstance(e, (slice, bool, np.bool_)) for e in parts
    )
    if len(flags) > 1 or not basic:
        raise NotImplementedError(
            f"Indexing with a boolean scalar ({flags[0]!r}) is supported alone or with slices, "
            "None and ...; use None to add an axis, or a boolean array."
        )
    at = next(i for i, e in enumerate(parts) if isinstance(e, (bool, np.bool_)))
    entries = normalize_index(tuple(None if i == at else e for i, e in enumerate(parts)), x.ndim)
    y = basic_index(x, entries)
    if flags[0]:
        return y
    # no integers: output axes are the entries; ours is the k-th None
    k = sum(e is None for e in parts[:at])
    ax = [i for i, e in enumerate(entries) if e is None][k]
    return basic_index(y, [slice(0, 0) if i == ax else slice(None) for i in range(y.ndim)])


def _check_array(x: Array, a: Any, axis: int) -> Any:
    """A boolean mask as a tessera Array (or int positions), an int array checked for 1-d."""
    if isinstance(a, Array) and a.dtype != bool and a.dtype.kind not in "iu":
        raise IndexError(f"arrays used as indices must be of integer (or boolean) type: {_VALID}")
    if a.dtype != bool:
        if a.ndim != 1:
            raise NotImplementedError(
                f"Integer array indices must be 1-dimensional; got shape {a.shape}. Index "
                "with the flattened array and reshape the result."
            )
        return a
    covered = x.shape[axis : axis + a.ndim]
    if isinstance(a, np.ndarray):
        for k, (n, m) in enumerate(zip(covered, a.shape, strict=True)):
            if n == n and n != m:
                raise IndexError(
                    f"boolean index did not match indexed array along axis {axis + k}; size "
                    f"of axis is {n} but size of corresponding boolean axis is {m}"
                )
        if a.ndim == 1:
            return np.flatnonzero(a)
        from tessera.array.creation import from_array

        check_known(x, "Indexing with a boolean NumPy array", range(axis, axis + a.ndim))
        return from_array(a, chunks=x.chunks[axis : axis + a.ndim])
    return a


setattr(Array, "__getitem__", getitem)  # noqa: B010 - mypy cannot check a class's subscript
