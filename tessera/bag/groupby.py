"""Grouping: ``groupby`` (a disk shuffle) and ``foldby`` (a grouped tree reduction).

Map
---
- :class:`GroupbyMixin` -- the :class:`~tessera.bag.Bag` methods:

  ``groupby(key, npartitions=None)``
      ``(key, [elements])`` pairs, through the disk shuffle of
      :mod:`tessera.bag.shuffle`: input tasks spill hash-partitioned groups to files,
      a barrier waits for all of them, output tasks read and group one output partition
      each.  Every element is pickled to disk and back: prefer ``foldby`` when a
      reduction of each group is all you need.
  ``foldby(key, binop, initial, combine, combine_initial)``
      ``(key, reduced value)`` pairs: each partition is reduced per key into a dict
      (:class:`ReduceBy`), dicts are merged up a tree (:class:`MergeBy`).  Only the
      dicts travel.

- :func:`getter` -- a key given as a callable or as an index/field name.

>>> import tessera.bag as db
>>> from operator import add
>>> b = db.from_sequence(range(10), npartitions=3)
>>> sorted(b.foldby(lambda x: x % 2, add).compute(scheduler="sync"))
[(0, 20), (1, 25)]
>>> sorted(b.groupby(lambda x: x % 3, npartitions=2).compute(scheduler="sync"))
[(0, [0, 3, 6, 9]), (1, [1, 4, 7]), (2, [2, 5, 8])]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, cast

from tessera.bag.aggregations import items_list
from tessera.bag.graph import BagBase, check_callable, new_bag
from tessera.bag.partitions import no_default
from tessera.bag.shuffle import CollectGroup, SpillPlaceholder, WriteGroups, sizes_table
from tessera.bag.tree import reduce_to_bag
from tessera.hashing import tokenize

if TYPE_CHECKING:
    from tessera.bag.core import Bag

__all__ = ["GroupbyMixin", "MergeBy", "ReduceBy", "getter"]


def getter(key: Any) -> Callable[[Any], Any]:
    """``key`` itself if callable, else ``itemgetter(key)`` (a list gives a tuple).

    >>> getter("a")({"a": 1}), getter([0, 2])("xyz"), getter(len)("ab")
    (1, ('x', 'z'), 2)
    """
    if callable(key):
        return cast(Callable[[Any], Any], key)
    if type(key) is list:
        return itemgetter(*key) if len(key) != 1 else _OneTuple(key[0])
    return itemgetter(key)


@dataclass(frozen=True)
class _OneTuple:
    key: Any

    def __call__(self, x: Any) -> tuple[Any]:
        return (x[self.key],)


@dataclass(frozen=True)
class ReduceBy:
    """Fold a partition per key into a dict, as ``toolz.reduceby``.

    Without ``initial`` a key's first element starts its total; a callable
    ``initial`` is called to make each key's starting total.

    >>> from operator import add
    >>> ReduceBy(len, add, no_default)(["a", "bb", "c", "dd"])
    {1: 'ac', 2: 'bbdd'}
    >>> ReduceBy(len, lambda acc, x: acc + [x], list)(["a", "bb"])
    {1: ['a'], 2: ['bb']}
    """

    iterable_input: ClassVar[bool] = True

    key: Callable[[Any], Any]
    binop: Callable[[Any, Any], Any]
    initial: Any

    def __call__(self, part: list[Any]) -> dict[Any, Any]:
        key, binop, initial = self.key, self.binop, self.initial
        d: dict[Any, Any] = {}
        if initial is no_default:
            for x in part:
                k = key(x)
                d[k] = binop(d[k], x) if k in d else x
        elif callable(initial):
            for x in part:
                k = key(x)
                d[k] = binop(d[k] if k in d else initial(), x)
        else:
            for x in part:
                k = key(x)
                d[k] = binop(d.get(k, initial), x)
        return d


@dataclass(frozen=True)
class MergeBy:
    """Merge per-key dicts with ``combine`` (starting from ``combine_initial`` if given).

    >>> from operator import add
    >>> MergeBy(add, no_default)([{"a": 1}, {"a": 2, "b": 5}])
    {'a': 3, 'b': 5}
    """

    combine: Callable[[Any, Any], Any]
    combine_initial: Any

    def __call__(self, parts: list[dict[Any, Any]]) -> dict[Any, Any]:
        combine, init = self.combine, self.combine_initial
        if init is no_default and len(parts) == 1:
            return parts[0]
        out: dict[Any, Any] = {}
        for d in parts:
            for k, v in d.items():
                if k in out:
                    out[k] = combine(out[k], v)
                elif init is no_default:
                    out[k] = v
                else:
                    out[k] = combine(init() if callable(init) else init, v)
        return out


class GroupbyMixin(BagBase):
    """Grouping methods of :class:`~tessera.bag.Bag`.

    >>> import tessera.bag as db
    >>> db.from_sequence("abca").groupby(str.upper, npartitions=1).compute(scheduler="sync")
    [('A', ['a', 'a']), ('B', ['b']), ('C', ['c'])]
    """

    def groupby(
        self,
        key: Any,
        npartitions: int | None = None,
        method: str | None = None,
        shuffle: str | None = None,
    ) -> Bag:
        """Group elements by ``key``: a bag of ``(key, [elements])`` pairs.

        Parameters
        ----------
        key : callable or index/field
            The grouping key of an element (``key="name"`` means ``x["name"]``).
        npartitions : int, optional
            Output partitions (default: as many as this bag).  Each output partition
            is built in one task from spilled files, so it must fit in memory; the
            whole data need not.
        method, shuffle : {None, "disk"}
            The shuffle: only ``"disk"`` (files in a temporary directory, removed when
            the compute ends) is implemented.

        Examples
        --------
        >>> import tessera.bag as db
        >>> b = db.from_sequence(["apple", "avocado", "banana", "blueberry", "cherry"])
        >>> sorted(b.groupby(lambda w: w[0]).compute(scheduler="sync"))
        [('a', ['apple', 'avocado']), ('b', ['banana', 'blueberry']), ('c', ['cherry'])]
        """
        for m in (method, shuffle):
            if m not in (None, "disk"):
                raise ValueError(
                    f"groupby: unknown shuffle method {m!r}; only 'disk' is implemented "
                    "(leave method/shuffle unset)."
                )
        nout = self.npartitions if npartitions is None else npartitions
        if not isinstance(nout, int) or isinstance(nout, bool) or nout < 1:
            raise ValueError(f"groupby: npartitions must be a positive integer, got {nout!r}.")
        fn = getter(key)
        token = tokenize(self, fn, nout)
        spill = SpillPlaceholder(token)
        write, barrier, out = (f"groupby-{s}-{token}" for s in ("write", "barrier", "collect"))
        layer: dict[Any, Any] = {
            (write, i): (WriteGroups(fn, nout, i, spill), (self.name, i))
            for i in range(self.npartitions)
        }
        layer[(barrier, 0)] = (sizes_table, [(write, i) for i in range(self.npartitions)])
        for j in range(nout):
            layer[(out, j)] = (CollectGroup(fn, j, spill), (barrier, 0))
        return new_bag(self.layers.add(out, layer), out, nout)

    def foldby(
        self,
        key: Any,
        binop: Callable[[Any, Any], Any],
        initial: Any = no_default,
        combine: Callable[[Any, Any], Any] | None = None,
        combine_initial: Any = no_default,
        split_every: int | None = None,
    ) -> Bag:
        """Group by ``key`` and fold each group: a bag of ``(key, total)`` pairs.

        Equivalent to ``groupby(key)`` then ``reduce(binop, group, initial)`` per group,
        but without a shuffle: each partition is folded per key, and only the per-key
        totals are combined (with ``combine``, default ``binop``).

        Parameters
        ----------
        key : callable or index/field
            The grouping key of an element.
        binop : callable
            ``binop(total, element) -> total``.
        initial : optional
            Each key's starting total in a partition (a callable is called to make it);
            default: the key's first element.
        combine : callable, optional
            ``combine(total, total) -> total``; default ``binop``.
        combine_initial : optional
            Starting total when combining (a callable is called to make it).
        split_every : int, optional
            Partial results merged per task (default 8).

        Examples
        --------
        >>> import tessera.bag as db
        >>> from operator import add
        >>> sales = db.from_sequence([("a", 3), ("b", 1), ("a", 5)], npartitions=2)
        >>> sorted(sales.foldby(0, lambda t, x: t + x[1], 0, add).compute(scheduler="sync"))
        [('a', 8), ('b', 1)]
        """
        check_callable(binop, "foldby binop")
        if combine is not None:
            check_callable(combine, "foldby combine")
        comb = combine if combine is not None else binop
        per = ReduceBy(getter(key), binop, initial)
        merge = MergeBy(comb, combine_initial)
        return reduce_to_bag(self, per, merge, "foldby", split_every, items_list)
