"""Callback hooks fire in the documented order on every scheduler; tasks are timed in the
worker only when a callback asks for it."""

from __future__ import annotations

from typing import Any

import pytest

from tessera.callbacks import Callback
from tessera.scheduling import batch as batch_mod
from tessera.scheduling import synchronous, threaded
from tessera.scheduling.batch import Batch, run_batch
from tessera.scheduling.graph import compile_graph
from tests.diagnostics.tasks import chain_and_fan, fail, inc


class Recorder(Callback):
    """Records every hook call as a tuple."""

    def __init__(self, times: bool) -> None:
        super().__init__()
        self.events: list[tuple[Any, ...]] = []
        self.task_times = times  # type: ignore[misc]  # per instance, for the test

    def _start(self, dsk: Any) -> None:
        self.events.append(("start",))

    def _start_state(self, dsk: Any, state: Any) -> None:
        self.events.append(("start_state",))

    def _pretask(self, key: Any, dsk: Any, state: Any) -> None:
        self.events.append(("pretask", key))

    def _task_time(self, key: Any, dsk: Any, start: float, end: float, worker: Any) -> None:
        assert start <= end
        self.events.append(("task_time", key))

    def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        self.events.append(("posttask", key))

    def _finish(self, dsk: Any, state: Any, errored: bool) -> None:
        self.events.append(("finish", errored))


@pytest.mark.parametrize("times", [False, True], ids=["untimed", "timed"])
def test_documented_order_on_every_scheduler(get: Any, times: bool) -> None:
    dsk = chain_and_fan(6)
    rec = Recorder(times)
    with rec:
        get(dsk, "total")
    ev = rec.events
    assert ev[:2] == [("start",), ("start_state",)] and ev[-1] == ("finish", False)
    middle = ev[2:-1]
    where = {e: n for n, e in enumerate(middle)}
    assert len(where) == len(middle), "a hook fired twice for one task"
    names = {"pretask", "posttask"} | ({"task_time"} if times else set())
    assert {e[0] for e in middle} == names
    deps = {k: [d for d in dsk if isinstance(v, tuple) and d in v[1:]] for k, v in dsk.items()}
    for key in dsk:
        post = where["posttask", key]
        assert where["pretask", key] < post
        if times:
            assert where["task_time", key] == post - 1  # right before its posttask
        for d in deps[key]:  # a task is reported after the tasks it depends on
            assert where["posttask", d] < post


def test_failure_still_finishes_and_reports_no_failed_task(get: Any) -> None:
    rec = Recorder(True)
    with rec, pytest.raises(ZeroDivisionError):
        get({"a": 1, "b": (fail, "a"), "c": (inc, "b")}, "c")
    assert rec.events[-1] == ("finish", True)
    reported = {e[1] for e in rec.events if e[0] in ("task_time", "posttask")}
    assert reported <= {"a"}


def test_tasks_are_not_timed_without_a_timing_callback(monkeypatch: pytest.MonkeyPatch) -> None:
    """No timing wrapper is built unless some callback sets ``task_times``."""
    made: list[int] = []
    original = batch_mod.timed_runner

    def spy(times: list[float]) -> Any:
        made.append(1)
        return original(times)

    monkeypatch.setattr(batch_mod, "timed_runner", spy)
    threaded.get(chain_and_fan(5), "total")
    with Recorder(False):
        threaded.get(chain_and_fan(5), "total")
    assert made == []
    with Recorder(True):
        threaded.get(chain_and_fan(5), "total")
    assert made


def test_run_batch_times_only_timed_batches() -> None:
    cg = compile_graph({"a": 1, "b": (inc, "a"), "c": (inc, "b")}, ["c"])
    ids = [2, 1, 0]  # compile ids: c=0, b=1, a=2
    ops = [cg.ops[i] for i in ids]
    untimed = run_batch(Batch(ids, ops, [True, True, False]), {})
    assert untimed.times is None and untimed.values == {0: 3}
    timed = run_batch(Batch(ids, ops, [True, True, False], timed=True), {})
    assert timed.values == {0: 3} and timed.times is not None
    assert len(timed.times) == 6 and timed.times == sorted(timed.times)


def test_sync_timing_hook_sees_each_task_once() -> None:
    seen: list[Any] = []

    class Times(Callback):
        task_times = True

        def _task_time(self, key: Any, dsk: Any, start: float, end: float, w: Any) -> None:
            seen.append(key)

    with Times():
        assert synchronous.get({"a": 1, "b": (inc, "a")}, "b") == 2
    assert seen == ["a", "b"]
