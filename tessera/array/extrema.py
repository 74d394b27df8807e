"""Extremes: ``min``, ``max``, ``nanmin``, ``nanmax`` -- reductions without an identity.

Map
---
- :func:`min`, :func:`max` -- NaN wins, as in NumPy.
- :func:`nanmin`, :func:`nanmax` -- NaNs skipped; an all-NaN slice gives NaN with NumPy's
  ``RuntimeWarning``.

Policy: reducing an empty axis raises NumPy's ``ValueError`` when the graph is built, and
empty blocks contribute nothing (:func:`~tessera.array.reduce_rules.skip_empty`).  The
parameters are those of :mod:`~tessera.array.reductions`.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.array([[3.0, np.nan], [1.0, 2.0]]), chunks=1)
>>> da.max(x).compute(), da.nanmax(x).compute(), x.min(axis=0).compute()
(np.float64(nan), np.float64(3.0), array([ 1., nan]))
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from tessera.array.core import Array
from tessera.array.reduce_rules import check_nonempty, prepare, skip_empty
from tessera.array.treereduce import reduce_steps

__all__ = ["max", "min", "nanmax", "nanmin"]


def _no_identity(
    name: str,
    a: Any,
    axis: Any,
    keepdims: bool,
    split_every: Any,
    out: Any,
    partial_np: Any,
    final_np: Any,
) -> Array:
    """A reduction without an identity (min, max): NumPy's error for an empty axis, and
    empty blocks contribute nothing."""
    x, axes = prepare(a, axis, name, out)
    check_nonempty(final_np, x, axes, name)
    step = partial(skip_empty, partial_np)
    return reduce_steps(
        x,
        axes,
        step,
        step,
        final_np,
        keepdims=keepdims,
        dtype=x.dtype,
        split_every=split_every,
        name=name,
    )


def min(
    a: Any, axis: Any = None, keepdims: bool = False, split_every: Any = None, out: Any = None
) -> Array:
    """Minimum over ``axis``; NaN if any element is NaN (:func:`numpy.min`).

    Parameters
    ----------
    a, axis, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import tessera.array as da
    >>> da.arange(5, 10, chunks=2).min().compute()
    np.int64(5)
    >>> da.ones((0, 2)).min(axis=0)
    Traceback (most recent call last):
    ...
    ValueError: zero-size array to reduction operation minimum which has no identity ...
    """
    return _no_identity("min", a, axis, keepdims, split_every, out, np.min, np.min)


def max(
    a: Any, axis: Any = None, keepdims: bool = False, split_every: Any = None, out: Any = None
) -> Array:
    """Maximum over ``axis``; NaN if any element is NaN (:func:`numpy.max`).

    Parameters
    ----------
    a, axis, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import tessera.array as da
    >>> da.arange(5, 10, chunks=2).max().compute()
    np.int64(9)
    """
    return _no_identity("max", a, axis, keepdims, split_every, out, np.max, np.max)


def nanmin(
    a: Any, axis: Any = None, keepdims: bool = False, split_every: Any = None, out: Any = None
) -> Array:
    """Minimum over ``axis`` ignoring NaNs (:func:`numpy.nanmin`).

    An all-NaN slice gives NaN with a ``RuntimeWarning``, as in NumPy.

    Parameters
    ----------
    a, axis, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nanmin(da.from_array(np.array([np.nan, 3.0, 1.0]), chunks=1)).compute()
    np.float64(1.0)
    """
    return _nan_extreme("nanmin", a, axis, keepdims, split_every, out, np.fmin, np.nanmin)


def nanmax(
    a: Any, axis: Any = None, keepdims: bool = False, split_every: Any = None, out: Any = None
) -> Array:
    """Maximum over ``axis`` ignoring NaNs (:func:`numpy.nanmax`).

    Parameters
    ----------
    a, axis, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nanmax(da.from_array(np.array([np.nan, 3.0, 1.0]), chunks=1)).compute()
    np.float64(3.0)
    """
    return _nan_extreme("nanmax", a, axis, keepdims, split_every, out, np.fmax, np.nanmax)


def _nan_extreme(
    name: str,
    a: Any,
    axis: Any,
    keepdims: bool,
    split_every: Any,
    out: Any,
    fnp: Any,
    final_np: Any,
) -> Array:
    """``nanmin``/``nanmax``: partials by ``np.fmin``/``np.fmax`` (they skip NaNs and warn
    about nothing), the final step by NumPy's own function (its all-NaN warning)."""
    x, _ = prepare(a, axis, name, out)
    step = final_np if x.dtype == object else fnp.reduce
    return _no_identity(name, x, axis, keepdims, split_every, None, step, final_np)
