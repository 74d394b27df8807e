"""Graphs prepared for a cluster engine: which cluster tasks to submit, with which inputs.

Map
---
- :func:`plan` -- compile a graph for a cluster: one :class:`Unit` per task, or with
  ``fuse=True`` per linear chain of tasks (a chain is ``a -> b -> c`` where each link is
  used only by the next one, as the local engine batches them), in tessera's static
  order, with the values a worker must not receive inline *lifted* out of the tasks by a
  :class:`~tessera.scheduling.remote_lift.Lifter`: handles to data already on the cluster
  (a ``distributed.Future``, a Ray ``ObjectRef``) and literals of at least ``threshold``
  bytes, wherever they sit in a task (shipped once, by reference, instead of inside every
  task).
- :class:`Unit`, :class:`Plan` -- the result: each unit a
  :class:`~tessera.scheduling.remote.Step` and where its inputs come from.

Only results of requested keys, of keys used by several tasks and (when fusing) of chain
ends leave a worker.  This module imports no cluster engine.

>>> from operator import add
>>> from tessera.scheduling.remote import run_step
>>> dsk = {"a": 1, "b": (add, "a", 10), "c": (add, "b", 1)}
>>> p = plan(dsk, ["c"], lambda x: False, fuse=True)
>>> len(p.units), p.units[0].step
(1, Step(['a', 'b', 'c']))
>>> run_step(p.units[0].step)
12
>>> [u.step for u in plan(dsk, ["c"], lambda x: False).units]
[Step(['a']), Step(['b']), Step(['c'])]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tessera.scheduling.graph import VALUE, CompiledGraph, compile_graph
from tessera.scheduling.order import order
from tessera.scheduling.remote import Key, Step
from tessera.scheduling.remote_lift import Lifter

__all__ = ["Plan", "Unit", "plan"]


@dataclass
class Unit:
    """One cluster task: a :class:`Step` and where each of its inputs comes from.

    ``args[k]`` feeds ``step.inputs[k]``: ``u >= 0`` is the result of unit ``u``;
    ``-j - 1`` is ``Plan.lifted[j]``.  ``rank`` is the step's place in tessera's order.
    """

    step: Step
    args: list[int]
    rank: int


@dataclass
class Plan:
    """A graph prepared for a cluster: units in submission order, lifted values, outputs.

    ``outputs[k]`` says where the ``k``-th requested key's value is, in the encoding of
    :attr:`Unit.args`; ``remote[j]`` tells whether ``lifted[j]`` is already on the
    cluster (a handle) or a large literal to upload; ``dependents[u]`` is how many units
    take unit ``u``'s result.
    """

    units: list[Unit]
    lifted: list[Any]
    remote: list[bool]
    outputs: list[int]
    dependents: list[int]


def _chains(
    cg: CompiledGraph, ordering: list[int], external: set[int], fuse: bool
) -> list[list[int]]:
    """The tasks (not the external handles), in order: one by one, or in maximal chains."""
    if not fuse:
        return [[i] for i in ordering if i not in external]
    outputs = set(cg.outputs)
    deps, dependents = cg.deps, cg.dependents

    def links(i: int) -> bool:
        ds = dependents[i]
        return len(ds) == 1 and len(deps[ds[0]]) == 1 and i not in outputs and i not in external

    chains = []
    for i in ordering:
        if i in external or (len(deps[i]) == 1 and links(deps[i][0])):
            continue  # a handle, or the inside of a chain
        chain = [i]
        while links(chain[-1]):
            chain.append(dependents[chain[-1]][0])
        chains.append(chain)
    return chains


def plan(
    dsk: Mapping[Any, Any],
    keys: Sequence[Key],
    is_remote: Callable[[object], bool],
    threshold: int = 100_000,
    *,
    fuse: bool = False,
) -> Plan:
    """Prepare ``keys`` of ``dsk`` for a cluster (see the module docstring).

    Parameters
    ----------
    dsk : mapping
        The task graph.
    keys : sequence
        The requested keys (flat).
    is_remote : callable
        Whether a value is a handle to data already on the cluster.
    threshold : int
        Literals of at least this many bytes are lifted to be uploaded once.
    fuse : bool
        One unit per linear chain of tasks instead of one per task.

    Examples
    --------
    >>> p = plan({"big": b"x" * 10, "n": (len, "big")}, ["n"], lambda x: False, threshold=5)
    >>> p.lifted, p.remote, [u.args for u in p.units]
    ([b'xxxxxxxxxx'], [False], [[-1], [0]])
    """
    if not isinstance(dsk, Mapping):
        raise TypeError(
            f"A task graph must be a mapping of keys to tasks, got {type(dsk).__name__}. "
            "Example: {'a': 1, 'b': (add, 'a', 1)}."
        )
    cg = compile_graph(dsk, keys)
    ordering = order(cg)
    rank = [0] * len(cg)
    for r, i in enumerate(ordering):
        rank[i] = r
    lifter = Lifter(is_remote, threshold)
    where: dict[int, int] = {}  # task id -> its place, encoded as in Unit.args
    for i, op in enumerate(cg.ops):
        if op[0] == VALUE and is_remote(op[1]):
            where[i] = -lifter.add(op[1], True) - 1
    units: list[Unit] = []
    for chain in _chains(cg, ordering, set(where), fuse):
        lifter.new_step()
        ops = [lifter.op(cg.ops[i]) for i in chain]
        inputs = list(cg.deps[chain[0]])
        args = [where[d] for d in inputs]
        negs = sorted(lifter.local.items(), key=lambda item: -item[1])
        inputs += [sid for _, sid in negs]
        args += [-j - 1 for j, _ in negs]
        step = Step(inputs, chain, ops, [cg.keys[i] for i in chain])
        where[chain[-1]] = len(units)
        units.append(Unit(step, args, rank[chain[0]]))
    dependents = [0] * len(units)
    for u in units:
        for a in set(u.args):
            if a >= 0:
                dependents[a] += 1
    outputs = [where[o] for o in cg.outputs]
    return Plan(units, lifter.lifted, lifter.remote, outputs, dependents)
