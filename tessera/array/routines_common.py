"""Graph pieces shared by the ``routines_*`` and ``linalg_*`` modules.

Map
---
- :func:`as_array` -- a tessera array from anything array-like.
- :func:`flat_keys` -- the block keys of an array in C order.
- :func:`gather` -- a task that joins all blocks of an array into one NumPy array.
- :func:`per_block` -- one task per block of arrays chunked alike: ``func(*blocks, *args)``.
- :func:`tree` -- partial results folded into one by a tree of fan-in ``split_every``.
- :func:`single` -- an :class:`Array` of one block from a task (sizes may be ``nan``).
- :func:`item_task` -- a task that picks one item of a task's tuple/dict result.

Policy: the routines here whose output size depends on the data (``unique``,
``bincount``, ``nonzero``...) describe it with ``nan`` chunk sizes, as boolean indexing
does (:mod:`~tessera.array.masking`); nothing computes while a graph is built.

>>> import numpy as np, tessera.array as da
>>> x = da.arange(10, chunks=3)
>>> layer, key = tree("s", [(x.name, i) for i in range(4)], np.concatenate, split_every=2)
>>> single("s", layer, key, (10,), x.dtype, [x]).compute()
array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from itertools import product
from typing import Any

from tessera.array.core import Array, concatenate_blocks, new_array

__all__ = ["as_array", "flat_keys", "gather", "item_task", "per_block", "single", "tree"]


def as_array(x: Any) -> Array:
    """``x`` as a tessera array (tessera arrays pass through).

    >>> as_array([1, 2]).chunks
    ((2,),)
    """
    from tessera.array.creation import asarray

    return x if isinstance(x, Array) else asarray(x)


def flat_keys(x: Array) -> list[tuple[Any, ...]]:
    """Block keys of ``x`` in C order of the block grid.

    >>> import tessera.array as da
    >>> len(flat_keys(da.ones((4, 4), chunks=2)))
    4
    """
    return [(x.name, *idx) for idx in product(*(range(n) for n in x.numblocks))]


def gather(x: Array) -> tuple[Any, ...]:
    """A task whose value is all of ``x`` as one NumPy array.

    >>> import tessera.array as da
    >>> gather(da.ones(4, chunks=2))[0].__name__
    'concatenate_blocks'
    """
    return (concatenate_blocks, x.__tessera_keys__(), x.ndim)


def per_block(
    name: str, func: Callable[..., Any], arrays: Sequence[Array], *args: Any
) -> dict[Any, Any]:
    """Tasks ``(name, *idx): func(block_of_each_array, *args)`` over the block grid.

    The arrays must have the same number of blocks on every axis (same chunks).

    >>> import numpy as np, tessera.array as da
    >>> x = da.arange(4, chunks=2)
    >>> sorted(per_block("p", np.sum, [x]))
    [('p', 0), ('p', 1)]
    """
    grid = arrays[0].numblocks
    return {
        (name, *idx): (func, *((a.name, *idx) for a in arrays), *args)
        for idx in product(*(range(n) for n in grid))
    }


def tree(
    name: str,
    keys: Sequence[Any],
    combine: Callable[[list[Any]], Any],
    split_every: int | None = None,
) -> tuple[dict[Any, Any], Any]:
    """Fold the values of ``keys`` with ``combine`` (which takes a list) in a tree.

    Returns the new tasks and the key of the final value; no task gets more than
    ``split_every`` inputs (``None``: 8), so memory stays bounded.

    >>> layer, key = tree("t", ["a", "b", "c"], sum, split_every=2)
    >>> key, layer[key]
    (('t', 1, 0), (<built-in function sum>, [('t', 0, 0), 'c']))
    """
    split_every = 8 if split_every is None else split_every
    if split_every < 2:
        raise ValueError(f"split_every must be at least 2 (or None for 8), got {split_every}")
    layer: dict[Any, Any] = {}
    level, current = 0, list(keys)
    while True:
        groups = [current[i : i + split_every] for i in range(0, len(current), split_every)]
        nxt = []
        for j, group in enumerate(groups):
            if len(group) == 1 and len(groups) > 1:
                nxt.append(group[0])
                continue
            key = (name, level, j)
            layer[key] = (combine, group)
            nxt.append(key)
        if len(nxt) == 1:
            return layer, nxt[0]
        level, current = level + 1, nxt


def single(
    name: str,
    layer: dict[Any, Any],
    task: Any,
    shape: Sequence[float],
    dtype: Any,
    inputs: Sequence[Any],
) -> Array:
    """An array of one block ``(name, 0, ...)`` computed by ``task`` (a task or a key).

    ``layer`` holds the helper tasks it needs; ``shape`` may hold ``nan``.

    >>> import numpy as np
    >>> single("c", {}, (np.arange, 3), (3,), int, []).compute()
    array([0, 1, 2])
    """
    out = {**layer, (name, *(0,) * len(shape)): task}
    return new_array(name, out, tuple((n,) for n in shape), dtype, inputs=inputs)


def item_task(key: Any, item: Any) -> tuple[Any, ...]:
    """A task taking ``item`` of the value of ``key``.

    >>> item_task("k", 0)
    (<built-in function getitem>, 'k', 0)
    """
    return (operator.getitem, key, item)
