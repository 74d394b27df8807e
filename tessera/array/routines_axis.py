"""Routines along one axis: :func:`gradient` and :func:`apply_along_axis`.

Map
---
- :func:`gradient` -- NumPy's second-order central differences inside and one-sided
  differences (first or second order) at the ends, written with slices of the array
  and element-wise arithmetic: the slices ``f[2:]`` and ``f[:-2]`` line up across
  block borders by rechunking, so neighbours in other blocks are used without any
  overlap machinery.  The result is rechunked back to ``f``'s chunks.
- :func:`apply_along_axis` -- the axis is rechunked to one block, then
  ``np.apply_along_axis`` runs block by block; the output's shape and dtype come from
  calling ``func1d`` once on a small array (or from ``shape=``/``dtype=``).

>>> import numpy as np, tessera.array as da
>>> f = da.from_array(np.array([1.0, 2.0, 4.0, 7.0, 11.0]), chunks=2)
>>> da.gradient(f).compute()
array([1. , 1.5, 2.5, 3.5, 4. ])
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from tessera.array.axes import normalize_axes, normalize_axis
from tessera.array.concat import concatenate
from tessera.array.core import Array, new_array
from tessera.array.masking import check_known
from tessera.array.rechunk import rechunk
from tessera.array.routines_common import as_array, flat_keys
from tessera.array.slicing import basic_index
from tessera.hashing import tokenize

__all__ = ["apply_along_axis", "gradient"]


def _differentiable(x: Array) -> Array:
    """``x`` in the dtype NumPy differentiates it in: dates as timedeltas, ints as floats."""
    if x.dtype == np.bool_:
        raise TypeError(
            "gradient of a boolean array is not supported (NumPy cannot subtract booleans); "
            "convert it first, e.g. gradient(f.astype(int))"
        )
    if x.dtype.kind == "M":
        return x.astype(x.dtype.str.replace("M8", "m8"))  # type: ignore[attr-defined]
    if x.dtype.kind == "m" or np.issubdtype(x.dtype, np.inexact):
        return x
    return x.astype(np.float64)  # type: ignore[attr-defined]


def _spacings(varargs: tuple[Any, ...], axes: tuple[int, ...], f: Array) -> list[Any]:
    """One spacing per axis: a scalar, or the differences of a coordinate array."""
    if not varargs:
        return [1.0] * len(axes)
    if len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        return [varargs[0]] * len(axes)
    if len(varargs) != len(axes):
        raise TypeError("invalid number of arguments")
    out: list[Any] = []
    for ax, d in zip(axes, varargs, strict=True):
        d = np.asarray(d)
        if d.ndim == 0:
            out.append(d[()])
            continue
        if d.ndim != 1:
            raise ValueError("distances must be either scalars or 1d")
        if len(d) != f.shape[ax]:
            raise ValueError(
                "when 1d, distances must match the length of the corresponding dimension"
            )
        if np.issubdtype(d.dtype, np.integer):
            d = d.astype(np.float64)
        dx = np.diff(d)
        out.append(dx[0] if (dx == dx[0]).all() else dx)
    return out


def _along(f: Array, axis: int, index: Any) -> Array:
    return basic_index(f, [index if a == axis else slice(None) for a in range(f.ndim)])


def _shaped(v: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    return v.reshape([-1 if a == axis else 1 for a in range(ndim)])


def _one_axis(f: Array, axis: int, dx: Any, edge_order: int) -> Array:
    def s(index: Any) -> Any:  # Array: its operators are installed at import
        return _along(f, axis, index)

    if np.ndim(dx) == 0:
        inner = (s(slice(2, None)) - s(slice(None, -2))) / (2.0 * dx)
        if edge_order == 1:
            first = (s(slice(1, 2)) - s(slice(0, 1))) / dx
            last = (s(slice(-1, None)) - s(slice(-2, -1))) / dx
        else:  # NumPy's terms, each rounded alike (timedelta64 truncates)
            first = (
                -1.5 / dx * s(slice(0, 1)) + 2.0 / dx * s(slice(1, 2)) - 0.5 / dx * s(slice(2, 3))
            )
            last = (
                0.5 / dx * s(slice(-3, -2))
                - 2.0 / dx * s(slice(-2, -1))
                + 1.5 / dx * s(slice(-1, None))
            )
    else:
        d1, d2 = dx[:-1], dx[1:]
        a = _shaped(-d2 / (d1 * (d1 + d2)), axis, f.ndim)
        b = _shaped((d2 - d1) / (d1 * d2), axis, f.ndim)
        c = _shaped(d1 / (d2 * (d1 + d2)), axis, f.ndim)
        inner = a * s(slice(None, -2)) + b * s(slice(1, -1)) + c * s(slice(2, None))
        if edge_order == 1:
            first = (s(slice(1, 2)) - s(slice(0, 1))) / dx[0]
            last = (s(slice(-1, None)) - s(slice(-2, -1))) / dx[-1]
        else:
            p, q = dx[0], dx[1]
            first = (
                -(2.0 * p + q) / (p * (p + q)) * s(slice(0, 1))
                + (p + q) / (p * q) * s(slice(1, 2))
                - p / (q * (p + q)) * s(slice(2, 3))
            )
            p, q = dx[-2], dx[-1]
            last = (
                q / (p * (p + q)) * s(slice(-3, -2))
                - (q + p) / (p * q) * s(slice(-2, -1))
                + (2.0 * q + p) / (q * (p + q)) * s(slice(-1, None))
            )
    return rechunk(concatenate([first, inner, last], axis), f.chunks)


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """The gradient of ``f`` along each of ``axis`` (:func:`numpy.gradient`).

    Parameters
    ----------
    f : array-like
    *varargs : scalars or 1-d arrays, optional
        The spacing: one scalar for all axes, or one scalar or coordinate array per axis.
    axis : None, int or tuple of int
        The axes (default: all).
    edge_order : {1, 2}
        Order of the one-sided differences at the ends.

    Returns
    -------
    Array or tuple of Array
        One array per axis (a single array when there is one axis), chunked like ``f``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> f = da.from_array(np.array([[1.0, 2.0, 6.0], [3.0, 4.0, 5.0]]), chunks=1)
    >>> gy, gx = gradient(f)
    >>> gy.compute()
    array([[ 2.,  2., -1.],
           [ 2.,  2., -1.]])
    >>> gradient(f, [0.0, 1.0, 3.0], axis=1).compute()
    array([[1.        , 1.33333333, 2.        ],
           [1.        , 0.83333333, 0.5       ]])
    >>> gradient(f, axis=0, edge_order=2)
    Traceback (most recent call last):
    ...
    ValueError: Shape of array too small to calculate a numerical gradient, at least ...
    """
    x = as_array(f)
    axes = tuple(range(x.ndim)) if axis is None else normalize_axes(axis, x.ndim)
    edge_order = operator.index(edge_order)
    if edge_order not in (1, 2):
        raise ValueError("'edge_order' greater than 2 not supported")
    check_known(x, "gradient", axes)
    spacing = _spacings(varargs, axes, x)
    x = _differentiable(x)
    out = []
    for ax, dx in zip(axes, spacing, strict=True):
        if x.shape[ax] < edge_order + 1:
            raise ValueError(
                "Shape of array too small to calculate a numerical gradient, at least "
                "(edge_order + 1) elements are required."
            )
        out.append(_one_axis(x, ax, dx, edge_order).astype(x.dtype))  # type: ignore[attr-defined]
    return out[0] if len(out) == 1 else tuple(out)


def _apply_block(
    block: np.ndarray, func1d: Callable[..., Any], axis: int, args: Any, kwargs: Any
) -> Any:
    return np.apply_along_axis(func1d, axis, block, *args, **kwargs)


def apply_along_axis(
    func1d: Callable[..., Any],
    axis: int,
    arr: Any,
    *args: Any,
    dtype: Any = None,
    shape: tuple[int, ...] | None = None,
    **kwargs: Any,
) -> Array:
    """``func1d`` applied to 1-d slices along ``axis`` (:func:`numpy.apply_along_axis`).

    The axis is rechunked to one block.  ``shape``/``dtype`` describe ``func1d``'s
    output for one slice; by default ``func1d`` is called once on a slice of ones.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(6).reshape(2, 3), chunks=1)
    >>> apply_along_axis(np.diff, 1, x).compute()
    array([[1, 1],
           [1, 1]])
    >>> apply_along_axis(lambda v: v[:2].sum(), 0, x).compute()
    array([3, 5, 7])
    """
    x = as_array(arr)
    axis = normalize_axis(axis, x.ndim)
    check_known(x, "apply_along_axis", (axis,))
    if shape is None or dtype is None:
        probe = np.asarray(func1d(np.ones(int(x.shape[axis]), dtype=x.dtype), *args, **kwargs))
        shape = probe.shape if shape is None else tuple(shape)
        dtype = probe.dtype if dtype is None else dtype
    x = rechunk(
        x, tuple((int(x.shape[axis]),) if a == axis else c for a, c in enumerate(x.chunks))
    )
    name = f"apply_along_axis-{tokenize(x, func1d, axis, args, kwargs, shape, dtype)}"
    layer = {}
    for key in flat_keys(x):
        idx = key[1:]
        out_key = (name, *idx[:axis], *(0,) * len(shape), *idx[axis + 1 :])
        layer[out_key] = (_apply_block, key, func1d, axis, args, kwargs)
    chunks = (*x.chunks[:axis], *((n,) for n in shape), *x.chunks[axis + 1 :])
    return new_array(name, layer, chunks, dtype, inputs=[x])
