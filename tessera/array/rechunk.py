"""Changing an array's chunks, with a plan that bounds the memory of every task.

Map
---
- :func:`rechunk` -- new chunks for an array (any spec :func:`normalize_chunks` takes);
  also ``Array.rechunk``.
- :func:`plan_rechunk` -- the chunkings a rechunk goes through, ending with the new one.
- :func:`plan_axis` -- for one axis, which pieces of which old blocks make each new block.

Plan.  Each block of a stage is assembled in one task from the pieces of the blocks of
the previous stage it overlaps (views, then one concatenation).  Along an axis whose
chunks grow, a task reads about ``new / old`` blocks; along an axis whose chunks shrink,
it reads one or two blocks but uses only a part of each.  A rechunk that only merges
(or only splits) is done directly: a task's inputs add up to about its output.  An
*all-to-all* rechunk -- chunks growing along some axes and shrinking along others, like
``(1, N) -> (N, 1)`` -- would make every task read many whole blocks to use a sliver of
each.  Let ``grow`` be the product over axes of the growth factors and ``shrink`` that of
the shrink factors; when ``min(grow, shrink)`` exceeds ``threshold`` the rechunk goes
through ``S = ceil(log(min(grow, shrink)) / log(threshold))`` stages whose chunk sizes
interpolate geometrically, per axis, from the old to the new sizes.  Every intermediate
block is then no bigger than the larger of an old and a new block (the bounding box of
the largest chunk on each axis), and each stage multiplies the chunk sizes by at most
``threshold`` overall, so in the all-to-all case no task reads more than about
``threshold`` blocks (times 2 per axis where block edges do not line up).  Stages are
nested where possible: along a growing axis each stage merges whole blocks of the one
before; along a shrinking axis each stage splits blocks of the one before.

Axes with unknown (``nan``) chunk sizes cannot be changed; other axes can.

>>> import tessera.array as da
>>> x = da.arange(10, chunks=3)
>>> rechunk(x, 5).chunks
((5, 5),)
>>> rechunk(x, 5).compute()
array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
>>> [c[0][:3] for c in plan_rechunk(((1,) * 64, (64,)), ((64,), (1,) * 64), threshold=4)]
[(4, 4, 4), (16, 16, 16), (64,)]
"""

from __future__ import annotations

import math
from itertools import product
from typing import Any

from tessera.array.chunks import Chunks, chunk_bounds, normalize_chunks
from tessera.array.core import Array, concatenate_blocks, new_array
from tessera.hashing import tokenize

__all__ = ["plan_axis", "plan_rechunk", "rechunk"]

Piece = tuple[int, slice]


def plan_axis(old: tuple[int, ...], new: tuple[int, ...]) -> list[list[Piece]]:
    """For each new block, the ``(old block index, slice in that block)`` pieces.

    >>> plan_axis((3, 3), (2, 4))
    [[(0, slice(0, 2, None))], [(0, slice(2, 3, None)), (1, slice(0, 3, None))]]
    """
    old_b = chunk_bounds(old)
    out: list[list[Piece]] = []
    start = 0
    i = 0
    for size in new:
        stop = start + size
        pieces: list[Piece] = []
        while i < len(old) and old_b[i + 1] <= start and old_b[i + 1] != old_b[i]:
            i += 1
        j = i
        while j < len(old) and old_b[j] < stop:
            lo, hi = max(start, old_b[j]), min(stop, old_b[j + 1])
            if hi > lo:
                pieces.append((j, slice(lo - old_b[j], hi - old_b[j])))
            j += 1
        if not pieces:  # an empty block
            pieces.append((min(i, len(old) - 1), slice(0, 0)))
        out.append(pieces)
        start = stop
    return out


