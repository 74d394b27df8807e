"""A Dask ``distributed.Client`` as a tessera scheduler: what is specific to Dask."""

from __future__ import annotations

import sys
import types
from functools import partial
from operator import add
from typing import Any

import cloudpickle
import numpy as np
import pytest

import tessera
import tessera.array as da
from tessera import config
from tessera.scheduling.graph import toposort
from tessera.scheduling.registry import get_scheduler
from tests.scheduling.tasks import inc, nested_compute

pytest.importorskip("distributed")

from tessera.scheduling.distributed import (
    ClientScheduler,
    check_workers,
    to_tasks,
)
from tessera.scheduling.distributed_check import (
    _late,
    _reported,
    forget,
    join_check,
)

NO_MODULE = "No module named 'no_such_module_xyz'"


def test_a_client_is_accepted_wherever_a_scheduler_is(dask_client: Any) -> None:
    x = np.arange(50)
    d = da.from_array(x, chunks=10) + 1
    y, z = d.sum(), d.mean()
    assert isinstance(get_scheduler(dask_client), ClientScheduler)
    assert y.compute(scheduler=dask_client) == (x + 1).sum()
    with config.set(scheduler=dask_client):
        assert z.compute() == (x + 1).mean()
    assert tessera.compute(y, z, scheduler=dask_client) == ((x + 1).sum(), (x + 1).mean())
    # "distributed" is the default client: the session's
    assert tessera.compute(y, scheduler="distributed") == ((x + 1).sum(),)


def test_a_task_can_compute_on_the_cluster_itself(dask_client: Any) -> None:
    # two outer tasks hold both worker threads: each must give its thread back to wait
    dsk = {f"outer{i}": (nested_compute, 3 + i, "distributed") for i in range(2)}
    assert ClientScheduler(dask_client)(dsk, ["outer0", "outer1"]) == [[1, 2, 3], [1, 2, 3, 4]]


def test_keys_are_deterministic_and_follow_the_content(dask_client: Any) -> None:
    dsk = {("x", 0): 1, ("x", 1): 2, ("y", 0): (add, ("x", 0), ("x", 1)), "z": (inc, ("y", 0))}
    first = to_tasks(dask_client, dsk, ["z", ("x", 1)])
    again = to_tasks(dask_client, dict(dsk), ["z", ("x", 1)])
    assert list(first.tasks) == list(again.tasks)
    names = sorted(str(k[0] if isinstance(k, tuple) else k).rsplit("-", 1)[0] for k in first.tasks)
    assert names == ["x", "x", "z"]  # ("y", 0) -> "z" is one chain, named by its end
    changed = to_tasks(dask_client, {**dsk, ("x", 0): 5}, ["z", ("x", 1)])
    assert set(changed.tasks) & set(first.tasks) == {first.outputs[1]}  # only ("x", 1) kept


def test_only_the_requested_keys_are_gathered(dask_client: Any, monkeypatch: Any) -> None:
    gathered: list[Any] = []
    gather = dask_client.gather
    monkeypatch.setattr(dask_client, "gather", lambda f, **k: gathered.append(f) or gather(f, **k))
    dsk = {"a": 1, "b": (inc, "a"), "c": (add, "a", "b"), "d": (inc, "c"), "e": (add, "b", "d")}
    assert ClientScheduler(dask_client)(dsk, ["e", ["b", "e"]]) == [6, [2, 6]]
    ((e, b, e2),) = gathered  # one call, with the requested keys' futures only
    assert e is e2 and [str(f.key).rsplit("-", 1)[0] for f in (e, b)] == ["e", "b"]


def test_a_reused_key_never_meets_a_stale_result(dask_client: Any) -> None:
    get = ClientScheduler(dask_client)
    for i in range(8):
        assert get({"a": i, "b": (inc, "a")}, ["b", "a"]) == [i + 1, i]


def test_large_literals_are_scattered_not_embedded(dask_client: Any) -> None:
    big = np.arange(200_000)
    dsk = {
        "s": (np.sum, big),
        "n": (len, [big]),
        "p": (partial(np.dot, big), 1),  # inside a partial
        "d": (len, ({"w": big},)),  # inside a dict inside a tuple
    }
    sub = to_tasks(dask_client, dsk, list(dsk))
    (scattered,) = sub.held
    assert scattered.key.startswith("ndarray-")
    for task in sub.tasks.values():
        assert len(cloudpickle.dumps(task.args[0])) < 10_000
        assert scattered.key in {getattr(a, "key", None) for a in task.args[1:]}
    assert ClientScheduler(dask_client)(dsk, ["n", "d"]) == [1, 1]


