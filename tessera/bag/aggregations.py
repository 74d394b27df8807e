"""The partition and combine functions behind the reductions.

Map
---
Each reduction is a pair (``perpartition(list) -> partial``, ``aggregate(list of
partials) -> partial``), sometimes with a ``finalize(partial) -> result`` applied once
at the root of the tree (see :func:`tessera.bag.reductions.tree_reduce`):

- :func:`mean_chunk`, :func:`mean_combine`, :func:`mean_finalize` -- ``(total, count)``.
- :func:`var_chunk`, :func:`var_combine`, :class:`VarFinalize` -- ``(count, mean, M2)``
  combined with Chan's parallel formula (numerically stable, unlike sum of squares).
- :class:`Fold`, :class:`FoldCombine` -- ``functools.reduce`` with an optional initial.
- :func:`count_chunk`, :func:`merge_counters` -- :class:`collections.Counter` (counts in C);
  :func:`count_into` counts one more partition into a counter (:data:`ACCUMULATE`,
  :func:`accumulator`).
- :class:`TopK` -- :func:`heapq.nlargest`, which equals ``sorted(..., reverse=True)[:k]``.
- :class:`Distinct` -- first occurrence of each element (or of each key).
- :func:`key_function` -- a key given as a callable, an index/field, or ``None``.
- :func:`count_items` -- the number of elements of a list or any iterable.
- :data:`ITERABLE_INPUT` -- the per-partition functions that reduce any iterable (classes
  say so with ``iterable_input = True``), so element-wise steps can stream into them.
- :func:`items_list`, :class:`SortedItems` -- a counter as a partition of pairs.

All are module-level functions or frozen dataclasses: they pickle to worker processes
and tokenize deterministically.

>>> parts = [var_chunk([1.0, 2.0]), var_chunk([3.0, 4.0, 5.0])]
>>> VarFinalize(0)(var_combine(parts))
2.0
>>> TopK(2, None)([5, 1, 7])
[7, 5]
"""

from __future__ import annotations

import heapq
import inspect
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from itertools import chain
from operator import itemgetter
from typing import Any, ClassVar

from tessera.bag.partitions import no_default
from tessera.scheduling.graph import gc_paused

__all__ = [
    "ACCUMULATE",
    "ITERABLE_INPUT",
    "Distinct",
    "Fold",
    "FoldCombine",
    "SortedItems",
    "TopK",
    "VarFinalize",
    "accumulator",
    "count_chunk",
    "count_into",
    "count_items",
    "items_list",
    "key_function",
    "mean_chunk",
    "mean_combine",
    "mean_finalize",
    "merge_counters",
    "var_chunk",
    "var_combine",
]


def key_function(key: Any) -> Callable[[Any], Any] | None:
    """Turn a key (callable, index/field name, list of them, or ``None``) into a function.

    A callable taking two or more required arguments is applied to the unpacked element.

    >>> key_function(1)(("a", 5)), key_function(None), key_function(lambda k, v: v)(("a", 5))
    (5, None, 5)
    """
    if key is None:
        return None
    if callable(key):
        try:
            params = inspect.signature(key).parameters.values()
        except (TypeError, ValueError):
            return key
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        required = [p for p in params if p.kind in positional and p.default is p.empty]
        if len(required) > 1:
            return _Star(key)
        return key
    if type(key) is list:
        return itemgetter(*key)
    return itemgetter(key)


@dataclass(frozen=True)
class _Star:
    func: Callable[..., Any]

    def __call__(self, x: Any) -> Any:
        return self.func(*x)


def count_items(part: Iterable[Any]) -> int:
    """How many elements ``part`` has (a list, or any iterable).

    >>> count_items([1, 2]), count_items(iter("abc"))
    (2, 3)
    """
    if type(part) is list:
        return len(part)
    n = 0
    for n, _ in enumerate(part, 1):  # noqa: B007 - the last index is the count
        pass
    return n


