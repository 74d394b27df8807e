"""The reduction methods: ``sum``, ``count``, ``fold``, ``frequencies``, ``topk``...

Map
---
- :class:`ReductionMixin` -- the :class:`~tessera.bag.Bag` methods ``reduction``,
  ``fold``, ``count``, ``sum``, ``min``, ``max``, ``mean``, ``var``, ``std``, ``any``,
  ``all``, ``frequencies``, ``topk`` and ``distinct``.

Each is validation plus one call to the tree reduction of :mod:`tessera.bag.tree`,
with partition and combine functions from :mod:`tessera.bag.aggregations`.

>>> import tessera.bag as db
>>> b = db.from_sequence(range(100), npartitions=20)
>>> b.sum().compute(scheduler="sync"), b.mean().compute(scheduler="sync")
(4950, 49.5)
>>> b.map(lambda x: x % 3).frequencies(sort=True).compute(scheduler="sync")
[(0, 34), (1, 33), (2, 33)]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tessera.bag import aggregations as agg
from tessera.bag.graph import BagBase, check_callable, funcname
from tessera.bag.items import Item
from tessera.bag.partitions import no_default
from tessera.bag.tree import reduce_to_bag, reduce_to_item, tree_reduce

if TYPE_CHECKING:
    from tessera.bag.core import Bag

__all__ = ["ReductionMixin"]


def _out(out_type: Any) -> str:
    from tessera.bag.core import Bag

    if out_type is Item:
        return "item"
    if out_type is Bag:
        return "bag"
    raise ValueError(f"out_type must be tessera.bag.Item or tessera.bag.Bag, got {out_type!r}.")


class ReductionMixin(BagBase):
    """Reductions of :class:`~tessera.bag.Bag`.

    >>> import tessera.bag as db
    >>> db.from_sequence([3, 1, 2], npartitions=2).max().compute(scheduler="sync")
    3
    """

    def reduction(
        self,
        perpartition: Callable[[list[Any]], Any],
        aggregate: Callable[[list[Any]], Any],
        split_every: int | None = None,
        out_type: type = Item,
        name: str | None = None,
    ) -> Any:
        """Reduce with ``perpartition(partition)`` then ``aggregate(list of partials)``.

        Parameters
        ----------
        perpartition : callable
            Reduces one partition (a list) to a partial result.
        aggregate : callable
            Reduces a list of partial results (at most ``split_every`` of them) to one;
            it runs at every level of the tree, so its output must be a valid input too.
        split_every : int, optional
            Partial results combined per task (default 8; ``False``: all at once).
        out_type : {Item, Bag}
            ``Item`` (default) or ``Bag`` (a one-partition bag of the result).

        Examples
        --------
        >>> import tessera.bag as db
        >>> b = db.from_sequence(range(10), npartitions=4)
        >>> b.reduction(sum, sum).compute(scheduler="sync")
        45
        >>> b.reduction(len, sum).compute(scheduler="sync")
        10
        """
        check_callable(perpartition, "reduction perpartition")
        check_callable(aggregate, "reduction aggregate")
        label = name or funcname(perpartition)
        out = _out(out_type)
        return tree_reduce(
            self, perpartition, aggregate, name=label, split_every=split_every, out=out
        )

    def fold(
        self,
        binop: Callable[[Any, Any], Any],
        combine: Callable[[Any, Any], Any] | None = None,
        initial: Any = no_default,
        split_every: int | None = None,
        out_type: type = Item,
    ) -> Any:
        """Reduce like :func:`functools.reduce`, in parallel.

        ``binop(total, element)`` folds each partition (starting from ``initial`` if
        given); ``combine(total, total)`` (default: ``binop``) folds the partition
        totals.  ``initial`` should be an identity of ``combine``.

        Examples
        --------
        >>> import tessera.bag as db
        >>> from operator import add
        >>> b = db.from_sequence(range(5), npartitions=2)
        >>> b.fold(add).compute(scheduler="sync")
        10
        >>> b.fold(lambda acc, x: acc | {x}, set.union, initial=set()).compute(scheduler="sync")
        {0, 1, 2, 3, 4}
        """
        check_callable(binop, "fold binop")
        if combine is not None:
            check_callable(combine, "fold combine")
        comb = combine if combine is not None else binop
        per, aggregate = agg.Fold(binop, initial), agg.FoldCombine(comb, initial)
        out = _out(out_type)
        return tree_reduce(self, per, aggregate, name="fold", split_every=split_every, out=out)

    def count(self, split_every: int | None = None) -> Item:
        """The number of elements.

        >>> import tessera.bag as db
        >>> db.from_sequence("abc").count().compute(scheduler="sync")
        3
        """
        return reduce_to_item(self, agg.count_items, sum, "count", split_every)

    def sum(self, split_every: int | None = None) -> Item:
        """The sum of the elements.

        >>> import tessera.bag as db
        >>> db.from_sequence([1, 2, 3]).sum().compute(scheduler="sync")
        6
        """
        return reduce_to_item(self, sum, sum, "sum", split_every)

    def min(self, split_every: int | None = None) -> Item:
        """The smallest element.

        >>> import tessera.bag as db
        >>> db.from_sequence([3, 1, 2]).min().compute(scheduler="sync")
        1
        """
        return reduce_to_item(self, min, min, "min", split_every)

    def max(self, split_every: int | None = None) -> Item:
        """The largest element.

        >>> import tessera.bag as db
        >>> db.from_sequence([3, 1, 2]).max().compute(scheduler="sync")
        3
        """
        return reduce_to_item(self, max, max, "max", split_every)

    def any(self, split_every: int | None = None) -> Item:
        """Whether any element is truthy.

        >>> import tessera.bag as db
        >>> db.from_sequence([0, 0, 1]).any().compute(scheduler="sync")
        True
        """
        return reduce_to_item(self, any, any, "any", split_every)

    def all(self, split_every: int | None = None) -> Item:
        """Whether all elements are truthy.

        >>> import tessera.bag as db
        >>> db.from_sequence([0, 0, 1]).all().compute(scheduler="sync")
        False
        """
        return reduce_to_item(self, all, all, "all", split_every)

    def mean(self, split_every: int | None = None) -> Item:
        """The arithmetic mean (``ValueError`` on an empty bag).

        >>> import tessera.bag as db
        >>> db.from_sequence([1, 2, 3, 4]).mean().compute(scheduler="sync")
        2.5
        """
        fin = agg.mean_finalize
        return reduce_to_item(self, agg.mean_chunk, agg.mean_combine, "mean", split_every, fin)

    def var(self, ddof: int = 0, split_every: int | None = None) -> Item:
        """The variance: mean squared deviation, divided by ``n - ddof`` instead of ``n``.

        >>> import tessera.bag as db
        >>> db.from_sequence([1, 2, 3, 4]).var().compute(scheduler="sync")
        1.25
        >>> db.from_sequence([1, 2, 3, 4]).var(ddof=1).compute(scheduler="sync")
        1.6666666666666667
        """
        fin = agg.VarFinalize(ddof)
        return reduce_to_item(self, agg.var_chunk, agg.var_combine, "var", split_every, fin)

    def std(self, ddof: int = 0, split_every: int | None = None) -> Item:
        """The standard deviation, ``sqrt(var(ddof))``.

        >>> import tessera.bag as db
        >>> db.from_sequence([1, 2, 3, 4, 5]).std().compute(scheduler="sync")
        1.4142135623730951
        """
        return self.var(ddof, split_every).apply(math.sqrt)

    def frequencies(self, split_every: int | None = None, sort: bool = False) -> Bag:
        """Count each distinct element: a one-partition bag of ``(element, count)`` pairs.

        With ``sort=True`` the most frequent come first.

        >>> import tessera.bag as db
        >>> b = db.from_sequence(["a", "b", "a", "c", "a", "b"], npartitions=3)
        >>> b.frequencies(sort=True).compute(scheduler="sync")
        [('a', 3), ('b', 2), ('c', 1)]
        """
        fin = agg.SortedItems() if sort else agg.items_list
        return reduce_to_bag(
            self, agg.count_chunk, agg.merge_counters, "frequencies", split_every, fin
        )

    def topk(self, k: int, key: Any = None, split_every: int | None = None) -> Bag:
        """The ``k`` largest elements, largest first (a one-partition bag).

        ``key`` is a function of the element, or an index/field (``key=1`` compares
        ``x[1]``).

        >>> import tessera.bag as db
        >>> b = db.from_sequence([10, 3, 5, 7, 11, 4], npartitions=2)
        >>> b.topk(2).compute(scheduler="sync")
        [11, 10]
        >>> b.topk(2, key=lambda x: -x).compute(scheduler="sync")
        [3, 4]
        """
        if not isinstance(k, int) or isinstance(k, bool) or k < 0:
            raise ValueError(f"topk(k): k must be a non-negative integer, got {k!r}.")
        top = agg.TopK(k, agg.key_function(key))
        return reduce_to_bag(self, top, top.combine, "topk", split_every)

    def distinct(self, key: Any = None) -> Bag:
        """The distinct elements, in order of first occurrence (a one-partition bag).

        With ``key`` (a function, or an index/field), elements are distinct by
        ``key(x)`` and the first of each is kept.

        >>> import tessera.bag as db
        >>> db.from_sequence(["a", "b", "a"]).distinct().compute(scheduler="sync")
        ['a', 'b']
        >>> b = db.from_sequence([{"n": "x", "v": 1}, {"n": "x", "v": 2}])
        >>> b.distinct(key="n").compute(scheduler="sync")
        [{'n': 'x', 'v': 1}]
        """
        dis = agg.Distinct(agg.key_function(key))
        return reduce_to_bag(self, dis, dis.combine, "distinct", None)
