"""Graph rewriting before a compute: cull what is not needed, fuse linear chains.

Map
---
- :func:`optimize_graph` -- cull then fuse; the default ``__tessera_optimize__``.
- :func:`fuse_chains` -- replace each linear chain ``a -> b -> c`` (each link used only
  by the next, and the next using nothing else) by one task under the last key.
- :class:`Chain` -- the callable of a fused task: runs the links in a loop, so a chain of
  10,000 tasks is a flat list, not 10,000 nested calls (it pickles and runs fine).

Fusion keeps every requested key and every key used by more than one task, so
results stay addressable; the links in between disappear from the graph.

>>> from operator import add
>>> dsk = {"a": 1, "b": (add, "a", 1), "c": (add, "b", 1), "d": (add, "c", 1)}
>>> fused = fuse_chains(dsk, ["d"])
>>> sorted(fused)
['d']
>>> from tessera.scheduling import synchronous
>>> synchronous.get(fused, "d")
4
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tessera.scheduling.graph import CompiledGraph, Op, compile_graph, flatten_keys, run_op

__all__ = ["Chain", "fuse_chains", "optimize_graph"]


class Chain:
    """Run compiled links in order; the arguments are the chain's outside inputs.

    ``inputs[k]`` is the compiled id that the ``k``-th argument stands for; ``ids[j]``
    the id of the ``j``-th link, whose op is ``ops[j]``.
    """

    __slots__ = ("ids", "inputs", "ops")

    def __init__(self, inputs: list[int], ids: list[int], ops: list[Op]) -> None:
        self.inputs = inputs
        self.ids = ids
        self.ops = ops

    def __call__(self, *values: Any) -> Any:
        store: dict[int, Any] = dict(zip(self.inputs, values, strict=True))
        prev = -1
        for i, op in zip(self.ids, self.ops, strict=True):
            store[i] = run_op(op, store)
            if prev >= 0:
                del store[prev]
            prev = i
        return store[prev]

    def __reduce__(self) -> tuple[type[Chain], tuple[list[int], list[int], list[Op]]]:
        return Chain, (self.inputs, self.ids, self.ops)

    def __repr__(self) -> str:
        return f"Chain(<{len(self.ids)} tasks>)"


def _chains(cg: CompiledGraph) -> list[list[int]]:
    """Maximal linear chains (length >= 2) of ``cg``, each from head to tail."""
    outputs = set(cg.outputs)
    deps, dependents = cg.deps, cg.dependents

    def links_to_next(i: int) -> bool:
        ds = dependents[i]
        return len(ds) == 1 and len(deps[ds[0]]) == 1 and i not in outputs

    chains = []
    for i in range(len(cg)):
        # a head: it links to a next one, and nothing links into it
        if not links_to_next(i):
            continue
        if len(deps[i]) == 1 and links_to_next(deps[i][0]):
            continue
        chain = [i]
        while links_to_next(chain[-1]):
            chain.append(dependents[chain[-1]][0])
        chains.append(chain)
    return chains


def fuse_chains(dsk: Mapping[Any, Any], keys: Sequence[Any]) -> dict[Any, Any]:
    """Return ``dsk`` culled to ``keys`` with its linear chains fused.

    >>> dsk = {("x", i): (abs, ("x", i - 1)) for i in range(1, 5)}
    >>> dsk[("x", 0)] = -7
    >>> fused = fuse_chains(dsk, [("x", 4)])
    >>> len(fused), fused[("x", 4)][0]
    (1, Chain(<5 tasks>))
    """
    flat = flatten_keys(list(keys))
    cg = compile_graph(dsk, flat)
    out = {k: dsk[k] for k in cg.keys}
    for chain in _chains(cg):
        head = chain[0]
        inputs = list(cg.deps[head])
        ops = [cg.ops[i] for i in chain]
        task = (Chain(inputs, chain, ops), *[cg.keys[d] for d in inputs])
        for i in chain[:-1]:
            del out[cg.keys[i]]
        out[cg.keys[chain[-1]]] = task
    return out


def optimize_graph(dsk: Mapping[Any, Any], keys: Sequence[Any], **kwargs: Any) -> dict[Any, Any]:
    """The default optimization of collections: cull to ``keys``, fuse linear chains.

    >>> optimize_graph({"a": 1, "b": (abs, "a"), "unused": 0}, ["b"])
    {'b': (Chain(<2 tasks>),)}
    """
    return fuse_chains(dsk, keys)
