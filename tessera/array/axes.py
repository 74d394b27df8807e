"""Axis arguments: ``axis=-1``, ``axis=(0, 2)``, checked the way NumPy checks them.

Map
---
- :func:`normalize_axis` -- one axis as a non-negative int; ``AxisError`` if out of range.
- :func:`normalize_axes` -- an int or a sequence of ints as a tuple; repeated axes raise.

NumPy's ``AxisError`` is both a ``ValueError`` and an ``IndexError``, so code catching
either keeps working.

>>> normalize_axis(-1, 3), normalize_axes((0, -1), 3)
(2, (0, 2))
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["normalize_axes", "normalize_axis"]

AxisError = np.exceptions.AxisError


def normalize_axis(axis: Any, ndim: int) -> int:
    """``axis`` as an int in ``range(ndim)``.

    >>> normalize_axis(-2, 2)
    0
    >>> normalize_axis(2, 2)
    Traceback (most recent call last):
    ...
    numpy.exceptions.AxisError: axis 2 is out of bounds for array of dimension 2
    """
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(
            f"an axis must be an integer, got {type(axis).__name__} {axis!r}"
        ) from None
    if not -ndim <= axis < ndim:
        raise AxisError(axis, ndim)
    return int(axis % ndim) if ndim else 0


def normalize_axes(axis: int | Sequence[int], ndim: int, what: str = "axis") -> tuple[int, ...]:
    """``axis`` (an int or a sequence of ints) as a tuple of ints in ``range(ndim)``.

    >>> normalize_axes(1, 3), normalize_axes([2, 0], 3)
    ((1,), (2, 0))
    >>> normalize_axes((0, -2), 2)
    Traceback (most recent call last):
    ...
    ValueError: repeated axis in (0, -2): two entries name axis 0 of an array of dimension 2
    """
    axes = (axis,) if not isinstance(axis, (Sequence, np.ndarray)) else tuple(axis)
    out = tuple(normalize_axis(a, ndim) for a in axes)
    if len(set(out)) != len(out):
        dup = next(a for a in out if out.count(a) > 1)
        raise ValueError(
            f"repeated {what} in {tuple(axes)}: two entries name axis {dup} of an array of "
            f"dimension {ndim}"
        )
    return out
