"""Static execution order: which ready task to run first, aimed at low peak memory.

Map
---
- :func:`order` -- a topological order of a :class:`~tessera.scheduling.graph.CompiledGraph`
  (a list of task ids), raising :class:`~tessera.errors.CycleError` on a cycle.
- :func:`priorities` -- the inverse: ``priorities(order)[i]`` is task ``i``'s rank.

Policy
------
1. **Depth first from the outputs.** Starting from each requested key in turn, a task is
   placed right after the last of its dependencies, which are visited in the order the
   task lists them.  A tree reduction therefore finishes one subtree before it starts
   the next, so only one path of partial results is alive at a time.
2. **Eager completion.** When a task is placed, every dependent whose dependencies are
   now all placed is placed at once (and so on).  Inputs shared by several consumers
   (``y = (x + 1).sum(); z = (x + 1).mean()``) are used by all of them and freed
   before the next input is made, instead of being kept until the last consumer's turn.

The engines follow this order: the synchronous scheduler runs it as it is, the parallel
ones always start the ready task of lowest rank.

>>> from operator import add
>>> from tessera.scheduling.graph import compile_graph
>>> dsk = {"a": 1, "b": 2, "c": (add, "a", "b"), "d": (add, "c", "c")}
>>> cg = compile_graph(dsk, ["d"])
>>> [cg.keys[i] for i in order(cg)]
['a', 'b', 'c', 'd']
"""

from __future__ import annotations

from tessera.errors import CycleError
from tessera.scheduling.graph import CompiledGraph, gc_paused

__all__ = ["order", "priorities"]


def order(cg: CompiledGraph) -> list[int]:
    """Return the ids of ``cg``'s tasks in execution order.

    Raises
    ------
    CycleError
        When the graph has a cycle; the error lists it, e.g. ``'a' -> 'b' -> 'a'``.

    >>> from tessera.scheduling.graph import compile_graph
    >>> order(compile_graph({"x": (len, "y"), "y": (len, "x")}, ["x"]))
    Traceback (most recent call last):
    ...
    tessera.errors.CycleError: Cycle detected in the task graph: 'x' -> 'y' -> 'x'. ...
    """
    with gc_paused():
        return _order(cg)


def _order(cg: CompiledGraph) -> list[int]:
    deps = cg.deps
    dependents = cg.dependents
    n = len(deps)
    remaining = [len(d) for d in deps]
    state = bytearray(n)  # 0 new, 1 on the path, 2 placed
    out: list[int] = []
    append = out.append

    def place(i: int) -> None:
        todo = [i]
        while todo:
            j = todo.pop()
            state[j] = 2
            append(j)
            for k in dependents[j]:
                remaining[k] -= 1
                if remaining[k] == 0 and state[k] == 0:
                    todo.append(k)

    for root in cg.outputs:
        if state[root]:
            continue
        path = [root]
        iters = [iter(deps[root])]
        state[root] = 1
        while path:
            for j in iters[-1]:
                s = state[j]
                if s == 0:
                    state[j] = 1
                    path.append(j)
                    iters.append(iter(deps[j]))
                    break
                if s == 1:
                    cycle = [*path[path.index(j) :], j]
                    raise CycleError([cg.keys[c] for c in cycle])
            else:
                iters.pop()
                i = path.pop()
                if state[i] == 1:
                    place(i)
    return out


def priorities(ordering: list[int]) -> list[int]:
    """Return ``rank`` with ``rank[ordering[p]] == p``.

    >>> priorities([2, 0, 1])
    [1, 2, 0]
    """
    rank = [0] * len(ordering)
    for p, i in enumerate(ordering):
        rank[i] = p
    return rank
