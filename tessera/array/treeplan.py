"""The shape of a reduction tree: fan-in per axis, which blocks to read, joining partials.

Map
---
- :func:`split_sizes` -- ``split_every`` (``None``, int or dict) to a fan-in per axis.
- :func:`concatenate_partials` -- join a nested list of partial results (arrays, or dicts
  of arrays such as ``{"n": ..., "total": ...}``) along the reduced axes.
- :func:`nonempty_blocks` -- per axis, the blocks a reduction must read.
- :func:`funcname` -- a short name of a reduction step, for layer names.

Policy: the default fan-in is 4 per reduced axis with at most 16 partials per task; an
int ``split_every`` bounds that total instead; a dict gives it per axis (``1``: never
combine along that axis before the final step).  These are the pure planning rules of
:mod:`~tessera.array.treereduce`, which builds the graph.

>>> split_sizes(None, (0, 1), 2)
{0: 4, 1: 4}
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from tessera.array.reduce_rules import validate_axis

__all__ = [
    "SPLIT_PER_AXIS",
    "SPLIT_TOTAL",
    "concatenate_partials",
    "concatenate_then",
    "funcname",
    "nonempty_blocks",
    "split_sizes",
]

#: Default fan-in per reduced axis, and the most partials one task may combine.
SPLIT_PER_AXIS = 4
SPLIT_TOTAL = 16


def funcname(func: Any) -> str:
    """A short name for ``func`` (unwrapping ``functools.partial``) for layer names."""
    while isinstance(func, partial):
        func = func.func
    return str(getattr(func, "__name__", type(func).__name__)).strip("_") or "reduction"


def _root(total: int, k: int) -> int:
    """The largest ``r >= 2`` with ``r ** k <= total`` (2 if there is none)."""
    r = max(int(total ** (1 / k)), 1)
    while (r + 1) ** k <= total:
        r += 1
    while r > 1 and r**k > total:
        r -= 1
    return max(r, 2)


def split_sizes(split_every: Any, axes: tuple[int, ...], ndim: int) -> dict[int, int]:
    """The fan-in along each reduced axis.

    ``None``: 4 per axis, at most 16 partials per task in all; an int ``n >= 2``: at most
    ``n`` per task in all (at least 2 per axis); a dict: per axis (negative keys count
    from the end; ``1`` means no combining along that axis before the last step; axes not
    given get the default).

    >>> split_sizes(None, (0,), 1), split_sizes(None, (0, 1, 2), 3)
    ({0: 4}, {0: 2, 1: 2, 2: 2})
    >>> split_sizes(64, (0, 1, 2), 3), split_sizes({-1: 8}, (0, 1), 2)
    ({0: 4, 1: 4, 2: 4}, {0: 4, 1: 8})
    """
    k = max(len(axes), 1)
    default = min(SPLIT_PER_AXIS, _root(SPLIT_TOTAL, k))
    if split_every is None:
        return dict.fromkeys(axes, default)
    if isinstance(split_every, dict):
        out = dict.fromkeys(axes, default)
        for key, value in split_every.items():
            (a,) = validate_axis(key, ndim, what="split_every")
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(
                    f"split_every={split_every!r}: the fan-in of axis {key} must be an int "
                    f">= 1, got {value!r}"
                )
            if a in out:
                out[a] = int(value)
        return out
    if isinstance(split_every, bool) or not isinstance(split_every, (int, np.integer)):
        raise TypeError(
            f"split_every must be None, an int or a dict {{axis: int}}, got {split_every!r}"
        )
    if split_every < 2:
        raise ValueError(
            f"split_every={split_every} cannot combine anything: give an int >= 2 (the most "
            "partial results one task combines), a dict per axis, or None for the default"
        )
    return dict.fromkeys(axes, _root(int(split_every), k))


def concatenate_partials(nested: Any, axes: tuple[int, ...]) -> Any:
    """Join a nested list (one level per axis in ``axes``) of partials along ``axes``.

    Partials are arrays or dicts of arrays (joined key by key).

    >>> p = [[np.ones((1, 1)), np.zeros((1, 1))], [np.ones((1, 1)), np.ones((1, 1))]]
    >>> concatenate_partials(p, (0, 1)).sum()
    np.float64(3.0)
    >>> concatenate_partials([{"n": np.ones(1)}, {"n": np.ones(1)}], (0,))
    {'n': array([1., 1.])}
    """
    if not axes:
        return nested
    parts = [concatenate_partials(p, axes[1:]) for p in nested] if len(axes) > 1 else nested
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], dict):
        return {k: np.concatenate([p[k] for p in parts], axis=axes[0]) for k in parts[0]}
    return np.concatenate(parts, axis=axes[0])


def concatenate_then(func: Callable[..., Any], nested: Any, axes: tuple[int, ...]) -> Any:
    """``func`` applied to the partials of ``nested`` joined along ``axes``.

    >>> concatenate_then(np.sum, [np.ones(2), np.ones(3)], (0,))
    np.float64(5.0)
    """
    return func(concatenate_partials(nested, axes))


def nonempty_blocks(
    chunks: tuple[tuple[Any, ...], ...], axes: tuple[int, ...]
) -> dict[int, list[int]]:
    """For each reduced axis, the indices of its blocks that are not of length 0.

    Unknown (nan) lengths count as non-empty; an axis whose blocks are all empty keeps
    its first block, so the reduction still sees the empty extent.

    >>> nonempty_blocks(((2, 0, 3), (0,)), (0, 1))
    {0: [0, 2], 1: [0]}
    """
    return {a: [i for i, c in enumerate(chunks[a]) if c != 0] or [0] for a in axes}
