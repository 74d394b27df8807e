"""Cumulative reductions: ``cumsum``, ``cumprod``, ``nancumsum``, ``nancumprod``.

Map
---
- :func:`cumsum`, :func:`cumprod`, :func:`nancumsum`, :func:`nancumprod` -- running
  totals along one axis (of the flattened array when ``axis=None``), as in NumPy.

Plan: a sequential scan across the blocks of the axis.  For block ``j`` three tasks:
``total_j`` (the block's own sum or product along the axis, kept as a length-1 slice),
``carry_j = carry_{j-1} (+ or *) total_{j-1}`` (tiny, a chain along the axis), and the
output block ``cum(block_j)`` with ``carry_j`` added (or multiplied) in place.  Each
input block is read by two tasks that can run in parallel with other blocks'; only
the small carries wait for one another.  Dtypes follow NumPy (the ``cumsum`` of int32 is
int64).  ``method="blelloch"`` (Dask's) is accepted and runs the same plan.

>>> import tessera.array as da
>>> da.arange(1, 7, chunks=2).cumprod().compute()
array([  1,   2,   6,  24, 120, 720])
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Any

import numpy as np

from tessera.array.core import Array, new_array
from tessera.array.reduce_rules import prepare, result_dtype, validate_axis
from tessera.hashing import tokenize

__all__ = ["cumprod", "cumsum", "nancumprod", "nancumsum"]

# name -> (cumulative function, block total, how carries combine)
_KINDS: dict[str, tuple[Any, Any, Any]] = {
    "cumsum": (np.cumsum, np.sum, np.add),
    "cumprod": (np.cumprod, np.prod, np.multiply),
    "nancumsum": (np.nancumsum, np.nansum, np.add),
    "nancumprod": (np.nancumprod, np.nanprod, np.multiply),
}


def _block_total(total: Callable[..., Any], block: Any, axis: int, dtype: Any) -> Any:
    return total(block, axis=axis, dtype=dtype, keepdims=True)


def _cum_block(
    cum: Callable[..., Any], binop: Any, block: Any, axis: int, dtype: Any, carry: Any
) -> Any:
    out = cum(block, axis=axis, dtype=dtype)
    if carry is not None:
        binop(carry, out, out=out)  # earlier blocks first: object ops may not commute
    return out


def _at(layer: str, idx: tuple[int, ...], axis: int, k: int) -> tuple[Any, ...]:
    """The key in ``layer`` of block ``idx`` moved to position ``k`` along ``axis``."""
    return (layer, *idx[:axis], k, *idx[axis + 1 :])


def _cumulative(name: str, a: Any, axis: Any, dtype: Any, out: Any, method: str) -> Array:
    x, _ = prepare(a, None, name, out)
    if method not in ("sequential", "blelloch"):
        raise ValueError(f"{name}: method must be 'sequential' or 'blelloch', got {method!r}")
    if axis is None:
        if x.ndim != 1:
            from tessera.array.reshape import ravel

            x = ravel(x)
        axis = 0
    elif isinstance(axis, (tuple, list)):
        raise TypeError(f"{name} takes one axis (an int) or None, got axis={axis!r}")
    (ax,) = validate_axis(axis, x.ndim, x.shape, name)
    cum, total, binop = _KINDS[name]
    dt = result_dtype(cum, x.dtype, name, dtype=dtype)
    token = tokenize(name, x, ax, dt)
    tname, cname, oname = f"{name}-total-{token}", f"{name}-carry-{token}", f"{name}-{token}"
    totals: dict[Any, Any] = {}
    carries: dict[Any, Any] = {}
    outs: dict[Any, Any] = {}
    last = x.numblocks[ax] - 1
    for idx in product(*(range(n) for n in x.numblocks)):
        j = idx[ax]
        if j < last:
            totals[_at(tname, idx, ax, j)] = (_block_total, total, (x.name, *idx), ax, dt)
        if j >= 2:
            previous = _at(tname, idx, ax, 0) if j == 2 else _at(cname, idx, ax, j - 1)
            carries[_at(cname, idx, ax, j)] = (binop, previous, _at(tname, idx, ax, j - 1))
        carry = None
        if j:
            carry = _at(tname, idx, ax, 0) if j == 1 else _at(cname, idx, ax, j)
        key = (oname, *idx)
        outs[key] = (_cum_block, cum, binop, (x.name, *idx), ax, dt, carry)
    one = tuple((1,) * len(c) if d == ax else c for d, c in enumerate(x.chunks))
    t = new_array(tname, totals, one, dt, inputs=[x])
    c = new_array(cname, carries, one, dt, inputs=[t])
    return new_array(oname, outs, x.chunks, dt, inputs=[c])


def cumsum(
    x: Any, axis: Any = None, dtype: Any = None, out: Any = None, *, method: str = "sequential"
) -> Array:
    """Cumulative sum along ``axis`` (:func:`numpy.cumsum`).

    Parameters
    ----------
    x : Array or array-like
    axis : int or None
        The axis; ``None`` runs over the flattened array.
    dtype : dtype, optional
        Accumulator and result dtype (NumPy's default).
    out : None
        Only ``None``: tessera arrays are immutable.
    method : {"sequential", "blelloch"}
        Accepted for Dask compatibility; both run the scan described in the module.

    Examples
    --------
    >>> import tessera.array as da
    >>> da.cumsum(da.arange(6, chunks=4)).compute()
    array([ 0,  1,  3,  6, 10, 15])
    """
    return _cumulative("cumsum", x, axis, dtype, out, method)


def cumprod(
    x: Any, axis: Any = None, dtype: Any = None, out: Any = None, *, method: str = "sequential"
) -> Array:
    """Cumulative product along ``axis`` (:func:`numpy.cumprod`).

    Parameters
    ----------
    x, axis, dtype, out, method
        As for :func:`cumsum`.

    Examples
    --------
    >>> import tessera.array as da
    >>> da.cumprod(da.arange(1, 5, chunks=3)).compute()
    array([ 1,  2,  6, 24])
    """
    return _cumulative("cumprod", x, axis, dtype, out, method)


def nancumsum(
    x: Any, axis: Any = None, dtype: Any = None, out: Any = None, *, method: str = "sequential"
) -> Array:
    """Cumulative sum along ``axis``, NaNs counted as zero (:func:`numpy.nancumsum`).

    Parameters
    ----------
    x, axis, dtype, out, method
        As for :func:`cumsum`.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nancumsum(da.from_array(np.array([1.0, np.nan, 2.0]), chunks=2)).compute()
    array([1., 1., 3.])
    """
    return _cumulative("nancumsum", x, axis, dtype, out, method)


def nancumprod(
    x: Any, axis: Any = None, dtype: Any = None, out: Any = None, *, method: str = "sequential"
) -> Array:
    """Cumulative product along ``axis``, NaNs counted as one (:func:`numpy.nancumprod`).

    Parameters
    ----------
    x, axis, dtype, out, method
        As for :func:`cumsum`.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nancumprod(da.from_array(np.array([2.0, np.nan, 3.0]), chunks=2)).compute()
    array([2., 2., 6.])
    """
    return _cumulative("nancumprod", x, axis, dtype, out, method)
