"""``explain``: the plan of a collection, before anything runs.

Map
---
- :class:`Operation` -- one step of the plan: name, task group, task count, output
  chunks/partitions, estimated bytes, the steps it reads.
- :class:`Plan` -- a ``str`` (print it) holding the formatted plan, with the pieces as
  attributes: ``operations``, ``tasks``, ``fused_tasks``, ``peak``, ``warnings``.
- :func:`explain` -- build the plan of an array, bag or dataframe (``x.explain()``).

Policy
------
The plan reads the graph the collection holds (:mod:`~tessera.diagnostics.layering`):
its layers in dependency order, culled to what the result needs; ``fused_tasks`` is
the task count after the default optimization (cull and fuse chains).  Sizes follow the
rules of :mod:`~tessera.diagnostics.sizes` (a ``~`` marks an estimate; ``unknown`` where
the data decides); the projected peak replays the static order on one worker (more
workers hold more at once).  Warnings come from :mod:`~tessera.diagnostics.footguns`.
Nothing is computed.

>>> import tessera.array as da
>>> print(explain(da.ones((4, 4), chunks=2) + 1))
array.Array add: 2 operations, 8 tasks (4 after fusing chains)
<BLANKLINE>
  #  operation  tasks  chunks  bytes  reads
  0  ones           4       4  128 B  -
  1  add            4       4  128 B  0
<BLANKLINE>
projected peak memory: 160 B (5 results held at once, static order on one worker)
warnings: none
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tessera.diagnostics.footguns import find_warnings
from tessera.diagnostics.layering import Layered, layered
from tessera.diagnostics.sizes import Peak, Size, project_peak, task_sizes
from tessera.scheduling.graph import flatten_keys
from tessera.scheduling.optimize import optimize_graph

__all__ = ["Operation", "Plan", "explain", "format_bytes"]


def format_bytes(n: float) -> str:
    """Format a byte count with binary units.

    >>> format_bytes(128), format_bytes(1536), format_bytes(3 * 2**30)
    ('128 B', '1.5 KiB', '3.0 GiB')
    """
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{int(n)} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Operation:
    """One step of a :class:`Plan`.

    ``nbytes`` is the total size of its output partitions (``None``: unknown) and
    ``exact`` whether that is known rather than estimated; ``inputs`` are the indices of
    the operations it reads.
    """

    name: str
    group: str
    tasks: int
    partitions: int
    nbytes: int | None
    exact: bool
    inputs: tuple[int, ...]

    @property
    def bytes_text(self) -> str:
        """``nbytes`` as shown in the plan: ``unknown``, or ``~`` for an estimate.

        >>> Operation("x", "x", 1, 1, 2048, False, ()).bytes_text
        '~2.0 KiB'
        """
        if self.nbytes is None:
            return "unknown"
        return ("" if self.exact else "~") + format_bytes(self.nbytes)


class Plan(str):
    """A formatted plan (a ``str``) with its pieces as attributes.

    Attributes
    ----------
    operations : list of Operation
        In dependency order.
    tasks, fused_tasks : int
        Tasks in the graph, and after culling and fusing chains.
    peak : Peak
        The projected peak of results held.
    warnings : list of str
        Footguns found.

    Examples
    --------
    >>> import tessera.array as da
    >>> plan = explain(da.ones((4, 4), chunks=2).T)
    >>> plan.tasks, plan.fused_tasks, [op.group for op in plan.operations]
    (8, 4, ['ones', 'transpose'])
    >>> plan.peak.nbytes, plan.startswith("array.Array transpose")
    (160, True)
    """

    operations: list[Operation]
    tasks: int
    fused_tasks: int
    peak: Peak
    warnings: list[str]

    def __repr__(self) -> str:
        return str(self)


def _operations(lay: Layered, sizes: list[Size | None]) -> list[Operation]:
    ops = []
    for o, name in enumerate(lay.names):
        parts = [sizes[i] for i in lay.partitions[o]]
        known = [s for s in parts if s is not None]
        nbytes = sum(s.nbytes for s in known) if len(known) == len(parts) and parts else None
        ops.append(
            Operation(
                name=name,
                group=lay.groups[o],
                tasks=len(lay.tasks[o]),
                partitions=len(parts),
                nbytes=nbytes,
                exact=all(s.exact for s in known),
                inputs=tuple(lay.inputs[o]),
            )
        )
    return ops


def _table(ops: list[Operation], parts_title: str) -> list[str]:
    rows = [["#", "operation", "tasks", parts_title, "bytes", "reads"]]
    for n, op in enumerate(ops):
        reads = ", ".join(map(str, op.inputs)) or "-"
        rows.append([str(n), op.group, str(op.tasks), str(op.partitions), op.bytes_text, reads])
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    left = {1, 5}  # text columns; the others are numbers
    return [
        "  "
        + "  ".join(
            cell.ljust(w) if c in left else cell.rjust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def _plural(n: int, word: str) -> str:
    """``1 result``, ``2 results``.

    >>> _plural(1, "result"), _plural(0, "task")
    ('1 result', '0 tasks')
    """
    return f"{n} {word}{'s' * (n != 1)}"


def _peak_text(peak: Peak) -> str:
    held = f"{_plural(peak.results, 'result')} held at once, static order on one worker"
    if peak.unknown == peak.results:
        return f"projected peak memory: unknown ({held})"
    more = f" + {_plural(peak.unknown, 'result')} of unknown size" if peak.unknown else ""
    approx = "" if peak.exact else "~"
    return f"projected peak memory: {approx}{format_bytes(peak.nbytes)}{more} ({held})"


def explain(collection: Any) -> Plan:
    """Describe how ``collection`` would be computed, without computing it.

    Parameters
    ----------
    collection : tessera collection
        An array, bag or dataframe (or any collection with ``layers``).

    Returns
    -------
    Plan
        A ``str`` to print: a header (kind, operations, tasks), one row per operation
        (task group, task count, output chunks or partitions, bytes, the operations it
        reads), the projected peak memory and the warnings.

    Examples
    --------
    >>> import tessera.bag as db
    >>> plan = db.from_sequence(range(8), npartitions=4).map(str).take(2, compute=False)
    >>> print(plan.explain())  # doctest: +ELLIPSIS
    bag.Bag take: 3 operations, 4 tasks (1 after fusing chains)
    <BLANKLINE>
      #  operation      tasks  partitions    bytes  reads
      0  from_sequence      1           1   ~... B  -
      1  map-str            1           1  unknown  0
      2  take               2           1  unknown  1
    <BLANKLINE>
    projected peak memory: ~... B + 1 result of unknown size (2 results held at once, ...)
    warnings:
      - take reads only the first 1 of the 4 partitions of map-str: ...
    """
    lay = layered(collection)
    sizes = task_sizes(lay, collection)
    ops = _operations(lay, sizes)
    peak = project_peak(lay, sizes)
    warnings = find_warnings(lay, collection)
    keys = flatten_keys(collection.__tessera_keys__())
    fused = len(optimize_graph(lay.dsk, keys))
    kind = f"{type(collection).__module__.split('.')[1]}.{type(collection).__name__}"
    parts_title = "chunks" if hasattr(collection, "chunks") else "partitions"
    lines = [
        f"{kind} {ops[-1].group}: {_plural(len(ops), 'operation')}, "
        f"{_plural(len(lay.cg), 'task')} ({fused} after fusing chains)",
        "",
        *_table(ops, parts_title),
        "",
        _peak_text(peak),
        "warnings:" + ("" if warnings else " none"),
        *(f"  - {w}" for w in warnings),
    ]
    plan = Plan("\n".join(lines))
    plan.operations, plan.tasks, plan.fused_tasks = ops, len(lay.cg), fused
    plan.peak, plan.warnings = peak, warnings
    return plan
