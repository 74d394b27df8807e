"""Reshaping in C order, block by block after a rechunk that lines the blocks up.

Map
---
- :func:`reshape` (``Array.reshape``) -- a new shape with the same size; ``-1`` once.
- :func:`ravel` (``Array.ravel``, ``Array.flatten``) -- reshape to one axis.

Plan (Dask's, extended to every reshape and to bounded block sizes).  Leave out axes of
length one; then cut the old and the new axes, from the left, into the smallest groups
with equal products: ``(4, 6, 5) -> (24, 5)`` gives groups ``(4, 6) -> (24,)`` and
``(5,) -> (5,)``.  A group of one axis keeps its chunks.  In a bigger group, each block
must be, in C order, one contiguous run of the group's elements on both sides; then
the input is rechunked once and every block is reshaped on its own (block ``k`` of a
group in C order becomes block ``k`` of the new group).

- First try Dask's plan: every old axis but the first whole, the first axis' chunk
  edges moved to multiples of ``m`` (the fewest rows that fill whole rows of the new
  group) after splitting each chunk by the number of blocks the other axes lost.
  Merging ``(a, b) -> (a * b,)`` has ``m = 1``; splitting ``(a * b,) -> (a, b)`` has
  ``m = b``; ``(4, 6) -> (3, 8)`` has ``m = lcm(6, 8) / 6 = 4``.
- If that makes blocks over 4 times bigger than the old ones (``(2 * n,) -> (2, n)``
  would give two blocks of ``n``), use equal runs of ``f`` elements instead: on each
  side the axes before some axis in ones, that axis cut, the rest whole, with ``f`` as
  close to the old block volume as the shapes allow.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.arange(24).reshape(4, 6), chunks=(2, 3))
>>> y = reshape(x, (8, 3))
>>> y.chunks
((2, 2, 2, 2), (3,))
>>> (y.compute() == np.arange(24).reshape(8, 3)).all()
np.True_
"""

from __future__ import annotations

import math
from itertools import product
from typing import Any

import numpy as np

from tessera.array.core import Array, new_array
from tessera.array.masking import check_known
from tessera.array.rechunk import rechunk
from tessera.hashing import tokenize

__all__ = ["ravel", "reshape"]