def mean_chunk(part: list[Any]) -> tuple[Any, int]:
    """``(sum, count)`` of a partition.

    >>> mean_chunk([1, 2, 3])
    (6, 3)
    """
    return sum(part), len(part)


def mean_combine(parts: list[tuple[Any, int]]) -> tuple[Any, int]:
    """Add up ``(sum, count)`` pairs.

    >>> mean_combine([(6, 3), (4, 1)])
    (10, 4)
    """
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def mean_finalize(total_count: tuple[Any, int]) -> Any:
    """``sum / count``; an empty bag has no mean.

    >>> mean_finalize((10, 4))
    2.5
    """
    total, count = total_count
    if not count:
        raise ValueError("mean() of an empty bag is undefined: the bag has no elements.")
    return total / count


def var_chunk(part: list[Any]) -> tuple[int, float, float]:
    """``(count, mean, sum of squared deviations)`` of a partition.

    >>> var_chunk([1, 2, 3])
    (3, 2.0, 2.0)
    """
    n = len(part)
    if not n:
        return 0, 0.0, 0.0
    mean = sum(part) / n
    return n, mean, math.fsum([(x - mean) ** 2 for x in part])


def var_combine(parts: list[tuple[int, float, float]]) -> tuple[int, float, float]:
    """Combine ``(count, mean, M2)`` triples (Chan et al.'s pairwise update).

    >>> var_combine([(2, 1.5, 0.5), (1, 3.0, 0.0)])
    (3, 2.0, 2.0)
    """
    n, mean, m2 = 0, 0.0, 0.0
    for nb, mb, m2b in parts:
        if not nb:
            continue
        total = n + nb
        delta = mb - mean
        mean += delta * nb / total
        m2 += m2b + delta * delta * n * nb / total
        n = total
    return n, mean, m2


@dataclass(frozen=True)
class VarFinalize:
    """``M2 / (count - ddof)``; raises when ``count <= ddof``.

    >>> VarFinalize(1)((3, 2.0, 2.0))
    1.0
    """

    ddof: int

    def __call__(self, stats: tuple[int, float, float]) -> float:
        n, _, m2 = stats
        if n - self.ddof <= 0:
            raise ValueError(
                f"var/std with ddof={self.ddof} needs more than {self.ddof} elements, "
                f"the bag has {n}."
            )
        return m2 / (n - self.ddof)


@dataclass(frozen=True)
class Fold:
    """``reduce(binop, part[, initial])``.

    >>> from operator import add
    >>> Fold(add, no_default)([1, 2, 3]), Fold(add, 10)([1, 2, 3])
    (6, 16)
    """

    iterable_input: ClassVar[bool] = True

    binop: Callable[[Any, Any], Any]
    initial: Any

    def __call__(self, part: list[Any]) -> Any:
        if self.initial is no_default:
            return reduce(self.binop, part)
        return reduce(self.binop, part, self.initial)


@dataclass(frozen=True)
class FoldCombine:
    """``reduce(combine, partials)``; with no partials at all, ``initial`` (if given).

    >>> from operator import add
    >>> FoldCombine(add, 0)([]), FoldCombine(add, 0)([3, 4])
    (0, 7)
    """

    combine: Callable[[Any, Any], Any]
    initial: Any

    def __call__(self, parts: list[Any]) -> Any:
        if not parts and self.initial is not no_default:
            return self.initial
        return reduce(self.combine, parts)


def count_chunk(part: Iterable[Any]) -> Counter[Any]:
    """Count each distinct element of a partition (in C).

    >>> count_chunk(["a", "b", "a"])
    Counter({'a': 2, 'b': 1})
    """
    return Counter(part)


def count_into(acc: Counter[Any], part: Iterable[Any]) -> Counter[Any]:
    """Count the elements of ``part`` into ``acc`` (in place, in C); return ``acc``.

    >>> count_into(Counter("ab"), iter("a"))
    Counter({'a': 2, 'b': 1})
    """
    acc.update(part)
    return acc


