"""The tree reduction under every bag reduction (``sum``, ``fold``, ``frequencies``...).

Map
---
- :func:`tree_reduce` -- **the waist**: ``perpartition`` on each partition (in the
  worker that made it, as the last link of the partition's chain), then ``aggregate``
  on groups of ``split_every`` (default 8) partial results, level by level, up to one
  root where ``finalize`` runs.  Only partial results travel between processes.
- :func:`reduce_to_item`, :func:`reduce_to_bag` -- the same, typed by what they return:
  an :class:`~tessera.bag.Item`, or a one-partition bag whose partition is the result.
- :class:`PerPartition`, :class:`Aggregate` -- the task functions of the tree;
  :class:`Partials` -- several partials in one value (leaf groups).  An
  empty partition (other than a bag's only one) yields :data:`no_result`, which
  aggregates skip, so ``min``/``max``/``fold`` behave as on the concatenated list, and
  a reduction of an empty bag is ``perpartition([])`` like Python's.

Keys: ``<name>-part-<token>`` (one per partition), ``<name>-agg<level>-<token>`` and the
root ``(<name>-<token>, 0)``, with the token of the bag, the functions and the shape.

>>> import tessera.bag as db
>>> b = db.from_sequence(range(10), npartitions=5)
>>> tree_reduce(b, max, max, name="max", split_every=2).compute(scheduler="sync")
9
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass, replace
from itertools import chain
from typing import TYPE_CHECKING, Any, cast

from tessera.bag.aggregations import ITERABLE_INPUT
from tessera.bag.graph import BagBase, new_bag, new_item
from tessera.bag.items import Item
from tessera.bag.partitions import as_partition
from tessera.hashing import tokenize

if TYPE_CHECKING:
    from tessera.bag.core import Bag

__all__ = [
    "Aggregate",
    "Partials",
    "PerPartition",
    "no_result",
    "reduce_to_bag",
    "reduce_to_item",
    "takes_iterables",
    "tree_reduce",
]


class _NoResult:
    """What an empty partition contributes to a reduction; it pickles to itself."""

    def __repr__(self) -> str:
        return "no_result"

    def __reduce__(self) -> str:
        return "no_result"


no_result: Any = _NoResult()


_END = object()


def takes_iterables(func: Any) -> bool:
    """Whether ``func`` reduces any iterable, not only a list (so steps can stream into it).

    >>> takes_iterables(sum), takes_iterables(len), takes_iterables(lambda part: part[0])
    (True, False, False)
    """
    if getattr(type(func), "iterable_input", False):
        return True
    try:
        return func in ITERABLE_INPUT
    except TypeError:  # an unhashable callable
        return False


@dataclass(frozen=True)
class PerPartition:
    """``func(part)``, or ``no_result`` for an empty partition unless ``always``.

    ``pre`` (set by :func:`~tessera.bag.pipeline.fuse_pipelines` when ``func`` takes
    iterables) holds element-wise steps streamed into ``func``: their output is never
    built as a list.  When :attr:`streams`, ``part`` may be any iterable.

    >>> PerPartition(max, False)([]), PerPartition(sum, True)([])
    (no_result, 0)
    >>> from tessera.bag.partitions import MapElements
    >>> PerPartition(sum, False).with_pre(MapElements(abs))([-1, 2])
    3
    """

    func: Callable[[Any], Any]
    always: bool
    pre: Any = None

    def with_pre(self, stage: Any) -> PerPartition | None:
        """This reduction fed by ``stage``, or ``None`` if ``func`` needs a list.

        >>> from tessera.bag.partitions import Flatten
        >>> PerPartition(len, False).with_pre(Flatten()) is None
        True
        """
        if not takes_iterables(self.func):
            return None
        from tessera.bag.pipeline import Pipeline

        pre = Pipeline((stage,)) if self.pre is None else Pipeline((self.pre, stage))
        return replace(self, pre=pre)

    @property
    def streams(self) -> bool:
        """Whether this reduction only iterates its partition once (any iterable will do).

        >>> PerPartition(sum, False).streams, PerPartition(len, False).streams
        (True, False)
        """
        return self.pre is not None or takes_iterables(self.func)

    def __call__(self, part: Iterable[Any]) -> Any:
        if self.pre is None and isinstance(part, Sized):
            if not part and not self.always:
                return no_result
            return self.func(part)
        it = iter(part) if self.pre is None else self.pre.lazy(part)
        first = next(it, _END)
        if first is _END:
            return self.func([]) if self.always else no_result
        return self.func(chain((first,), it))


class Partials(list):
    """Several partial results travelling as one value (from a task that reduced several
    partitions); :class:`Aggregate` takes them as if each had come on its own."""


@dataclass(frozen=True)
class Aggregate:
    """``func`` on the partial results that are not ``no_result``; ``finalize`` at the root.

    >>> Aggregate(sum, True, None)([1, no_result, 2])
    3
    >>> Aggregate(len, True, None)([Partials([1, 2]), 3])  # three partials
    3
    """

    func: Callable[[list[Any]], Any]
    root: bool
    finalize: Callable[[Any], Any] | None

    def __call__(self, parts: list[Any]) -> Any:
        parts = [x for p in parts for x in (p if type(p) is Partials else (p,))]
        parts = [p for p in parts if p is not no_result]
        if not parts and not self.root:
            return no_result
        out = self.func(parts)
        return self.finalize(out) if self.finalize is not None else out


@dataclass(frozen=True)
class _Then:
    first: Callable[[Any], Any]
    second: Callable[[Any], Any]

    def __call__(self, x: Any) -> Any:
        return self.second(self.first(x))


def _split_every(split_every: Any, npartitions: int) -> int:
    if split_every is None:
        return 8
    if split_every is False:
        return max(npartitions, 2)
    if not isinstance(split_every, int) or isinstance(split_every, bool) or split_every < 2:
        raise ValueError(
            f"split_every must be an integer >= 2 (partial results combined per task), "
            f"None (8) or False (all at once), got {split_every!r}."
        )
    return split_every


def tree_reduce(
    bag: BagBase,
    perpartition: Callable[[list[Any]], Any],
    aggregate: Callable[[list[Any]], Any],
    *,
    name: str,
    split_every: Any = None,
    finalize: Callable[[Any], Any] | None = None,
    out: str = "item",
) -> Any:
    """Reduce ``bag`` with a tree of ``aggregate`` tasks; see the module docstring.

    ``out`` is ``"item"`` (return an :class:`~tessera.bag.Item`) or ``"bag"`` (a
    one-partition bag whose partition is the result, made a list).

    Examples
    --------
    >>> import tessera.bag as db
    >>> b = db.from_sequence(range(10), npartitions=5)
    >>> tree_reduce(b, max, max, name="max", split_every=2).compute(scheduler="sync")
    9
    """
    n = bag.npartitions
    every = _split_every(split_every, n)
    if out != "item":
        finalize = as_partition if finalize is None else _Then(finalize, as_partition)
    token = tokenize(bag, perpartition, aggregate, every, finalize, out)
    part = f"{name}-part-{token}"
    layer: dict[Any, Any] = {
        (part, i): (PerPartition(perpartition, n == 1), (bag.name, i)) for i in range(n)
    }
    below, k, depth = part, n, 0
    inner = Aggregate(aggregate, False, None)
    while k > every:
        level = f"{name}-agg{depth}-{token}"
        starts = range(0, k, every)
        for j, s in enumerate(starts):
            layer[(level, j)] = (inner, [(below, x) for x in range(s, min(s + every, k))])
        below, k, depth = level, len(starts), depth + 1
    root = f"{name}-{token}"
    layer[(root, 0)] = (Aggregate(aggregate, True, finalize), [(below, x) for x in range(k)])
    layers = bag.layers.add(root, layer)
    if out == "item":
        return new_item(layers, (root, 0))
    return new_bag(layers, root, 1)


def reduce_to_item(
    bag: BagBase, per: Any, aggregate: Any, name: str, every: Any, fin: Any = None
) -> Item:
    """:func:`tree_reduce` to an item.

    >>> import tessera.bag as db
    >>> reduce_to_item(db.range(4, 2), sum, sum, "sum", None).compute(scheduler="sync")
    6
    """
    result = tree_reduce(bag, per, aggregate, name=name, split_every=every, finalize=fin)
    return cast(Item, result)


def reduce_to_bag(
    bag: BagBase, per: Any, aggregate: Any, name: str, every: Any, fin: Any = None
) -> Bag:
    """:func:`tree_reduce` to a one-partition bag.

    >>> import tessera.bag as db
    >>> reduce_to_bag(db.range(4, 2), max, max, "max", None).compute(scheduler="sync")
    [3]
    """
    kw = {"split_every": every, "finalize": fin, "out": "bag"}
    return cast("Bag", tree_reduce(bag, per, aggregate, name=name, **kw))
