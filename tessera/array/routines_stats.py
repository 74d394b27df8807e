"""Statistics: ``percentile``, ``quantile``, ``average``, ``ptp``, ``cov``, ``corrcoef``.

Map
---
- :func:`percentile`, :func:`quantile` -- exact when the data are one block, or along
  ``axis`` (rechunked to one block along it, then ``np.percentile`` block by block).
  Over a whole array of several blocks, each block is summarized by its sorted values
  (when it has at most 1001 elements) or by ``np.percentile`` at 1001 evenly spaced
  points plus the ``q`` asked for; a tree of fan-in 16 merges the summaries.  A merge
  keeps whole summaries whole up to ``_EXACT`` (16016) elements in all, so the result
  is exact when every block was small and the array holds at most that many elements.
  Otherwise a merge is *approximate*, as in Dask, and re-sampled to 1001 points plus
  ``q``, so no task holds more than a few summaries: the number of elements ``< v`` and
  ``<= v`` of each summary is found for every value ``v`` (runs of equal values kept
  whole, linear in between), summed and inverted at NumPy's (linear) ranks.  The
  minimum and maximum (``q`` of 0 and 100) are always exact.
- :func:`average` -- ``sum(a * w) / sum(w)`` with NumPy's weight and dtype rules.
- :func:`ptp` -- ``max - min``.
- :func:`cov`, :func:`corrcoef` -- centered products with :func:`~tessera.array.linalg.dot`.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.arange(10.0), chunks=10)
>>> da.percentile(x, [25, 50]).compute()
array([2.25, 4.5 ])
>>> da.average(x, weights=np.arange(10)).compute()
np.float64(6.333333333333333)
"""

from __future__ import annotations

import math
import operator
import warnings
from functools import partial
from typing import Any

import numpy as np

from tessera.array import reductions as red
from tessera.array.axes import normalize_axes, normalize_axis
from tessera.array.core import Array, new_array
from tessera.array.masking import check_known
from tessera.array.rechunk import rechunk
from tessera.array.routines_common import as_array, flat_keys, per_block, single, tree
from tessera.hashing import tokenize

__all__ = ["average", "corrcoef", "cov", "percentile", "ptp", "quantile"]

_POINTS = 1001
_GRID = np.linspace(0.0, 100.0, _POINTS)
_FAN_IN = 16
"""Summaries merged per task."""
_EXACT = _FAN_IN * _POINTS
"""Most elements a merge keeps whole (sorted); no task gets more than ``_FAN_IN`` times it."""

Summary = tuple[Any, Any, int, bool]
"""``(ranks, values, n, complete)``: sorted values at 0-based ranks among ``n`` elements."""


def _points(q: np.ndarray) -> Any:
    """The percentiles a sampled summary holds: the grid and the ``q`` asked for."""
    return np.union1d(_GRID, q.reshape(-1))


def _summary(block: np.ndarray, q: np.ndarray, method: str) -> Summary:
    """The block's sorted values if it is small, else its percentiles at :func:`_points`."""
    flat = block.reshape(-1)
    if flat.size <= _POINTS:
        return np.arange(flat.size, dtype=np.float64), np.sort(flat), flat.size, True
    points = _points(q)
    values = np.percentile(flat, points, method=method)  # type: ignore[call-overload]
    return points / 100.0 * (flat.size - 1), values, flat.size, False


def _counts(part: Summary, support: np.ndarray) -> tuple[Any, Any]:
    """Elements ``< v`` and ``<= v`` of one summary at each ``v`` of ``support``.

    A run of equal values ``u`` spans ``less(u) = its first rank`` to ``less_equal(u) =
    its last rank + 1``; between two values ``u < u'`` the count grows linearly from
    ``less_equal(u)`` to ``less(u')`` (no mass at the values in between).
    """
    ranks, values, n, _ = part
    distinct, first = np.unique(values, return_index=True)
    last = len(values) - 1 - np.unique(values[::-1], return_index=True)[1]
    less, less_equal = ranks[first], ranks[last] + 1
    between = np.interp(
        support,
        np.repeat(distinct, 2),
        np.column_stack([less, less_equal]).reshape(-1),
        left=0,
        right=n,
    )
    at = np.minimum(np.searchsorted(distinct, support), len(distinct) - 1)
    hit = distinct[at] == support
    return np.where(hit, less[at], between), np.where(hit, less_equal[at], between)


