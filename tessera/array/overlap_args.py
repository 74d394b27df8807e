"""Arguments of :mod:`~tessera.array.overlap`: depths, boundaries, chunks long enough.

Map
---
- :func:`coerce_depth` -- ``depth`` as one ``(left, right)`` pair per axis.
- :func:`coerce_boundary` -- ``boundary`` as one kind per axis (checked).
- :func:`min_chunks` -- chunks whose blocks are at least as long as the depth, small
  blocks merged into the ones after them (the last into the one before).
- :func:`prepare_arrays` -- ``map_overlap``'s arrays aligned and merged, with their
  depths and boundaries.
- :func:`output_depth` -- the depth and boundary of ``map_overlap``'s output axes.
- :func:`trim_spec` -- the depth and boundary of ``map_overlap``'s output axes, after
  ``drop_axis`` and ``new_axis``.

>>> coerce_depth(2, {1: (1, 2)})
[(0, 0), (1, 2)]
>>> min_chunks(((1, 1, 3, 1),), [2], "overlap")
((2, 4),)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tessera.array.chunks import Chunks
from tessera.array.core import Array

__all__ = [
    "coerce_boundary",
    "coerce_depth",
    "min_chunks",
    "output_depth",
    "prepare_arrays",
    "trim_spec",
]

Depth = Any  # int, (left, right), a tuple of those per axis, or {axis: those}
KINDS = ("none", "reflect", "periodic", "nearest")


def _per_axis(
    ndim: int, spec: Any, default: Any, what: str, scalar: Callable[[Any], bool]
) -> list[Any]:
    if spec is None:
        return [default] * ndim
    if isinstance(spec, dict):
        bad = [k for k in spec if not -ndim <= k < ndim]
        if bad:
            raise ValueError(f"{what} {spec!r} names axis {bad[0]}; the array has {ndim} axes")
        return [spec.get(ax, spec.get(ax - ndim, default)) for ax in range(ndim)]
    if scalar(spec):
        return [spec] * ndim
    if isinstance(spec, (tuple, list)) and len(spec) == ndim:
        return list(spec)
    raise ValueError(
        f"{what} {spec!r} does not fit an array of {ndim} axes: give one value, one per axis "
        "(a tuple), or {axis: value}"
    )


def _pair(value: Any, axis: int) -> tuple[int, int]:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or any(not isinstance(d, (int, np.integer)) or int(d) < 0 for d in pair):
        raise ValueError(
            f"depth {value!r} of axis {axis} must be a non-negative int or a (left, right) pair"
        )
    return int(pair[0]), int(pair[1])


def coerce_depth(ndim: int, depth: Depth) -> list[tuple[int, int]]:
    """``depth`` as a ``(left, right)`` pair per axis.

    >>> coerce_depth(3, 2)
    [(2, 2), (2, 2), (2, 2)]
    >>> coerce_depth(2, (1, (0, 3)))
    [(1, 1), (0, 3)]
    """
    values = _per_axis(ndim, depth, 0, "depth", lambda d: isinstance(d, (int, np.integer)))
    return [_pair(v, ax) for ax, v in enumerate(values)]


def coerce_boundary(ndim: int, boundary: Any) -> list[Any]:
    """``boundary`` as one kind per axis: a name in ``KINDS`` or a constant.

    >>> coerce_boundary(2, {0: "reflect"})
    ['reflect', 'none']
    >>> coerce_boundary(1, "mirror")
    Traceback (most recent call last):
    ...
    ValueError: boundary 'mirror' of axis 0 is not one of 'none', 'reflect', 'periodic', ...
    """
    kinds = _per_axis(
        ndim, boundary, "none", "boundary", lambda b: not isinstance(b, (tuple, list))
    )
    for ax, k in enumerate(kinds):
        if k is None:
            kinds[ax] = "none"
        elif isinstance(k, str) and k not in KINDS:
            raise ValueError(
                f"boundary {k!r} of axis {ax} is not one of "
                f"{', '.join(map(repr, KINDS))} or a constant (e.g. 0 or np.nan)"
            )
    return kinds


def min_chunks(chunks: Chunks, sizes: Sequence[int], what: str) -> Chunks:
    """Chunks with every block at least ``sizes[axis]`` long (a block merges into the next).

    >>> min_chunks(((3, 3, 1), (4,)), [2, 0], "overlap")
    ((3, 4), (4,))
    """
    out = []
    for ax, (c, size) in enumerate(zip(chunks, sizes, strict=True)):
        if size == 0 or min(c) >= size:
            out.append(c)
            continue
        if any(math.isnan(b) for b in c):
            from tessera.array.masking import unknown_error

            raise unknown_error(f"An {what} of depth {size} on axis {ax}", chunks)
        if sum(c) < size:
            raise ValueError(
                f"The {what} depth {size} is larger than axis {ax} (length {sum(c)}); use a "
                "smaller depth"
            )
        merged: list[int] = []
        acc = 0
        for b in c:
            acc += b
            if acc >= size:
                merged.append(acc)
                acc = 0
        merged[-1] += acc
        out.append(tuple(merged))
    return tuple(out)


def prepare_arrays(
    func: Callable[..., Any],
    args: Sequence[Any],
    depth: Any,
    boundary: Any,
    align_arrays: bool,
    allow_rechunk: bool,
) -> tuple[list[Array], list[list[tuple[int, int]]], list[list[Any]]]:
    """Check ``map_overlap``'s arguments; align the arrays' chunks and merge small blocks.

    Axes are matched from the right (as in broadcasting); every array gets the same
    chunks on shared axes of equal length, with blocks long enough for the largest depth.
    With several arrays, a length-1 axis broadcasts: its depth becomes 0.
    """
    if not callable(func):
        raise TypeError(
            f"map_overlap expects a function first, got {type(func).__name__}: "
            "map_overlap(func, x, y, ..., depth=..., boundary=...)"
        )
    if not args or not all(isinstance(a, Array) for a in args):
        raise TypeError(
            "map_overlap's positional arguments after the function must be tessera arrays, "
            f"got {[type(a).__name__ for a in args]}; pass other values as keywords"
        )
    arrays = list(args)

    def each(spec: Any) -> list[Any]:
        if isinstance(spec, list):
            if len(spec) != len(arrays):
                raise ValueError(f"{len(spec)} values in {spec!r} for {len(arrays)} arrays")
            return spec
        return [spec] * len(arrays)

    depths = [coerce_depth(a.ndim, d) for a, d in zip(arrays, each(depth), strict=True)]
    kinds = [coerce_boundary(a.ndim, b) for a, b in zip(arrays, each(boundary), strict=True)]
    ndim = max(a.ndim for a in arrays)
    if len(arrays) > 1:
        from tessera.array.blockwise import unify_chunks

        letters = [tuple(range(ndim - a.ndim, ndim)) for a in arrays]
        pairs = [v for a, ind in zip(arrays, letters, strict=True) for v in (a, ind)]
        _, aligned = unify_chunks(*pairs)
        if not align_arrays and any(
            a.chunks != b.chunks for a, b in zip(arrays, aligned, strict=True)
        ):
            raise ValueError(
                "The arrays' chunks do not match "
                f"({[a.chunks for a in arrays]}); pass align_arrays=True to rechunk them"
            )
        arrays = aligned
    if len(arrays) > 1:  # a length-1 axis of one of several arrays broadcasts: no overlap
        depths = [
            [(0, 0) if n == 1 else d for n, d in zip(a.shape, ds, strict=True)]
            for a, ds in zip(arrays, depths, strict=True)
        ]
    need = [0] * ndim
    for a, ds in zip(arrays, depths, strict=True):
        for ax, d in enumerate(ds):
            need[ndim - a.ndim + ax] = max(need[ndim - a.ndim + ax], *d)
    out = []
    for a, ds in zip(arrays, depths, strict=True):
        sizes = [need[ndim - a.ndim + ax] if max(d) else 0 for ax, d in enumerate(ds)]
        wanted = min_chunks(a.chunks, sizes, "overlap")
        if wanted != a.chunks and not allow_rechunk:
            raise ValueError(
                f"Overlap depths {sizes} need blocks at least that long, but the chunks are "
                f"{a.chunks}. Pass allow_rechunk=True to merge small blocks, or rechunk first."
            )
        out.append(a if wanted == a.chunks else a.rechunk(wanted))
    return out, depths, kinds


def output_depth(
    arrays: Sequence[Array], depths: Sequence[Sequence[Any]], kinds: Sequence[Sequence[Any]]
) -> tuple[list[tuple[int, int]], list[Any]]:
    """Depth and boundary per axis of ``map_overlap``'s output (axes matched from the right).

    An axis takes them from the first array (most axes first) that overlaps along it,
    so an axis broadcast from length 1 in some arrays is trimmed as the others grew it.
    """
    ndim = max(a.ndim for a in arrays)
    depth: list[tuple[int, int]] = [(0, 0)] * ndim
    kind: list[Any] = ["none"] * ndim
    order = sorted(range(len(arrays)), key=lambda i: -arrays[i].ndim)
    for i in order:
        for ax, (d, k) in enumerate(zip(depths[i], kinds[i], strict=True)):
            at = ndim - arrays[i].ndim + ax
            if d != (0, 0) and depth[at] == (0, 0):
                depth[at], kind[at] = d, k
    return depth, kind


def trim_spec(
    depth: list[tuple[int, int]], kinds: list[Any], drop_axis: Any, new_axis: Any
) -> tuple[dict[int, tuple[int, int]], dict[int, Any]]:
    """Depth and boundary per output axis: ``drop_axis`` removed, ``new_axis`` added.

    >>> trim_spec([(1, 1), (2, 2)], ["none", 0], 0, [1])
    ({0: (2, 2), 1: (0, 0)}, {0: 0, 1: 'none'})
    """

    def axes(spec: Any) -> list[int]:
        if spec is None:
            return []
        return [int(spec)] if isinstance(spec, (int, np.integer)) else [int(a) for a in spec]

    dropped = {a % len(depth) for a in axes(drop_axis)}
    pairs = [
        (d, k) for ax, (d, k) in enumerate(zip(depth, kinds, strict=True)) if ax not in dropped
    ]
    added = axes(new_axis)
    out_ndim = len(pairs) + len(added)
    for ax in sorted(a % out_ndim for a in added):
        pairs.insert(ax, ((0, 0), "none"))
    return dict(enumerate(p[0] for p in pairs)), dict(enumerate(p[1] for p in pairs))