def _same(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Equal chunks, ``nan`` equal to ``nan``."""
    return len(a) == len(b) and all(
        x == y or (x != x and y != y) for x, y in zip(a, b, strict=False)
    )


def _unknown(chunks: tuple[float, ...]) -> bool:
    return any(c != c for c in chunks)


def _merge(chunks: tuple[int, ...], target: float) -> tuple[int, ...]:
    """Join consecutive chunks greedily into groups of at most ``target`` (one at least)."""
    out: list[int] = []
    for c in chunks:
        if out and out[-1] + c <= target:
            out[-1] += c
        else:
            out.append(c)
    return tuple(out)


def plan_rechunk(old: Chunks, new: Chunks, threshold: int = 8) -> list[Chunks]:
    """The chunkings a rechunk from ``old`` to ``new`` goes through; the last is ``new``.

    See the module docstring for the policy.

    Parameters
    ----------
    old, new : tuple of tuple of int
        Normalized chunks of the same shape.
    threshold : int
        The growth (and shrink) factor one stage may apply; at least 2.

    Examples
    --------
    >>> plan_rechunk(((2, 2), (4,)), ((4,), (2, 2)))
    [((4,), (2, 2))]
    >>> stages = plan_rechunk(((1,) * 100, (100,)), ((100,), (1,) * 100), threshold=10)
    >>> [tuple(max(c) for c in s) for s in stages]
    [(10, 10), (100, 1)]
    """
    if threshold < 2:
        raise ValueError(f"threshold must be at least 2, got {threshold}")
    ndim = len(new)
    if ndim <= 1 or any(_unknown(c) for c in old) or any(sum(c) == 0 for c in new):
        return [new]
    o = [max(c) for c in old]
    n = [max(c) for c in new]
    grow = math.prod(b / a for a, b in zip(o, n, strict=True) if b > a)
    shrink = math.prod(a / b for a, b in zip(o, n, strict=True) if b < a)
    excess = min(grow, shrink)
    if excess <= threshold:
        return [new]
    stages = math.ceil(math.log(excess) / math.log(threshold) - 1e-9)
    per_axis: list[list[tuple[int, ...]]] = []
    for ax in range(ndim):
        targets = [
            math.floor(o[ax] ** (1 - s / stages) * n[ax] ** (s / stages) + 1e-9)
            for s in range(stages + 1)
        ]
        steps: list[tuple[int, ...]] = []
        if _same(old[ax], new[ax]):
            steps = [new[ax]] * (stages - 1)
        elif n[ax] > o[ax]:  # growing: each stage merges blocks of the one before
            prev = old[ax]
            for s in range(1, stages):
                prev = _merge(prev, targets[s])
                steps.append(prev)
        else:  # shrinking: each stage (read backwards) merges blocks of the one after
            nxt = new[ax]
            for s in range(stages - 1, 0, -1):
                nxt = _merge(nxt, targets[s])
                steps.insert(0, nxt)
        per_axis.append(steps)
    plan = [tuple(per_axis[ax][s] for ax in range(ndim)) for s in range(stages - 1)]
    plan = [p for i, p in enumerate(plan) if p != old and (i == 0 or p != plan[i - 1])]
    return [*plan, new]


def _getitem(block: Any, index: tuple[slice, ...]) -> Any:
    return block[index]


def _pieces(
    name: str, per_axis: list[list[tuple[int, slice | None]]], chosen: tuple[Any, ...]
) -> Any:
    """Nested lists (one level per axis) of the old-block pieces making one new block."""
    if len(chosen) == len(per_axis):
        key = (name, *(j for j, _ in chosen))
        if all(s is None for _, s in chosen):
            return key
        return (_getitem, key, tuple(slice(None) if s is None else s for _, s in chosen))
    return [_pieces(name, per_axis, (*chosen, p)) for p in per_axis[len(chosen)]]


def _direct(x: Array, chunks: Chunks) -> Array:
    """One stage: every new block from the pieces of the old blocks it overlaps."""
    plans: list[list[list[tuple[int, slice | None]]]] = []
    for old, new in zip(x.chunks, chunks, strict=True):
        if _same(old, new):
            plans.append([[(i, None)] for i in range(len(old))])
            continue
        plans.append(
            [
                [(j, None if s.start == 0 and s.stop == old[j] else s) for j, s in pieces]
                for pieces in plan_axis(old, new)
            ]
        )
    name = f"rechunk-{tokenize(x, chunks)}"
    layer: dict[Any, Any] = {}
    for idx in product(*(range(len(c)) for c in chunks)):
        per_axis = [plans[ax][j] for ax, j in enumerate(idx)]
        parts = _pieces(x.name, per_axis, ())
        out_key = (name, *idx)
        if all(len(p) == 1 for p in per_axis):
            for _ in range(x.ndim):
                parts = parts[0]
            layer[out_key] = parts  # one piece, or an alias of a whole old block
        else:
            layer[out_key] = (concatenate_blocks, parts, x.ndim)
    return new_array(name, layer, chunks, x.dtype, inputs=[x])


def _unknown_error(x: Array, axis: int, chunks: Any) -> ValueError:
    return ValueError(
        f"Cannot rechunk axis {axis} to {chunks!r}: its chunk sizes are unknown "
        f"(chunks={x.chunks}), e.g. after boolean indexing. Call x = x.compute_chunk_sizes() "
        "first, or leave that axis out of the new chunks (chunks={other_axis: ...})."
    )


def _keep_none(x: Array, chunks: Any) -> Any:
    """``None`` for an axis (in a tuple or a dict) means: keep that axis' chunks."""
    if isinstance(chunks, dict):
        return {k: x.chunks[k] if v is None and -x.ndim <= k < x.ndim else v
                for k, v in chunks.items()}  # fmt: skip
    if isinstance(chunks, (tuple, list)) and len(chunks) == x.ndim:
        return tuple(x.chunks[ax] if c is None else c for ax, c in enumerate(chunks))
    return chunks


def _normalize(x: Array, chunks: Any, limit: Any = None) -> Chunks:
    """Explicit new chunks; axes with unknown sizes must keep theirs."""
    chunks = _keep_none(x, chunks)
    unknown = [ax for ax, c in enumerate(x.chunks) if _unknown(c)]
    if not unknown:
        return normalize_chunks(chunks, x.shape, dtype=x.dtype, previous=x.chunks, limit=limit)
    if isinstance(chunks, dict):
        spec = {k % x.ndim if -x.ndim <= k < x.ndim else k: v for k, v in chunks.items()}
    elif isinstance(chunks, (tuple, list)) and len(chunks) == x.ndim:
        spec = dict(enumerate(chunks))
    else:
        raise _unknown_error(x, unknown[0], chunks)
    for ax in unknown:
        given = spec.pop(ax, x.chunks[ax])
        if not (isinstance(given, (tuple, list)) and _same(tuple(given), x.chunks[ax])):
            raise _unknown_error(x, ax, given)
    known = [ax for ax in range(x.ndim) if ax not in unknown]
    bad = [k for k in spec if k not in known]
    if bad:
        raise ValueError(
            f"Chunks {chunks!r} name axis {bad[0]}, which an array of {x.ndim} axes lacks"
        )
    sub = normalize_chunks(
        {known.index(k): v for k, v in spec.items()},
        tuple(x.shape[ax] for ax in known),
        dtype=x.dtype,
        limit=limit,
        previous=tuple(x.chunks[ax] for ax in known),
    )
    out = list(x.chunks)
    for ax, c in zip(known, sub, strict=True):
        out[ax] = c
    return tuple(out)


def _balance(chunks: Chunks) -> Chunks:
    """As many blocks per axis, their sizes as equal as possible (never above the largest
    requested one: Dask may instead merge a small last block into the others)."""
    out = []
    for c in chunks:
        n, k = sum(c), len(c)
        out.append(c if _unknown(c) else tuple(n // k + (i < n % k) for i in range(k)))
    return tuple(out)


def rechunk(
    x: Array,
    chunks: Any = "auto",
    threshold: int | None = None,
    block_size_limit: int | str | None = None,
    balance: bool = False,
    method: str | None = None,
) -> Array:
    """Return ``x`` with new chunks, through intermediate chunkings if that bounds memory.

    Parameters
    ----------
    x : Array
        The array.
    chunks : chunk spec
        Anything :func:`~tessera.array.chunks.normalize_chunks` accepts; a dict changes
        only the axes it names, and ``None`` for an axis keeps its chunks (``-1`` makes
        it one block).
    threshold : int, optional
        The growth factor of chunk sizes one stage may apply when the rechunk both
        merges and splits blocks (see the module docstring); default 8.
    block_size_limit : int or str, optional
        Target bytes per block for ``"auto"`` axes; default ``config array.chunk-size``.
    balance : bool
        Keep the number of blocks per axis but make their sizes as equal as possible
        (``10`` in chunks of ``4`` gives ``(4, 3, 3)`` rather than ``(4, 4, 2)``; no block
        grows past the size asked for, where Dask may give ``(5, 5)``).
    method : {None, "tasks"}
        How to rechunk; tessera has one way, the task plan above (Dask's ``"p2p"``
        needs its distributed shuffle).

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.ones((4, 4), chunks=(1, 4))
    >>> y = rechunk(x, {0: 4, 1: 1})
    >>> y.chunks, y.compute().shape
    (((4,), (1, 1, 1, 1)), (4, 4))
    >>> x.rechunk((2, 2)).chunks
    ((2, 2), (2, 2))
    >>> da.ones(10, chunks=5).rechunk(4, balance=True).chunks
    ((4, 3, 3),)
    >>> x.rechunk((None, -1)).chunks
    ((1, 1, 1, 1), (4,))
    """
    if method not in (None, "tasks"):
        raise ValueError(
            f"rechunk method {method!r} is not supported: tessera rechunks with tasks; pass "
            "method='tasks' or leave it out"
        )
    new = _normalize(x, chunks, block_size_limit)
    if balance:
        new = _balance(new)
    if _all_same(new, x.chunks):
        return x
    for stage in plan_rechunk(x.chunks, new, 8 if threshold is None else threshold):
        x = _direct(x, stage)
    return x


def _all_same(a: Chunks, b: Chunks) -> bool:
    return len(a) == len(b) and all(_same(p, q) for p, q in zip(a, b, strict=True))


Array.rechunk = rechunk  # type: ignore[attr-defined]
