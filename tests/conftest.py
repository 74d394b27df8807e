"""Shared fixtures: every scheduler, and a guard that nothing leaks from a test.

Hypothesis explores new random examples on every local run; with ``CI`` set in the
environment (``.ci/run`` sets it) it runs a fixed, derandomized set, so CI results are
reproducible.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from hypothesis import settings

from tessera.scheduling import executor, synchronous, threaded
from tessera.scheduling import multiprocessing as mp_get

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SCHEDULERS = ["sync", "threads", "processes", "thread-executor", "process-executor"]

#: Name prefixes of the threads that belong to the shared clusters of
#: tests/cluster/conftest.py (each cluster adds its engine's prefixes when it starts and
#: removes them when it stops); the leak guard tolerates these threads and no others.
#: Cluster processes need no exception: the guard only counts tessera's own workers.
SESSION_THREAD_PREFIXES: set[str] = set()


@pytest.fixture(scope="session")
def thread_executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(3, thread_name_prefix="test-executor") as ex:
        yield ex


@pytest.fixture(scope="session")
def process_executor() -> Iterator[ProcessPoolExecutor]:
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=ctx) as ex:
        yield ex


@pytest.fixture(params=SCHEDULERS)
def scheduler_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def get(
    scheduler_name: str,
    thread_executor: ThreadPoolExecutor,
    request: pytest.FixtureRequest,
) -> Callable[..., Any]:
    """A ``get(dsk, keys, **kw)`` for each scheduler, including user executors."""
    if scheduler_name == "sync":
        return synchronous.get
    if scheduler_name == "threads":
        return threaded.get
    if scheduler_name == "processes":
        return mp_get.get
    if scheduler_name == "thread-executor":
        return partial(executor.get, pool=thread_executor)
    pool = request.getfixturevalue("process_executor")
    return partial(executor.get, pool=pool)


def _tessera_children() -> set[Any]:
    return {p for p in multiprocessing.active_children() if p.name == "tessera-worker"}


def _stray_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    allowed = ("tessera-worker", "test-executor", "QueueFeederThread", "Thread-")
    allowed += tuple(SESSION_THREAD_PREFIXES)
    return [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.name.startswith(allowed)
    ]


def _unpooled_worker_threads() -> list[threading.Thread]:
    """``tessera-worker`` threads beyond the shared pool's size, or two with one name.

    The shared pool names its threads ``tessera-worker_0`` to ``_{size - 1}`` and never
    replaces one; a thread it lost track of (started but not recorded, e.g. on Ctrl-C)
    shows up as one too many, or as a second thread with the name of one started later.
    """
    pool = threaded._default_pool
    size = pool.size if pool is not None else 0
    workers = [t for t in threading.enumerate() if t.name.startswith("tessera-worker")]
    names = {t.name for t in workers}
    return workers if len(workers) > size or len(names) < len(workers) else []


@pytest.fixture(autouse=True)
def no_leaks() -> Iterator[None]:
    """Fail a test that leaves tessera threads or unpooled processes behind, or the
    SIGINT handler changed."""
    from tessera.scheduling.pool import _pools

    sigint = signal.getsignal(signal.SIGINT)
    before = set(threading.enumerate())
    yield
    strays = _stray_threads(before)
    assert not strays, f"threads left running: {strays}"
    unpooled = _unpooled_worker_threads()
    assert not unpooled, f"tessera-worker threads outside the shared pool: {unpooled}"
    assert signal.getsignal(signal.SIGINT) is sigint, "the SIGINT handler was not restored"
    pooled = {w.proc for pool in _pools.values() for w in pool.workers}
    extra = [p for p in _tessera_children() if p not in pooled]
    assert not extra, f"worker processes outside the pool: {extra}"
    for pool in _pools.values():
        busy = [w for w in pool.workers if w.batch is not None]
        assert not busy, f"pool workers still busy after the test: {busy}"
