"""The :class:`Item` collection: one lazy value, such as the result of ``Bag.count()``.

Map
---
- :class:`Item` -- ``layers`` (the graph) and ``key``, where the value is computed.
  Arithmetic and comparison operators and :meth:`Item.apply` build new items; an item
  can be an argument of ``Bag.map``, ``Bag.map_partitions`` and ``Bag.starmap`` (its
  value is passed to every call).  ``compute()`` returns the value itself.
- :func:`finalize_item`, :func:`rebuild_item` -- the protocol's post-compute and
  post-persist steps.

Like Dask's ``Item``, ``int(item)``, ``float(item)``, ``complex(item)`` and
``bool(item)`` compute the item.  ``==`` is not lazy: it compares identities, so items
can sit in sets and dicts.

>>> import tessera.bag as db
>>> b = db.from_sequence([1, 2, 3, 4])
>>> mean = b.sum() / b.count()
>>> mean
tessera.bag.Item<name=truediv-...>
>>> mean.compute(scheduler="sync"), (mean * 2 + 1).compute(scheduler="sync")
(2.5, 6.0)
>>> b.count().apply(range).compute(scheduler="sync")
range(0, 4)
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from tessera.bag.graph import (
    BagBase,
    ItemBase,
    Layers,
    Literal,
    check_callable,
    funcname,
    item_task,
    optimize,
)
from tessera.bag.shuffle import spill_scope
from tessera.base import ConvertsByComputing
from tessera.scheduling import multiprocessing
from tessera.scheduling.graph import iskey, istask

__all__ = ["Item", "finalize_item", "rebuild_item"]


def finalize_item(results: list[Any]) -> Any:
    """The value of an item from its computed keys.

    >>> finalize_item([42])
    42
    """
    return results[0]


def rebuild_item(dsk: Mapping[Any, Any], key: tuple[str, int]) -> Item:
    """Return an item over ``dsk`` (a computed value or an optimized graph).

    >>> rebuild_item({("x", 0): (1, 2)}, ("x", 0)).compute(scheduler="sync")
    (1, 2)
    """
    layer = {
        k: v if istask(v) or (iskey(v) and v in dsk) else (Literal(v),) for k, v in dsk.items()
    }
    return Item(Layers({key[0]: layer}), key)


class Item(ConvertsByComputing, ItemBase):
    """A single lazy value.

    Items come from reductions (``Bag.sum()``, ``Bag.count()``, ``Bag.fold(...)``...),
    from arithmetic on items, and from :meth:`apply`.

    Parameters
    ----------
    dsk : Layers or mapping
        The graph (a plain mapping is taken as one layer).
    key : tuple
        The key of the value, ``(name, 0)``.

    Examples
    --------
    >>> from tessera.bag import Item
    >>> Item({("x", 0): 5}, ("x", 0)).compute(scheduler="sync")
    5
    """

    __tessera_scheduler__ = staticmethod(multiprocessing.get)
    __tessera_optimize__ = staticmethod(optimize)

    def __init__(self, dsk: Layers | Mapping[Any, Any], key: tuple[str, int]) -> None:
        if not isinstance(dsk, Layers):
            dsk = Layers({key[0]: dict(dsk)})
        super().__init__(dsk, key)

    def compute(self, **kwargs: Any) -> Any:
        """Compute and return the value; keywords as for :func:`tessera.compute`.

        Runs on processes unless ``scheduler=`` (or ``config.set(scheduler=...)``) says
        otherwise.  Shuffle spill files are removed when it returns or raises.

        >>> import tessera.bag as db
        >>> db.from_sequence([1, 2, 3]).sum().compute(scheduler="sync")
        6
        """
        with spill_scope():
            return super().compute(**kwargs)

    def persist(self, **kwargs: Any) -> Any:
        """Compute and return an equivalent item backed by the computed value.

        >>> import tessera.bag as db
        >>> p = db.from_sequence([1, 2, 3]).sum().persist(scheduler="sync")
        >>> p.compute(scheduler="sync")
        6
        """
        with spill_scope():
            return super().persist(**kwargs)

    # -- the collection protocol ---------------------------------------------------
    def __tessera_graph__(self) -> dict[Any, Any]:
        return self.layers.flatten()

    def __tessera_keys__(self) -> list[tuple[str, int]]:
        return [self.key]

    def __tessera_postcompute__(self) -> tuple[Any, tuple[Any, ...]]:
        return finalize_item, ()

    def __tessera_postpersist__(self) -> tuple[Any, tuple[Any, ...]]:
        return rebuild_item, (self.key,)

    @property
    def dask(self) -> dict[Any, Any]:
        """The task graph as one dict.

        >>> import tessera.bag as db
        >>> len(db.from_sequence([1, 2]).sum().dask) > 0
        True
        """
        return self.layers.flatten()

    def __repr__(self) -> str:
        return f"tessera.bag.Item<name={self.name}>"

    def apply(self, func: Callable[[Any], Any]) -> Item:
        """Return the item ``func(value)``.

        >>> import tessera.bag as db
        >>> db.from_sequence([3, 4]).sum().apply(lambda x: x * 10).compute(scheduler="sync")
        70
        """
        check_callable(func, "apply")
        return item_task(func, self, name=funcname(func))

    # -- operators -------------------------------------------------------------------
    def _op(self, op: Callable[..., Any], *args: Any) -> Item:
        if any(isinstance(a, BagBase) for a in args):
            raise TypeError(
                f"Cannot apply {op.__name__} to an Item and a Bag. To combine every "
                f"element with the item, use bag.map(operator.{op.__name__}, item)."
            )
        return item_task(op, *args, name=op.__name__.strip("_"))

    def __add__(self, other: Any) -> Item:
        return self._op(operator.add, self, other)

    def __radd__(self, other: Any) -> Item:
        return self._op(operator.add, other, self)

    def __sub__(self, other: Any) -> Item:
        return self._op(operator.sub, self, other)

    def __rsub__(self, other: Any) -> Item:
        return self._op(operator.sub, other, self)

    def __mul__(self, other: Any) -> Item:
        return self._op(operator.mul, self, other)

    def __rmul__(self, other: Any) -> Item:
        return self._op(operator.mul, other, self)

    def __truediv__(self, other: Any) -> Item:
        return self._op(operator.truediv, self, other)

    def __rtruediv__(self, other: Any) -> Item:
        return self._op(operator.truediv, other, self)

    def __floordiv__(self, other: Any) -> Item:
        return self._op(operator.floordiv, self, other)

    def __rfloordiv__(self, other: Any) -> Item:
        return self._op(operator.floordiv, other, self)

    def __mod__(self, other: Any) -> Item:
        return self._op(operator.mod, self, other)

    def __rmod__(self, other: Any) -> Item:
        return self._op(operator.mod, other, self)

    def __pow__(self, other: Any) -> Item:
        return self._op(operator.pow, self, other)

    def __rpow__(self, other: Any) -> Item:
        return self._op(operator.pow, other, self)

    def __and__(self, other: Any) -> Item:
        return self._op(operator.and_, self, other)

    def __rand__(self, other: Any) -> Item:
        return self._op(operator.and_, other, self)

    def __or__(self, other: Any) -> Item:
        return self._op(operator.or_, self, other)

    def __ror__(self, other: Any) -> Item:
        return self._op(operator.or_, other, self)

    def __xor__(self, other: Any) -> Item:
        return self._op(operator.xor, self, other)

    def __rxor__(self, other: Any) -> Item:
        return self._op(operator.xor, other, self)

    def __lt__(self, other: Any) -> Item:
        return self._op(operator.lt, self, other)

    def __le__(self, other: Any) -> Item:
        return self._op(operator.le, self, other)

    def __gt__(self, other: Any) -> Item:
        return self._op(operator.gt, self, other)

    def __ge__(self, other: Any) -> Item:
        return self._op(operator.ge, self, other)

    def __neg__(self) -> Item:
        return self._op(operator.neg, self)

    def __pos__(self) -> Item:
        return self._op(operator.pos, self)

    def __abs__(self) -> Item:
        return self._op(operator.abs, self)

    def __invert__(self) -> Item:
        return self._op(operator.invert, self)

    # conversions (bool, int, float, complex) compute: ConvertsByComputing
