"""Moving elements along axes: :func:`roll`, :func:`rot90`, :func:`diff`.

Map
---
- :func:`roll` -- the last ``shift`` elements along an axis moved to the front: the two
  slices joined by :func:`~tessera.array.concat.concatenate` (flattened first when
  ``axis`` is ``None``).
- :func:`rot90` -- a quarter turn in the plane of two axes: a
  :func:`~tessera.array.routines.flip` and a :func:`~tessera.array.routines.transpose`.
- :func:`diff` -- ``n``-th differences: ``a[1:] - a[:-1]`` along an axis, ``n`` times,
  after joining ``prepend``/``append``.

Everything is built from slicing, joins and element-wise ops, so blocks are never copied
more than those need; semantics and errors are NumPy's.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.arange(6).reshape(2, 3), chunks=2)
>>> da.roll(x, 1, axis=1).compute()
array([[2, 0, 1],
       [5, 3, 4]])
>>> da.rot90(x).compute()
array([[2, 5],
       [1, 4],
       [0, 3]])
>>> da.diff(x ** 2).compute()
array([[1, 3],
       [7, 9]])
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from tessera.array.axes import normalize_axis
from tessera.array.concat import concatenate
from tessera.array.core import Array
from tessera.array.masking import check_known
from tessera.array.reshape import ravel, reshape
from tessera.array.routines import broadcast_to, flip, transpose
from tessera.array.slicing import basic_index

__all__ = ["diff", "roll", "rot90"]


def _along(x: Array, axis: int, index: slice) -> Array:
    return basic_index(x, [index if a == axis else slice(None) for a in range(x.ndim)])


def roll(x: Any, shift: Any, axis: Any = None) -> Array:
    """Roll elements along ``axis``: those pushed past the end come back at the start.

    Parameters
    ----------
    x : array-like
    shift : int or sequence of int
        Places to move; negative moves towards the start.
    axis : None, int or sequence of int
        The axes (paired with ``shift``, broadcasting); ``None``: the flattened array,
        reshaped back.

    Examples
    --------
    >>> import tessera.array as da
    >>> roll(da.arange(5, chunks=2), 2).compute()
    array([3, 4, 0, 1, 2])
    >>> roll(da.ones((2, 3)), (1, 1), axis=(0, 2))
    Traceback (most recent call last):
    ...
    numpy.exceptions.AxisError: axis 2 is out of bounds for array of dimension 2
    """
    from tessera.array.creation import asarray

    x = asarray(x)
    if axis is None:
        return reshape(roll(ravel(x), shift, 0), x.shape)
    pairs = np.broadcast(shift, axis)
    if pairs.ndim > 1:
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences")
    totals: dict[int, int] = {}
    for s, a in pairs:
        a = normalize_axis(a, x.ndim)
        totals[a] = totals.get(a, 0) + operator.index(s)
    for a, s in totals.items():
        check_known(x, "roll", (a,))
        n = int(x.shape[a])
        if n and s % n:
            s %= n
            x = concatenate([_along(x, a, slice(n - s, None)), _along(x, a, slice(0, n - s))], a)
    return x


def rot90(m: Any, k: int = 1, axes: Sequence[int] = (0, 1)) -> Array:
    """Rotate by 90 degrees ``k`` times, from the first axis of ``axes`` towards the second.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([[1, 2], [3, 4]]), chunks=1)
    >>> rot90(x, 2).compute()
    array([[4, 3],
           [2, 1]])
    >>> rot90(x, axes=(0, 0))
    Traceback (most recent call last):
    ...
    ValueError: Axes must be different.
    """
    from tessera.array.creation import asarray

    m = asarray(m)
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == m.ndim:
        raise ValueError("Axes must be different.")
    if not all(-m.ndim <= a < m.ndim for a in axes):
        raise ValueError(f"Axes={axes} out of range for array of ndim={m.ndim}.")
    first, second = (a % m.ndim for a in axes)
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, first), second)
    perm = list(range(m.ndim))
    perm[first], perm[second] = second, first
    if k == 1:
        return transpose(flip(m, second), perm)
    return flip(transpose(m, perm), second)


def _edge(value: Any, x: Array, axis: int) -> Any:
    """``prepend``/``append`` as an array to join to ``x`` (a scalar broadcast to one slice)."""
    from tessera.array.creation import asarray

    value = value if isinstance(value, Array) else np.asarray(value)
    if value.ndim == 0:
        shape = tuple(1 if a == axis else n for a, n in enumerate(x.shape))
        return broadcast_to(asarray(value), shape)
    return value


def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Array:
    """The ``n``-th discrete difference along ``axis``, like :func:`numpy.diff`.

    Parameters
    ----------
    a : array-like
    n : int
        How many times to take differences (``0``: ``a`` as it is).
    axis : int
        The axis along which to take them.
    prepend, append : scalar or array-like, optional
        Values joined to ``a`` along ``axis`` first (a scalar stands for a slice of it).

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.arange(1, 6, chunks=2) ** 2
    >>> diff(x).compute(), diff(x, n=2).compute()
    (array([3, 5, 7, 9]), array([2, 2, 2]))
    >>> diff(x, prepend=0, append=[30]).compute()
    array([1, 3, 5, 7, 9, 5])
    >>> diff(x, n=-1)
    Traceback (most recent call last):
    ...
    ValueError: order must be non-negative but got -1
    """
    from tessera.array.creation import asarray

    a = asarray(a)
    n = operator.index(n)
    if n == 0:
        return a
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    if a.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = normalize_axis(axis, a.ndim)
    parts = [_edge(prepend, a, axis)] if prepend is not None else []
    parts.append(a)
    if append is not None:
        parts.append(_edge(append, a, axis))
    if len(parts) > 1:
        a = concatenate(parts, axis)
    op = np.not_equal if a.dtype == np.bool_ else np.subtract
    for _ in range(n):
        a = op(_along(a, axis, slice(1, None)), _along(a, axis, slice(None, -1)))
    return a
