"""Scheduler overhead: time per task and bookkeeping memory per task on trivial tasks.

Map
---
- :func:`tree_graph`, :func:`chain_graph` -- the two graph shapes: a binary tree reduction
  (``("leaf", i): (inc, i)`` combined pairwise with ``operator.add`` up to one root) and
  a linear chain (``("c", i): (inc, ("c", i - 1))``); :func:`builders` -- one of each,
  full size or ``--quick``.
- :func:`tessera_schedulers`, :func:`dask_schedulers` -- scheduler name -> ``get``.
- :func:`best_seconds` -- one warm-up call, then the best of :data:`REPEATS` timed calls.
- :func:`memory_use` -- peak traced memory during a ``get`` minus the graph.
- :func:`measure_dask` -- run a measurement on Dask, reporting (not raising) its failure.
- :func:`run_overhead`, :func:`run_memory` -- the two benchmarks, as report sections.

Every task does almost nothing (``inc`` or ``add`` on small ints), so the time per task
is the scheduler's own cost.  Graph construction is never timed.  A result that differs
from the plain-Python answer fails the benchmark loudly.
"""

from __future__ import annotations

import gc
import operator
import tracemalloc
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from benchmarks.report import Column, Section, best_of, number, verdict

__all__ = [
    "Graph",
    "best_seconds",
    "builders",
    "chain_graph",
    "dask_schedulers",
    "memory_use",
    "run_memory",
    "run_overhead",
    "tessera_schedulers",
    "tree_graph",
]

GetFunction = Callable[..., Any]

#: Timed calls per measurement (after one warm-up call); the best one counts.
REPEATS = 3
#: Targets in microseconds per task, by scheduler name.
TARGET_US = {"sync": 5.0, "threads": 15.0, "processes": 30.0}
#: Target for the scheduler's bookkeeping memory, in bytes per task.
TARGET_BYTES = 1024.0
#: Graph sizes (tree: leaves; chain: length) for a full run and for ``--quick``.
SIZES = {"tree": 50_000, "chain": 100_000}
QUICK_SIZES = {"tree": 5_000, "chain": 10_000}


def inc(x: int) -> int:
    """Return ``x + 1``: the trivial task."""
    return x + 1


# --- graphs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Graph:
    """A task graph in Dask's dict spec, its output key and the plain-Python answer."""

    shape: str
    dsk: dict[Hashable, Any]
    root: Hashable
    expected: int

    @property
    def tasks(self) -> int:
        """The number of tasks."""
        return len(self.dsk)


