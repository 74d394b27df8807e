"""What both cluster schedulers promise: persist, errors, large literals, fused chains,
callbacks."""

from __future__ import annotations

import io
from functools import partial
from operator import add
from typing import Any

import numpy as np
import pytest

import tessera
import tessera.array as da
from tessera.array.testing import assert_eq
from tessera.callbacks import Callback
from tessera.diagnostics import ProgressBar
from tessera.errors import RemoteTraceback
from tests.scheduling.tasks import CustomError, inc, raise_custom


def _is_handle(x: object) -> bool:
    return type(x).__name__ in ("Future", "ObjectRef")


def test_persist_keeps_results_on_the_cluster(cluster: Any) -> None:
    x = np.arange(40.0)
    d = (da.from_array(x, chunks=10) + 1) * 2
    p = d.persist(scheduler=cluster)
    graph = p.__tessera_graph__()
    assert len(graph) == 4 and all(_is_handle(v) for v in graph.values())
    # later computes start from the handles: no task of d is left to run
    assert_eq(p, (x + 1) * 2, scheduler=cluster)
    assert_eq(p.sum() + p.max(), ((x + 1) * 2).sum() + ((x + 1) * 2).max(), scheduler=cluster)


def test_persist_several_collections_shares_work(cluster: Any) -> None:
    x = np.arange(30)
    d = da.from_array(x, chunks=7) + 1
    y, z = tessera.persist(d.sum(), d.max(), scheduler=cluster)
    assert all(_is_handle(v) for v in {**y.__tessera_graph__(), **z.__tessera_graph__()}.values())
    assert tessera.compute(y, z, scheduler=cluster) == ((x + 1).sum(), (x + 1).max())


def test_user_exception_carries_the_worker_traceback(get: Any) -> None:
    with pytest.raises(CustomError, match="custom 2") as info:
        get({"a": 1, "b": (inc, "a"), "c": (raise_custom, "b")}, "c")
    cause = info.value.__cause__
    assert isinstance(cause, RemoteTraceback)
    assert "raise_custom" in cause.tb and "CustomError: custom 2" in cause.tb
    assert info.value.__notes__ == ["while computing task 'c'"]


def test_large_literals(get: Any) -> None:
    big = np.arange(200_000)  # 1.6 MB, used by three tasks: uploaded once (test_remote.py)
    dsk = {"s": (np.sum, big), "m": (np.max, [big]), "n": (len, big), "all": (add, "s", "n")}
    assert get(dsk, ["all", "m"]) == [big.sum() + len(big), big.max()]
    assert get(dsk, "n", scatter_threshold=10**9) == len(big)


def weighted_sum(x: Any, *, weights: Any) -> Any:
    return (x * weights).sum()


def test_large_literals_nested_in_tasks(get: Any) -> None:
    big = np.arange(200_000, dtype=float)  # uploaded once, wherever it sits (test_remote.py)
    dsk = {
        "kw": (partial(weighted_sum, weights=big), 2.0),
        "t": (len, ((big, 1), {"w": big})),
        "dot": (partial(np.dot, big), "big"),
        "big": big,
    }
    assert get(dsk, ["kw", "t", "dot"]) == [2 * big.sum(), 2, big @ big]


def test_chains_and_persisted_handles_inside_fused_tasks(cluster: Any) -> None:
    x = np.arange(12.0)
    p = da.from_array(x, chunks=4).persist(scheduler=cluster)
    assert all(_is_handle(v) for v in p.__tessera_graph__().values())
    # on Dask, (p + 1) * 3 is one fused chain per chunk, starting at a persisted handle
    assert_eq(((p + 1) * 3).sum(), ((x + 1) * 3).sum(), scheduler=cluster)


class Trace(Callback):
    task_times = True

    def _start(self, dsk: Any) -> None:
        self.events: list[Any] = ["start"]
        self.times: dict[Any, float] = {}

    def _start_state(self, dsk: Any, state: Any) -> None:
        self.dependents = state["dependents"]

    def _task_time(self, key: Any, dsk: Any, start: float, end: float, worker: Any) -> None:
        self.times[key] = end - start

    def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker: Any) -> None:
        self.events.append(("post", key, result))

    def _finish(self, dsk: Any, state: Any, errored: bool) -> None:
        self.events.append(("finish", errored))


def test_callbacks_fire_on_the_cluster(get: Any, scheduler_name: str) -> None:
    dsk = {"a": 1, "b": (inc, "a"), "c": (inc, "b"), "d": (add, "b", "c")}
    with Trace() as trace:
        assert get(dsk, ["d", "a"]) == [5, 1]
    assert trace.events[0] == "start" and trace.events[-1] == ("finish", False)
    posts = {e[1]: e[2] for e in trace.events[1:-1]}
    assert len(posts) == len(trace.events) - 2  # one _posttask per task seen
    # Ray: the driver sees every task finish; Dask: the client sees the requested keys
    seen = {"a": 1, "b": None, "c": None, "d": 5} if scheduler_name == "ray" else {"a": 1, "d": 5}
    assert posts == seen and set(trace.times) == set(seen)
    assert all(t >= 0 for t in trace.times.values())
    assert trace.dependents == {"a": {"b"}, "b": {"c", "d"}, "c": {"d"}, "d": set()}
    with Trace() as trace, pytest.raises(CustomError):
        get({"a": 1, "boom": (raise_custom, "a")}, "boom", callbacks=[Callback()])
    assert trace.events[0] == "start" and trace.events[-1] == ("finish", True)


def test_a_progress_bar_works_on_the_cluster(cluster: Any) -> None:
    out = io.StringIO()
    d = da.from_array(np.arange(40.0), chunks=10) + 1
    with ProgressBar(out=out, use_tqdm=False):
        assert d.sum().compute(scheduler=cluster) == (np.arange(40.0) + 1).sum()
    assert out.getvalue().endswith("\n") and "100% Completed" in out.getvalue()