def _combine(parts: list[Summary], q: np.ndarray) -> Summary:
    """One summary of all elements of ``parts``: whole up to ``_EXACT`` elements, else sampled.

    The whole parts are first joined into one.  Sampled: the elements ``< v`` and
    ``<= v`` are summed over the parts, so each value ``v`` covers the 1-based ranks
    ``less + 1 .. less_equal`` of the merged data; those ranks (made non-decreasing)
    are inverted by linear interpolation at :func:`_points`.
    """
    whole = [p[1] for p in parts if p[3] and p[2]]
    parts = [p for p in parts if not p[3]]
    if whole or not parts:
        joined = np.sort(np.concatenate(whole)) if whole else np.zeros(0)
        one = (np.arange(joined.size, dtype=np.float64), joined, joined.size, True)
        if not parts and joined.size <= _EXACT:
            return one
        parts.append(one)
    n = sum(p[2] for p in parts)
    values = np.concatenate([p[1] for p in parts])
    ranks = _points(q) / 100.0 * (n - 1)
    if np.isnan(values).any():
        return ranks, np.full(ranks.shape, np.nan), n, False
    support = np.unique(values)
    less, less_equal = (sum(c) for c in zip(*(_counts(p, support) for p in parts), strict=True))
    bounds = np.column_stack([np.minimum(less + 1, less_equal), less_equal]).reshape(-1)
    at = np.interp(ranks + 1, np.maximum.accumulate(bounds), np.repeat(support, 2))
    return ranks, at, n, False


def _finish(summary: Summary, q: np.ndarray, method: str, dtype: Any) -> Any:
    ranks, values, n, complete = summary
    if complete:
        return _exact(values, q, method, dtype)[()]
    found = np.interp(q / 100.0 * (n - 1), ranks, values)
    if np.issubdtype(dtype, np.integer):  # "lower", "nearest"... of ints: the closest int
        found = np.rint(found)
    return found.astype(dtype)[()]


def percentile(a: Any, q: Any, axis: Any = None, method: str = "linear") -> Array:
    """The ``q``-th percentiles of ``a`` (:func:`numpy.percentile`).

    Exact when ``a`` is one block, ``axis`` is given, or ``a`` holds at most 16016
    elements in blocks of at most 1001; otherwise approximate (see the module docstring).

    Parameters
    ----------
    a : array-like
    q : float or array-like of float
        Percentiles in ``[0, 100]``; the result has ``q``'s shape first.
    axis : int or tuple of int, optional
        The axes along which to compute them (``None``: the flattened array).
    method : str
        NumPy's interpolation method (``"linear"``, ``"lower"``, ``"nearest"``...).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(12.0).reshape(3, 4), chunks=2)
    >>> percentile(x, 50, axis=1).compute()
    array([1.5, 5.5, 9.5])
    >>> float(percentile(x, 100).compute())
    11.0
    >>> percentile(x, 101)
    Traceback (most recent call last):
    ...
    ValueError: Percentiles must be in the range [0, 100], got 101
    """
    x = as_array(a)
    qarr = np.asarray(q, dtype=np.float64)
    if not ((qarr >= 0) & (qarr <= 100)).all():
        raise ValueError(f"Percentiles must be in the range [0, 100], got {q!r}")
    dtype = np.percentile(np.zeros(2, x.dtype), qarr, method=method).dtype  # type: ignore[call-overload]
    name = f"percentile-{tokenize(x, qarr, axis, method)}"
    if axis is not None:
        return _along_axes(name, x, qarr, normalize_axes(axis, x.ndim), method, dtype)
    if x.size == 0:
        raise IndexError("index -1 is out of bounds for axis 0 with size 0 (percentile of empty)")
    if x.npartitions == 1:
        exact = (_exact, (x.name, *(0,) * x.ndim), qarr, method, dtype)
        return single(name, {}, exact, qarr.shape, dtype, [x])
    parts = per_block(f"{name}-part", _summary, [x], qarr, method)
    merged, root = tree(f"{name}-merge", list(parts), partial(_combine, q=qarr), _FAN_IN)
    finish = (_finish, root, qarr, method, dtype)
    return single(name, {**parts, **merged}, finish, qarr.shape, dtype, [x])


