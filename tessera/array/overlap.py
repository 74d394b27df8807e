"""Blocks that share borders with their neighbours: ``overlap``, ``map_overlap``.

Map
---
- :func:`overlap` -- every block grown by ``depth`` elements taken from its neighbours;
  at the outer edges of the array, padding chosen by ``boundary``.
- :func:`trim_internal` -- cut those borders off again (what ``map_overlap`` does to
  the function's output); :func:`trim_overlap` takes the same ``depth`` as ``overlap``.
- :func:`map_overlap` -- overlap, :func:`~tessera.array.mapblocks.map_blocks`, trim;
  also ``Array.map_overlap``.  Argument handling lives in :mod:`~tessera.array.overlap_args`.
- :func:`sliding_window_view` -- NumPy's windows over blocks grown on their right.

Policy: ``depth`` is per axis (an int, or a ``(left, right)`` pair); ``boundary`` is per
axis: ``"none"`` (no padding: the outer blocks grow on their inner side only, the
default), ``"reflect"`` (mirror including the edge, NumPy's ``pad`` mode
``"symmetric"``), ``"periodic"`` (``"wrap"``), ``"nearest"`` (``"edge"``) or a constant
(``"constant"``).  A grown block is one task joining slices of at most 3 blocks per
axis, so every block must be at least ``depth`` long: smaller blocks are merged with
their neighbours first (or, with ``allow_rechunk=False``, a ``ValueError`` says so).

>>> import numpy as np, tessera.array as da
>>> x = da.arange(10, chunks=5)
>>> overlap(x, 2, "periodic").compute()
array([8, 9, 0, 1, 2, 3, 4, 5, 6, 3, 4, 5, 6, 7, 8, 9, 0, 1])
>>> def moving_sum(b):
...     return np.convolve(b, np.ones(3, dtype=b.dtype), mode="same")
>>> map_overlap(moving_sum, x, depth=1, boundary=0).compute()
array([ 1,  3,  6,  9, 12, 15, 18, 21, 24, 17])
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import product
from typing import Any

import numpy as np

from tessera.array.core import Array, concatenate_blocks, new_array
from tessera.array.mapblocks import map_blocks
from tessera.array.overlap_args import (
    Depth,
    coerce_boundary,
    coerce_depth,
    min_chunks,
    output_depth,
    prepare_arrays,
    trim_spec,
)
from tessera.hashing import tokenize

__all__ = ["map_overlap", "overlap", "sliding_window_view", "trim_internal", "trim_overlap"]

# One piece of a grown block along one axis: (input block, slice of it, operation).
# The operation is None, "flip", ("repeat", n) or ("fill", value).
Piece = tuple[int, slice, Any]


def _edge(chunks: tuple[int, ...], size: int, kind: Any, left: bool) -> list[Piece]:
    """The padding piece of ``size`` elements before (``left``) or after the axis."""
    if size == 0 or (isinstance(kind, str) and kind == "none"):
        return []
    first, last = 0, len(chunks) - 1
    near, far = (first, last) if left else (last, first)
    head = slice(0, size)
    tail = slice(chunks[-1] - size, chunks[-1])
    if isinstance(kind, str) and kind == "periodic":
        return [(far, tail if left else head, None)]
    own = head if left else tail
    if isinstance(kind, str) and kind == "reflect":
        return [(near, own, "flip")]
    if isinstance(kind, str) and kind == "nearest":
        one = slice(0, 1) if left else slice(chunks[-1] - 1, chunks[-1])
        return [(near, one, ("repeat", size))]
    return [(near, own, ("fill", kind))]


def _axis_pieces(chunks: tuple[int, ...], depth: tuple[int, int], kind: Any) -> list[list[Piece]]:
    """For each block along one axis, the pieces its grown version is made of."""
    left, right = depth
    last = len(chunks) - 1
    out = []
    for j, c in enumerate(chunks):
        before = [(j - 1, slice(chunks[j - 1] - left, chunks[j - 1]), None)] if left else []
        after = [(j + 1, slice(0, right), None)] if right else []
        middle: Piece = (j, slice(0, c), None)
        out.append(
            [
                *(before if j > 0 else _edge(chunks, left, kind, True)),
                middle,
                *(after if j < last else _edge(chunks, right, kind, False)),
            ]
        )
    return out


def _piece(block: np.ndarray, index: tuple[slice, ...], ops: tuple[Any, ...]) -> np.ndarray:
    """A slice of ``block`` with each axis' padding operation applied."""
    out = block[index]
    for axis, op in enumerate(ops):
        if op == "flip":
            out = np.flip(out, axis)
        elif op is not None and op[0] == "repeat":
            out = np.repeat(out, op[1], axis)
    fills = [op[1] for op in ops if op is not None and op[0] == "fill"]
    return np.full(out.shape, fills[0], dtype=out.dtype) if fills else out


