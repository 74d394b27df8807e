"""ResourceProfiler: samples while the compute runs, and its thread is gone afterwards."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

import psutil
import pytest

from tessera.diagnostics import ResourceData, ResourceProfiler
from tessera.diagnostics import resource as resource_mod
from tessera.scheduling import multiprocessing, synchronous, threaded
from tests.diagnostics.tasks import chain_and_fan, fail, inc, wait_until


def sampler_alive() -> bool:
    return any(t.name == resource_mod.THREAD_NAME for t in threading.enumerate())


def wait_for_samples(rprof: ResourceProfiler, n: int) -> int:
    """A task: runs while the profiler is active, until it has ``n`` samples."""
    assert sampler_alive()
    assert wait_until(lambda: len(rprof.results) >= n)
    return len(rprof.results)


def test_resource_data_has_dasks_field_names() -> None:
    assert ResourceData._fields == ("time", "mem", "cpu")


@pytest.mark.parametrize("get", [synchronous.get, threaded.get], ids=["sync", "threads"])
def test_samples_while_running_and_stops_after(get: Any) -> None:
    rprof = ResourceProfiler(dt=0.001)
    with rprof:
        seen = get({"w": (wait_for_samples, rprof, 3)}, "w")
    assert seen >= 3
    assert not sampler_alive()
    results = rprof.results
    count = len(results)
    assert count >= seen
    times = [r.time for r in results]
    assert times == sorted(times)
    own_mb = psutil.Process(os.getpid()).memory_info().rss / 1e6
    assert all(r.mem > 0.2 * own_mb and r.cpu >= 0 for r in results)
    # nothing is sampled once the compute is over
    threading.Event().wait(0.01)
    assert len(rprof.results) == count


def test_thread_stopped_and_joined_after_a_failure() -> None:
    rprof = ResourceProfiler(dt=0.001)
    dsk = {"w": (wait_for_samples, rprof, 2), "f": (fail, "w")}
    with rprof, pytest.raises(ZeroDivisionError):
        threaded.get(dsk, "f")
    assert not sampler_alive()
    assert len(rprof.results) >= 2


def test_processes_scheduler_counts_the_worker_processes() -> None:
    rprof = ResourceProfiler(dt=0.001)
    with rprof:
        multiprocessing.get(chain_and_fan(5), "total")
    assert not sampler_alive()
    assert len(rprof.results) >= 1


def test_sampler_sums_over_children() -> None:
    sampler = resource_mod._Sampler(psutil, os.getpid())
    # the warm process pool (or any child) adds memory on top of this process alone
    multiprocessing.get({"a": (inc, 1)}, "a")
    assert psutil.Process().children(recursive=True)
    own_mb = psutil.Process(os.getpid()).memory_info().rss / 1e6
    assert sampler.sample().mem > own_mb


def test_results_accumulate_and_clear_on_enter() -> None:
    rprof = ResourceProfiler(dt=10)
    with rprof:
        synchronous.get({"a": 1}, "a")
        synchronous.get({"a": 1}, "a")
    assert len(rprof.results) == 2  # one immediate sample per compute
    with rprof:
        synchronous.get({"a": 1}, "a")
    assert len(rprof.results) == 1
    rprof.clear()
    assert rprof.results == []


def test_nested_compute_shares_one_thread() -> None:
    rprof = ResourceProfiler(dt=10)

    def outer() -> int:
        count = sum(t.name == resource_mod.THREAD_NAME for t in threading.enumerate())
        assert synchronous.get({"a": (inc, 1)}, "a") == 2
        return count

    with rprof:
        assert synchronous.get({"o": (outer,)}, "o") == 1
    assert not sampler_alive()


def test_missing_psutil_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psutil", None)
    with ResourceProfiler() as rprof, pytest.raises(ImportError, match=r"tessera\[complete\]"):
        synchronous.get({"a": 1}, "a")
    assert not sampler_alive()
    assert rprof._depth == 0


def test_bad_dt() -> None:
    with pytest.raises(ValueError, match="dt > 0"):
        ResourceProfiler(dt=0)


def test_samples_share_the_profilers_clock() -> None:
    """Samples are time.time() seconds, so they line up with Profiler task times."""
    from tessera.diagnostics import Profiler

    before = time.time()
    with ResourceProfiler(dt=10) as rprof, Profiler() as prof:
        threaded.get({"a": (inc, 1)}, "a")
    after = time.time()
    (sample,) = rprof.results
    (task,) = prof.results
    assert before <= sample.time <= after  # the sampler thread may start after the task
    assert before <= task.start_time <= task.end_time <= after