def _resolve(shape: Any, size: int, old: tuple[int, ...]) -> tuple[int, ...]:
    """The target shape with ``-1`` filled in; NumPy's errors for impossible shapes."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    shape = tuple(int(n) for n in shape)
    free = [i for i, n in enumerate(shape) if n == -1]
    if len(free) > 1:
        raise ValueError(f"can only specify one unknown dimension, got shape {shape}")
    if any(n < -1 for n in shape):
        raise ValueError(f"negative dimensions not allowed, got shape {shape}")
    known = math.prod(n for n in shape if n != -1)
    if free and known and size % known == 0:
        shape, free = tuple(size // known if n == -1 else n for n in shape), []
    if free or math.prod(shape) != size:
        shown = tuple("newaxis" if n == -1 else n for n in shape)
        raise ValueError(
            f"cannot reshape array of size {size} into shape {shown}".replace("'", "")
            + f" (the array has shape {old})"
        )
    return shape


def _groups(old: tuple[int, ...], new: tuple[int, ...]) -> list[tuple[list[int], list[int]]]:
    """Smallest groups of old and new axes (lengths > 1) with equal products."""
    ins = [a for a, n in enumerate(old) if n != 1]
    outs = [a for a, n in enumerate(new) if n != 1]
    groups = []
    i = o = 0
    while i < len(ins):
        gi, go = [ins[i]], [outs[o]]
        pi, po = old[ins[i]], new[outs[o]]
        while pi != po:
            if pi < po:
                i += 1
                gi.append(ins[i])
                pi *= old[ins[i]]
            else:
                o += 1
                go.append(outs[o])
                po *= new[outs[o]]
        groups.append((gi, go))
        i, o = i + 1, o + 1
    return groups


def _snap(chunks: tuple[int, ...], parts: int, m: int) -> tuple[int, ...]:
    """Split each chunk into ``parts`` pieces, then move every edge to a multiple of ``m``."""
    edges: set[int] = set()
    start = 0
    for c in chunks:
        k = max(min(parts, c), 1)
        edges.update(start + c * j // k for j in range(1, k + 1))
        start += c
    snapped = sorted({round(e / m) * m for e in edges} - {0})
    return tuple(b - a for a, b in zip([0, *snapped[:-1]], snapped, strict=True))


GroupPlan = tuple[list[tuple[int, ...]], list[tuple[int, ...]]]


def _first_axis_plan(chunks: list[tuple[int, ...]], sizes: list[int]) -> GroupPlan:
    """Dask's plan: old axes but the first whole, first-axis edges on multiples of ``m``."""
    s_in = math.prod(sum(c) for c in chunks[1:])
    s_out = math.prod(sizes[1:])
    merged = math.prod(len(c) for c in chunks[1:])
    first = _snap(chunks[0], merged, math.lcm(s_in, s_out) // s_in)
    ins = [first, *((sum(c),) for c in chunks[1:])]
    return ins, [tuple(c * s_in // s_out for c in first), *((n,) for n in sizes[1:])]


def _divisors(n: int) -> list[int]:
    primes: dict[int, int] = {}
    p = 2
    while p * p <= n:
        while n % p == 0:
            primes[p] = primes.get(p, 0) + 1
            n //= p
        p += 1
    if n > 1:
        primes[n] = primes.get(n, 0) + 1
    out = [1]
    for p, k in primes.items():
        out = [d * p**e for d in out for e in range(k + 1)]
    return out


def _regular_plan(old: list[int], new: list[int], volume: int) -> GroupPlan:
    """Equal flat blocks of ``f`` elements: axes before ``j`` in ones, ``j`` cut, rest whole.

    ``j`` (old) and ``k`` (new) and ``f`` are chosen so that ``f`` is as close to
    ``volume`` as the shapes allow.
    """

    def axes(sizes: list[int], j: int, f: int) -> list[tuple[int, ...]]:
        stride = math.prod(sizes[j + 1 :])
        per = f // stride
        return (
            [(1,) * n for n in sizes[:j]]
            + [(per,) * (sizes[j] // per)]
            + [(n,) for n in sizes[j + 1 :]]
        )

    best: tuple[float, int, int, int] | None = None
    for j in range(len(old)):
        s_in = math.prod(old[j + 1 :])
        for k in range(len(new)):
            s_out = math.prod(new[k + 1 :])
            small, large = sorted((s_in * old[j], s_out * new[k]))
            step = math.lcm(s_in, s_out)
            if large % small or small % step:
                continue
            for d in _divisors(small // step):
                f = step * d
                score = (abs(math.log(f / volume)), f)
                if best is None or score < best[:2]:
                    best = (*score, j, k)
    assert best is not None  # j = k = 0 always qualifies
    f, j, k = int(best[1]), best[2], best[3]
    return axes(old, j, f), axes(new, k, f)


def _plan_group(chunks: list[tuple[int, ...]], sizes: list[int]) -> GroupPlan:
    """Chunks of the old and the new axes of one group, lined up block for block."""
    volume = math.prod(max(c) for c in chunks)
    plan = _first_axis_plan(chunks, sizes)
    biggest = max(plan[0][0]) * math.prod(sum(c) for c in chunks[1:])
    if biggest <= 4 * volume:
        return plan
    regular = _regular_plan([sum(c) for c in chunks], sizes, volume)
    return regular if math.prod(max(c) for c in regular[0]) < biggest else plan


def _reshape_block(block: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return block.reshape(shape)


def reshape(x: Array, shape: Any) -> Array:
    """``x`` with a new shape of the same size, elements in C order (``np.reshape``).

    Parameters
    ----------
    x : Array
        The array; its chunk sizes must be known.
    shape : int or tuple of int
        The new shape; one entry may be ``-1`` (inferred).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.arange(12, chunks=5)
    >>> reshape(x, (3, -1)).compute()
    array([[ 0,  1,  2,  3],
           [ 4,  5,  6,  7],
           [ 8,  9, 10, 11]])
    >>> x.reshape(2, 6).chunks
    ((1, 1), (6,))
    >>> reshape(x, (5, -1))
    Traceback (most recent call last):
    ...
    ValueError: cannot reshape array of size 12 into shape (5, newaxis) (the array has shape (12,))
    """
    check_known(x, "Reshaping")
    size = math.prod(x.shape)
    shape = _resolve(shape, size, x.shape)
    if shape == x.shape:
        return x
    name = f"reshape-{tokenize(x, shape)}"
    layer: dict[Any, Any] = {}
    if size == 0:
        only = (name, *(0,) * len(shape))
        layer[only] = (np.empty, shape, x.dtype)
        return new_array(name, layer, tuple((n,) for n in shape), x.dtype)
    in_chunks = [c if n != 1 else (1,) for c, n in zip(x.chunks, x.shape, strict=True)]
    out_chunks: list[tuple[int, ...]] = [(1,)] * len(shape)
    groups = _groups(x.shape, shape)
    for gi, go in groups:
        ins, outs = _plan_group([x.chunks[a] for a in gi], [shape[a] for a in go])
        for a, c in zip(gi, ins, strict=True):
            in_chunks[a] = c
        for a, c in zip(go, outs, strict=True):
            out_chunks[a] = c
    x = rechunk(x, tuple(in_chunks))
    for idx in product(*(range(n) for n in x.numblocks)):
        out = [0] * len(shape)
        for gi, go in groups:  # the k-th block of a group, in C order, on both sides
            k = np.ravel_multi_index([idx[a] for a in gi], [x.numblocks[a] for a in gi])
            where = np.unravel_index(k, [len(out_chunks[a]) for a in go])
            for a, i in zip(go, where, strict=True):
                out[a] = int(i)
        block_shape = tuple(out_chunks[a][i] for a, i in enumerate(out))
        out_key = (name, *out)
        layer[out_key] = (_reshape_block, (x.name, *idx), block_shape)
    return new_array(name, layer, tuple(out_chunks), x.dtype, inputs=[x])


def ravel(x: Array) -> Array:
    """``x`` as one axis in C order (``np.ravel``); also ``Array.ravel``/``flatten``.

    >>> import numpy as np, tessera.array as da
    >>> ravel(da.from_array(np.arange(6).reshape(2, 3), chunks=2)).compute()
    array([0, 1, 2, 3, 4, 5])
    """
    return reshape(x, (-1,))


def _reshape_method(self: Array, *shape: Any) -> Array:
    return reshape(self, shape[0] if len(shape) == 1 else shape)


Array.reshape = _reshape_method  # type: ignore[attr-defined]
Array.ravel = ravel  # type: ignore[attr-defined]
Array.flatten = ravel  # type: ignore[attr-defined]
