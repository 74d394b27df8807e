"""The :class:`Bag` collection: a lazy list of Python objects split into partitions.

Map
---
- :class:`Bag` -- ``layers`` (the graph), ``name``, ``npartitions``; partition ``i`` is
  the list computed at key ``(name, i)``.  The class itself holds the collection
  protocol, ``take``, iteration and ``repr``; the other methods come from one mixin per
  concept: :mod:`~tessera.bag.elementwise` (``map``, ``filter``, ``pluck``...),
  :mod:`~tessera.bag.reductions` (``sum``, ``fold``, ``frequencies``...),
  :mod:`~tessera.bag.groupby` (``groupby``, ``foldby``), :mod:`~tessera.bag.shape`
  (``repartition``, ``join``, ``product``), :mod:`~tessera.bag.scans`
  (``accumulate``, ``random_sample``) and :mod:`~tessera.bag.write` (``to_textfiles``).
- :func:`finalize` -- the computed partitions, concatenated into one list.
- :func:`rebuild` -- a bag over computed partitions (``persist``) or an optimized graph.

State: a bag is immutable; every method returns a new one sharing the layers of its
inputs.  Default scheduler: processes (:func:`tessera.scheduling.multiprocessing.get`);
the tasks of one partition form a chain that runs inside one worker, so only reduced
results travel between processes.

>>> import tessera.bag as db
>>> b = db.from_sequence(range(10), npartitions=3)
>>> b
tessera.bag<name=from_sequence-..., npartitions=3>
>>> b.map(lambda x: x * 10).filter(lambda x: x > 50).compute(scheduler="sync")
[60, 70, 80, 90]
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from tessera.bag.elementwise import ElementwiseMixin
from tessera.bag.graph import BagBase, Layers, Literal, optimize
from tessera.bag.groupby import GroupbyMixin
from tessera.bag.reductions import ReductionMixin
from tessera.bag.scans import ScanMixin
from tessera.bag.shape import ShapeMixin
from tessera.bag.shuffle import spill_scope
from tessera.bag.write import WriteMixin
from tessera.scheduling import multiprocessing

__all__ = ["Bag", "finalize", "rebuild"]


def finalize(results: list[list[Any]]) -> list[Any]:
    """Concatenate computed partitions.

    >>> finalize([[1, 2], [], [3]])
    [1, 2, 3]
    """
    if len(results) == 1:
        return list(results[0])
    return list(chain.from_iterable(results))


def rebuild(dsk: Mapping[Any, Any], name: str, npartitions: int) -> Bag:
    """Return a bag over ``dsk``: computed partitions (lists) or tasks.

    >>> rebuild({("x", 0): [1, 2], ("x", 1): [3]}, "x", 2).compute(scheduler="sync")
    [1, 2, 3]
    """
    layer = {k: (Literal(v),) if type(v) is list else v for k, v in dsk.items()}
    return Bag(Layers({name: layer}), name, npartitions)


@dataclass(frozen=True)
class _TakeFirst:
    """The first ``k`` elements of one partition, or (``concat``) of several, in order."""

    k: int
    warn: bool = False

    def __call__(self, part: list[Any]) -> list[Any]:
        return part[: self.k]

    def concat(self, parts: list[list[Any]]) -> list[Any]:
        out = list(islice(chain.from_iterable(parts), self.k))
        if self.warn and len(out) < self.k:
            warnings.warn(_take_message(self.k, len(out)), UserWarning, stacklevel=2)
        return out


def _take_message(k: int, found: int) -> str:
    return (
        f"take({k}) found only {found} elements in the partitions searched. "
        "Pass a larger npartitions= to take (npartitions=-1 searches them all)."
    )


class Bag(
    ElementwiseMixin, ReductionMixin, GroupbyMixin, ShapeMixin, ScanMixin, WriteMixin, BagBase
):
    """A lazy, partitioned list of Python objects.

    Create bags with :func:`~tessera.bag.from_sequence`, :func:`~tessera.bag.range` or
    :func:`~tessera.bag.read_text` rather than with this constructor.

    Parameters
    ----------
    dsk : Layers or mapping
        The graph: :class:`~tessera.bag.graph.Layers`, or a plain task graph holding
        the keys ``(name, 0)`` ... ``(name, npartitions - 1)``.
    name : str
        The name of the partitions' keys.
    npartitions : int
        The number of partitions (at least 1).

    Examples
    --------
    >>> from tessera.bag import Bag
    >>> b = Bag({("x", 0): [1, 2], ("x", 1): [3]}, "x", 2)
    >>> b.npartitions, b.compute(scheduler="sync")
    (2, [1, 2, 3])
    """

    __tessera_scheduler__ = staticmethod(multiprocessing.get)
    __tessera_optimize__ = staticmethod(optimize)

    def __init__(self, dsk: Layers | Mapping[Any, Any], name: str, npartitions: int) -> None:
        if not isinstance(npartitions, int) or isinstance(npartitions, bool) or npartitions < 1:
            raise ValueError(
                f"A bag needs a positive integer number of partitions, got {npartitions!r}."
            )
        if not isinstance(dsk, Layers):
            dsk = rebuild(dsk, name, npartitions).layers
        super().__init__(dsk, name, npartitions)

    def compute(self, **kwargs: Any) -> Any:
        """Compute and return the list of elements; keywords as for :func:`tessera.compute`.

        Runs on processes unless ``scheduler=`` (or ``config.set(scheduler=...)``) says
        otherwise.  Shuffle spill files are removed when it returns or raises.

        >>> import tessera.bag as db
        >>> db.from_sequence([1, 2, 3]).map(lambda x: x * 2).compute(scheduler="sync")
        [2, 4, 6]
        """
        with spill_scope():
            return super().compute(**kwargs)

    def persist(self, **kwargs: Any) -> Any:
        """Compute and return an equivalent bag backed by the computed partitions.

        >>> import tessera.bag as db
        >>> p = db.from_sequence([1, 2, 3]).map(lambda x: x * 2).persist(scheduler="sync")
        >>> p.compute(scheduler="sync")
        [2, 4, 6]
        """
        with spill_scope():
            return super().persist(**kwargs)

    # -- the collection protocol ---------------------------------------------------
    def __tessera_graph__(self) -> dict[Any, Any]:
        return self.layers.flatten()

    def __tessera_keys__(self) -> list[tuple[str, int]]:
        return [(self.name, i) for i in range(self.npartitions)]

    def __tessera_postcompute__(self) -> tuple[Any, tuple[Any, ...]]:
        return finalize, ()

    def __tessera_postpersist__(self) -> tuple[Any, tuple[Any, ...]]:
        return rebuild, (self.name, self.npartitions)

    @property
    def dask(self) -> dict[Any, Any]:
        """The task graph as one dict (Dask's ``Bag.dask``).

        >>> import tessera.bag as db
        >>> len(db.from_sequence([1, 2, 3], npartitions=3).dask)
        3
        """
        return self.layers.flatten()

    def __repr__(self) -> str:
        return f"tessera.bag<name={self.name}, npartitions={self.npartitions}>"

    def __iter__(self) -> Iterator[Any]:
        """Compute the bag and iterate over its elements.

        >>> import tessera.bag as db
        >>> list(db.from_sequence([1, 2, 3]).map(str))
        ['1', '2', '3']
        """
        return iter(self.compute())

    def take(self, k: int, npartitions: int = 1, compute: bool = True, warn: bool = True) -> Any:
        """Return the first ``k`` elements, looking in the first ``npartitions`` partitions.

        Parameters
        ----------
        k : int
            How many elements.
        npartitions : int
            How many partitions to look in (``-1``: all of them).  Only these are
            computed; if they hold fewer than ``k`` elements, those are returned
            with a ``UserWarning``.
        compute : bool
            Return a tuple of elements (default), or a one-partition bag of them.
        warn : bool
            Warn when fewer than ``k`` elements were found.

        Examples
        --------
        >>> import tessera.bag as db
        >>> b = db.from_sequence(range(10), npartitions=5)
        >>> b.take(2)
        (0, 1)
        >>> b.take(3, npartitions=2)
        (0, 1, 2)
        """
        if not isinstance(k, int) or isinstance(k, bool) or k < 0:
            raise ValueError(f"take(k): k must be a non-negative integer, got {k!r}.")
        if not isinstance(npartitions, int) or npartitions == 0:
            raise ValueError(
                f"take: npartitions must be a positive integer or -1 (all), got {npartitions!r}."
            )
        if npartitions < 0:
            npartitions = self.npartitions
        if npartitions > self.npartitions:
            raise ValueError(
                f"take: this bag has only {self.npartitions} partitions, npartitions="
                f"{npartitions} was asked. Pass npartitions={self.npartitions} or -1."
            )
        from tessera.hashing import tokenize

        name = f"take-{tokenize(self, k, npartitions, warn and not compute)}"
        pname = f"take-partial-{tokenize(self, k, npartitions)}"
        first = _TakeFirst(k)
        layer: dict[Any, Any] = {(pname, i): (first, (self.name, i)) for i in range(npartitions)}
        final = _TakeFirst(k, warn and not compute)
        layer[(name, 0)] = (final.concat, [(pname, i) for i in range(npartitions)])
        bag = Bag(self.layers.add(name, layer), name, 1)
        if not compute:
            return bag
        result = bag.compute()
        if warn and len(result) < k:
            warnings.warn(_take_message(k, len(result)), UserWarning, stacklevel=2)
        return tuple(result)

    def to_dataframe(self, meta: Any = None, columns: Any = None) -> Any:
        """Convert a bag of records (dicts, tuples) to a lazy DataFrame.

        See :func:`tessera.bag.to_dataframe.to_dataframe`.

        >>> import tessera.bag as db
        >>> db.from_sequence([{"a": 1}, {"a": 2}]).to_dataframe().a.sum().compute()
        np.int64(3)
        """
        from tessera.bag.to_dataframe import to_dataframe

        return to_dataframe(self, meta=meta, columns=columns)