def _piece_task(name: str, chunks: Any, pieces: tuple[Piece, ...]) -> Any:
    """The task (or key) of one piece: a block, sliced, with the padding operations."""
    key = (name, *(p[0] for p in pieces))
    index = tuple(p[1] for p in pieces)
    ops = tuple(p[2] for p in pieces)
    whole = all(
        s.start == 0 and s.stop == chunks[ax][p[0]]
        for ax, (p, s) in enumerate(zip(pieces, index, strict=True))
    )
    if whole and all(op is None for op in ops):
        return key
    return (_piece, key, index, ops)


def _nest(per_axis: list[list[Piece]], chosen: tuple[Piece, ...], build: Any) -> Any:
    if len(chosen) == len(per_axis):
        return build(chosen)
    return [_nest(per_axis, (*chosen, p), build) for p in per_axis[len(chosen)]]


def overlap(x: Array, depth: Depth, boundary: Any = None, *, allow_rechunk: bool = True) -> Array:
    """Grow every block of ``x`` by ``depth`` elements of its neighbours (or padding).

    Parameters
    ----------
    x : Array
        The array.
    depth : int, tuple or dict
        Elements shared with each neighbour, per axis (all axes, one per axis, or
        ``{axis: depth}``); a ``(left, right)`` pair for different sides.
    boundary : str, scalar, tuple or dict
        Padding at the array's edges, per axis: ``"none"`` (default), ``"reflect"``,
        ``"periodic"``, ``"nearest"`` or a constant.
    allow_rechunk : bool
        Merge blocks shorter than ``depth`` with their neighbours; if False, raise.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.arange(8, chunks=4)
    >>> g = overlap(x, depth=1, boundary="reflect")
    >>> g.chunks, g.compute()
    (((6, 6),), array([0, 0, 1, 2, 3, 4, 3, 4, 5, 6, 7, 7]))
    >>> overlap(x, depth={0: (1, 0)}, boundary="none").compute()
    array([0, 1, 2, 3, 3, 4, 5, 6, 7])
    """
    depths = coerce_depth(x.ndim, depth)
    kinds = coerce_boundary(x.ndim, boundary)
    wanted = min_chunks(x.chunks, [max(d) for d in depths], "overlap")
    if wanted != x.chunks:
        if not allow_rechunk:
            raise ValueError(
                f"Overlap depths {[max(d) for d in depths]} need blocks at least that long, "
                f"but the chunks are {x.chunks}. Pass allow_rechunk=True to merge small "
                "blocks, or rechunk the array first."
            )
        x = x.rechunk(wanted)  # type: ignore[attr-defined]
    if all(d == (0, 0) for d in depths):
        return x
    plans = [_axis_pieces(c, d, k) for c, d, k in zip(x.chunks, depths, kinds, strict=True)]
    name = f"overlap-{tokenize(x, depths, [str(k) for k in kinds])}"
    layer: dict[Any, Any] = {}
    for idx in product(*(range(n) for n in x.numblocks)):
        key = (name, *idx)
        per_axis = [plans[ax][j] for ax, j in enumerate(idx)]
        nested = _nest(per_axis, (), partial(_piece_task, x.name, x.chunks))
        if all(len(p) == 1 for p in per_axis):
            for _ in range(x.ndim):
                nested = nested[0]
            layer[key] = nested
        else:
            layer[key] = (concatenate_blocks, nested, x.ndim)
    chunks = tuple(tuple(sum(_length(p) for p in pieces) for pieces in plan) for plan in plans)
    return new_array(name, layer, chunks, x.dtype, inputs=[x])


def _length(piece: Piece) -> int:
    """The length of a piece along its axis."""
    _, s, op = piece
    return int(op[1]) if op is not None and op[0] == "repeat" else s.stop - s.start


