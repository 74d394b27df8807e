"""NumPy functions called on tessera arrays (``__array_function__``, NEP 18).

Map
---
- :func:`array_function` -- ``Array.__array_function__``: ``np.<name>(x, ...)`` runs
  ``tessera.array.<name>`` (``np.linalg.<name>`` runs ``tessera.array.linalg.<name>``...),
  so the result stays lazy.
- :data:`METADATA` -- functions answered from shapes and dtypes alone (``np.shape``,
  ``np.ndim``, ``np.result_type``...), without computing anything.

Policy (as Dask): the argument types must all be tessera arrays or NumPy arrays and
scalars, else ``NotImplemented`` (NumPy then raises ``TypeError``).  The call is bound
to the NumPy function's signature and each argument is passed by name to the tessera
parameter of the same meaning.  A NumPy function that tessera lacks, a NumPy argument
with a non-default value that tessera lacks (``where=``, ``initial=``...), or a case
tessera's function raises ``NotImplementedError`` for, computes the tessera arguments and
calls NumPy, with a ``FutureWarning`` that names the reason (use ``map_blocks`` or a
tessera function instead).

>>> import numpy as np, tessera.array as da
>>> x = da.arange(6, chunks=4)
>>> y = np.concatenate([x, x])
>>> type(y).__name__, y.chunks
('Array', ((4, 2, 4, 2),))
>>> np.shape(x), np.ndim(x)
((6,), 1)
"""

from __future__ import annotations

import inspect
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


def _fallback(func: Callable[..., Any], args: Any, kwargs: Any, why: str) -> Any:
    from tessera.base import compute

    name = f"{func.__module__}.{func.__name__}"
    warnings.warn(
        f"The `{name}` call is not supported lazily by tessera.array ({why}): the tessera "
        "arrays passed to it are computed and NumPy is called. Use da.map_blocks or a "
        "tessera.array function to stay lazy.",
        FutureWarning,
        stacklevel=4,
    )
    args, kwargs = compute(args, kwargs)
    return func(*args, **kwargs)


# NumPy parameters named differently in tessera (besides the first, the array itself)
_ALIASES = {"arrays": "seq", "a_min": "min", "a_max": "max", "x2": "b"}
# NumPy parameters that change nothing in a lazy result's values
_IGNORED = {"subok", "overwrite_input", "device"}
_SIMPLE = (str, bool, int, float, type(None))


def _is_default(value: Any, default: Any) -> bool:
    if value is default:
        return True
    simple = isinstance(default, _SIMPLE) and isinstance(value, _SIMPLE)
    return simple and type(value) is type(default) and value == default


def _translate(
    func: Callable[..., Any], impl: Callable[..., Any], args: Any, kwargs: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]] | str:
    """``impl``'s positional and keyword arguments for NumPy's call ``func(*args, **kwargs)``.

    The call is bound to NumPy's signature and every argument passed on by name to the
    tessera parameter of the same meaning.  An argument tessera lacks is dropped when it
    has NumPy's default value (or changes no values); otherwise its description is
    returned (the call falls back to NumPy).
    """
    try:
        theirs, ours = inspect.signature(func), inspect.signature(impl)
        bound = theirs.bind(*args, **kwargs)
    except (TypeError, ValueError):  # no signature to bind against: pass on as given
        return list(args), dict(kwargs)
    params = list(ours.parameters.values())
    first = {next(iter(theirs.parameters), ""): params[0].name if params else ""}
    by_name = {p.name: p for p in params}
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params)
    named: dict[str, Any] = {}
    positional: list[Any] = []
    for name, value in bound.arguments.items():
        param = theirs.parameters[name]
        if param.kind is param.VAR_POSITIONAL:
            positional.extend(value)
            continue
        if param.kind is param.VAR_KEYWORD:
            named.update(value)
            continue
        target = name if name in by_name else first.get(name) or _ALIASES.get(name, name)
        if target in by_name or takes_any:
            named[target] = value
        elif not (
            _is_default(value, param.default)
            or name in _IGNORED
            or (name == "order" and func.__name__.endswith("_like"))
        ):
            return f"its argument `{name}` is not supported"
    lead = [named.pop(p.name) for p in params if p.kind is p.POSITIONAL_ONLY and p.name in named]
    return lead + positional, named


def array_function(func: Callable[..., Any], types: Any, args: Any, kwargs: dict[str, Any]) -> Any:
    """Run NumPy's ``func`` on tessera arrays: tessera's version, else NumPy's on results.

    NumPy's arguments are matched to tessera's by name (after binding the call to NumPy's
    signature); an argument or a case tessera cannot do lazily computes the arrays and
    calls NumPy instead, with a ``FutureWarning``.

    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([1.5, -2.5, 3.2]), chunks=2)
    >>> np.round(np.clip(x, -2, 2)).compute()
    array([ 2., -2.,  2.])
    >>> np.sum(x, 0, None, None, True).compute()
    array([2.2])
    """
    if not all(issubclass(t, (Array, np.ndarray)) for t in types):
        return NotImplemented
    if func in METADATA:
        return METADATA[func](*args, **kwargs)
    impl = _lookup(func)
    if impl is None:
        return _fallback(func, args, kwargs, "tessera.array lacks this function")
    call = _translate(func, impl, args, kwargs)
    if isinstance(call, str):
        return _fallback(func, args, kwargs, call)
    try:
        return impl(*call[0], **call[1])
    except NotImplementedError as err:
        return _fallback(func, args, kwargs, str(err))
