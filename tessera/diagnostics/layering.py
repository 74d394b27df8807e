"""A collection's graph seen as operations: its layers, in dependency order.

Map
---
- :class:`Layered` -- the compiled graph (culled to the collection's outputs) plus, per
  operation: its name, task group, tasks, output partitions, input operations.
- :func:`layered` -- build it from a collection: its ``layers`` mapping (layer name ->
  tasks, as arrays, bags and dataframes keep them) or, without one, one operation per
  key name.

Policy
------
- An operation's **output partitions** are its tasks that another operation reads or
  that the collection returns; tasks used only inside the operation (the ``write``
  half of a bag shuffle, the inner levels of a tree) are not partitions.
- **Dependency order**: an operation comes after every operation it reads from; among
  those ready at once, the one that appears first in ``layers`` comes first.
- Only what the outputs need is kept (layers that were culled away are dropped).

>>> import tessera.array as da
>>> lay = layered(da.ones((4, 4), chunks=2) + 1)
>>> [lay.groups[o] for o in range(len(lay.names))], lay.inputs
(['ones', 'add'], [[], [0]])
>>> [len(t) for t in lay.tasks], [len(p) for p in lay.partitions]
([4, 4], [4, 4])
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tessera.diagnostics.groups import key_group, key_name
from tessera.scheduling.graph import CompiledGraph, compile_graph, flatten_keys

__all__ = ["Layered", "layered"]


@dataclass
class Layered:
    """Operations of a compiled graph; operation ``o`` is index ``o`` of each list.

    Attributes
    ----------
    dsk : mapping
        The collection's graph (not optimized).
    cg : CompiledGraph
        ``dsk`` compiled for the collection's output keys.
    names, groups : list of str
        Each operation's layer name and task group.
    op_of : list of int
        ``op_of[i]``: the operation of task ``i``.
    tasks, partitions : list of list of int
        Each operation's task ids, and those of them that are output partitions.
    inputs : list of list of int
        The operations each operation reads from.
    """

    dsk: Mapping[Any, Any]
    cg: CompiledGraph
    names: list[str]
    groups: list[str]
    op_of: list[int]
    tasks: list[list[int]]
    partitions: list[list[int]]
    inputs: list[list[int]]


def _layer_names(collection: Any, cg: CompiledGraph) -> tuple[list[Any], list[Any]]:
    """The layer name of each task, and all layer names in the collection's order."""
    layers = getattr(collection, "layers", None)
    where: dict[Any, Any] = {}
    if isinstance(layers, Mapping):
        for name, layer in layers.items():
            for k in layer:
                where.setdefault(k, name)
    names = [where.get(k, key_name(k)) for k in cg.keys]
    first = list(layers) if isinstance(layers, Mapping) else []
    return names, first + names


def _dependency_order(inputs: list[set[int]], appearance: list[int]) -> list[int]:
    """Kahn's algorithm, the earliest-appearing ready operation first.

    Operations caught in a cycle between layers (layers that read each other) follow
    in order of appearance.

    >>> _dependency_order([set(), {0}, {1, 3}, {2}], [0, 1, 2, 3])
    [0, 1, 2, 3]
    """
    readers: list[list[int]] = [[] for _ in inputs]
    waiting = [len(s) for s in inputs]
    for o, ins in enumerate(inputs):
        for i in ins:
            readers[i].append(o)
    ready = [(appearance[o], o) for o, w in enumerate(waiting) if not w]
    heapq.heapify(ready)
    out = []
    while ready:
        _, o = heapq.heappop(ready)
        out.append(o)
        for r in readers[o]:
            waiting[r] -= 1
            if not waiting[r]:
                heapq.heappush(ready, (appearance[r], r))
    placed = set(out)
    return out + sorted(
        (o for o in range(len(inputs)) if o not in placed), key=appearance.__getitem__
    )


def layered(collection: Any) -> Layered:
    """Return the operations of ``collection``'s graph, in dependency order.

    Parameters
    ----------
    collection : tessera collection
        Anything implementing the collection protocol.

    Returns
    -------
    Layered

    Examples
    --------
    >>> import tessera.bag as db
    >>> lay = layered(db.from_sequence(range(6), npartitions=3).map(str))
    >>> lay.groups, [len(p) for p in lay.partitions]
    (['from_sequence', 'map-str'], [3, 3])
    """
    dsk = collection.__tessera_graph__()
    cg = compile_graph(dsk, flatten_keys(collection.__tessera_keys__()))
    task_layer, appearance_names = _layer_names(collection, cg)
    position: dict[Any, int] = {}
    for name in appearance_names:
        position.setdefault(name, len(position))
    raw = sorted(set(task_layer), key=position.__getitem__)
    inputs_raw: list[set[int]] = [set() for _ in raw]
    index = {name: o for o, name in enumerate(raw)}
    op_raw = [index[name] for name in task_layer]
    for i, deps in enumerate(cg.deps):
        for d in deps:
            if op_raw[d] != op_raw[i]:
                inputs_raw[op_raw[i]].add(op_raw[d])
    ordering = _dependency_order(inputs_raw, list(range(len(raw))))
    renumber = {old: new for new, old in enumerate(ordering)}
    op_of = [renumber[o] for o in op_raw]
    tasks: list[list[int]] = [[] for _ in raw]
    for i, o in enumerate(op_of):
        tasks[o].append(i)
    outputs = set(cg.outputs)
    partitions = [
        [i for i in ids if i in outputs or any(op_of[j] != o for j in cg.dependents[i])]
        for o, ids in enumerate(tasks)
    ]
    names = [str(raw[old]) for old in ordering]
    return Layered(
        dsk=dsk,
        cg=cg,
        names=names,
        groups=[key_group(n) for n in names],
        op_of=op_of,
        tasks=tasks,
        partitions=partitions,
        inputs=[sorted(renumber[i] for i in inputs_raw[old]) for old in ordering],
    )