def _exact(block: np.ndarray, q: np.ndarray, method: str, dtype: Any, axis: Any = None) -> Any:
    return np.asarray(np.percentile(block, q, axis=axis, method=method), dtype=dtype)  # type: ignore[call-overload]


def _along_axes(
    name: str, x: Array, q: np.ndarray, axes: tuple[int, ...], method: str, dtype: Any
) -> Array:
    check_known(x, "percentile along an axis", axes)
    x = rechunk(x, tuple((int(x.shape[a]),) if a in axes else c for a, c in enumerate(x.chunks)))
    layer = {}
    for key in flat_keys(x):
        rest = tuple(i for a, i in enumerate(key[1:]) if a not in axes)
        out_key = (name, *(0,) * q.ndim, *rest)
        layer[out_key] = (_exact, key, q, method, dtype, axes)
    chunks = (*((n,) for n in q.shape), *(c for a, c in enumerate(x.chunks) if a not in axes))
    return new_array(name, layer, chunks, dtype, inputs=[x])


def quantile(a: Any, q: Any, axis: Any = None, method: str = "linear") -> Array:
    """The ``q``-th quantiles of ``a`` (:func:`numpy.quantile`): :func:`percentile` of ``100 q``.

    Examples
    --------
    >>> import tessera.array as da
    >>> quantile(da.arange(5, chunks=5), [0.5, 1.0]).compute()
    array([2., 4.])
    >>> quantile(da.arange(5), 2)
    Traceback (most recent call last):
    ...
    ValueError: Quantiles must be in the range [0, 1], got 2
    """
    qarr = np.asarray(q, dtype=np.float64)
    if not ((qarr >= 0) & (qarr <= 1)).all():
        raise ValueError(f"Quantiles must be in the range [0, 1], got {q!r}")
    return percentile(a, qarr * 100, axis=axis, method=method)


