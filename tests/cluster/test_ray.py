"""A ``RayScheduler`` as a tessera scheduler: what is specific to Ray."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scheduling.tasks import fail, inc

ray = pytest.importorskip("ray")

from tessera.scheduling.ray import RayScheduler  # noqa: E402 - after the skip


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


def test_a_failure_cancels_the_tasks_still_running(ray_scheduler: Any, monkeypatch: Any) -> None:
    gate = Gate.options(num_cpus=0).remote()
    cancelled: list[Any] = []
    cancel = ray.cancel
    monkeypatch.setattr(ray, "cancel", lambda ref, **k: cancelled.append(ref) or cancel(ref, **k))
    try:
        with pytest.raises(ZeroDivisionError):
            ray_scheduler({"blocked": (wait_for, gate), "boom": (fail, 1)}, ["blocked", "boom"])
        assert cancelled
        with pytest.raises(ray.exceptions.TaskCancelledError):
            ray.get(cancelled)
    finally:
        ray.get(gate.open.remote())
        ray.kill(gate)
