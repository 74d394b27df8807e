"""Arg reductions: ``argmin``, ``argmax``, ``nanargmin``, ``nanargmax``.

Map
---
- :func:`argmin`, :func:`argmax`, :func:`nanargmin`, :func:`nanargmax` -- index of the
  extreme value along one axis, or into the flattened array (``axis=None``).

Plan: each block's partial is ``{"vals", "idx"}``: its extreme values and their *global*
indices, made global with the block's offsets (from
:func:`~tessera.array.chunks.chunk_bounds`; with ``axis=None`` a flat C-order index into
the whole array).  Partials then go up the tree of
:func:`~tessera.array.treereduce.tree_reduce`.  Ties resolve to the smallest global
index (NumPy's first occurrence): along one axis the partials are in index order; with
``axis=None`` they are sorted by index first, since the blocks of an N-d grid are not in
flat order.  NaN wins in ``argmin``/``argmax`` (NumPy: first NaN); the ``nan`` versions
treat NaN as +/-inf, as NumPy does, and raise ``ValueError("All-NaN slice encountered")``
when a slice has nothing else.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.array([[3, 9, 1], [9, 0, 9]]), chunks=1)
>>> x.argmax().compute(), x.argmin(axis=1).compute()
(np.int64(1), array([2, 1]))
"""

from __future__ import annotations

import math
from functools import partial
from itertools import product
from typing import Any

import numpy as np

from tessera.array.chunks import chunk_bounds
from tessera.array.core import Array, new_array
from tessera.array.reduce_rules import (
    as_result,
    check_nonempty,
    empty_partial,
    prepare,
    validate_axis,
)
from tessera.array.treereduce import Grid, tree_reduce
from tessera.hashing import tokenize

__all__ = ["argmax", "argmin", "nanargmax", "nanargmin"]

_ARG = {"min": np.argmin, "max": np.argmax}
_FILL = {"min": np.inf, "max": -np.inf}


def _empty(x: Any, axes: tuple[int, ...]) -> dict[str, Any]:
    vals = empty_partial(x, axes)
    return {"vals": vals, "idx": np.zeros(vals.shape, dtype=np.intp)}


def _fill_nan(x: Any, axes: tuple[int, ...], kind: str) -> tuple[Any, Any]:
    """NaNs replaced by +inf (argmin) or -inf (argmax), and where a whole slice is NaN."""
    mask = np.isnan(x)
    return np.where(mask, _FILL[kind], x), mask.all(axis=axes, keepdims=True)


def _arg_chunk(
    x: Any,
    offsets: tuple[int, ...],
    axes: tuple[int, ...],
    shape: tuple[int, ...] | None,
    kind: str,
    skipna: bool,
) -> dict[str, Any]:
    """The partial of one block; ``shape`` (the whole array's) is given for flat indices."""
    x = np.asarray(x)
    if any(x.shape[a] == 0 for a in axes):  # nothing here: an empty partial
        return _empty(x, axes)
    data, allnan = _fill_nan(x, axes, kind) if skipna else (x, None)
    if shape is not None:
        local = int(_ARG[kind](data))
        ones = (1,) * x.ndim
        vals = np.full(ones, data.flat[local], dtype=data.dtype)
        where = np.unravel_index(local, x.shape) if x.ndim else ()
        flat = np.ravel_multi_index(
            tuple(w + o for w, o in zip(where, offsets, strict=True)), shape
        ) if x.ndim else 0  # fmt: skip
        idx = np.full(ones, flat, dtype=np.intp)
    else:
        (a,) = axes
        local_idx = _ARG[kind](data, axis=a, keepdims=True)
        vals = np.take_along_axis(data, local_idx, axis=a)
        idx = (local_idx + offsets[a]).astype(np.intp, copy=False)
    if allnan is not None:
        vals = np.where(allnan, np.nan, vals)
    return {"vals": vals, "idx": idx}


def _arg_combine(
    parts: dict[str, Any],
    axis: tuple[int, ...],
    keepdims: bool,
    kind: str,
    skipna: bool,
    flat: bool,
    final: bool,
) -> Any:
    """Pick the winning partials along ``axis``; the final step returns the indices."""
    vals, idx = parts["vals"], parts["idx"]
    if not final and any(vals.shape[a] == 0 for a in axis):
        return _empty(vals, axis)
    allnan = None
    if skipna:
        nan = np.isnan(vals)
        allnan = nan.all(axis=axis, keepdims=True)
        vals = np.where(nan, _FILL[kind], vals)
    if flat:  # in flat index order, so that ties go to the first occurrence
        order = np.argsort(idx, axis=None, kind="stable")
        v, i = vals.reshape(-1)[order], idx.reshape(-1)[order]
        p = int(_ARG[kind](v))
        vals, idx = v[p : p + 1].reshape(_ones(vals)), i[p : p + 1].reshape(_ones(vals))
    else:
        (a,) = axis
        p = _ARG[kind](vals, axis=a, keepdims=True)
        vals, idx = np.take_along_axis(vals, p, axis=a), np.take_along_axis(idx, p, axis=a)
    if not final:
        return {"vals": vals if allnan is None else np.where(allnan, np.nan, vals), "idx": idx}
    if allnan is not None and np.any(allnan):
        raise ValueError("All-NaN slice encountered")
    return as_result(idx if keepdims else idx.squeeze(axis), np.intp)


