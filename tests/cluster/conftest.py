"""Shared clusters: one Dask ``LocalCluster`` and one local Ray for all the cluster tests.

Each starts on first use and stops after the last test of this package (package scope:
the rest of the suite does not run next to idle clusters); a test that needs an engine
that is not installed is skipped.  Their files go to temporary directories removed at
the end.  The ``get`` fixture here overrides the root one: the
scheduler contract runs on ``"distributed"`` (a ``Client``) and ``"ray"`` (a
``RayScheduler``).  When a cluster stops, the fixture checks that none of the processes it
started is still running.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.conftest import SESSION_THREAD_PREFIXES

CLUSTERS = ["distributed", "ray"]
ROOT = str(Path(__file__).resolve().parents[2])
#: Threads the engines start in this process, by name prefix.
DASK_THREADS = {"IO loop", "Dask-", "AsyncProcess Dask", "TCP-Executor", "Profile"}
RAY_THREADS = {"ray_", "PythonGCThread"}


#: Helper processes of ``multiprocessing`` itself: they live as long as this process.
HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


def _children() -> set[int]:
    out = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if not any(h in " ".join(p.cmdline()) for h in HELPERS):
                out.add(p.pid)
        except psutil.NoSuchProcess:
            pass
    return out


def _check_stopped(before: set[int], what: str) -> None:
    """Fail unless every process started since ``before`` has exited (waiting up to 30 s)."""
    left = [psutil.Process(pid) for pid in _children() - before if psutil.pid_exists(pid)]
    _, alive = psutil.wait_procs(left, timeout=30)
    assert not alive, f"{what} left processes running: {alive}"


def _restore_environ(saved: dict[str, str], only: set[str] | None = None) -> None:
    """Give the environment variables (all, or ``only`` these) their ``saved`` values."""
    for name in only if only is not None else set(os.environ) | set(saved):
        if name in saved:
            os.environ[name] = saved[name]
        else:
            os.environ.pop(name, None)


@pytest.fixture(scope="package")
def dask_client() -> Iterator[Any]:
    """A ``Client`` on a two-worker ``LocalCluster`` (worker processes, one thread each)."""
    distributed = pytest.importorskip("distributed")
    before = _children()
    temp = tempfile.mkdtemp(prefix="tessera-dask-")
    SESSION_THREAD_PREFIXES.update(DASK_THREADS)
    try:
        with (
            distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                local_directory=temp,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield client
        _check_stopped(before, "the Dask cluster")
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        SESSION_THREAD_PREFIXES.difference_update(DASK_THREADS)


@pytest.fixture(scope="package")
def ray_scheduler() -> Iterator[Any]:
    """A ``RayScheduler`` on a local Ray with 2 CPUs, no dashboard, a small object store.

    Ray's workers get the repository on ``PYTHONPATH`` (they must import ``tests``); Ray's
    session files go to a temporary directory removed at the end, and the environment
    variables ``ray.init`` sets (``RAY_AUTH_MODE``) are restored.
    """
    ray = pytest.importorskip("ray")
    from tessera.scheduling.ray import RayScheduler

    before = _children()
    saved = dict(os.environ)
    temp = tempfile.mkdtemp(prefix="tessera-ray-")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, saved.get("PYTHONPATH")]))
    SESSION_THREAD_PREFIXES.update(RAY_THREADS)
    scheduler = RayScheduler(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=80 * 2**20,
        log_to_driver=False,
        _temp_dir=temp,
    )
    try:
        scheduler.ray()
        assert scheduler.started, "a Ray was already running in the test process"
        _restore_environ(saved, only={"PYTHONPATH"})  # Ray's processes have it now
        yield scheduler
        scheduler.close()
        assert not ray.is_initialized()
        _check_stopped(before, "Ray")
    finally:
        scheduler.close()
        _restore_environ(saved)
        shutil.rmtree(temp, ignore_errors=True)
        SESSION_THREAD_PREFIXES.difference_update(RAY_THREADS)


@pytest.fixture(params=CLUSTERS)
def scheduler_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def cluster(scheduler_name: str, request: pytest.FixtureRequest) -> Any:
    """The scheduler object: the Dask ``Client`` or the ``RayScheduler``."""
    if scheduler_name == "distributed":
        return request.getfixturevalue("dask_client")
    return request.getfixturevalue("ray_scheduler")


@pytest.fixture
def get(cluster: Any) -> Callable[..., Any]:
    """A ``get(dsk, keys, **kw)`` on each cluster, as tessera resolves the scheduler."""
    from tessera.scheduling.registry import get_scheduler

    return get_scheduler(cluster)
