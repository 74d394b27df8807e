"""Deterministic tokens: equal inputs give equal names, so equal work shares keys.

Map
---
- :func:`tokenize` -- a hex token for any arguments (also exported as ``tessera.tokenize``).
- :func:`normalize_token` -- turn an object into plain nested data that describes it.
- :func:`register_normalizer` -- teach it a type (also by module name, imported lazily).

Policy: builtins, containers, functions (by module and name; lambdas and closures by
their cloudpickled code), ``functools.partial``, dataclasses, enums, NumPy arrays (by
dtype, shape and data), pandas objects (by values, index and dtypes) and objects with a
``__tessera_tokenize__`` method are deterministic across runs.  Other objects are
tokenized by their pickle; an object that cannot be pickled gets a random token (its
work is then never shared).  NumPy and pandas are only imported if the object is theirs.

>>> tokenize(1, "a", [1.5, None]) == tokenize(1, "a", [1.5, None])
True
>>> tokenize(1) == tokenize(1.0) or tokenize(1) == tokenize(True)
False
>>> len(tokenize({"x": (1, 2)}))
32
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import pickle
import types
import uuid
from collections.abc import Callable
from typing import Any

__all__ = ["normalize_token", "register_normalizer", "tokenize"]

_normalizers: dict[type, Callable[[Any], Any]] = {}
_lazy: dict[str, Callable[[], None]] = {}


def register_normalizer(
    typ: type | tuple[type, ...], func: Callable[[Any], Any] | None = None
) -> Any:
    """Register ``func(obj)`` as the normalizer of ``typ`` (usable as a decorator).

    >>> class Point:
    ...     def __init__(self, x): self.x = x
    >>> _ = register_normalizer(Point, lambda p: ("Point", p.x))
    >>> tokenize(Point(1)) == tokenize(Point(1)) != tokenize(Point(2))
    True
    """

    def register(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
        for t in typ if isinstance(typ, tuple) else (typ,):
            _normalizers[t] = f
        return f

    return register(func) if func is not None else register


def _digest(data: bytes | memoryview) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _by_pickle(obj: Any) -> Any:
    try:
        return ("pickle", _digest(pickle.dumps(obj, protocol=5)))
    except Exception:
        pass
    try:
        import cloudpickle

        return ("cloudpickle", _digest(cloudpickle.dumps(obj, protocol=5)))
    except Exception:
        return ("random", uuid.uuid4().hex)


def normalize_token(obj: Any) -> Any:
    """Return plain data (tuples, strings, numbers) that identifies ``obj``.

    >>> normalize_token([1, "a"])
    ('list', [('int', 1), 'a'])
    """
    typ = type(obj)
    if typ is str:
        return obj
    f = _normalizers.get(typ)
    if f is None:
        for base in typ.__mro__[1:]:
            f = _normalizers.get(base)
            if f is not None:
                break
    if f is None:
        root = (typ.__module__ or "").split(".")[0]
        register_lazy = _lazy.pop(root, None)
        if register_lazy is not None:
            register_lazy()
            return normalize_token(obj)
        method = getattr(obj, "__tessera_tokenize__", None)
        if method is not None and not isinstance(obj, type):
            return ("custom", normalize_token(method()))
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            fields = [
                (fl.name, normalize_token(getattr(obj, fl.name))) for fl in dataclasses.fields(obj)
            ]
            return ("dataclass", typ.__module__, typ.__qualname__, fields)
        return _by_pickle(obj)
    return f(obj)


def _plain(obj: Any) -> Any:
    return (type(obj).__name__, obj)


def _sequence(obj: Any) -> Any:
    return (type(obj).__name__, [normalize_token(x) for x in obj])


def _mapping(obj: Any) -> Any:
    items = [(normalize_token(k), normalize_token(v)) for k, v in obj.items()]
    return (type(obj).__name__, sorted(items, key=str))


def _set(obj: Any) -> Any:
    return (type(obj).__name__, sorted((normalize_token(x) for x in obj), key=str))


def _function(f: Any) -> Any:
    name = getattr(f, "__qualname__", "")
    module = getattr(f, "__module__", None)
    if module and name and "<" not in name and module != "__main__":
        return ("function", module, name)
    code = getattr(f, "__code__", None)
    if code is None:
        return ("function-pickle", _by_pickle(f))
    cells = [c.cell_contents for c in (f.__closure__ or ()) if _cell_is_set(c)]
    return (
        "function-code",
        module,
        name,
        _code(code),
        normalize_token(f.__defaults__),
        normalize_token(cells),
    )


def _cell_is_set(cell: Any) -> bool:
    try:
        _ = cell.cell_contents
    except ValueError:
        return False
    return True


def _code(code: types.CodeType) -> Any:
    consts = [
        _code(c) if isinstance(c, types.CodeType) else normalize_token(c) for c in code.co_consts
    ]
    return ("code", code.co_code, consts, code.co_names, code.co_varnames)


def _partial(p: functools.partial[Any]) -> Any:
    return (
        "partial",
        normalize_token(p.func),
        normalize_token(p.args),
        normalize_token(p.keywords),
    )


def _method(m: Any) -> Any:
    return ("method", normalize_token(m.__self__), m.__func__.__name__)


register_normalizer((int, float, complex, bool, bytes, type(None), type(...)), _plain)
register_normalizer((slice, range), lambda s: (type(s).__name__, repr(s)))
register_normalizer((tuple, list), _sequence)
register_normalizer(dict, _mapping)
register_normalizer((set, frozenset), _set)
register_normalizer((types.FunctionType, types.BuiltinFunctionType, type), _function)
register_normalizer(functools.partial, _partial)
register_normalizer(types.MethodType, _method)
register_normalizer(enum.Enum, lambda e: ("enum", _function(type(e)), e.name))


def _register_numpy() -> None:
    import numpy as np

    def array(x: Any) -> Any:
        if x.dtype.hasobject:
            return ("ndarray-object", x.shape, _by_pickle(x))
        data = np.ascontiguousarray(x)
        return ("ndarray", x.dtype.str, x.shape, _digest(data.view(np.uint8).data))

    register_normalizer(np.ndarray, array)
    register_normalizer(np.generic, lambda v: ("np-scalar", v.dtype.str, v.tobytes()))
    register_normalizer(np.dtype, lambda d: ("dtype", d.str))
    register_normalizer(np.ufunc, lambda u: ("ufunc", u.__name__))


def _register_pandas() -> None:
    import pandas as pd

    def frame(x: Any) -> Any:
        try:
            hashed = pd.util.hash_pandas_object(x, index=True).to_numpy()
        except TypeError:  # unhashable cells (lists, dicts): hash their pickle instead
            return (type(x).__name__, _by_pickle(x))
        cols = list(x.columns) if isinstance(x, pd.DataFrame) else [x.name]
        dtypes = [str(d) for d in (x.dtypes if isinstance(x, pd.DataFrame) else [x.dtype])]
        return (type(x).__name__, normalize_token(cols), dtypes, normalize_token(hashed))

    def index(x: Any) -> Any:
        hashed = pd.util.hash_pandas_object(x, index=False).to_numpy()
        return ("Index", str(x.dtype), normalize_token(x.name), normalize_token(hashed))

    register_normalizer((pd.DataFrame, pd.Series), frame)
    register_normalizer(pd.Index, index)


_lazy["numpy"] = _register_numpy
_lazy["pandas"] = _register_pandas


def tokenize(*args: Any, **kwargs: Any) -> str:
    """Return a deterministic hex token of the arguments.

    Parameters
    ----------
    *args, **kwargs
        Anything; see the module docstring for what is deterministic.

    Examples
    --------
    >>> from operator import add
    >>> tokenize(add, 1, x=2) == tokenize(add, 1, x=2)
    True
    >>> tokenize(add, 1) == tokenize(add, 2)
    False
    """
    token = normalize_token((args, kwargs) if kwargs else args)
    return _digest(repr(token).encode())
