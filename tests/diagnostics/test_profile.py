"""Profiler: one record per task on every scheduler, timed in the worker, Dask's field names."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tessera.callbacks import Callback
from tessera.diagnostics import Profiler, TaskData
from tessera.scheduling import multiprocessing, synchronous, threaded
from tests.diagnostics.tasks import chain_and_fan, fail, inc, stamped_graph

GETS: dict[str, Callable[..., Any]] = {
    "sync": synchronous.get,
    "threads": threaded.get,
    "processes": multiprocessing.get,
}


class Results(Callback):
    """Keep every task's result (``_posttask`` sees them all)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[Any, Any] = {}

    def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        self.values[key] = result


def test_task_data_has_dasks_field_names() -> None:
    assert TaskData._fields == ("key", "task", "start_time", "end_time", "worker_id")


def test_every_task_recorded_exactly_once_on_every_scheduler(get: Any) -> None:
    for n in (1, 7, 40):
        dsk = chain_and_fan(n)
        with Profiler() as prof:
            assert get(dsk, "total") == sum(i + 2 for i in range(n))
        keys = [t.key for t in prof.results]
        assert len(keys) == len(dsk) == len(set(keys))
        assert set(keys) == set(dsk)
        for t in prof.results:
            assert t.task == dsk[t.key]
            assert t.start_time <= t.end_time
            assert t.worker_id is not None
        # a task starts after every task it depends on has ended
        rec = {t.key: t for t in prof.results}
        for i in range(n):
            assert rec[("x", i)].end_time <= rec[("y", i)].start_time
            assert rec[("z", i)].end_time <= rec["total"].start_time


def test_times_are_taken_in_the_worker_around_the_task(get: Any) -> None:
    """A task that reads time.time() itself falls inside its record, wherever it ran."""
    dsk = stamped_graph(12)
    before = time.time()
    with Profiler() as prof, Results() as res:
        get(dsk, "out")
    after = time.time()
    stamps = {k: v for k, v in res.values.items() if k != "out"}
    assert len(stamps) == 15
    rec = {t.key: t for t in prof.results}
    for key, value in stamps.items():
        assert before <= rec[key].start_time <= value <= rec[key].end_time <= after
    # the chain ran in one batch: each link starts after the previous one ended
    assert rec["c0"].end_time <= rec["c1"].start_time <= rec["c1"].end_time
    assert rec["c1"].end_time <= rec["c2"].start_time


def test_worker_ids() -> None:
    dsk = chain_and_fan(10)
    with Profiler() as prof:
        synchronous.get(dsk, "total")
    assert {t.worker_id for t in prof.results} == {os.getpid()}
    with Profiler() as prof:
        threaded.get(dsk, "total")
    main = threading.get_ident()
    assert prof.results and all(t.worker_id not in (main, os.getpid()) for t in prof.results)
    with Profiler() as prof:
        multiprocessing.get(dsk, "total")
    pids = {t.worker_id for t in prof.results}
    assert pids and os.getpid() not in pids


def test_sync_records_in_execution_order() -> None:
    dsk = {"a": 1, "b": (inc, "a"), "c": (inc, "b")}
    with Profiler() as prof:
        synchronous.get(dsk, "c")
    assert [t.key for t in prof.results] == ["a", "b", "c"]
    starts = [t.start_time for t in prof.results]
    assert starts == sorted(starts)


def test_results_accumulate_and_clear_on_enter() -> None:
    prof = Profiler()
    with prof:
        synchronous.get({"a": 1}, "a")
        threaded.get({"b": (inc, 1)}, "b")
    assert [t.key for t in prof.results] == ["a", "b"]
    with prof:
        synchronous.get({"c": 1}, "c")
    assert [t.key for t in prof.results] == ["c"]
    prof.clear()
    assert prof.results == []


def test_nothing_recorded_when_not_active() -> None:
    prof = Profiler()
    synchronous.get({"a": 1}, "a")
    assert prof.results == []


@pytest.mark.parametrize("name", sorted(GETS))
def test_failed_compute_records_only_finished_tasks(name: str) -> None:
    dsk = {"a": 1, "b": (inc, "a"), "c": (fail, "b"), "d": (inc, "c")}
    with Profiler() as prof, pytest.raises(ZeroDivisionError):
        GETS[name](dsk, "d")
    keys = [t.key for t in prof.results]
    assert len(keys) == len(set(keys))
    assert "c" not in keys and "d" not in keys


def test_profiler_on_a_collection() -> None:
    da = pytest.importorskip("tessera.array")
    x = da.ones((6, 6), chunks=3)
    with Profiler() as prof:
        assert float((x + 1).sum().compute(scheduler="threads")) == 72.0
    assert prof.results and all(t.start_time <= t.end_time for t in prof.results)
    assert len({t.key for t in prof.results}) == len(prof.results)
