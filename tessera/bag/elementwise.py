"""Element-wise and partition-wise methods: ``map``, ``filter``, ``pluck``, ``flatten``...

Map
---
- :class:`ElementwiseMixin` -- the :class:`~tessera.bag.Bag` methods ``map``,
  ``starmap``, ``filter``, ``remove``, ``pluck``, ``flatten``, ``map_partitions``,
  ``unzip`` and the ``str`` accessor.
- :func:`map_partitions` -- the module-level form (``db.map_partitions(f, b1, b2)``).

Every method is validation plus one :func:`~tessera.bag.graph.partitionwise` call with
a partition function of :mod:`tessera.bag.partitions`; consecutive element-wise steps
are fused into one pass per partition at compute time (:mod:`tessera.bag.pipeline`).

>>> import tessera.bag as db
>>> b = db.from_sequence([{"name": "ann", "tags": ["a", "b"]}, {"name": "bo", "tags": []}])
>>> b.pluck("tags").flatten().compute(scheduler="sync")
['a', 'b']
>>> b.map(lambda r: r["name"].upper()).compute(scheduler="sync")
['ANN', 'BO']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from tessera.bag.graph import BagBase, ItemBase, check_callable, funcname, partitionwise
from tessera.bag.partitions import (
    AsPartition,
    Flatten,
    MapElements,
    MapZipped,
    Pluck,
    Select,
    StarMap,
    no_default,
)

if TYPE_CHECKING:
    from tessera.bag.core import Bag
    from tessera.bag.strings import StringAccessor

__all__ = ["ElementwiseMixin", "map_partitions"]


def map_partitions(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Bag:
    """Apply ``func`` to each partition of one or more bags.

    Parameters
    ----------
    func : callable
        Called as ``func(part, *other_args, **kwargs)`` once per partition, where each
        bag argument is replaced by its matching partition (a list) and each item by
        its value; its result (a list, another iterable, or one value) is the new
        partition.
    *args, **kwargs
        Bags (all with the same number of partitions; at least one), items or values.

    Examples
    --------
    >>> import tessera.bag as db
    >>> b = db.from_sequence(range(6), npartitions=2)
    >>> db.map_partitions(sum, b).compute(scheduler="sync")
    [3, 12]
    >>> db.map_partitions(lambda p, q: [x * y for x, y in zip(p, q)], b, b).compute(
    ...     scheduler="sync")
    [0, 1, 4, 9, 16, 25]
    """
    check_callable(func, "map_partitions")
    if not any(isinstance(a, BagBase) for a in (*args, *kwargs.values())):
        raise TypeError(
            "map_partitions needs at least one Bag argument, got none. "
            "Call it as map_partitions(func, bag, ...)."
        )
    return partitionwise(AsPartition(func), *args, name=f"{funcname(func)}-part", **kwargs)


class ElementwiseMixin(BagBase):
    """Element-wise and partition-wise methods of :class:`~tessera.bag.Bag`.

    >>> import tessera.bag as db
    >>> db.from_sequence([1, 2, 3]).map(str).compute(scheduler="sync")
    ['1', '2', '3']
    """

    def map(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Bag:
        """Apply ``func`` to each element: ``func(x, *args, **kwargs)``.

        Parameters
        ----------
        func : callable
        *args, **kwargs
            Extra arguments: bags with the same number of partitions (and equal
            partition lengths) are zipped element by element; items and other values are
            passed to every call.

        Examples
        --------
        >>> import tessera.bag as db
        >>> from operator import add
        >>> b = db.from_sequence(range(5), npartitions=2)
        >>> b.map(lambda x: x + 1).compute(scheduler="sync")
        [1, 2, 3, 4, 5]
        >>> b.map(add, b).compute(scheduler="sync")
        [0, 2, 4, 6, 8]
        >>> b.map(add, b.max()).compute(scheduler="sync")
        [4, 5, 6, 7, 8]
        """
        check_callable(func, "map")
        name = f"map-{funcname(func)}"
        if not any(isinstance(a, (BagBase, ItemBase)) for a in (*args, *kwargs.values())):
            fn = MapElements(func, args, tuple(kwargs.items()))
            return partitionwise(fn, self, name=name)
        zipped = tuple(i for i, a in enumerate(args) if isinstance(a, BagBase))
        zipped_kw = tuple(k for k, v in kwargs.items() if isinstance(v, BagBase))
        return partitionwise(MapZipped(func, zipped, zipped_kw), self, *args, name=name, **kwargs)

    def starmap(self, func: Callable[..., Any], **kwargs: Any) -> Bag:
        """Apply ``func`` to each element unpacked as arguments: ``func(*x, **kwargs)``.

        Keyword values may be items.

        Examples
        --------
        >>> import tessera.bag as db
        >>> b = db.from_sequence([(1, 2), (3, 4)])
        >>> b.starmap(lambda x, y, z=0: x + y + z, z=10).compute(scheduler="sync")
        [13, 17]
        """
        check_callable(func, "starmap")
        if any(isinstance(v, BagBase) for v in kwargs.values()):
            raise TypeError("starmap: keyword arguments may be items or values, not bags.")
        name = f"starmap-{funcname(func)}"
        if not any(isinstance(v, ItemBase) for v in kwargs.values()):
            return partitionwise(StarMap(func, tuple(kwargs.items())), self, name=name)
        return partitionwise(StarMap(func), self, name=name, **kwargs)

    def filter(self, predicate: Callable[[Any], Any]) -> Bag:
        """Keep the elements for which ``predicate`` is true.

        >>> import tessera.bag as db
        >>> db.from_sequence(range(6)).filter(lambda x: x % 2 == 0).compute(scheduler="sync")
        [0, 2, 4]
        """
        check_callable(predicate, "filter")
        return partitionwise(Select(predicate, True), self, name="filter")

    def remove(self, predicate: Callable[[Any], Any]) -> Bag:
        """Drop the elements for which ``predicate`` is true.

        >>> import tessera.bag as db
        >>> db.from_sequence(range(6)).remove(lambda x: x % 2 == 0).compute(scheduler="sync")
        [1, 3, 5]
        """
        check_callable(predicate, "remove")
        return partitionwise(Select(predicate, False), self, name="remove")

    def pluck(self, key: Any, default: Any = no_default) -> Bag:
        """Select ``x[key]`` from each element (a tuple of values if ``key`` is a list).

        Without ``default``, a missing key raises ``KeyError`` (``IndexError`` for
        sequences) naming the key and the element.

        Examples
        --------
        >>> import tessera.bag as db
        >>> b = db.from_sequence([{"name": "Alice", "age": 3}, {"name": "Bob"}])
        >>> b.pluck("name").compute(scheduler="sync")
        ['Alice', 'Bob']
        >>> b.pluck("age", default=None).compute(scheduler="sync")
        [3, None]
        >>> b.pluck(["name", "age"], default=0).compute(scheduler="sync")
        [('Alice', 3), ('Bob', 0)]
        """
        return partitionwise(Pluck(key, default), self, name="pluck")

    def flatten(self) -> Bag:
        """Concatenate the sequences held by the elements.

        >>> import tessera.bag as db
        >>> db.from_sequence([[1], [2, 3], []]).flatten().compute(scheduler="sync")
        [1, 2, 3]
        """
        return partitionwise(Flatten(), self, name="flatten")

    def map_partitions(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Bag:
        """Apply ``func`` to each partition (a list); see :func:`map_partitions`.

        >>> import tessera.bag as db
        >>> b = db.from_sequence(range(6), npartitions=3)
        >>> b.map_partitions(lambda part: [sum(part)]).compute(scheduler="sync")
        [1, 5, 9]
        """
        return map_partitions(func, self, *args, **kwargs)

    def unzip(self, n: int) -> tuple[Bag, ...]:
        """Split a bag of ``n``-tuples into ``n`` bags.

        >>> import tessera.bag as db
        >>> a, b = db.from_sequence([(1, "x"), (2, "y")]).unzip(2)
        >>> b.compute(scheduler="sync")
        ['x', 'y']
        """
        return tuple(self.pluck(i) for i in range(n))

    @property
    def str(self) -> StringAccessor:
        """String methods applied to each element: ``b.str.lower()``, ``b.str.split()``...

        >>> import tessera.bag as db
        >>> db.from_sequence(["A b", "C"]).str.lower().compute(scheduler="sync")
        ['a b', 'c']
        """
        from tessera.bag.strings import StringAccessor

        return StringAccessor(cast("Bag", self))
