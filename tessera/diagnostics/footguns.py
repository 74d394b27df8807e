"""Warnings about known footguns in a collection's plan.

Map
---
- :func:`find_warnings` -- the warnings for a collection and its operations
  (:class:`~tessera.diagnostics.layering.Layered`), each a sentence that says what
  happens and what to do instead:

  * ``len()`` that computes: a dataframe's ``len`` runs the whole graph each time; an
    array with unknown chunk sizes cannot tell its length at all;
  * compressed input that cannot be split: a ``read_*`` operation reading gzip (bz2,
    xz, zstd) files, each read whole by one task;
  * ``head`` / ``take`` / ``tail`` that read only some partitions of their input;
  * all-to-all steps (a rechunk across the chunking, a shuffle): a group of tasks each
    of which reads every task of another group.

Policy: the checks read the graph only (task callables' attributes and arguments, key
names); nothing is computed.  The all-to-all check looks at *stages*: an operation
together with the inputs of the same group (a rechunk made of two layers); the
source tasks each stage output depends on are propagated as bit sets through the
stage's tasks in static order, so a shuffle that writes and collects in one layer, or
in two, is found either way.

>>> import tessera.array as da
>>> from tessera.diagnostics.layering import layered
>>> x = da.ones((8, 8), chunks=(8, 1)).rechunk((1, 8))
>>> print(find_warnings(layered(x), x)[0])  # doctest: +ELLIPSIS
rechunk: all-to-all: each of its 8 partitions depends on all 8 tasks of ones: ...
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from tessera.diagnostics.groups import key_name
from tessera.diagnostics.layering import Layered
from tessera.scheduling.graph import istask
from tessera.scheduling.order import order

__all__ = ["find_warnings"]

_ENDS = ("head", "tail", "take")


def _len_warning(collection: Any, lay: Layered) -> list[str]:
    if hasattr(collection, "divisions") and hasattr(collection, "meta"):
        return [
            f"len() computes: it runs all {len(lay.cg)} tasks of this graph each time it "
            "is called. Keep the number once computed, or persist() the collection first."
        ]
    chunks = getattr(collection, "chunks", None)
    if chunks is not None and any(math.isnan(c) for axis in chunks for c in axis):
        return [
            "the chunk sizes are unknown (nan): len() and shape cannot be known without "
            "computing. Call compute_chunk_sizes() once to learn them."
        ]
    return []


def _compressions(task: Any) -> set[str]:
    """Compression names of the files a task reads.

    Found on its callable or its arguments (a ``compressions`` tuple or a ``compression``
    name: bag's ``ReadText``, dataframe's CSV blocks), or from the extension of a path
    argument.

    >>> sorted(_compressions((open, "a.csv.gz", "b.txt")))
    ['gzip']
    """
    from tessera.bag.compression import infer_compression

    found: set[str] = set()
    for part in task:
        named = getattr(part, "compressions", None)
        if named is None and isinstance(getattr(part, "compression", None), str):
            named = (part.compression,)
        if named is not None:
            found.update(c for c in named if isinstance(c, str))
        elif isinstance(part, str) and (c := infer_compression(part)):
            found.add(c)
    return found


def _compressed_warnings(lay: Layered) -> list[str]:
    out = []
    for o, group in enumerate(lay.groups):
        if not group.startswith("read"):
            continue
        found: Counter[str] = Counter()
        for i in lay.tasks[o]:
            task = lay.dsk[lay.cg.keys[i]]
            if istask(task):
                found.update(_compressions(task))
        if found:
            kinds = ", ".join(sorted(found))
            out.append(
                f"{group}: {sum(found.values())} tasks read {kinds}-compressed files, which "
                "cannot be split: each file is read whole by one task, on one core, and held "
                "in memory at once. Store big inputs as several smaller files, or "
                "uncompressed (then blocksize= splits them)."
            )
    return out


def _ends_warnings(lay: Layered) -> list[str]:
    out = []
    declared: Counter[Any] | None = None  # tasks per key name in the graph, before culling
    for o, group in enumerate(lay.groups):
        if not group.startswith(_ENDS):
            continue
        for src in lay.inputs[o]:
            if lay.groups[src].startswith(_ENDS):
                continue
            read = {d for i in lay.tasks[o] for d in lay.cg.deps[i] if lay.op_of[d] == src}
            if declared is None:
                declared = Counter(key_name(k) for k in lay.dsk)
            total = sum(declared[n] for n in {key_name(lay.cg.keys[d]) for d in read})
            if len(read) < total:
                which = "last" if group.startswith("tail") else "first"
                out.append(
                    f"{group} reads only the {which} {len(read)} of the {total} partitions of "
                    f"{lay.groups[src]}: if they hold fewer elements than asked, fewer come "
                    "back. Pass npartitions=-1 to look in all of them."
                )
    return out


def _stages(lay: Layered) -> list[list[int]]:
    """Operations merged with the inputs of the same group (a rechunk in two layers)."""
    stage = list(range(len(lay.names)))  # dependency order: inputs come first
    for o, ins in enumerate(lay.inputs):
        for i in ins:
            if lay.groups[i] == lay.groups[o]:
                stage[o] = stage[i]
    out: dict[int, list[int]] = {}
    for o, s in enumerate(stage):
        out.setdefault(s, []).append(o)
    return list(out.values())


def _all_to_all_warnings(lay: Layered) -> list[str]:
    """Stages each of whose output partitions depends on every task of an input."""
    cg, out = lay.cg, []
    rank: list[int] = []
    for ops in _stages(lay):
        outputs = lay.partitions[ops[-1]]
        sources = sorted({s for o in ops for s in lay.inputs[o]} - set(ops))
        for src in sources:
            bit = {t: 1 << n for n, t in enumerate(lay.tasks[src])}
            if len(outputs) < 2 or len(bit) < 2:
                continue
            if not rank:
                rank = [0] * len(cg)
                for pos, i in enumerate(order(cg)):
                    rank[i] = pos
            reach: dict[int, int] = {}  # task -> the source tasks it depends on, as bits
            for i in sorted((i for o in ops for i in lay.tasks[o]), key=rank.__getitem__):
                mask = 0
                for d in cg.deps[i]:
                    mask |= bit.get(d, 0) | reach.get(d, 0)
                reach[i] = mask
            if all(reach[i] == (1 << len(bit)) - 1 for i in outputs):
                out.append(
                    _all_to_all_message(
                        lay.groups[ops[-1]], len(outputs), lay.groups[src], len(bit)
                    )
                )
    return out


def _all_to_all_message(reader: str, n: int, source: str, m: int) -> str:
    advice = (
        "Rechunk once, to chunks that keep the axes you need whole."
        if "rechunk" in reader
        else "Prefer a reduction (foldby, an aggregation) to a full shuffle where you can."
    )
    return (
        f"{reader}: all-to-all: each of its {n} partitions depends on all {m} tasks of "
        f"{source}: no {reader} partition can finish before all of {source} has run, and "
        f"on processes all of the data crosses between workers. {advice}"
    )


def find_warnings(lay: Layered, collection: Any) -> list[str]:
    """Return the footgun warnings for ``collection`` (operations ``lay``).

    Parameters
    ----------
    lay : Layered
        The collection's operations.
    collection : tessera collection
        The collection itself (for its kind and metadata).

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd, tessera.dataframe as dd
    >>> from tessera.diagnostics.layering import layered
    >>> df = dd.from_pandas(pd.DataFrame({"x": range(4)}), npartitions=2)
    >>> find_warnings(layered(df), df)
    ['len() computes: it runs all 2 tasks of this graph each time it is called. ...']
    """
    return (
        _len_warning(collection, lay)
        + _compressed_warnings(lay)
        + _ends_warnings(lay)
        + _all_to_all_warnings(lay)
    )
