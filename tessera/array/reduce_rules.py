"""NumPy's rules for reductions, checked before a graph is built.

Map
---
- :func:`validate_axis` -- ``axis`` (``None``, int, tuple, negative) to a sorted tuple,
  with NumPy's errors (``AxisError`` naming the axis, the ndim and the shape).
- :func:`prepare` -- a tessera array and its axes from what a user passed.
- :func:`result_dtype` -- the dtype NumPy gives, found by running NumPy on a tiny array.
- :func:`check_nonempty` -- NumPy's error for reducing an empty axis without identity.
- :func:`static_count` -- elements per output element, when chunk sizes are known.
- :func:`as_result` -- a final value in the result dtype (NumPy scalar when 0-d).
- :func:`skip_empty`, :func:`empty_partial` -- the partial step of reductions without
  identity, where empty blocks contribute nothing.

Policy: follow NumPy exactly; a mistake is reported when the expression is built, not
when it is computed, whenever the metadata (shape, dtype) shows it.

>>> validate_axis((0, -1), 3)
(0, 2)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.exceptions import AxisError

from tessera.array.axes import normalize_axes
from tessera.array.core import Array

__all__ = [
    "as_result",
    "check_nonempty",
    "empty_partial",
    "prepare",
    "result_dtype",
    "skip_empty",
    "static_count",
    "validate_axis",
]


def validate_axis(
    axis: Any, ndim: int, shape: tuple[Any, ...] | None = None, what: str = "reduction"
) -> tuple[int, ...]:
    """``axis`` (None, an int or a tuple of ints, negative counting from the end), sorted.

    Raises NumPy's errors: ``AxisError`` for an axis out of range (naming the axis, the
    ndim and the shape), ``ValueError`` for a repeated axis, ``TypeError`` for a
    non-integer.

    >>> validate_axis(-1, 3), validate_axis(None, 2), validate_axis((2, 0), 3)
    ((2,), (0, 1), (0, 2))
    >>> validate_axis(2, 2, (4, 5), "sum")
    Traceback (most recent call last):
    ...
    numpy.exceptions.AxisError: sum of an array of shape (4, 5): axis 2 is out of bounds ...
    """
    if axis is None:
        return tuple(range(ndim))
    try:
        return tuple(sorted(normalize_axes(axis, ndim)))
    except AxisError as e:
        shown = f" of shape {shape}" if shape is not None else f" with {ndim} dimensions"
        raise AxisError(e.axis, ndim, f"{what} of an array{shown}") from None  # type: ignore[arg-type]


def prepare(a: Any, axis: Any, what: str, out: Any = None) -> tuple[Array, tuple[int, ...]]:
    """``a`` as a tessera array and its validated reduced axes; refuses ``out=``.

    >>> x, axes = prepare(np.ones((2, 3)), -1, "sum")
    >>> x.shape, axes
    ((2, 3), (1,))
    """
    if out is not None:
        raise TypeError(
            f"{what}(..., out=...) is not supported: tessera arrays are immutable. Use the "
            "returned array instead (e.g. y = x.sum(axis=0))."
        )
    if not isinstance(a, Array):
        from tessera.array.creation import asarray

        a = asarray(a)
    return a, validate_axis(axis, a.ndim, a.shape, what)


def result_dtype(func: Callable[..., Any], input_dtype: Any, what: str, **kwargs: Any) -> Any:
    """The dtype NumPy gives ``func(array of dtype, **kwargs)`` (NumPy's errors, with context).

    >>> result_dtype(np.sum, np.int32, "sum"), result_dtype(np.mean, bool, "mean")
    (dtype('int64'), dtype('float64'))
    """
    probe = np.zeros(2, dtype=input_dtype)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(func(probe, **kwargs)).dtype
    except TypeError as e:
        raise TypeError(f"{what} of a tessera array of dtype {np.dtype(input_dtype)}: {e}") from e


def check_nonempty(func: Callable[..., Any], x: Array, axes: tuple[int, ...], what: str) -> None:
    """Raise NumPy's error now if ``func`` (no identity) would reduce a length-0 axis.

    >>> import tessera.array as da
    >>> check_nonempty(np.min, da.ones((0, 3)), (0,), "min")
    Traceback (most recent call last):
    ...
    ValueError: zero-size array to reduction operation minimum which has no identity (min ...
    """
    if any(x.shape[a] == 0 for a in axes):
        try:
            func(np.empty(0, dtype=x.dtype))
        except ValueError as e:
            raise ValueError(
                f"{e} ({what} over axis {axes} of an array of shape {x.shape})"
            ) from None


def static_count(x: Array, axes: tuple[int, ...]) -> int | None:
    """How many elements each output element reduces, or None if chunk sizes are unknown.

    >>> import tessera.array as da
    >>> static_count(da.ones((2, 3, 4)), (0, 2))
    8
    """
    sizes = [x.shape[a] for a in axes]
    if any(isinstance(n, float) and math.isnan(n) for n in sizes):
        return None
    return math.prod(int(n) for n in sizes)


def as_result(value: Any, dtype: Any) -> Any:
    """``value`` as an array of ``dtype``, or a NumPy scalar when it has no dimensions.

    >>> as_result(np.array(2.0), np.float32), as_result(np.ones(2), int)
    (np.float32(2.0), array([1, 1]))
    """
    arr = np.asarray(value).astype(dtype, copy=False)
    return arr[()] if arr.ndim == 0 else arr


def empty_partial(x: Any, axis: tuple[int, ...]) -> Any:
    """The partial of a block that is empty along some reduced axes: no elements, length 0
    on those axes, 1 on the other reduced axes, so it joins its neighbours' partials.

    >>> empty_partial(np.ones((0, 4, 3)), (0, 1)).shape
    (0, 1, 3)
    """
    shape = np.shape(x)
    return np.empty(
        tuple(0 if n == 0 else 1 if a in axis else n for a, n in enumerate(shape)),
        dtype=np.asarray(x).dtype,
    )


def skip_empty(func: Callable[..., Any], x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    """``func(x, axis=axis, keepdims=keepdims)``, or an :func:`empty_partial` when ``x`` is
    empty along ``axis``: the partial step of reductions without an identity (``min``),
    where an empty block contributes nothing.

    >>> skip_empty(np.min, np.ones((0, 2)), (0,), True).shape
    (0, 2)
    """
    if any(np.shape(x)[a] == 0 for a in axis):
        return empty_partial(x, axis)
    return func(x, axis=axis, keepdims=keepdims)