def _trim(block: np.ndarray, index: tuple[slice, ...]) -> np.ndarray:
    return block[index]


def trim_internal(x: Array, axes: Depth, boundary: Any = None) -> Array:
    """Cut ``axes`` elements (per axis) off both sides of every block of ``x``.

    The sides of the outer blocks on an axis whose ``boundary`` is ``"none"`` (the
    default) are kept: :func:`overlap` did not grow them.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.arange(8, chunks=4)
    >>> trim_internal(overlap(x, 1, "nearest"), {0: 1}, "nearest").chunks
    ((4, 4),)
    >>> trim_internal(overlap(x, 1, "none"), {0: 1}).compute()
    array([0, 1, 2, 3, 4, 5, 6, 7])
    """
    depths = coerce_depth(x.ndim, axes)
    kinds = coerce_boundary(x.ndim, boundary)
    per_axis = []
    for ax, (chunks, (left, right), kind) in enumerate(zip(x.chunks, depths, kinds, strict=True)):
        none = isinstance(kind, str) and kind == "none"
        cuts = []
        for j, c in enumerate(chunks):
            lo = 0 if none and j == 0 else left
            hi = c - (0 if none and j == len(chunks) - 1 else right)
            if hi < lo:
                raise ValueError(
                    f"Cannot trim {(left, right)} elements from block {j} of axis {ax}, which "
                    f"has {c}: the depth is larger than the block"
                )
            cuts.append(slice(lo, hi))
        per_axis.append(cuts)
    name = f"trim-{tokenize(x, depths, [str(k) for k in kinds])}"
    layer: dict[Any, Any] = {}
    for idx in product(*(range(n) for n in x.numblocks)):
        index = tuple(per_axis[ax][j] for ax, j in enumerate(idx))
        key, source = (name, *idx), (x.name, *idx)
        layer[key] = (_trim, source, index)
    chunks = tuple(tuple(s.stop - s.start for s in cuts) for cuts in per_axis)
    return new_array(name, layer, chunks, x.dtype, inputs=[x])


def trim_overlap(x: Array, depth: Depth, boundary: Any = None) -> Array:
    """:func:`trim_internal` with ``depth`` given as to :func:`overlap`.

    >>> import tessera.array as da
    >>> trim_overlap(overlap(da.ones(6, chunks=3), 1, 0), 1, 0).chunks
    ((3, 3),)
    """
    return trim_internal(x, depth, boundary)


def map_overlap(
    func: Callable[..., Any],
    *args: Array,
    depth: Any = None,
    boundary: Any = None,
    trim: bool = True,
    align_arrays: bool = True,
    allow_rechunk: bool = True,
    **kwargs: Any,
) -> Array:
    """Apply ``func`` to blocks grown by ``depth`` elements of their neighbours.

    Parameters
    ----------
    func : callable
        Called on each grown block (one per array in ``args``, in order).
    *args : Array
        The arrays.
    depth : int, tuple, dict, or a list of those (one per array)
        See :func:`overlap`; default 0.
    boundary : str, scalar, tuple, dict, or a list of those (one per array)
        See :func:`overlap`; default ``"none"``.
    trim : bool
        Cut ``depth`` elements off each output block (set False if ``func`` does it).
    align_arrays : bool
        Rechunk the arrays to common chunks; if False, they must already share them.
    allow_rechunk : bool
        Merge blocks shorter than ``depth`` with their neighbours; if False, raise.
    **kwargs
        For :func:`~tessera.array.mapblocks.map_blocks` (``dtype``, ``chunks``,
        ``drop_axis``, ``new_axis``, ``meta``...) and otherwise for ``func``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([1, 2, 4, 7, 11, 16]), chunks=2)
    >>> map_overlap(np.gradient, x, depth=1, boundary="none", dtype=float).compute()
    array([1. , 1.5, 2.5, 3.5, 4.5, 5. ])
    >>> x.map_overlap(lambda b: b - np.roll(b, 1), depth=1, boundary="periodic").compute()
    array([-15,   1,   2,   3,   4,   5])
    """
    arrays, depths, kinds = prepare_arrays(
        func, args, depth, boundary, align_arrays, allow_rechunk
    )
    if all(d == (0, 0) for ds in depths for d in ds):
        return map_blocks(func, *arrays, **kwargs)
    top = max(
        range(len(arrays)),
        key=lambda i: (arrays[i].ndim, sum(n != 1 for n in arrays[i].shape), -i),
    )
    reshaped = any(kwargs.get(k) not in (None, (), []) for k in ("drop_axis", "new_axis"))
    if not trim and "chunks" not in kwargs and not reshaped:
        kwargs["chunks"] = arrays[top].chunks  # func trims its blocks itself
    grown = [overlap(a, d, k) for a, d, k in zip(arrays, depths, kinds, strict=True)]
    out = map_blocks(func, *grown, **kwargs)
    if not trim:
        return out
    cut, kind = trim_spec(
        *output_depth(arrays, depths, kinds), kwargs.get("drop_axis"), kwargs.get("new_axis")
    )
    return trim_internal(out, cut, kind)


