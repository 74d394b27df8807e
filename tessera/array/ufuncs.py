"""The NumPy ufuncs and element-wise functions under ``tessera.array``.

Map
---
- One lazy function per NumPy ufunc in :data:`UFUNC_NAMES` (``da.sin``, ``da.maximum``,
  ``da.isnan``...), each made by :func:`~tessera.array.elementwise.wrap_ufunc`.
- ``da.divmod``, ``da.modf``, ``da.frexp`` return a tuple of arrays, as NumPy does.
- :func:`clip`, :func:`around` / :func:`round`, :func:`real`, :func:`imag`,
  :func:`isclose` -- element-wise functions that are not ufuncs.
- ``Array.clip``, ``Array.round``, ``Array.conj``, ``Array.real``, ``Array.imag``.

All of them go through :func:`~tessera.array.elementwise.elemwise`; applied to
anything that is not a tessera array they simply call NumPy.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.array([-1.5, 0.0, 2.25]), chunks=2)
>>> da.sqrt(da.abs(x)).compute()
array([1.22474487, 0.        , 1.5       ])
>>> x.clip(0, 2).round().compute()
array([0., 0., 2.])
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from tessera.array.core import Array
from tessera.array.elementwise import elemwise, wrap_ufunc

UFUNC_NAMES = (
    "absolute",
    "add",
    "subtract",
    "multiply",
    "divide",
    "true_divide",
    "floor_divide",
    "power",
    "float_power",
    "negative",
    "positive",
    "mod",
    "remainder",
    "fmod",
    "sqrt",
    "cbrt",
    "square",
    "reciprocal",
    "exp",
    "exp2",
    "expm1",
    "log",
    "log2",
    "log10",
    "log1p",
    "logaddexp",
    "logaddexp2",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "arctan2",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "hypot",
    "deg2rad",
    "rad2deg",
    "degrees",
    "radians",
    "floor",
    "ceil",
    "trunc",
    "rint",
    "sign",
    "signbit",
    "copysign",
    "nextafter",
    "spacing",
    "ldexp",
    "isnan",
    "isinf",
    "isfinite",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "equal",
    "not_equal",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "invert",
    "left_shift",
    "right_shift",
    "conj",
    "conjugate",
    "fabs",
    "heaviside",
    "gcd",
    "lcm",
    "divmod",
    "modf",
    "frexp",
)

_namespace = globals()
for _name in UFUNC_NAMES:
    _namespace[_name] = wrap_ufunc(getattr(np, _name))
abs = _namespace["absolute"]

__all__ = [*UFUNC_NAMES, "abs", "around", "clip", "imag", "isclose", "real", "round"]


def _lazy(func: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(x, Array) or any(isinstance(a, Array) for a in args):
        return elemwise(partial(func, **kwargs) if kwargs else func, x, *args)
    return func(x, *args, **kwargs)


def clip(x: Any, min: Any = None, max: Any = None) -> Any:
    """Limit the values of ``x`` to ``[min, max]``, like :func:`numpy.clip`.

    >>> import tessera.array as da
    >>> clip(da.arange(5, chunks=2), 1, 3).compute()
    array([1, 1, 2, 3, 3])
    """
    if min is None and max is None:
        raise ValueError("One of max or min must be given")
    return _lazy(np.clip, x, min, max)


def around(x: Any, decimals: int = 0) -> Any:
    """Round to ``decimals`` decimals, like :func:`numpy.around`.

    >>> import tessera.array as da
    >>> around(da.from_array(np.array([1.26, 2.5]), chunks=1), 1).compute()
    array([1.3, 2.5])
    """
    return _lazy(np.around, x, decimals=decimals)


round = around


def real(x: Any) -> Any:
    """The real part, like :func:`numpy.real`.

    >>> import tessera.array as da
    >>> da.real(da.from_array(np.array([1 + 2j]), chunks=1)).compute()
    array([1.])
    """
    return _lazy(np.real, x)


def imag(x: Any) -> Any:
    """The imaginary part, like :func:`numpy.imag`.

    >>> import tessera.array as da
    >>> da.imag(da.from_array(np.array([1 + 2j]), chunks=1)).compute()
    array([2.])
    """
    return _lazy(np.imag, x)


def isclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Any:
    """Element-wise closeness, like :func:`numpy.isclose`.

    >>> import tessera.array as da
    >>> isclose(da.ones(2, chunks=1), 1 + 1e-9).compute()
    array([ True,  True])
    """
    return _lazy(np.isclose, a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


Array.clip = lambda self, min=None, max=None: clip(self, min, max)  # type: ignore[attr-defined]
Array.round = lambda self, decimals=0: around(self, decimals)  # type: ignore[attr-defined]
Array.conj = lambda self: _namespace["conjugate"](self)  # type: ignore[attr-defined]
Array.real = property(real)  # type: ignore[attr-defined]
Array.imag = property(imag)  # type: ignore[attr-defined]
