"""The one waist of array reductions: ``chunk`` every block, ``combine`` in a tree, ``aggregate``.

Map
---
- :func:`reduction` -- the generic tree reduction (Dask's ``da.reduction``); every reduction
  in :mod:`~tessera.array.reductions` is validation plus one call to it (or, for the arg
  reductions, which need each block's offsets, its own chunk layer plus :func:`tree_reduce`).
- :func:`reduce_steps` -- :func:`reduction` of a validated array over its axes with a
  ``combine`` that is also the last step unless told otherwise (``sum``, ``min``, ``any``).
- :func:`tree_reduce` -- the ``combine`` levels and the final ``aggregate`` over a grid of
  partial results.
- :mod:`~tessera.array.treeplan` -- the tree's shape: :func:`split_sizes` (fan-in per
  axis), :func:`concatenate_partials`, :func:`nonempty_blocks` (re-exported here).

Plan: ``chunk(block, axis=axes, keepdims=True)`` runs on every block; then groups of at
most ``split_every[a]`` neighbouring partials along each reduced axis ``a`` are joined
(``concatenate=True``) and passed to ``combine(..., axis=axes, keepdims=True)``, level by
level, until one group per output block is left for ``aggregate(..., axis=axes,
keepdims=keepdims)`` (fan-in: see :func:`split_sizes`).  Blocks of length 0 on a
reduced axis hold nothing to reduce and are skipped (unless all are).  When every
output block has a single partial, ``chunk`` and ``aggregate`` run in one task.  With an
explicit ``combine`` (partials to partials), each chunk task is a
:class:`~tessera.array.pieces.ChunkStep`, so :mod:`~tessera.array.fusion` may run it on a
block made in cache-sized pieces.

Names: the chunk layer's name comes from ``chunk`` and the input only, each combine
level's from the level below and ``combine``; so two reductions that share their
chunk and combine steps (``x.sum()`` and ``x.mean()`` on floats) share those tasks.

>>> import numpy as np, tessera.array as da
>>> x = da.arange(10, chunks=3)
>>> reduction(x, np.sum, np.sum, dtype=x.dtype).compute()
np.int64(45)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import product
from typing import Any

import numpy as np

from tessera.array.core import Array, new_array
from tessera.array.pieces import ChunkStep
from tessera.array.reduce_rules import validate_axis
from tessera.array.treeplan import (
    concatenate_partials,
    concatenate_then,
    funcname,
    nonempty_blocks,
    split_sizes,
)
from tessera.hashing import tokenize

__all__ = [
    "concatenate_partials",
    "nonempty_blocks",
    "reduce_steps",
    "reduction",
    "split_sizes",
    "tree_reduce",
]


@dataclass(frozen=True)
class Grid:
    """A grid of partial results: its shape in blocks, how to reach each, what it is built on.

    ``ref(index)`` is the key (or a nested task) giving the partial at ``index``;
    ``base`` is the array whose layers hold those keys (its chunks on the axes that are
    not reduced are the output's); ``token`` identifies the grid for naming.
    """

    numblocks: tuple[int, ...]
    ref: Callable[[tuple[int, ...]], Any]
    base: Array
    token: str

    @classmethod
    def of(cls, partials: Array) -> Grid:
        """The grid of an array whose blocks are partial results."""
        return cls(partials.numblocks, partial(_key, partials.name), partials, partials.name)


def _group_task(
    func: Callable[..., Any],
    grid: Grid,
    group: tuple[int, ...],
    sizes: dict[int, int],
    axes: tuple[int, ...],
    concatenate: bool,
) -> Any:
    """The task combining the partials of ``group`` (groups of ``sizes[a]`` along axis a).

    A joined group of one partial is that partial: ``(func, ref)``, no nested list (whose
    single item may be a nested task without references, such as a streamed chunk).
    """

    def nest(level: int, index: list[int]) -> Any:
        if level == len(axes):
            return grid.ref(tuple(index))
        a = axes[level]
        start = group[a] * sizes[a]
        stop = min(start + sizes[a], grid.numblocks[a])
        return [nest(level + 1, [*index[:a], j, *index[a + 1 :]]) for j in range(start, stop)]

    nested = nest(0, list(group))
    if concatenate and all(
        min(sizes[a], grid.numblocks[a] - group[a] * sizes[a]) == 1 for a in axes
    ):
        only = nested
        for _ in axes:
            (only,) = only
        return (func, only)
    return (concatenate_then, func, nested, axes) if concatenate else (func, nested)


def _level(
    grid: Grid,
    func: Callable[..., Any],
    sizes: dict[int, int],
    axes: tuple[int, ...],
    concatenate: bool,
    name: str,
    key_of: Callable[[tuple[int, ...]], tuple[Any, ...]],
) -> dict[Any, Any]:
    """One level of the tree: a task per group, stored under ``key_of(group)``."""
    groups = [math.ceil(n / sizes[a]) if a in sizes else n for a, n in enumerate(grid.numblocks)]
    return {
        (name, *key_of(g)): _group_task(func, grid, g, sizes, axes, concatenate)
        for g in product(*(range(n) for n in groups))
    }


def tree_reduce(
    grid: Grid,
    axes: tuple[int, ...],
    aggregate: Callable[..., Any],
    *,
    combine: Callable[..., Any] | None = None,
    keepdims: bool = False,
    dtype: Any,
    split_every: Any = None,
    concatenate: bool = True,
    output_size: int = 1,
    name: str | None = None,
) -> Array:
    """Combine the partials of ``grid`` level by level along ``axes``, then aggregate.

    See :func:`reduction` for the parameters; ``grid`` describes the partial results.

    >>> import tessera.array as da
    >>> x = da.arange(8, chunks=2)
    >>> tree_reduce(Grid.of(x), (0,), np.max, dtype=x.dtype, split_every=2).compute()
    np.int64(7)
    """
    ndim = len(grid.numblocks)
    split = split_sizes(split_every, axes, ndim)
    combine_fn = partial(combine or aggregate, axis=axes, keepdims=True)
    while any(split[a] > 1 and grid.numblocks[a] > split[a] for a in axes):
        token = tokenize(grid.token, combine_fn, split, concatenate)
        lname = f"{funcname(combine or aggregate)}-partial-{token}"
        layer = _level(grid, combine_fn, split, axes, concatenate, lname, lambda g: g)
        numblocks = tuple(
            math.ceil(n / split[a]) if a in split else n for a, n in enumerate(grid.numblocks)
        )
        chunks = tuple(
            (1,) * n if a in split else c
            for a, (n, c) in enumerate(zip(numblocks, grid.base.chunks, strict=True))
        )
        grid = Grid.of(new_array(lname, layer, chunks, grid.base.dtype, inputs=[grid.base]))
    final = partial(aggregate, axis=axes, keepdims=keepdims)
    token = tokenize(
        grid.token, combine_fn, final, split, concatenate, np.dtype(dtype), output_size
    )
    out_name = f"{name or funcname(aggregate)}-{token}"
    whole = {a: grid.numblocks[a] for a in axes}
    if keepdims:
        chunks = tuple((output_size,) if a in whole else c for a, c in enumerate(grid.base.chunks))
        layer = _level(grid, final, whole, axes, concatenate, out_name, lambda g: g)
    else:
        chunks = tuple(c for a, c in enumerate(grid.base.chunks) if a not in whole)
        keep = [a for a in range(ndim) if a not in whole]
        layer = _level(
            grid, final, whole, axes, concatenate, out_name, lambda g: tuple(g[a] for a in keep)
        )
    return new_array(out_name, layer, chunks, dtype, inputs=[grid.base])


def _key(name: str, index: tuple[int, ...]) -> tuple[Any, ...]:
    return (name, *index)


def _infer_dtype(
    chunk: Callable[..., Any],
    aggregate: Callable[..., Any],
    x: Array,
    axes: tuple[int, ...],
    keepdims: bool,
) -> np.dtype[Any]:
    probe = np.ones((1,) * x.ndim, dtype=x.dtype)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = aggregate(chunk(probe, axis=axes, keepdims=True), axis=axes, keepdims=keepdims)
    except Exception as e:
        raise TypeError(
            f"Could not infer the dtype of {funcname(aggregate)} on a {x.dtype} array by "
            f"running it on a one-element array ({type(e).__name__}: {e}); pass dtype=..."
        ) from e
    return np.asarray(out).dtype


def reduction(
    x: Any,
    chunk: Callable[..., Any],
    aggregate: Callable[..., Any],
    *,
    combine: Callable[..., Any] | None = None,
    axis: Any = None,
    keepdims: bool = False,
    dtype: Any = None,
    split_every: Any = None,
    concatenate: bool = True,
    output_size: int = 1,
    name: str | None = None,
) -> Array:
    """A tree reduction: ``chunk`` each block, ``combine`` partials in groups, ``aggregate``.

    Parameters
    ----------
    x : Array or array-like
        The array to reduce.
    chunk : callable
        ``chunk(block, axis=axes, keepdims=True)``: a partial result per block -- an
        array keeping the reduced axes (length 1 each), or a dict of such arrays.
    aggregate : callable
        ``aggregate(partials, axis=axes, keepdims=keepdims)``: the final result from the
        joined partials of one output block.
    combine : callable, optional
        ``combine(partials, axis=axes, keepdims=True)``: partials from joined partials,
        used at the intermediate levels; default ``aggregate``.  When given (and
        ``concatenate``), it may also merge the partials of pieces of one block.
    axis : None, int or tuple of ints
        Axes to reduce (negative counts from the end; ``None``: all).
    keepdims : bool
        Keep the reduced axes with length ``output_size``.
    dtype : dtype, optional
        The result's dtype; default: inferred by running ``chunk`` and ``aggregate`` on a
        one-element array.
    split_every : None, int or dict
        Fan-in of the tree (see :func:`split_sizes`).
    concatenate : bool
        Join the partials of a group into one array (or dict) before ``combine`` /
        ``aggregate``; with ``False`` they receive nested lists (one level per reduced axis).
    output_size : int
        Length of the reduced axes in the result when ``keepdims`` is true.
    name : str, optional
        Prefix of the output's name (default: ``aggregate``'s name).

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.ones((4, 6), chunks=(2, 2), dtype=int)
    >>> reduction(x, np.sum, np.sum, axis=1, dtype=int).compute()
    array([6, 6, 6, 6])
    >>> def chunk(b, axis, keepdims):
    ...     return {"n": np.full((1,) * b.ndim, b.size), "total": b.sum(axis, keepdims=True)}
    >>> def agg(p, axis, keepdims):
    ...     return p["total"].sum(axis, keepdims=keepdims) / p["n"].sum(axis, keepdims=keepdims)
    >>> reduction(x, chunk, agg, dtype=float).compute()
    np.float64(1.0)
    """
    if not isinstance(x, Array):
        from tessera.array.creation import asarray

        x = asarray(x)
    prefix = name or funcname(aggregate)
    axes = validate_axis(axis, x.ndim, x.shape, prefix)
    if dtype is None:
        dtype = _infer_dtype(chunk, aggregate, x, axes, keepdims)
    kept = nonempty_blocks(x.chunks, axes)
    numblocks = tuple(len(kept[a]) if a in kept else n for a, n in enumerate(x.numblocks))
    chunk_fn = partial(chunk, axis=axes, keepdims=True)
    merge = partial(combine, axis=axes, keepdims=True) if combine and concatenate else None
    task = partial(_chunk_task, chunk_fn, merge, axes, x, kept)
    if all(numblocks[a] == 1 for a in axes):
        # one partial per output block: chunk runs inside the aggregate task
        grid = Grid(numblocks, task, x, tokenize(x, chunk_fn))
    else:
        pname = f"{funcname(chunk)}-{tokenize(x, chunk_fn, kept)}"
        layer = {(pname, *i): task(i) for i in product(*(range(n) for n in numblocks))}
        chunks = tuple((1,) * numblocks[a] if a in kept else c for a, c in enumerate(x.chunks))
        grid = Grid.of(new_array(pname, layer, chunks, x.dtype, inputs=[x]))
    return tree_reduce(
        grid,
        axes,
        aggregate,
        combine=combine,
        keepdims=keepdims,
        dtype=dtype,
        split_every=split_every,
        concatenate=concatenate,
        output_size=output_size,
        name=prefix,
    )


def _chunk_task(
    chunk_fn: Callable[..., Any],
    merge: Callable[..., Any] | None,
    axes: tuple[int, ...],
    x: Array,
    kept: dict[int, list[int]],
    index: tuple[int, ...],
) -> tuple[Any, ...]:
    """The task of partial ``index``: ``chunk_fn`` on the input block it reads (skipping
    empty blocks), as a :class:`~tessera.array.pieces.ChunkStep` when ``merge`` is known."""
    block = tuple(kept[a][i] if a in kept else i for a, i in enumerate(index))
    if merge is None:
        return (chunk_fn, (x.name, *block))
    size = math.prod(c[i] for c, i in zip(x.chunks, block, strict=True))
    return (ChunkStep(chunk_fn, merge, axes, size), (x.name, *block))


def reduce_steps(
    x: Array,
    axes: tuple[int, ...],
    chunk: Callable[..., Any],
    combine: Callable[..., Any],
    aggregate: Callable[..., Any] | None = None,
    *,
    keepdims: bool,
    dtype: Any,
    split_every: Any,
    name: str,
) -> Array:
    """:func:`reduction` of ``x`` over the validated ``axes``; ``aggregate`` defaults to
    ``combine`` (partials merge the way the last step does).

    >>> import tessera.array as da
    >>> x = da.arange(10, chunks=3)
    >>> reduce_steps(x, (0,), np.max, np.max, keepdims=False, dtype=x.dtype,
    ...              split_every=None, name="max").compute()
    np.int64(9)
    """
    return reduction(
        x,
        chunk,
        aggregate or combine,
        combine=combine,
        axis=axes,
        keepdims=keepdims,
        dtype=dtype,
        split_every=split_every,
        name=name,
    )