def merge_counters(parts: list[Counter[Any]]) -> Counter[Any]:
    """Add counters up; the largest is copied (a C-level copy) and the others added to it.

    >>> merge_counters([Counter("ab"), Counter("a")])
    Counter({'a': 2, 'b': 1})
    """
    if len(parts) == 1:
        return parts[0]
    out: Counter[Any] = Counter()
    for c in sorted(parts, key=len, reverse=True):
        out.update(c)
    return out


def items_list(d: dict[Any, Any]) -> list[tuple[Any, Any]]:
    """The ``(key, value)`` pairs of a dict, as a partition.

    >>> items_list({"a": 1})
    [('a', 1)]
    """
    with gc_paused():
        return list(d.items())


@dataclass(frozen=True)
class SortedItems:
    """The pairs of a counter, largest count first (ties keep first-seen order).

    >>> SortedItems()(Counter("abb"))
    [('b', 2), ('a', 1)]
    """

    def __call__(self, d: dict[Any, Any]) -> list[tuple[Any, Any]]:
        with gc_paused():
            return sorted(d.items(), key=itemgetter(1), reverse=True)


@dataclass(frozen=True)
class TopK:
    """The ``k`` largest elements (by ``key``), largest first.

    >>> TopK(2, key_function(1))([("a", 1), ("b", 3), ("c", 2)])
    [('b', 3), ('c', 2)]
    """

    iterable_input: ClassVar[bool] = True

    k: int
    key: Callable[[Any], Any] | None

    def __call__(self, part: list[Any]) -> list[Any]:
        return heapq.nlargest(self.k, part, key=self.key)

    def combine(self, parts: list[list[Any]]) -> list[Any]:
        """The top ``k`` of several top-``k`` lists.

        >>> TopK(2, None).combine([[9, 4], [7, 5]])
        [9, 7]
        """
        return heapq.nlargest(self.k, chain.from_iterable(parts), key=self.key)


@dataclass(frozen=True)
class Distinct:
    """Elements (or elements with a new ``key`` value) in order of first occurrence.

    >>> Distinct(None)([1, 2, 1, 3]), Distinct(len)(["a", "bb", "c"])
    ([1, 2, 3], ['a', 'bb'])
    """

    iterable_input: ClassVar[bool] = True

    key: Callable[[Any], Any] | None

    def __call__(self, part: list[Any]) -> list[Any]:
        if self.key is None:
            return list(dict.fromkeys(part))
        seen: set[Any] = set()
        out = []
        key = self.key
        for x in part:
            k = key(x)
            if k not in seen:
                seen.add(k)
                out.append(x)
        return out

    def combine(self, parts: list[list[Any]]) -> list[Any]:
        """Distinct elements of several partial results.

        >>> Distinct(None).combine([[1, 2], [2, 3]])
        [1, 2, 3]
        """
        return self(list(chain.from_iterable(parts)))


#: Per-partition functions with an accumulator ``into(partial, part) -> partial`` that
#: reduces one more partition into a partial in place (what a
#: :class:`~tessera.bag.leafgroups.LeafGroup` uses instead of combining partials).
ACCUMULATE: dict[Callable[..., Any], Callable[[Any, Iterable[Any]], Any]] = {
    count_chunk: count_into
}


def accumulator(func: Any) -> Callable[[Any, Iterable[Any]], Any] | None:
    """The accumulator of a per-partition function (:data:`ACCUMULATE`), if it has one.

    >>> accumulator(count_chunk) is count_into, accumulator(sum), accumulator(Fold(max, {1}))
    (True, None, None)
    """
    try:
        return ACCUMULATE.get(func)
    except TypeError:  # an unhashable callable (a frozen dataclass holding a set...)
        return None


#: Per-partition functions that reduce any iterable (see :func:`count_items`).
ITERABLE_INPUT: frozenset[Callable[..., Any]] = frozenset(
    {sum, min, max, any, all, count_items, count_chunk}
)
