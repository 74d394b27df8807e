"""The :class:`Scalar` collection: one lazy value, such as ``df.x.sum()``.

Map
---
- :class:`Scalar` -- ``layers``, ``name`` and ``meta`` (a NumPy scalar or Python value of
  the right type); its one key is ``(name, 0)``.  Arithmetic and comparisons with other
  scalars and constants give new scalars; with a frame, the frame broadcasts the scalar.
  ``bool``/``int``/``float`` compute.

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"a": [1, 2, 3]}, npartitions=2)
>>> total = df.a.sum()
>>> (total * 2 + 1).compute()
np.int64(13)
>>> (df.a - df.a.mean()).compute().tolist()
[-1.0, 0.0, 1.0]
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from tessera.base import ConvertsByComputing
from tessera.dataframe.graph import Apply, Layers, Slot, flat_graph, make_meta
from tessera.dataframe.spill import SpillScoped
from tessera.hashing import tokenize
from tessera.scheduling import threaded

__all__ = ["Scalar"]


def _first(results: list[Any]) -> Any:
    return results[0]


def _identity(x: Any) -> Any:
    return x


def _rebuild(dsk: Mapping[Any, Any], name: str, meta: Any) -> Scalar:
    (value,) = dsk.values()
    task = value if isinstance(value, tuple) and value and callable(value[0]) else None
    return Scalar({name: {(name, 0): task if task else (_identity, value)}}, name, meta)


class Scalar(ConvertsByComputing, SpillScoped):
    """A lazy single value.

    >>> import tessera.dataframe as dd
    >>> s = dd.from_dict({"a": [1.0, 2.0]}, npartitions=2).a.max()
    >>> s
    tessera.Scalar<max-agg-..., dtype=float64>
    >>> float(s)
    2.0
    """

    __tessera_scheduler__ = staticmethod(threaded.get)

    def __init__(self, layers: Layers, name: str, meta: Any) -> None:
        self.layers = dict(layers)
        self._name = name
        self.meta = meta

    def __tessera_graph__(self) -> dict[Any, Any]:
        return flat_graph(self.layers)

    def __tessera_keys__(self) -> list[tuple[str, int]]:
        return [(self._name, 0)]

    def __tessera_postcompute__(self) -> tuple[Any, tuple[Any, ...]]:
        return _first, ()

    def __tessera_postpersist__(self) -> tuple[Any, tuple[Any, ...]]:
        return _rebuild, (self._name, self.meta)

    @property
    def dtype(self) -> Any:
        """The dtype of the value (its Python type when it has none)."""
        return getattr(self.meta, "dtype", type(self.meta))

    def __repr__(self) -> str:
        return f"tessera.Scalar<{self._name}, dtype={self.dtype}>"

    def _apply(self, func: Callable[..., Any], *others: Any) -> Scalar:
        """A new scalar ``func(self, *others)``; ``others`` are scalars or constants."""
        inputs: list[Any] = [self]
        args: list[Any] = [Slot(0)]
        for o in others:
            if isinstance(o, Scalar):
                inputs.append(o)
                args.append(Slot(len(inputs) - 1))
            else:
                args.append(o)
        metas = [i.meta for i in inputs]
        meta = make_meta(Apply(func, tuple(args), {})(*metas))
        name = f"{getattr(func, '__name__', 'apply').strip('_')}-{tokenize(func, inputs, others)}"
        layers: Layers = {}
        for i in inputs:
            layers.update(i.layers)
        layers[name] = {(name, 0): (Apply(func, tuple(args), {}), *[(i._name, 0) for i in inputs])}
        return Scalar(layers, name, meta)

    def _binary(self, other: Any, op: Callable[..., Any], reflected: bool = False) -> Any:
        if hasattr(other, "divisions"):
            return NotImplemented
        if reflected:
            return self._apply(_swap(op), other)
        return self._apply(op, other)


def _swap(op: Callable[..., Any]) -> Callable[..., Any]:
    def swapped(a: Any, b: Any) -> Any:
        return op(b, a)

    swapped.__name__ = f"r{op.__name__.strip('_')}"
    return swapped


def _make(op: Callable[..., Any], reflected: bool = False) -> Callable[..., Any]:
    def method(self: Scalar, other: Any) -> Any:
        return self._binary(other, op, reflected)

    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow"):
    _op = getattr(operator, _name)
    setattr(Scalar, f"__{_name}__", _make(_op))
    setattr(Scalar, f"__r{_name}__", _make(_op, True))
for _name in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(Scalar, f"__{_name}__", _make(getattr(operator, _name)))


def _neg(self: Scalar) -> Scalar:
    return self._apply(operator.neg)


def _abs(self: Scalar) -> Scalar:
    return self._apply(operator.abs)


setattr(Scalar, "__neg__", _neg)  # noqa: B010
setattr(Scalar, "__abs__", _abs)  # noqa: B010
setattr(Scalar, "__hash__", object.__hash__)  # noqa: B010
