"""Reductions: ``sum``, ``min``, ``mean``, ``argmin``, ``cumsum``... and their ``Array`` methods.

Map
---
- this module: ``sum, prod, any, all, nansum, nanprod, count_nonzero`` -- each is
  validation plus one call to the waist -- and the ``Array`` methods (``x.sum()``,
  ``x.mean()``, ``x.argmin()``, ``x.cumsum()``...), installed at import.
- :mod:`~tessera.array.treereduce` -- the waist :func:`reduction` (public as ``da.reduction``).
- :mod:`~tessera.array.extrema` -- ``min, max, nanmin, nanmax``.
- :mod:`~tessera.array.moments` -- ``mean, var, std`` and their ``nan`` versions.
- :mod:`~tessera.array.argreduce` -- ``argmin, argmax, nanargmin, nanargmax``.
- :mod:`~tessera.array.cumulative` -- ``cumsum, cumprod, nancumsum, nancumprod``.

Every name here is public as ``da.<name>``; semantics are NumPy's, including its warnings
and errors (the ``min`` of an empty axis raises ``ValueError``), and 0-d results compute
to NumPy scalars.  Parameters shared by the reductions:

- ``a`` -- a tessera array, or anything :func:`~tessera.array.creation.asarray` takes.
- ``axis`` -- an int (negative counts from the end), a tuple of ints, or ``None`` for
  all axes; a bad one raises ``AxisError`` naming the axis, the ndim and the shape.
- ``dtype`` -- accumulator and result dtype; by default NumPy's, found by running NumPy
  on a tiny array (the sum of ``int32`` is ``int64``, the mean of ints ``float64``).
- ``keepdims`` -- keep the reduced axes, with length 1.
- ``split_every`` -- the tree's fan-in (see :func:`~tessera.array.treereduce.split_sizes`).
- ``out`` -- only ``None`` (so that ``np.sum(x)`` works, and stays lazy).

>>> import numpy as np, tessera.array as da
>>> y = da.from_array(np.arange(12).reshape(3, 4), chunks=2)
>>> y.sum(axis=0).compute()
array([12, 15, 18, 21])
>>> np.max(y).compute(), da.count_nonzero(y > 5).compute()
(np.int64(11), np.int64(6))
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from tessera.array.argreduce import argmax, argmin, nanargmax, nanargmin
from tessera.array.core import Array
from tessera.array.cumulative import cumprod, cumsum, nancumprod, nancumsum
from tessera.array.extrema import max, min, nanmax, nanmin
from tessera.array.moments import mean, nanmean, nanstd, nanvar, std, var
from tessera.array.reduce_rules import prepare, result_dtype
from tessera.array.treereduce import reduce_steps, reduction

__all__ = [
    "all",
    "any",
    "argmax",
    "argmin",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "max",
    "mean",
    "min",
    "nanargmax",
    "nanargmin",
    "nancumprod",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmin",
    "nanprod",
    "nanstd",
    "nansum",
    "nanvar",
    "prod",
    "reduction",
    "std",
    "sum",
    "var",
]


def _with_dtype(
    name: str,
    a: Any,
    axis: Any,
    dtype: Any,
    keepdims: bool,
    split_every: Any,
    out: Any,
    chunk_np: Any,
    combine_np: Any,
) -> Array:
    """A reduction whose partials combine with ``combine_np`` (``np.sum``, ``np.prod``) in
    the result dtype, which is also the accumulator of ``chunk_np`` on every block."""
    x, axes = prepare(a, axis, name, out)
    # probed over an axis: NumPy's 0-d result of an object array is a bare Python number
    dt = result_dtype(partial(chunk_np, axis=0, keepdims=True), x.dtype, name, dtype=dtype)
    return reduce_steps(
        x,
        axes,
        partial(chunk_np, dtype=dt),
        partial(combine_np, dtype=dt),
        keepdims=keepdims,
        dtype=dt,
        split_every=split_every,
        name=name,
    )


def _logical(
    name: str, a: Any, axis: Any, keepdims: bool, split_every: Any, out: Any, np_func: Any
) -> Array:
    x, axes = prepare(a, axis, name, out)
    dt = result_dtype(partial(np_func, axis=0, keepdims=True), x.dtype, name)
    return reduce_steps(
        x, axes, np_func, np_func, keepdims=keepdims, dtype=dt, split_every=split_every, name=name
    )


def sum(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    split_every: Any = None,
    out: Any = None,
) -> Array:
    """Sum of the elements over ``axis`` (:func:`numpy.sum`).

    Parameters
    ----------
    a, axis, dtype, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.ones((4, 6), chunks=2, dtype="i4")
    >>> da.sum(x).compute(), x.sum(axis=1).dtype
    (np.int64(24), dtype('int64'))
    """
    return _with_dtype("sum", a, axis, dtype, keepdims, split_every, out, np.sum, np.sum)


def prod(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    split_every: Any = None,
    out: Any = None,
) -> Array:
    """Product of the elements over ``axis`` (:func:`numpy.prod`).

    Parameters
    ----------
    a, axis, dtype, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import tessera.array as da
    >>> da.arange(1, 7, chunks=2).prod().compute()
    np.int64(720)
    """
    return _with_dtype("prod", a, axis, dtype, keepdims, split_every, out, np.prod, np.prod)


def nansum(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    split_every: Any = None,
    out: Any = None,
) -> Array:
    """Sum over ``axis``, NaNs counted as zero (:func:`numpy.nansum`).

    Parameters
    ----------
    a, axis, dtype, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nansum(da.from_array(np.array([1.0, np.nan, 2.0]), chunks=2)).compute()
    np.float64(3.0)
    """
    return _with_dtype("nansum", a, axis, dtype, keepdims, split_every, out, np.nansum, np.sum)


def nanprod(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    split_every: Any = None,
    out: Any = None,
) -> Array:
    """Product over ``axis``, NaNs counted as one (:func:`numpy.nanprod`).

    Parameters
    ----------
    a, axis, dtype, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nanprod(da.from_array(np.array([3.0, np.nan, 2.0]), chunks=2)).compute()
    np.float64(6.0)
    """
    return _with_dtype("nanprod", a, axis, dtype, keepdims, split_every, out, np.nanprod, np.prod)


def any(
    a: Any, axis: Any = None, keepdims: bool = False, split_every: Any = None, out: Any = None
) -> Array:
    """Whether any element over ``axis`` is true (:func:`numpy.any`).

    Parameters
    ----------
    a, axis, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import tessera.array as da
    >>> (da.arange(6, chunks=2) > 4).any().compute()
    np.True_
    """
    return _logical("any", a, axis, keepdims, split_every, out, np.any)


def all(
    a: Any, axis: Any = None, keepdims: bool = False, split_every: Any = None, out: Any = None
) -> Array:
    """Whether all elements over ``axis`` are true (:func:`numpy.all`).

    Parameters
    ----------
    a, axis, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import tessera.array as da
    >>> (da.arange(6, chunks=2) > 0).all().compute()
    np.False_
    """
    return _logical("all", a, axis, keepdims, split_every, out, np.all)


def count_nonzero(
    a: Any, axis: Any = None, *, keepdims: bool = False, split_every: Any = None
) -> Array:
    """Number of non-zero elements over ``axis`` (:func:`numpy.count_nonzero`).

    Parameters
    ----------
    a, axis, keepdims, split_every
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([[0, 1, 2], [3, 0, 0]]), chunks=1)
    >>> da.count_nonzero(x).compute(), da.count_nonzero(x, axis=0).compute()
    (np.int64(3), array([1, 1, 1]))
    """
    x, axes = prepare(a, axis, "count_nonzero")
    total = partial(np.sum, dtype=np.intp)
    return reduce_steps(
        x,
        axes,
        np.count_nonzero,
        total,
        keepdims=keepdims,
        dtype=np.intp,
        split_every=split_every,
        name="count_nonzero",
    )


_METHODS = (sum, prod, mean, min, max, any, all, std, var, argmin, argmax, cumsum, cumprod)


def _install_methods() -> None:
    """Attach the reductions NumPy's ``ndarray`` has as methods (``x.sum()``...)."""
    for func in _METHODS:
        setattr(Array, func.__name__, func)


_install_methods()
