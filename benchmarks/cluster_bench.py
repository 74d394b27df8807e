"""Cluster overhead: tessera on a local Dask cluster and a local Ray, next to its local schedulers.

Map
---
- :func:`engines` -- every engine this machine can run, by name: tessera's ``sync``,
  ``threads`` and ``processes``, ``distributed`` (a ``Client`` on a two-worker
  ``LocalCluster``, one thread per worker process) and ``ray`` (a local Ray with two
  CPUs); each cluster is started for the benchmark and stopped after it.
- :func:`task_rows` -- per-task overhead: a binary tree reduction of trivial tasks
  (:func:`benchmarks.overhead.tree_graph`: 9,999 tasks, 1,999 with ``--quick``); on the
  Dask cluster also Dask's own ``Client.get`` on the very same graph.
- :func:`array_rows` -- ``(x + 1).mean()`` of a random ``n x n`` array at several chunk
  sizes: what the per-task overhead costs when tasks do real work.
- :func:`run_cluster` -- the ``cluster`` benchmark, as a report section.

Every time is the best of :data:`REPEATS` calls after one small warm-up call; results are
checked against the plain-Python answer.  A cluster engine that is not installed is
left out with a note.  The notes end with the chunk-size guidance that follows from the
measured overhead.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.overhead import GetFunction, tree_graph
from benchmarks.report import Column, Section, best_of, number

__all__ = ["REPEATS", "array_rows", "engines", "run_cluster", "task_rows"]

#: Timed calls per measurement, after a small warm-up call; the best one counts.
REPEATS = 2
#: Leaves of the tree of trivial tasks (``2 * leaves - 1`` tasks), full and ``--quick``.
LEAVES = {False: 5_000, True: 1_000}
#: Array side and chunk sides for the reduction, full and ``--quick``.
ARRAY = {False: (8_000, [500, 1_000, 2_000, 4_000]), True: (2_000, [250, 500, 1_000])}
ROOT = Path(__file__).resolve().parents[1]
#: A task should do this many times the per-task overhead of work (10 % overhead at most).
WORK_PER_OVERHEAD = 10


@contextmanager
def engines() -> Iterator[tuple[dict[str, GetFunction], Any, list[str]]]:
    """Yield the engines by name, the Dask client (or ``None``) and notes on missing ones."""
    from tessera.scheduling import multiprocessing, synchronous, threaded

    gets: dict[str, GetFunction] = {
        "sync": synchronous.get,
        "threads": threaded.get,
        "processes": multiprocessing.get,
    }
    notes: list[str] = []
    client = None
    with ExitStack() as stack:
        temp = stack.enter_context(tempfile.TemporaryDirectory(prefix="tessera-bench-"))
        try:
            import distributed

            from tessera.scheduling.distributed import ClientScheduler
        except ImportError:
            notes.append('distributed is not installed: pip install "tessera[distributed]"')
        else:
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    local_directory=temp,
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
            gets["distributed"] = ClientScheduler(client)
        try:
            from tessera.scheduling.ray import RayScheduler, import_ray

            import_ray()
        except ImportError:
            notes.append('ray is not installed: pip install "tessera[ray]"')
        else:
            ray_scheduler = stack.enter_context(
                RayScheduler(
                    num_cpus=2,
                    include_dashboard=False,
                    object_store_memory=200 * 2**20,
                    log_to_driver=False,
                    _temp_dir=temp,
                    # Ray's workers import the benchmarks' task functions from here
                    runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
                )
            )
            ray_scheduler.ray()
            gets["ray"] = ray_scheduler
        yield gets, client, notes


def best_seconds(run: Callable[[], Any], expected: Any, warm_up: Callable[[], Any]) -> float:
    """Return the best wall time of :data:`REPEATS` calls of ``run``, after ``warm_up()``.

    >>> best_seconds(lambda: 2, 2, lambda: None) >= 0
    True
    """

    def checked() -> None:
        got = run()
        if not np.allclose(got, expected):
            raise AssertionError(f"got {got!r}, expected {expected!r}")

    warm_up()
    return best_of(checked, REPEATS)[0]


def task_rows(gets: dict[str, GetFunction], client: Any, quick: bool) -> list[dict[str, Any]]:
    """Per-task overhead of every engine on the tree of trivial tasks."""
    graph = tree_graph(LEAVES[quick])
    small = tree_graph(50)
    rows = []
    for name, get in gets.items():
        seconds = best_seconds(
            lambda get=get: get(graph.dsk, graph.root),
            graph.expected,
            lambda get=get: get(small.dsk, small.root),
        )
        dask_seconds = None
        if name == "distributed":
            dask_seconds = best_seconds(
                lambda: client.get(graph.dsk, graph.root),
                graph.expected,
                lambda: client.get(small.dsk, small.root),
            )
        rows.append(
            {
                "engine": name,
                "workload": "trivial tasks",
                "tasks": graph.tasks,
                "seconds": seconds,
                "ms_per_task": seconds / graph.tasks * 1e3,
                "dask_ms_per_task": None
                if dask_seconds is None
                else dask_seconds / graph.tasks * 1e3,
            }
        )
    return rows


def array_rows(gets: dict[str, GetFunction], quick: bool) -> list[dict[str, Any]]:
    """``(x + 1).mean()`` of a random array at each chunk size, on every engine."""
    import tessera.array as da

    n, sides = ARRAY[quick]
    tiny = da.random.default_rng(1).random((200, 200), chunks=100).mean()
    rows = []
    for side in sides:
        y = (da.random.default_rng(0).random((n, n), chunks=side) + 1).mean()
        expected = y.compute(scheduler="threads")
        chunks = (n // side) ** 2
        label = f"array mean, {side}x{side} chunks ({side**2 * 8 / 2**20:.1f} MiB)"
        for name, get in gets.items():
            seconds = best_seconds(
                lambda get=get, y=y: y.compute(scheduler=get),
                expected,
                lambda get=get: tiny.compute(scheduler=get),
            )
            rows.append(
                {
                    "engine": name,
                    "workload": label,
                    "tasks": chunks,
                    "seconds": seconds,
                    "ms_per_task": seconds / chunks * 1e3,
                    "dask_ms_per_task": None,
                }
            )
    return rows


def guidance(rows: list[dict[str, Any]]) -> list[str]:
    """The chunk-size advice that follows from the measured per-task overheads."""
    notes = []
    for row in rows:
        if row["workload"] != "trivial tasks" or row["engine"] not in ("distributed", "ray"):
            continue
        work_ms = row["ms_per_task"] * WORK_PER_OVERHEAD
        notes.append(
            f"{row['engine']}: {row['ms_per_task']:.2f} ms per task, so each task should do "
            f"at least ~{work_ms:.0f} ms of work to keep the overhead under "
            f"{100 / WORK_PER_OVERHEAD:.0f} %: chunks of tens of MiB (NumPy does ~1 GiB/s of "
            "simple element-wise work per core), not the few hundred KiB that suit threads."
        )
    return notes


def run_cluster(quick: bool) -> Section:
    """The ``cluster`` benchmark: per-task overhead and a chunked reduction, every engine."""
    with engines() as (gets, client, notes):
        rows = task_rows(gets, client, quick) + array_rows(gets, quick)
    notes = [
        f"best of {REPEATS} wall times after a small warm-up call; clusters on this machine "
        "(distributed: 2 worker processes x 1 thread; ray: num_cpus=2); tessera's local "
        "schedulers use every core; 'dask ms/task' is Dask's own Client.get on the same graph",
        "on Dask a linear chain of tasks (e.g. one chunk's random -> +1 -> partial mean) is "
        "one cluster task; Ray submits one task per key (RayScheduler(fuse_chains=True) "
        "fuses chains); 'tasks' for the arrays counts chunks",
        *notes,
        *guidance(rows),
    ]
    columns = [
        Column("engine", "engine"),
        Column("workload", "workload"),
        number("tasks", "tasks", 0),
        number("seconds", "seconds", 3),
        number("ms/task", "ms_per_task", 3),
        number("dask ms/task", "dask_ms_per_task", 3),
    ]
    return Section("cluster", "Local schedulers vs Dask distributed and Ray", columns, rows, notes)