def average(
    a: Any,
    axis: Any = None,
    weights: Any = None,
    returned: bool = False,
    *,
    keepdims: bool = False,
) -> Any:
    """The weighted average of ``a`` along ``axis`` (:func:`numpy.average`).

    Parameters
    ----------
    a : array-like
    axis : None, int or tuple of int
    weights : array-like, optional
        Same shape as ``a``, or 1-d with the length of ``a`` along ``axis`` (an int).
    returned : bool
        Also return the sum of the weights.
    keepdims : bool
        Keep the reduced axes with length 1.

    Unlike NumPy, weights summing to zero are not detected before computing: the
    result is then ``nan`` or ``inf``, with NumPy's warning.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(6).reshape(3, 2), chunks=1)
    >>> average(x, axis=1, weights=[1, 3]).compute()
    array([0.75, 2.75, 4.75])
    >>> avg, total = average(x, returned=True)
    >>> float(avg.compute()), float(total.compute())
    (2.5, 6.0)
    >>> average(x, weights=[1, 2])
    Traceback (most recent call last):
    ...
    TypeError: Axis must be specified when shapes of a and weights differ.
    """
    x: Any = as_array(a)
    if weights is None:
        from tessera.array.creation import full_like
        from tessera.array.elementwise import elemwise

        avg = red.mean(x, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        if math.isnan(x.size):  # unknown chunks: count the elements lazily
            ones = elemwise(partial(np.ones_like, dtype=avg.dtype), x, dtype=avg.dtype)
            return avg, red.sum(ones, axis=axis, keepdims=keepdims)
        return avg, full_like(avg, x.size / max(avg.size, 1))
    w = as_array(weights)
    if w.shape != x.shape:
        w = _broadcast_weights(x, w, axis)
    kind_int = np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_
    dtype = (
        np.result_type(x.dtype, w.dtype, "f8") if kind_int else np.result_type(x.dtype, w.dtype)
    )
    w = w.astype(dtype)  # type: ignore[attr-defined]
    scl: Any = red.sum(w, axis=axis, keepdims=keepdims)
    avg = red.sum(x.astype(dtype) * w, axis=axis, keepdims=keepdims) / scl
    if returned:
        return avg, scl
    return avg


def _broadcast_weights(x: Array, w: Array, axis: Any) -> Array:
    from tessera.array.routines import broadcast_to, moveaxis

    check_known(x, "average with weights")
    check_known(w, "average with weights")
    if axis is None:
        raise TypeError("Axis must be specified when shapes of a and weights differ.")
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    axes = tuple(normalize_axis(ax, x.ndim) for ax in axes)
    if w.shape != tuple(x.shape[ax] for ax in axes):
        raise ValueError(
            "Shape of weights must be consistent with shape of a along specified axis."
        )
    shape = (*(n for ax, n in enumerate(x.shape) if ax not in axes), *w.shape)
    moved = broadcast_to(w, shape)
    return moveaxis(moved, tuple(range(-len(axes), 0)), axes)


def ptp(a: Any, axis: Any = None, keepdims: bool = False) -> Array:
    """Range of values (maximum - minimum) along ``axis`` (:func:`numpy.ptp`).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([[4, 9, 2], [1, 5, 8]]), chunks=1)
    >>> ptp(x, axis=1).compute()
    array([7, 7])
    """
    x = as_array(a)
    high: Any = red.max(x, axis=axis, keepdims=keepdims)
    low = red.min(x, axis=axis, keepdims=keepdims)
    return high - low


def cov(
    m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: int | None = None
) -> Array:
    """Covariance matrix of the variables in the rows (or columns) of ``m`` (:func:`numpy.cov`).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([[0, 2], [1, 1], [2, 0]]), chunks=1)
    >>> cov(x, rowvar=False).compute()
    array([[ 1., -1.],
           [-1.,  1.]])
    >>> cov(x, ddof=1.5)
    Traceback (most recent call last):
    ...
    ValueError: ddof must be integer, got 1.5
    """
    from tessera.array.concat import concatenate
    from tessera.array.linalg import dot
    from tessera.array.routines import atleast_2d, squeeze

    if ddof is not None and ddof != int(ddof):
        raise ValueError(f"ddof must be integer, got {ddof!r}")
    x = as_array(m)
    if x.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    x = atleast_2d(x)
    if not rowvar and x.shape[0] != 1:
        x = x.T
    if y is not None:
        y2 = atleast_2d(as_array(y))
        if not rowvar and y2.shape[0] != 1:
            y2 = y2.T
        x = concatenate([x, y2], axis=0)
    dtype = np.result_type(x.dtype, np.float64)
    check_known(x, "cov")
    ddof = (0 if bias else 1) if ddof is None else operator.index(int(ddof))
    fact = x.shape[1] - ddof
    if fact <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
        fact = 0
    centered: Any = x.astype(dtype) - red.mean(x, axis=1, keepdims=True).astype(dtype)  # type: ignore[attr-defined]
    return squeeze(dot(centered, centered.T.conj()) / dtype.type(fact))


def corrcoef(x: Any, y: Any = None, rowvar: bool = True) -> Array:
    """Pearson correlation coefficients (:func:`numpy.corrcoef`), clipped to ``[-1, 1]``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([[1.0, 2.0, 4.0], [3.0, 1.0, 2.0]]), chunks=1)
    >>> np.round(corrcoef(x).compute(), 4)
    array([[ 1.    , -0.3273],
           [-0.3273,  1.    ]])
    """
    from tessera.array.diagonals import diag
    from tessera.array.ufuncs import clip

    c: Any = cov(x, y, rowvar)
    if c.ndim == 0:
        return c / c
    d: Any = np.sqrt(diag(c))
    c = c / d[:, None] / d[None, :]
    if np.iscomplexobj(np.zeros(0, c.dtype)):
        from tessera.array.ufuncs import imag, real

        return clip(real(c), -1, 1) + 1j * clip(imag(c), -1, 1)
    return clip(c, -1, 1)