def _priorities(keys: list[Any], dask_scheduler: Any = None) -> dict[Any, Any]:
    return {k: dask_scheduler.tasks[k].priority for k in keys}


def test_priorities_follow_tessera_order(dask_client: Any) -> None:
    dsk: dict[Any, Any] = {("leaf", i): (inc, i) for i in range(8)}
    for level, width in enumerate([4, 2, 1], start=1):
        for i in range(width):
            below = "leaf" if level == 1 else f"sum{level - 1}"
            dsk[(f"sum{level}", i)] = (add, (below, 2 * i), (below, 2 * i + 1))
    keys = list(dsk)
    futures = ClientScheduler(dask_client).persist(dsk, keys)
    assert dask_client.gather(futures[-1]) == sum(range(1, 9))  # all keys now on the cluster
    prio = dask_client.run_on_scheduler(_priorities, keys=[f.key for f in futures])
    cluster_key = dict(zip(keys, (f.key for f in futures), strict=True))
    # the scheduler sorts on the first item, tessera's rank (Dask's own order comes later)
    first = [prio[cluster_key[k]][0] for k in toposort(dsk)]
    assert first == sorted(set(first)) and len(first) == len(keys)


def test_tessera_must_import_on_the_workers(dask_client: Any, monkeypatch: Any) -> None:
    with pytest.raises(
        ImportError,
        match=r"no_such_module_xyz cannot be imported on (\d+) of \1 processes .*"
        r"installed on the scheduler and on every worker",
    ):
        check_workers(dask_client, module="no_such_module_xyz")
    calls: list[Any] = []
    run = dask_client.run
    monkeypatch.setattr(dask_client, "run", lambda *a, **k: calls.append(a) or run(*a, **k))
    try:
        check_workers(dask_client, module="json")
        check_workers(dask_client, module="json")
        assert len(calls) == 1  # checked once per client
    finally:
        forget(dask_client, module="json")


def _sys_path(change: str, path: str) -> None:
    """Change ``sys.path`` where this runs (a bound ``sys.path.insert`` would pickle a copy)."""
    if change == "insert":
        sys.path.insert(0, path)
    elif path in sys.path:
        sys.path.remove(path)


def test_workers_that_join_later_are_checked(dask_client: Any, tmp_path: Any) -> None:
    """A module that the first workers import and a worker started later cannot.

    The scheduler of a ``LocalCluster`` runs in this process, whose ``sys.path`` new
    workers inherit: it sees the module only during the first check.
    """
    module = "tessera_first_workers_only"
    (tmp_path / f"{module}.py").write_text("")
    path = str(tmp_path)
    dask_client.run(_sys_path, "insert", path)
    dask_client.run_on_scheduler(_sys_path, "insert", path)
    cluster, ident = dask_client.cluster, (str(dask_client.id), module)
    before = set(dask_client.scheduler_info()["workers"])
    try:
        check_workers(dask_client, module)  # every process imports it
        dask_client.run_on_scheduler(_sys_path, "remove", path)
        cluster.scale(len(before) + 1)
        dask_client.wait_for_workers(len(before) + 1)
        (new,) = set(dask_client.scheduler_info()["workers"]) - before
        with _reported:  # the new worker's report arrives in the background
            assert _reported.wait_for(lambda: ident in _late, timeout=60)
        with pytest.raises(ImportError, match=rf"{module} cannot .* joined later \({new}: "):
            check_workers(dask_client, module)
    finally:
        forget(dask_client, module)
        cluster.scale(len(before))
        cluster.sync(cluster._correct_state)  # the new worker has stopped
        dask_client.run(_sys_path, "remove", path, workers=list(before))
        dask_client.run_on_scheduler(_sys_path, "remove", path)
        sys.modules.pop(module, None)


def test_the_join_check_runs_where_tessera_is_missing() -> None:
    plugin = cloudpickle.loads(cloudpickle.dumps(join_check("no_such_module_xyz")))
    events: list[Any] = []
    worker = types.SimpleNamespace(address="tcp://w:1", log_event=lambda *e: events.append(e))
    plugin.setup(worker)
    ((_, event),) = events
    assert event == {"worker": "tcp://w:1", "error": "ModuleNotFoundError: " + NO_MODULE}
    join_check("json").setup(worker)
    assert len(events) == 1
