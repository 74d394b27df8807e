"""Profiler: one record per task on every scheduler, Dask's field names, clear/reuse."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from tessera.diagnostics import Profiler, TaskData
from tessera.scheduling import multiprocessing, synchronous, threaded
from tests.diagnostics.tasks import chain_and_fan, fail, inc

GETS: dict[str, Callable[..., Any]] = {
    "sync": synchronous.get,
    "threads": threaded.get,
    "processes": multiprocessing.get,
}


def test_task_data_has_dasks_field_names() -> None:
    assert TaskData._fields == ("key", "task", "start_time", "end_time", "worker_id")


@pytest.mark.parametrize("name", sorted(GETS))
@pytest.mark.parametrize("n", [1, 7, 40])
def test_every_task_recorded_exactly_once(name: str, n: int) -> None:
    dsk = chain_and_fan(n)
    with Profiler() as prof:
        assert GETS[name](dsk, "total") == sum(i + 2 for i in range(n))
    keys = [t.key for t in prof.results]
    assert len(keys) == len(dsk)
    assert set(keys) == set(dsk)
    for t in prof.results:
        assert t.task == dsk[t.key]
        assert t.start_time <= t.end_time
        assert t.worker_id is not None
    # a task ends before any task that depends on it ends
    end = {t.key: t.end_time for t in prof.results}
    assert all(end[("z", i)] <= end["total"] for i in range(n))


def test_sync_records_the_calling_threads_worker_id_and_order() -> None:
    dsk = {"a": 1, "b": (inc, "a"), "c": (inc, "b")}
    with Profiler() as prof:
        synchronous.get(dsk, "c")
    assert [t.key for t in prof.results] == ["a", "b", "c"]
    assert len({t.worker_id for t in prof.results}) == 1
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
    assert prof._starts == {}


def test_threads_report_worker_threads() -> None:
    with Profiler() as prof:
        threaded.get(chain_and_fan(10), "total")
    main = threading.get_ident()
    assert prof.results and all(t.worker_id != main for t in prof.results)
