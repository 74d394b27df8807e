"""NumPy functions called on tessera arrays (``__array_function__``, NEP 18).

Map
---
- :func:`array_function` -- ``Array.__array_function__``: ``np.<name>(x, ...)`` runs
  ``tessera.array.<name>`` (``np.linalg.<name>`` runs ``tessera.array.linalg.<name>``...),
  so the result stays lazy.
- :data:`METADATA` -- functions answered from shapes and dtypes alone (``np.shape``,
  ``np.ndim``, ``np.result_type``...), without computing anything.

Policy (as Dask): the argument types must all be tessera arrays or NumPy arrays and
scalars, else ``NotImplemented`` (NumPy then raises ``TypeError``).  A NumPy function
that tessera lacks computes its tessera arguments and calls NumPy, with a
``FutureWarning`` that names it (use ``map_blocks`` or a tessera function instead).

>>> import numpy as np, tessera.array as da
>>> x = da.arange(6, chunks=4)
>>> y = np.concatenate([x, x])
>>> type(y).__name__, y.chunks
('Array', ((4, 2, 4, 2),))
>>> np.shape(x), np.ndim(x)
((6,), 1)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from tessera.array.core import Array

__all__ = ["METADATA", "array_function"]


def _dtype_of(x: Any) -> Any:
    return x.dtype if isinstance(x, Array) else x


def _size(a: Any, axis: int | None = None) -> int:
    return int(a.size if axis is None else a.shape[axis])


METADATA: dict[Callable[..., Any], Callable[..., Any]] = {
    np.shape: lambda a: a.shape,
    np.ndim: lambda a: a.ndim,
    np.size: _size,
    np.result_type: lambda *args: np.result_type(*map(_dtype_of, args)),
    np.can_cast: lambda f, t, casting="safe": np.can_cast(_dtype_of(f), t, casting),
    np.iscomplexobj: lambda x: x.dtype.kind == "c",
    np.isrealobj: lambda x: x.dtype.kind != "c",
}


def _lookup(func: Callable[..., Any]) -> Callable[..., Any] | None:
    """``tessera.array``'s function of the same module path and name, if any."""
    import tessera.array as module
    from tessera.array.overlap import sliding_window_view

    if func is np.lib.stride_tricks.sliding_window_view:
        return sliding_window_view

    found: Any = module
    for part in str(getattr(func, "__module__", "") or "").split(".")[1:]:
        found = getattr(found, part, None)
        if found is None:
            return None
    impl = getattr(found, getattr(func, "__name__", ""), None)
    return None if impl is func or not callable(impl) else impl


def _fallback(func: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    from tessera.base import compute

    name = f"{func.__module__}.{func.__name__}"
    warnings.warn(
        f"The `{name}` function is not implemented by tessera.array: the tessera arrays "
        "passed to it are computed and NumPy is called. Use da.map_blocks or a "
        "tessera.array function to stay lazy.",
        FutureWarning,
        stacklevel=4,
    )
    args, kwargs = compute(args, kwargs)
    return func(*args, **kwargs)


def array_function(func: Callable[..., Any], types: Any, args: Any, kwargs: dict[str, Any]) -> Any:
    """Run NumPy's ``func`` on tessera arrays: tessera's version, else NumPy's on results.

    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([1.5, -2.5, 3.2]), chunks=2)
    >>> np.round(np.clip(x, -2, 2)).compute()
    array([ 2., -2.,  2.])
    """
    if not all(issubclass(t, (Array, np.ndarray)) for t in types):
        return NotImplemented
    if func in METADATA:
        return METADATA[func](*args, **kwargs)
    impl = _lookup(func)
    if impl is None:
        return _fallback(func, args, kwargs)
    return impl(*args, **kwargs)