def _ones(vals: Any) -> tuple[int, ...]:
    """The shape of one flat partial: length 1 on every axis."""
    return (1,) * vals.ndim


def _arg(name: str, a: Any, axis: Any, keepdims: bool, split_every: Any, out: Any) -> Array:
    kind = "min" if name.endswith("min") else "max"
    x, _ = prepare(a, None, name, out)
    if isinstance(axis, (tuple, list)):
        raise TypeError(f"{name} takes one axis (an int) or None, got axis={axis!r}")
    axes = validate_axis(axis, x.ndim, x.shape, name)
    flat = axis is None and x.ndim != 1
    skipna = name.startswith("nan") and x.dtype.kind in "fc"
    check_nonempty(getattr(np, name), x, axes, name)
    needs = range(x.ndim) if flat else axes
    if any(isinstance(x.shape[d], float) and math.isnan(x.shape[d]) for d in needs):
        raise ValueError(
            f"{name} needs the chunk sizes of the array (shape {x.shape}) to turn block "
            "positions into indices; call x.compute_chunk_sizes() first"
        )
    bounds = [chunk_bounds(c) for c in x.chunks]
    chunk_fn = partial(
        _arg_chunk, axes=axes, shape=x.shape if flat else None, kind=kind, skipna=skipna
    )
    pname = f"{name}-chunk-{tokenize(x, chunk_fn)}"
    layer = {
        (pname, *i): (chunk_fn, (x.name, *i), tuple(b[j] for b, j in zip(bounds, i, strict=True)))
        for i in product(*(range(n) for n in x.numblocks))
    }
    chunks = tuple((1,) * len(c) if d in axes else c for d, c in enumerate(x.chunks))
    grid = Grid.of(new_array(pname, layer, chunks, x.dtype, inputs=[x]))
    step = partial(_arg_combine, kind=kind, skipna=skipna, flat=flat)
    return tree_reduce(
        grid,
        axes,
        partial(step, final=True),
        combine=partial(step, final=False),
        keepdims=keepdims,
        dtype=np.intp,
        split_every=split_every,
        name=name,
    )


def argmin(
    a: Any, axis: Any = None, *, keepdims: bool = False, split_every: Any = None, out: Any = None
) -> Array:
    """Index of the minimum along ``axis`` (flat index if ``None``) (:func:`numpy.argmin`).

    Parameters
    ----------
    a, axis, keepdims, split_every, out
        See :mod:`tessera.array.reductions`; ``axis`` is one int or ``None``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.argmin(da.from_array(np.array([4, 1, 1, 7]), chunks=3)).compute()
    np.int64(1)
    """
    return _arg("argmin", a, axis, keepdims, split_every, out)


def argmax(
    a: Any, axis: Any = None, *, keepdims: bool = False, split_every: Any = None, out: Any = None
) -> Array:
    """Index of the maximum along ``axis`` (flat index if ``None``) (:func:`numpy.argmax`).

    Parameters
    ----------
    a, axis, keepdims, split_every, out
        See :mod:`tessera.array.reductions`; ``axis`` is one int or ``None``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.argmax(da.from_array(np.array([4, 7, 1, 7]), chunks=3)).compute()
    np.int64(1)
    """
    return _arg("argmax", a, axis, keepdims, split_every, out)


def nanargmin(
    a: Any, axis: Any = None, *, keepdims: bool = False, split_every: Any = None, out: Any = None
) -> Array:
    """Index of the minimum along ``axis``, ignoring NaNs (:func:`numpy.nanargmin`).

    Parameters
    ----------
    a, axis, keepdims, split_every, out
        See :mod:`tessera.array.reductions`; ``axis`` is one int or ``None``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nanargmin(da.from_array(np.array([np.nan, 2.0, 1.0]), chunks=2)).compute()
    np.int64(2)
    """
    return _arg("nanargmin", a, axis, keepdims, split_every, out)


def nanargmax(
    a: Any, axis: Any = None, *, keepdims: bool = False, split_every: Any = None, out: Any = None
) -> Array:
    """Index of the maximum along ``axis``, ignoring NaNs (:func:`numpy.nanargmax`).

    Parameters
    ----------
    a, axis, keepdims, split_every, out
        See :mod:`tessera.array.reductions`; ``axis`` is one int or ``None``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nanargmax(da.from_array(np.array([np.nan, 2.0, 1.0]), chunks=2)).compute()
    np.int64(1)
    """
    return _arg("nanargmax", a, axis, keepdims, split_every, out)