def _pair_up(dsk: dict[Hashable, Any], level: list[Hashable], depth: int) -> list[Hashable]:
    """Add one level of pairwise sums of ``level`` to ``dsk``; return the new level."""
    out: list[Hashable] = []
    for j in range(0, len(level) - 1, 2):
        key = ("sum", depth, j // 2)
        dsk[key] = (operator.add, level[j], level[j + 1])
        out.append(key)
    if len(level) % 2:
        out.append(level[-1])
    return out


def tree_graph(leaves: int) -> Graph:
    """A binary tree reduction over ``leaves`` leaves (``2 * leaves - 1`` tasks).

    >>> g = tree_graph(5)
    >>> g.tasks, g.expected
    (9, 15)
    """
    dsk: dict[Hashable, Any] = {("leaf", i): (inc, i) for i in range(leaves)}
    level: list[Hashable] = list(dsk)
    depth = 0
    while len(level) > 1:
        depth += 1
        level = _pair_up(dsk, level, depth)
    return Graph("tree", dsk, level[0], sum(range(1, leaves + 1)))


def chain_graph(length: int) -> Graph:
    """A linear chain of ``length`` tasks, each adding one to the previous one.

    >>> g = chain_graph(4)
    >>> g.dsk[("c", 0)], g.dsk[("c", 3)] == (inc, ("c", 2)), g.root, g.expected
    ((<function inc at ...>, 0), True, ('c', 3), 4)
    """
    dsk: dict[Hashable, Any] = {("c", 0): (inc, 0)}
    for i in range(1, length):
        dsk["c", i] = (inc, ("c", i - 1))
    return Graph("chain", dsk, ("c", length - 1), length)


#: Shape name -> function building a graph of that shape from a size.
SHAPES: dict[str, Callable[[int], Graph]] = {"tree": tree_graph, "chain": chain_graph}


def builders(quick: bool) -> list[Callable[[], Graph]]:
    """Return one graph builder per shape, of the full or the ``--quick`` size.

    >>> [build().tasks for build in builders(quick=True)]
    [9999, 10000]
    """
    sizes = QUICK_SIZES if quick else SIZES
    return [partial(build, sizes[shape]) for shape, build in SHAPES.items()]


# --- schedulers -----------------------------------------------------------------------


def tessera_schedulers() -> dict[str, GetFunction]:
    """Return tessera's ``get`` functions by scheduler name."""
    from tessera.scheduling import multiprocessing, synchronous, threaded

    return {"sync": synchronous.get, "threads": threaded.get, "processes": multiprocessing.get}


def dask_version() -> str | None:
    """Return the version of Dask importable here, or ``None``."""
    try:
        import dask
    except ImportError:
        return None
    return str(dask.__version__)


@contextmanager
def dask_schedulers() -> Iterator[dict[str, GetFunction]]:
    """Yield Dask's ``get`` functions by scheduler name; ``{}`` when Dask is missing.

    ``processes`` runs on one warm spawn ``ProcessPoolExecutor`` (passed as ``pool=``)
    for the whole benchmark, as tessera's pool is warm: without it Dask would start new
    processes on every call.  The pool is shut down on exit.  It also gets
    ``optimize_graph=False``: Dask's default fusion turns a long chain into one deeply
    nested task that Dask then fails to convert (``RecursionError``), and without fusion
    every scheduler schedules every task, as tessera does.
    """
    try:
        import dask
        import dask.multiprocessing
        import dask.threaded
    except ImportError:
        yield {}
        return
    ctx = dask.multiprocessing.get_context()
    with ProcessPoolExecutor(dask.multiprocessing.CPU_COUNT, mp_context=ctx) as pool:
        yield {
            "sync": dask.get,
            "threads": dask.threaded.get,
            "processes": partial(dask.multiprocessing.get, pool=pool, optimize_graph=False),
        }


# --- measurements ---------------------------------------------------------------------


def _checked(get: GetFunction, graph: Graph) -> None:
    """Compute the graph's root with ``get``; raise if the answer is wrong."""
    result = get(graph.dsk, graph.root)
    if result != graph.expected:
        raise AssertionError(f"{graph.shape}: got {result!r}, expected {graph.expected!r}")


def best_seconds(get: GetFunction, graph: Graph, repeats: int = REPEATS) -> float:
    """Return the best wall time of ``repeats`` calls of ``get``, after one warm-up call.

    >>> from tessera import get
    >>> best_seconds(get, tree_graph(8)) > 0
    True
    """
    _checked(get, graph)
    return best_of(lambda: _checked(get, graph), repeats)[0]


def micros_per_task(get: GetFunction, graph: Graph) -> float:
    """Return the best time of ``get`` on ``graph`` in microseconds per task."""
    return best_seconds(get, graph) / graph.tasks * 1e6


@dataclass(frozen=True)
class MemoryUse:
    """Traced bytes of a graph, and the peak bytes a ``get`` on it added on top."""

    shape: str
    tasks: int
    graph_bytes: int
    bookkeeping_bytes: int


def memory_use(get: GetFunction, build: Callable[[], Graph]) -> MemoryUse:
    """Measure ``get``'s peak memory on top of the graph that ``build()`` returns.

    The graph is built with tracemalloc on, so its size is known; then the peak is reset
    and ``get`` runs: what the peak rises above the memory held just before the call is
    the scheduler's bookkeeping (compiled graph, ordering, state, live results).  One
    small untraced ``get`` first imports whatever the scheduler imports lazily.

    >>> from tessera import get
    >>> memory_use(get, lambda: tree_graph(4)).tasks
    7
    """
    _checked(get, tree_graph(4))
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        graph = build()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        _checked(get, graph)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return MemoryUse(graph.shape, graph.tasks, before - start, peak - before)


def bookkeeping_per_task(get: GetFunction, build: Callable[[], Graph]) -> float:
    """Return :func:`memory_use` of ``get`` per task."""
    use = memory_use(get, build)
    return use.bookkeeping_bytes / use.tasks


def _ratio(mine: float, theirs: float | None) -> float | None:
    return None if theirs is None else mine / theirs


def measure_dask(
    measure: Callable[[GetFunction], float], dask_get: GetFunction | None
) -> tuple[float | None, str | None]:
    """Return ``(measure(dask_get), None)``, or ``(None, error)`` if Dask failed.

    A failure of Dask is reported, not raised: it must not hide tessera's results.

    >>> measure_dask(len, None)
    (None, None)
    >>> measure_dask(lambda get: get(), lambda: 1 / 0)
    (None, 'ZeroDivisionError: division by zero')
    """
    if dask_get is None:
        return None, None
    try:
        return measure(dask_get), None
    except Exception as e:
        return None, f"{type(e).__name__}: {e}"[:200]


def dask_error_notes(rows: list[dict[str, Any]]) -> list[str]:
    """One note for each row where Dask failed."""
    return [
        f"dask failed on {r['scheduler']}/{r['shape']}: {r['dask_error']}"
        for r in rows
        if r["dask_error"]
    ]


# --- the benchmarks -------------------------------------------------------------------


def timing_row(
    scheduler: str, graph: Graph, tessera_get: GetFunction, dask_get: GetFunction | None
) -> dict[str, Any]:
    """Time one scheduler on one graph (and Dask's matching one, if given)."""
    mine = micros_per_task(tessera_get, graph)
    theirs, error = measure_dask(partial(micros_per_task, graph=graph), dask_get)
    target = TARGET_US[scheduler]
    return {
        "scheduler": scheduler,
        "shape": graph.shape,
        "tasks": graph.tasks,
        "us_per_task": mine,
        "dask_us_per_task": theirs,
        "ratio": _ratio(mine, theirs),
        "dask_error": error,
        "target_us": target,
        "passed": mine <= target,
    }


def run_overhead(quick: bool) -> Section:
    """Time every scheduler on every graph shape; one row per (shape, scheduler)."""
    tessera = tessera_schedulers()
    rows = []
    with dask_schedulers() as dask_gets:
        for build in builders(quick):
            graph = build()
            rows += [
                timing_row(name, graph, get, dask_gets.get(name)) for name, get in tessera.items()
            ]
    notes = [
        f"wall time of get(dsk, root): best of {REPEATS} after one warm-up call; "
        "graph construction not timed; ratio = tessera / dask",
    ]
    if dask_version():
        notes.append(
            "dask.multiprocessing.get runs on a warm spawn ProcessPoolExecutor (pool=) with "
            "optimize_graph=False: its default fusion turns the chain into one nested task "
            "that fails with RecursionError"
        )
    notes += dask_error_notes(rows)
    columns = [
        Column("scheduler", "scheduler"),
        Column("shape", "shape"),
        number("tasks", "tasks", 0),
        number("us/task", "us_per_task", 2),
        number("dask us/task", "dask_us_per_task", 2),
        number("ratio", "ratio", 2),
        number("target us", "target_us", 1),
        Column("pass", "passed", verdict),
    ]
    return Section("overhead", "Per-task scheduler overhead", columns, rows, notes)


def memory_row(
    build: Callable[[], Graph], tessera_get: GetFunction, dask_get: GetFunction | None
) -> dict[str, Any]:
    """Measure a synchronous scheduler's bookkeeping on the graph ``build()`` makes."""
    mine = memory_use(tessera_get, build)
    per_task = mine.bookkeeping_bytes / mine.tasks
    dask_per_task, error = measure_dask(partial(bookkeeping_per_task, build=build), dask_get)
    return {
        "scheduler": "sync",
        "shape": mine.shape,
        "tasks": mine.tasks,
        "graph_bytes_per_task": mine.graph_bytes / mine.tasks,
        "bytes_per_task": per_task,
        "dask_bytes_per_task": dask_per_task,
        "ratio": _ratio(per_task, dask_per_task),
        "dask_error": error,
        "target_bytes": TARGET_BYTES,
        "passed": per_task <= TARGET_BYTES,
    }


def run_memory(quick: bool) -> Section:
    """Measure the synchronous scheduler's bookkeeping bytes per task on every shape."""
    tessera = tessera_schedulers()["sync"]
    with dask_schedulers() as dask_gets:
        rows = [memory_row(build, tessera, dask_gets.get("sync")) for build in builders(quick)]
    notes = [
        "tracemalloc peak during a synchronous get(dsk, root) minus the memory held just "
        "before it (the graph, built while tracing); ratio = tessera / dask",
        *dask_error_notes(rows),
    ]
    columns = [
        Column("scheduler", "scheduler"),
        Column("shape", "shape"),
        number("tasks", "tasks", 0),
        number("graph B/task", "graph_bytes_per_task", 0),
        number("B/task", "bytes_per_task", 0),
        number("dask B/task", "dask_bytes_per_task", 0),
        number("ratio", "ratio", 2),
        number("target B", "target_bytes", 0),
        Column("pass", "passed", verdict),
    ]
    return Section("memory", "Scheduler bookkeeping memory", columns, rows, notes)
