"""The contraction engine under ``tensordot`` and ``matmul``.

Map
---
- :func:`contract` -- ``func(a_block, b_block)`` summed over the blocks of the contracted
  axes, built on :func:`~tessera.array.blockwise.blockwise`.

Policy: when a contracted axis is split into at most ``split_every`` blocks (4 by
default), each output block is one task that sums the block products in place.  With
more blocks, each pair of blocks is multiplied in its own task and the products are added
in a tree of fan-in ``split_every``, so no task holds more than ``2 * split_every``
blocks, however long the contracted axis is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import partial
from itertools import accumulate, product
from typing import Any

import numpy as np

from tessera.array.blockwise import blockwise
from tessera.array.core import Array

__all__ = ["SPLIT_EVERY", "contract"]

SPLIT_EVERY = 4


def _nested(blocks: Any, depth: int) -> Iterator[tuple[tuple[int, ...], Any]]:
    """``(index, block)`` for every block of a nested list ``depth`` levels deep."""
    if depth == 0:
        yield (), blocks
        return
    for j, sub in enumerate(blocks):
        for idx, block in _nested(sub, depth - 1):
            yield (j, *idx), block


def _sum_products(
    func: Callable[[Any, Any], Any], depth: int, perm: tuple[int, ...], a: Any, b: Any
) -> Any:
    """Sum ``func(a_block, b_block)`` over matching blocks of the nested lists ``a``, ``b``.

    ``perm[k]`` is where ``b``'s nesting has the ``k``-th contracted axis of ``a``'s.
    """
    b_blocks = {tuple(idx[p] for p in perm): blk for idx, blk in _nested(b, depth)}
    out = None
    for idx, blk in _nested(a, depth):
        part = np.asarray(func(blk, b_blocks[idx]))
        if out is None:
            out = part
        else:
            out += part  # ``out`` is the first product: a fresh array owned by this task
    return out


def _product_keepdims(func: Callable[[Any, Any], Any], ndrop: int, a: Any, b: Any) -> Any:
    out = np.asarray(func(a, b))
    return out.reshape(out.shape + (1,) * ndrop)


def _add_blocks(blocks: list[Any], ndrop: int = 0) -> Any:
    """Sum partial products; with ``ndrop``, remove that many trailing length-1 axes."""
    out = blocks[0] if len(blocks) == 1 else blocks[0] + blocks[1]
    for blk in blocks[2:]:
        out += blk
    return out.reshape(out.shape[: out.ndim - ndrop]) if ndrop else out


def contract(
    func: Callable[[Any, Any], Any],
    a: Array,
    a_ind: str,
    b: Array,
    b_ind: str,
    out_ind: str,
    *,
    dtype: Any,
    name: str,
    split_every: int | None = None,
) -> Array:
    """Sum ``func(a_block, b_block)`` over the blocks of the letters not in ``out_ind``.

    ``func`` gets one block of each operand (index letters as in
    :func:`~tessera.array.blockwise.blockwise`) and returns that pair's share of the
    output block, laid out as ``out_ind``.

    Parameters
    ----------
    func : callable
        The block product, e.g. ``np.matmul``.
    a, b : Array
        The operands; shared letters must have equal lengths (or length 1 to broadcast,
        for letters kept in the output).
    a_ind, b_ind, out_ind : str
        Index letters of ``a``, ``b`` and the result.
    dtype : dtype
        The result dtype.
    name : str
        The result's layer name (deterministic: derive it with ``tokenize``).
    split_every : int, optional
        Most blocks summed in one task (default 4); more go through a tree.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.arange(12, chunks=2)
    >>> contract(np.dot, x, "i", x, "i", "", dtype=x.dtype, name="sq", split_every=2).compute()
    array(506)
    """
    split_every = SPLIT_EVERY if split_every is None else int(split_every)
    if split_every < 2:
        raise ValueError(f"split_every must be at least 2, got {split_every}")
    contracted = [c for c in a_ind if c in b_ind and c not in out_ind]
    if not contracted:
        return blockwise(func, out_ind, a, a_ind, b, b_ind, dtype=dtype, name=name)
    a_levels = "".join(c for c in a_ind if c in contracted)
    b_levels = "".join(c for c in b_ind if c in contracted)
    perm = tuple(b_levels.index(c) for c in a_levels)  # a's order, as b's positions
    pairs = 1
    for c in contracted:
        pairs *= _unified_count(a.chunks[a_ind.index(c)], b.chunks[b_ind.index(c)])
    if pairs <= split_every:
        task = partial(_sum_products, func, len(contracted), perm)
        return blockwise(task, out_ind, a, a_ind, b, b_ind, dtype=dtype, name=name)
    products = blockwise(
        partial(_product_keepdims, func, len(a_levels)),
        out_ind + a_levels,
        a,
        a_ind,
        b,
        b_ind,
        dtype=dtype,
        name=f"{name}-products",
        adjust_chunks=dict.fromkeys(a_levels, 1),
    )
    return _tree_sum(products, len(out_ind), name, split_every)


def _unified_count(a_chunks: tuple[int, ...], b_chunks: tuple[int, ...]) -> int:
    """Blocks along an axis once ``a_chunks`` and ``b_chunks`` are unified (unknown chunks
    of the same pattern line up as they are)."""
    if math.isnan(sum(a_chunks)):
        return len(a_chunks)
    bounds = set(accumulate(a_chunks)) | set(accumulate(b_chunks))
    bounds.discard(0)
    return max(len(bounds), 1)


def _tree_sum(products: Array, nout: int, name: str, split_every: int) -> Array:
    """Add the partial products along ``products``' trailing axes, ``split_every`` at a time."""
    ndrop = products.ndim - nout
    layers = dict(products.layers)
    out_blocks = products.numblocks[:nout]
    inner = [range(n) for n in products.numblocks[nout:]]
    final: dict[Any, Any] = {}
    level_layers: dict[str, dict[Any, Any]] = {}
    for idx in product(*(range(n) for n in out_blocks)):
        keys: list[Any] = [(products.name, *idx, *c) for c in product(*inner)]
        level = 0
        while len(keys) > split_every:
            level_name = f"{name}-sum{level}"
            layer = level_layers.setdefault(level_name, {})
            grouped = []
            for g in range(0, len(keys), split_every):
                key = (level_name, *idx, g // split_every)
                layer[key] = (_add_blocks, keys[g : g + split_every])
                grouped.append(key)
            keys = grouped
            level += 1
        out_key = (name, *idx)
        final[out_key] = (_add_blocks, keys, ndrop)
    layers.update(level_layers)
    layers[name] = final
    return Array(layers, name, products.chunks[:nout], products.dtype)
