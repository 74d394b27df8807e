"""Running several leaves of a tree reduction in one task, so fewer partials travel.

Map
---
- :func:`group_leaves` -- the graph rewrite, run by the bags' optimizer after
  :func:`~tessera.bag.pipeline.fuse_pipelines`: the leaves of each first-level
  :class:`~tessera.bag.tree.Aggregate` whose partitions are made by a source task
  (``read_text``, ``from_sequence``, ``range``... with the element-wise steps fused into
  it or into the leaf) are gathered into a few :class:`LeafGroup` tasks.
- :class:`LeafGroup` -- one task: make each partition, reduce it, combine the partials
  (a counter is counted into in place: :func:`~tessera.bag.aggregations.accumulator`).

Why: with processes, every partial result is pickled in the worker, unpickled in the
parent, pickled again for the aggregate's worker and unpickled there, then merged.  A
word count's partials are counters of tens of thousands of words, so sixteen of them
cost a third of the counting itself.  Gathered, only a few travel, and the words are
counted into one counter per group as in a plain loop.

Policy: the number of leaf tasks never falls below :data:`PER_WORKER` per worker of the
scheduler that will run the graph (``compute`` passes
:func:`~tessera.scheduling.registry.local_workers`: ``num_workers``,
``config["num-workers"]``, else one per core), so every worker still has work; when that
number is unknown (a cluster, an executor) nothing is grouped; a leaf or a source that
anyone else uses, or that was asked for, is left alone; a group is consecutive
partitions.

>>> from tessera.bag.graph import Literal
>>> from tessera.bag.tree import Aggregate, PerPartition
>>> dsk = {("s", i): (Literal([i, i + 1]),) for i in range(4)}
>>> dsk.update({("p", i): (PerPartition(sum, False), ("s", i)) for i in range(4)})
>>> dsk["r"] = (Aggregate(sum, True, None), [("p", i) for i in range(4)])
>>> out = group_leaves(dsk, ["r"], workers=2)
>>> list(out), out["r"][1]
(['r', ('r-leaves', 0), ('r-leaves', 1)], [('r-leaves', 0), ('r-leaves', 1)])
>>> out[("r-leaves", 0)][0](), out[("r-leaves", 1)][0]()
([1, 3], [5, 7])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tessera.bag.aggregations import accumulator
from tessera.bag.tree import Aggregate, Partials, PerPartition, no_result
from tessera.scheduling.graph import flatten_keys, get_dependencies

__all__ = ["PER_WORKER", "LeafGroup", "group_leaves"]

#: Leaf tasks kept per worker (more balance the load, fewer move fewer partials).
PER_WORKER = 1


@dataclass(frozen=True)
class LeafGroup:
    """Partitions made by sources, each reduced by its ``PerPartition``, combined.

    ``leaves`` holds ``(source, perpartition)`` pairs (a source with an ``iterable()``
    method hands it out instead of a list when the reduction streams).  The partials go
    on as one :class:`~tessera.bag.tree.Partials`, so the reduction's ``aggregate`` sees
    exactly the partials it would see without grouping -- unless the reduction has an
    accumulator (:func:`~tessera.bag.aggregations.accumulator`, tessera's own counting):
    then the later partitions are reduced into the first partial in place.

    >>> from tessera.bag.graph import Literal
    >>> per = PerPartition(max, False)
    >>> LeafGroup(((Literal([1, 2]), per), (Literal([]), per), (Literal([5]), per)))()
    [2, 5]
    """

    leaves: tuple[tuple[Callable[[], Any], PerPartition], ...]

    def __call__(self) -> Any:
        acc: Any = no_result
        partials = []
        for source, per in self.leaves:
            lazy = getattr(source, "iterable", None) if per.streams else None
            part = source() if lazy is None else lazy()
            into = accumulator(per.func)
            if into is not None and acc is not no_result:
                acc = into(acc, part if per.pre is None else per.pre.lazy(part))
                continue
            partial = per(part)
            if partial is no_result:
                continue
            if into is not None:
                acc = partial
            else:
                partials.append(partial)
        return Partials(partials) if acc is no_result else acc


def group_leaves(dsk: Mapping[Any, Any], keys: Any, workers: int | None = None) -> dict[Any, Any]:
    """Return ``dsk`` with the leaves of its tree reductions gathered (module docstring).

    At least :data:`PER_WORKER` leaf tasks per worker are kept; with ``workers=None``
    (unknown) every leaf stays its own task.

    >>> from tessera.bag.graph import Literal
    >>> dsk = {"s": (Literal([1]),), "p": (PerPartition(sum, True), "s"),
    ...        "r": (Aggregate(sum, True, None), ["p"])}
    >>> group_leaves(dsk, ["r"]) == dsk
    True
    """
    outputs = set(flatten_keys(keys))
    uses: dict[Any, int] = {}
    for k in dsk:
        for d in get_dependencies(dsk, k):
            uses[d] = uses.get(d, 0) + 1

    def single(k: Any) -> bool:
        return k in dsk and k not in outputs and uses.get(k) == 1

    def leaf(k: Any) -> tuple[PerPartition, Callable[[], Any]] | None:
        task = dsk[k] if single(k) else None
        if type(task) is not tuple or len(task) != 2 or type(task[0]) is not PerPartition:
            return None
        src = dsk[task[1]] if single(task[1]) else None
        if type(src) is not tuple or len(src) != 1 or not callable(src[0]):
            return None
        return task[0], src[0]

    found: list[tuple[Any, list[tuple[PerPartition, Callable[[], Any]]]]] = []
    for k, task in dsk.items():
        if type(task) is tuple and len(task) == 2 and type(task[0]) is Aggregate:
            inputs = task[1]
            if type(inputs) is list and len(inputs) > 1:
                leaves = [lf for lf in map(leaf, inputs) if lf is not None]
                if len(leaves) == len(inputs):
                    found.append((k, leaves))
    if not found:
        return dict(dsk)
    per_node = None if workers is None else math.ceil(PER_WORKER * workers / len(found))
    out = dict(dsk)
    for k, leaves in found:
        agg, inputs = out[k]
        size = 1 if per_node is None else math.ceil(len(leaves) / per_node)
        if size < 2:  # one leaf per task; a source that streams still streams
            for x, (per, src) in zip(inputs, leaves, strict=True):
                if per.streams and callable(getattr(src, "iterable", None)):
                    del out[dsk[x][1]]
                    out[x] = (LeafGroup(((src, per),)),)
            continue
        base, rest = (k[0], k[1:]) if type(k) is tuple else (k, ())
        new_inputs = []
        for j, s in enumerate(range(0, len(leaves), size)):
            gkey = (f"{base}-leaves", *rest, j)
            group = tuple((src, per) for per, src in leaves[s : s + size])
            out[gkey] = (LeafGroup(group),)
            new_inputs.append(gkey)
        for x in inputs:
            del out[dsk[x][1]], out[x]
        out[k] = (agg, new_inputs)
    return out
