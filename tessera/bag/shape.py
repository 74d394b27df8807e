"""Changing the partitioning and combining bags: ``repartition``, ``zip``, ``concat``...

Map
---
- :class:`ShapeMixin` -- the :class:`~tessera.bag.Bag` methods ``repartition``,
  ``join`` and ``product``.
- :func:`concat` -- the partitions of several bags, one after the other (no copying:
  the new keys are aliases of the old ones).
- :func:`zip` -- partition-wise zip of bags with equal partitioning; partitions of
  different lengths are an error (not silently truncated).
- Partition functions: :func:`concat_partitions`, :class:`Piece`, :func:`zip_partitions`,
  :class:`JoinPartition`, :func:`product_partitions`.

>>> import tessera.bag as db
>>> a = db.from_sequence([1, 2, 3], npartitions=2)
>>> db.zip(a, a.map(str)).compute(scheduler="sync")
[(1, '1'), (2, '2'), (3, '3')]
>>> db.concat([a, a]).npartitions
4
"""

from __future__ import annotations

import builtins
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tessera.bag.graph import BagBase, Layers, new_bag, new_item, partitionwise
from tessera.bag.groupby import getter
from tessera.hashing import tokenize
from tessera.scheduling.graph import gc_paused

if TYPE_CHECKING:
    from tessera.bag.core import Bag

__all__ = [
    "JoinPartition",
    "Piece",
    "ShapeMixin",
    "concat",
    "concat_partitions",
    "product_partitions",
    "zip",
    "zip_partitions",
]


def concat_partitions(parts: list[list[Any]]) -> list[Any]:
    """Concatenate partitions into one.

    >>> concat_partitions([[1], [2, 3]])
    [1, 2, 3]
    """
    if len(parts) == 1:
        return parts[0]
    return list(itertools.chain.from_iterable(parts))