def _windows(block: np.ndarray, window: tuple[int, ...], axes: tuple[int, ...]) -> np.ndarray:
    return np.lib.stride_tricks.sliding_window_view(block, window, axes)


def sliding_window_view(
    x: Array, window_shape: Any, axis: Any = None, automatic_rechunk: bool = True
) -> Array:
    """Every window of ``window_shape`` along ``axis`` (NumPy's ``sliding_window_view``).

    The window axes come last (an axis may be repeated, as in NumPy: its windows add
    up).  Each block is grown on its right by ``window - 1`` elements (blocks shorter
    than the window are merged first, unless ``automatic_rechunk=False``, which raises
    instead).

    >>> import tessera.array as da
    >>> w = sliding_window_view(da.arange(8, chunks=4), 3)
    >>> w.chunks, w.compute()[:, 1]
    (((4, 2), (3,)), array([1, 2, 3, 4, 5, 6]))
    """
    window = tuple(int(w) for w in np.atleast_1d(window_shape))
    axes = tuple(range(x.ndim)) if axis is None else tuple(np.atleast_1d(axis).tolist())
    if len(axes) != len(window):
        raise ValueError(
            f"window_shape {window_shape!r} needs one entry per axis in {axes} (axis={axis!r})"
        )
    axes = tuple(a % x.ndim if -x.ndim <= a < x.ndim else a for a in axes)
    if any(not 0 <= a < x.ndim for a in axes):
        raise ValueError(f"axis={axis!r} must name axes of a {x.ndim}-d array")
    if any(w <= 0 for w in window):
        raise ValueError(f"window_shape {window_shape!r} must contain values > 0")
    # elements a window spans along each axis (a repeated axis adds its windows up, as NumPy)
    sizes = [
        1 + sum(w - 1 for a, w in zip(axes, window, strict=True) if a == ax) if ax in axes else 0
        for ax in range(x.ndim)
    ]
    if any(w > n for w, n in zip(sizes, x.shape, strict=True)):
        raise ValueError("window shape cannot be larger than input array shape")
    wanted = min_chunks(x.chunks, sizes, "window")
    if wanted != x.chunks and not automatic_rechunk:
        raise ValueError(
            f"Windows {window} along axes {axes} need blocks at least that long, but the "
            f"chunks are {x.chunks}; pass automatic_rechunk=True or rechunk first"
        )
    depth = {a: (0, sizes[a] - 1) for a in axes}
    grown = overlap(x.rechunk(wanted), depth, "none")  # type: ignore[attr-defined]
    chunks = tuple(
        (*c[:-1], c[-1] - w + 1) if w else c for c, w in zip(wanted, sizes, strict=True)
    ) + tuple((w,) for w in window)
    name = f"sliding-window-{tokenize(grown, window, axes)}"
    layer: dict[Any, Any] = {}
    for idx in product(*(range(n) for n in grown.numblocks)):
        key, source = (name, *idx, *(0 for _ in window)), (grown.name, *idx)
        layer[key] = (_windows, source, window, axes)
    return new_array(name, layer, chunks, x.dtype, inputs=[grown])


def _method(
    self: Array,
    func: Callable[..., Any],
    depth: Any,
    boundary: Any = None,
    trim: bool = True,
    **kwargs: Any,
) -> Array:
    return map_overlap(func, self, depth=depth, boundary=boundary, trim=trim, **kwargs)


_method.__doc__ = map_overlap.__doc__
Array.map_overlap = _method  # type: ignore[attr-defined]
