"""A ``RayScheduler`` as a tessera scheduler: what is specific to Ray."""

from __future__ import annotations

import types
from functools import partial
from operator import add
from typing import Any

import numpy as np
import pytest

from tests.scheduling.tasks import fail, inc

ray = pytest.importorskip("ray")

from tessera.scheduling import ray as ray_adapter  # noqa: E402 - after the skip
from tessera.scheduling.ray import RayScheduler  # noqa: E402


class SpyRun:
    """Stands for the remote function of a :class:`Submission`: records every task
    submitted (its name and ref) and, when given the submission, the units whose refs
    the driver held just before."""

    def __init__(self, real: Any, sub: Any = None) -> None:
        self.real, self.sub = real, sub
        self.names: list[str] = []
        self.refs: list[Any] = []
        self.held: list[set[int]] = []

    def options(self, **options: Any) -> Any:
        real = self.real.options(**options)

        def remote(*args: Any) -> Any:
            if self.sub is not None:
                self.held.append(set(self.sub.held))
            ref = real.remote(*args)
            self.names.append(options["name"])
            self.refs.append(ref)
            return ref

        return types.SimpleNamespace(remote=remote)


@pytest.fixture
def spy(ray_scheduler: Any, monkeypatch: Any) -> SpyRun:
    """Every task a ``RayScheduler`` submits in this test, through a :class:`SpyRun`."""
    ray_scheduler({"warm": 1}, "warm")  # creates the remote function
    run = SpyRun(ray_adapter._remote["run"])
    monkeypatch.setitem(ray_adapter._remote, "run", run)
    return run


def tree() -> dict[Any, Any]:
    dsk: dict[Any, Any] = {("x", i): (inc, i) for i in range(4)}
    dsk.update({"s01": (add, ("x", 0), ("x", 1)), "s23": (add, ("x", 2), ("x", 3))})
    dsk.update({"total": (add, "s01", "s23"), "twice": (add, "total", "total")})
    dsk["y"] = (inc, ("x", 3))
    return dsk


def task_name(*_: Any) -> str:
    return str(ray.get_runtime_context().get_task_name())


@ray.remote
class Gate:
    """Holds tasks until opened (an asyncio event in an actor: no polling, no sleep)."""

    def __init__(self) -> None:
        import asyncio

        self.event = asyncio.Event()

    async def wait(self) -> bool:
        await self.event.wait()
        return True

    async def open(self) -> None:
        self.event.set()


def wait_for(gate: Any) -> bool:
    return bool(ray.get(gate.wait.remote()))


def test_a_running_ray_is_used_and_left_running(ray_scheduler: Any) -> None:
    other = RayScheduler(address="auto")
    assert other({"a": (inc, 1)}, "a") == 2
    other.close()
    assert not other.started and ray.is_initialized()


def test_each_task_is_named_by_its_key(ray_scheduler: Any) -> None:
    dsk = {"who": (task_name,), ("k", 1): (task_name,), "first": 1, "last": (task_name, "first")}
    assert ray_scheduler(dsk, ["who", ("k", 1), "last"]) == ["who", "('k', 1)", "last"]


def test_one_remote_task_per_key(ray_scheduler: Any, spy: SpyRun) -> None:
    dsk = {"a": 1, "b": (inc, "a"), "c": (inc, "b"), "d": (task_name, "c")}
    assert ray_scheduler(dsk, ["d", "b"]) == ["d", 2]
    assert spy.names == ["a", "b", "c", "d"]


def test_fused_chains_are_an_option(ray_scheduler: Any, spy: SpyRun) -> None:
    fused = RayScheduler(fuse_chains=True)
    dsk = {"a": 1, "b": (inc, "a"), "c": (inc, "b"), "d": (task_name, "c")}
    assert fused(dsk, ["d", "b"]) == ["d", 2]
    assert (
        spy.names == ["b", "d"] and repr(fused) == "RayScheduler(address=None, fuse_chains=True)"
    )
    fused.close()
    assert ray.is_initialized()  # it did not start Ray, so it leaves it running


def test_refs_are_dropped_once_the_last_dependent_is_submitted(ray_scheduler: Any) -> None:
    sub = ray_scheduler.submission(tree(), ["twice", ("x", 1), "y"], {})
    sub.run = spy = SpyRun(sub.run, sub)
    sub.submit()
    units, outputs = sub.plan.units, set(sub.plan.outputs)
    assert len(spy.held) == len(units) == 9
    for n, held in enumerate(spy.held):
        needed_later = {a for u in units[n:] for a in u.args if a >= 0}
        assert held == {a for a in range(n) if a in needed_later or a in outputs}
    assert set(sub.held) == outputs  # only the requested results are still referenced
    assert sub.fetch() == [20, 2, 5]
    assert not sub.pending  # every task was seen finished, and its ref let go


def test_only_the_requested_keys_are_fetched(
    ray_scheduler: Any, spy: SpyRun, monkeypatch: Any
) -> None:
    fetched: list[Any] = []
    get = ray.get
    monkeypatch.setattr(ray, "get", lambda ref, **k: fetched.append(ref) or get(ref, **k))
    assert ray_scheduler(tree(), ["twice", ["y", "twice"]]) == [20, [5, 20]]
    by_name = dict(zip(spy.names, spy.refs, strict=True))
    assert len(spy.names) == 9
    assert sorted(fetched, key=spy.refs.index) == [by_name["y"], by_name["twice"]]


def test_large_literals_are_put_once_even_nested(
    ray_scheduler: Any, spy: SpyRun, monkeypatch: Any
) -> None:
    big = np.arange(200_000)
    put: list[Any] = []
    real_put = ray.put
    monkeypatch.setattr(ray, "put", lambda x, **k: put.append(x) or real_put(x, **k))
    dsk = {"dot": (partial(np.dot, big), big), "n": (len, ((big, 1),)), "s": (add, "dot", "n")}
    assert ray_scheduler(dsk, "s") == big @ big + 1
    assert len(put) == 1 and put[0] is big


def test_a_failure_cancels_the_tasks_still_running(ray_scheduler: Any, spy: SpyRun) -> None:
    gate = Gate.options(num_cpus=0).remote()
    dsk = {"blocked": (wait_for, gate), "after": (inc, "blocked"), "boom": (fail, 1)}
    try:
        with pytest.raises(ZeroDivisionError):
            ray_scheduler(dsk, ["after", "boom"])
        # the gate is still closed: only cancelling can have finished the blocked tasks
        _, running = ray.wait(spy.refs, num_returns=len(spy.refs), timeout=120)
        assert not running, "tasks left running after a failure"
        by_name = dict(zip(spy.names, spy.refs, strict=True))
        for name in ("blocked", "after"):
            with pytest.raises(ray.exceptions.TaskCancelledError):
                ray.get(by_name[name])
    finally:
        ray.get(gate.open.remote())
        ray.kill(gate)