@dataclass(frozen=True)
class Piece:
    """Piece ``m`` of ``k`` near-equal contiguous pieces of a partition.

    >>> [Piece(m, 3)(list(range(7))) for m in builtins.range(3)]
    [[0, 1], [2, 3], [4, 5, 6]]
    """

    m: int
    k: int

    def __call__(self, part: list[Any]) -> list[Any]:
        n = len(part)
        return part[n * self.m // self.k : n * (self.m + 1) // self.k]


def zip_partitions(*parts: list[Any]) -> list[tuple[Any, ...]]:
    """Zip partitions of equal length.

    >>> zip_partitions([1, 2], "ab")
    [(1, 'a'), (2, 'b')]
    """
    n = len(parts[0])
    for i, p in enumerate(parts[1:], start=2):
        if len(p) != n:
            raise ValueError(
                f"zip: matching partitions have different lengths ({n} elements in bag 1, "
                f"{len(p)} in bag {i}); zip needs bags with equal lengths partition by "
                "partition. Build them the same way, or repartition both from one bag."
            )
    with gc_paused():
        return list(builtins.zip(*parts, strict=True))


@dataclass(frozen=True)
class JoinPartition:
    """Pairs ``(other_element, element)`` whose keys are equal (``toolz.join`` order).

    >>> JoinPartition(len, len)(["ab", "c"], ["xy", "zw", "q"])
    [('xy', 'ab'), ('zw', 'ab'), ('q', 'c')]
    """

    on_self: Callable[[Any], Any]
    on_other: Callable[[Any], Any]

    def __call__(self, part: list[Any], other: Iterable[Any]) -> list[tuple[Any, Any]]:
        index: dict[Any, list[Any]] = {}
        on_other = self.on_other
        for o in other:
            index.setdefault(on_other(o), []).append(o)
        on_self = self.on_self
        return [(o, x) for x in part for o in index.get(on_self(x), ())]


def product_partitions(a: list[Any], b: list[Any]) -> list[tuple[Any, Any]]:
    """The cartesian product of two partitions.

    >>> product_partitions([1, 2], "a")
    [(1, 'a'), (2, 'a')]
    """
    with gc_paused():
        return list(itertools.product(a, b))


def _check_bags(bags: Sequence[Any], what: str) -> None:
    if not bags:
        raise ValueError(f"{what} needs at least one Bag, got none.")
    for i, b in enumerate(bags):
        if not isinstance(b, BagBase):
            raise TypeError(f"{what} expects Bags, got {type(b).__name__} at position {i}.")


def concat(bags: Sequence[Bag]) -> Bag:
    """Concatenate bags: their partitions one after the other.

    >>> import tessera.bag as db
    >>> a, b = db.from_sequence([1, 2]), db.from_sequence([3])
    >>> db.concat([a, b]).compute(scheduler="sync")
    [1, 2, 3]
    """
    bags = list(bags)
    _check_bags(bags, "concat")
    name = f"concat-{tokenize(*bags)}"
    keys = [(b.name, i) for b in bags for i in builtins.range(b.npartitions)]
    layer = {(name, j): k for j, k in enumerate(keys)}
    layers = bags[0].layers.add(name, layer, *[b.layers for b in bags[1:]])
    return new_bag(layers, name, len(keys))


def zip(*bags: Bag) -> Bag:
    """Zip bags element by element (partition by partition): a bag of tuples.

    The bags must have the same number of partitions and equal partition lengths.

    >>> import tessera.bag as db
    >>> a = db.from_sequence(range(4), npartitions=2)
    >>> db.zip(a, a.map(lambda x: x * x)).compute(scheduler="sync")
    [(0, 0), (1, 1), (2, 4), (3, 9)]
    """
    _check_bags(bags, "zip")
    return partitionwise(zip_partitions, *bags, name="zip")


class ShapeMixin(BagBase):
    """Partitioning and combining methods of :class:`~tessera.bag.Bag`.

    >>> import tessera.bag as db
    >>> db.from_sequence(range(4), npartitions=4).repartition(2).npartitions
    2
    """

    def repartition(self, npartitions: int) -> Bag:
        """Return the same elements, in the same order, in ``npartitions`` partitions.

        Fewer partitions concatenate neighbours; more split each into near-equal pieces.

        >>> import tessera.bag as db
        >>> b = db.from_sequence(range(10), npartitions=5)
        >>> b.repartition(2).npartitions, b.repartition(2).compute(scheduler="sync")
        (2, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        """
        n = npartitions
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"repartition: npartitions must be a positive integer, got {n!r}.")
        if n == self.npartitions:
            return new_bag(self.layers, self.name, n)
        name = f"repartition-{n}-{tokenize(self, n)}"
        layer: dict[Any, Any] = {}
        if n < self.npartitions:
            bounds = [self.npartitions * j // n for j in builtins.range(n + 1)]
            for j in builtins.range(n):
                srcs = [(self.name, i) for i in builtins.range(bounds[j], bounds[j + 1])]
                layer[(name, j)] = (concat_partitions, srcs)
        else:
            div, mod = divmod(n, self.npartitions)
            j = 0
            for i in builtins.range(self.npartitions):
                k = div + (mod if i == self.npartitions - 1 else 0)
                for m in builtins.range(k):
                    layer[(name, j)] = (Piece(m, k), (self.name, i))
                    j += 1
        return new_bag(self.layers.add(name, layer), name, n)

    def join(self, other: Any, on_self: Any, on_other: Any = None) -> Bag:
        """Join with ``other``: ``(other_element, element)`` pairs with equal keys.

        Parameters
        ----------
        other : iterable or one-partition Bag
            The (small) collection joined to every partition.
        on_self, on_other : callable or index/field
            The join key of this bag's and of ``other``'s elements (``on_other``
            defaults to ``on_self``).

        Examples
        --------
        >>> import tessera.bag as db
        >>> people = db.from_sequence(["Alice", "Bob", "Charlie"])
        >>> fruit = ["Apple", "Apricot", "Banana"]
        >>> people.join(fruit, lambda x: x[0]).compute(scheduler="sync")
        [('Apple', 'Alice'), ('Apricot', 'Alice'), ('Banana', 'Bob')]
        """
        fn = JoinPartition(getter(on_self), getter(on_self if on_other is None else on_other))
        if isinstance(other, BagBase):
            if other.npartitions != 1:
                raise ValueError(
                    f"join: a Bag to join with must have 1 partition, got "
                    f"{other.npartitions}. Use other.repartition(1), or pass a list."
                )
            other_value: Any = new_item(other.layers, (other.name, 0))
        elif isinstance(other, Iterable) and not isinstance(other, (str, bytes)):
            other_value = tuple(other)
        else:
            raise TypeError(
                f"join: other must be an iterable or a one-partition Bag, got "
                f"{type(other).__name__}."
            )
        return partitionwise(fn, self, other_value, name="join")

    def product(self, other: Bag) -> Bag:
        """The cartesian product with ``other``: ``npartitions * other.npartitions`` partitions.

        >>> import tessera.bag as db
        >>> a, b = db.from_sequence([1, 2]), db.from_sequence("xy")
        >>> a.product(b).compute(scheduler="sync")
        [(1, 'x'), (1, 'y'), (2, 'x'), (2, 'y')]
        """
        if not isinstance(other, BagBase):
            raise TypeError(
                f"product expects a Bag, got {type(other).__name__}. "
                "Wrap a sequence with db.from_sequence first."
            )
        name = f"product-{tokenize(self, other)}"
        n, m = self.npartitions, other.npartitions
        layer = {
            (name, i * m + j): (product_partitions, (self.name, i), (other.name, j))
            for i in builtins.range(n)
            for j in builtins.range(m)
        }
        layers: Layers = self.layers.add(name, layer, other.layers)
        return new_bag(layers, name, n * m)
