"""A Dask ``distributed.Client`` as a tessera scheduler: what is specific to Dask."""

from __future__ import annotations

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


def test_a_reused_key_never_meets_a_stale_result(dask_client: Any) -> None:
    get = ClientScheduler(dask_client)
    for i in range(8):
        assert get({"a": i, "b": (inc, "a")}, ["b", "a"]) == [i + 1, i]


def test_large_literals_are_scattered_not_embedded(dask_client: Any) -> None:
    big = np.arange(200_000)
    sub = to_tasks(dask_client, {"s": (np.sum, big), "n": (len, [big])}, ["s", "n"])
    (scattered,) = sub.held
    assert scattered.key.startswith("ndarray-")
    for task in sub.tasks.values():
        assert len(cloudpickle.dumps(task.args[0])) < 10_000
        assert scattered.key in {getattr(a, "key", None) for a in task.args[1:]}
    assert ClientScheduler(dask_client)({"n": (len, [big])}, "n") == 1


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
        match=r"no_such_module_xyz cannot be imported on 3 of 3 processes .*"
        r"installed on the scheduler and on every worker",
    ):
        check_workers(dask_client, module="no_such_module_xyz")
    calls: list[Any] = []
    run = dask_client.run
    monkeypatch.setattr(dask_client, "run", lambda *a, **k: calls.append(a) or run(*a, **k))
    check_workers(dask_client, module="json")
    check_workers(dask_client, module="json")
    assert len(calls) == 1  # checked once per client
