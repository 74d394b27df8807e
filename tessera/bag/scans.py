"""Order-dependent element-wise methods of bags: ``accumulate`` and ``random_sample``.

Map
---
- :class:`ScanMixin` -- the :class:`~tessera.bag.Bag` methods ``accumulate`` (a running
  ``binop`` over the bag in order) and ``random_sample`` (each element kept with a
  probability, reproducibly for a given ``random_state``).
- :class:`AccumulatePart`, :func:`last_or` -- the scan's partition functions.
- :class:`SamplePart` -- one partition's sample, with its own seed.

``accumulate`` runs partition ``i`` as soon as the *last value* of partition ``i - 1`` is
known: a chain of small ``carry`` tasks (one value each) links the partitions, so no task
holds a whole earlier partition.  Empty partitions pass the carry on.

>>> import operator, tessera.bag as db
>>> b = db.from_sequence(range(5), npartitions=2)
>>> b.accumulate(operator.add).compute(scheduler="sync")
[0, 1, 3, 6, 10]
>>> b.accumulate(operator.add, initial=-1).compute(scheduler="sync")
[-1, -1, 0, 2, 5, 9]
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tessera.bag.graph import BagBase, check_callable, new_bag
from tessera.bag.partitions import no_default
from tessera.hashing import tokenize

if TYPE_CHECKING:
    from tessera.bag.core import Bag

__all__ = ["AccumulatePart", "SamplePart", "ScanMixin", "last_or"]


@dataclass(frozen=True)
class AccumulatePart:
    """``binop`` accumulated over one partition, starting from the carry (if any).

    >>> import operator
    >>> AccumulatePart(operator.add)([1, 2, 3], 10)
    [11, 13, 16]
    >>> AccumulatePart(operator.add)([1, 2, 3], no_default)
    [1, 3, 6]
    """

    binop: Callable[[Any, Any], Any]

    def __call__(self, part: list[Any], carry: Any) -> list[Any]:
        if carry is no_default:
            return list(itertools.accumulate(part, self.binop))
        # not initial=carry: itertools takes initial=None for "no initial value"
        return list(itertools.accumulate(itertools.chain((carry,), part), self.binop))[1:]


def last_or(part: list[Any], carry: Any) -> Any:
    """The last element of ``part``, or ``carry`` when it is empty.

    >>> last_or([1, 2], 0), last_or([], 0)
    (2, 0)
    """
    return part[-1] if part else carry


def _first(part: list[Any], initial: Any) -> list[Any]:
    return [initial, *part]


@dataclass(frozen=True)
class SamplePart:
    """The elements of a partition kept with probability ``prob``, drawn from ``seed``.

    >>> SamplePart(1.0, 7)([1, 2, 3]), SamplePart(0.0, 7)([1, 2, 3])
    ([1, 2, 3], [])
    """

    prob: float
    seed: int

    def __call__(self, part: list[Any]) -> list[Any]:
        draw = random.Random(self.seed).random
        return [x for x in part if draw() < self.prob]


class ScanMixin(BagBase):
    """``accumulate`` and ``random_sample`` of :class:`~tessera.bag.Bag`."""

    def accumulate(self, binop: Callable[[Any, Any], Any], initial: Any = no_default) -> Bag:
        """Running ``binop`` over the bag in order, as ``itertools.accumulate``.

        With ``initial``, it comes first and starts the running value (as
        ``toolz.accumulate`` and Dask's ``Bag.accumulate``).

        >>> import operator, tessera.bag as db
        >>> db.from_sequence([3, 1, 4, 1, 5], npartitions=3).accumulate(max).compute(
        ...     scheduler="sync")
        [3, 3, 4, 4, 5]
        """
        check_callable(binop, "accumulate")
        token = tokenize(self, binop, initial)
        name, carry = f"accumulate-{token}", f"accumulate-carry-{token}"
        run = AccumulatePart(binop)
        scan: dict[Any, Any] = {}
        prev: Any = no_default if initial is no_default else initial
        for i in range(self.npartitions):
            scan[(name, i)] = (run, (self.name, i), prev)
            scan[(carry, i)] = (last_or, (name, i), prev)
            prev = (carry, i)
        if initial is not no_default:  # the initial value leads the first partition
            first = f"accumulate-first-{token}"
            scan[(first, 0)] = scan[(name, 0)]
            scan[(name, 0)] = (_first, (first, 0), initial)
        return new_bag(self.layers.add(name, scan), name, self.npartitions)

    def random_sample(self, prob: float, random_state: Any = None) -> Bag:
        """Each element kept with probability ``prob``, in order.

        ``random_state`` (an int or a ``random.Random``) makes the sample reproducible;
        each partition draws from its own seed, so the result does not depend on the
        scheduler.

        >>> import tessera.bag as db
        >>> b = db.from_sequence(range(100), npartitions=4)
        >>> s = b.random_sample(0.1, random_state=3).compute(scheduler="sync")
        >>> s == b.random_sample(0.1, random_state=3).compute(scheduler="sync")
        True
        >>> set(s) <= set(range(100))
        True
        """
        if not isinstance(prob, int | float) or not 0 <= prob <= 1:
            raise ValueError(f"prob must be a number between 0 and 1, got {prob!r}.")
        rng = random_state if isinstance(random_state, random.Random) else None
        rng = rng or random.Random(random_state)
        seeds = [rng.getrandbits(64) for _ in range(self.npartitions)]
        name = f"random-sample-{tokenize(self, prob, seeds)}"
        layer = {
            (name, i): (SamplePart(float(prob), seed), (self.name, i))
            for i, seed in enumerate(seeds)
        }
        return new_bag(self.layers.add(name, layer), name, self.npartitions)
