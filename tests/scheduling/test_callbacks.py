"""Callbacks fire in the documented order on every scheduler, and cost nothing when absent."""

from __future__ import annotations

from operator import add
from typing import Any

import pytest

from tessera.callbacks import Callback
from tessera.scheduling import engine, synchronous
from tests.scheduling.tasks import fail, inc


class Recorder(Callback):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[Any, ...]] = []

    def _start(self, dsk: Any) -> None:
        self.events.append(("start",))

    def _start_state(self, dsk: Any, state: Any) -> None:
        self.events.append(("start_state", sorted(state["waiting"]), sorted(state["ready"])))

    def _pretask(self, key: Any, dsk: Any, state: Any) -> None:
        self.events.append(("pretask", key))

    def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        assert key in state["finished"]
        self.events.append(("posttask", key, result))

    def _finish(self, dsk: Any, state: Any, errored: bool) -> None:
        self.events.append(("finish", errored))


DSK = {"a": 1, "b": (inc, "a"), "c": (inc, "b"), "d": (add, "a", "c"), "e": (inc, "d")}


def test_hooks_fire_in_order_once_per_task(get: Any) -> None:
    rec = Recorder()
    with rec:
        assert get(DSK, "e") == 5
    names = [e[0] for e in rec.events]
    assert names[:2] == ["start", "start_state"] and names[-1] == "finish"
    assert rec.events[-1] == ("finish", False)
    pre = [e[1] for e in rec.events if e[0] == "pretask"]
    post = {e[1]: e[2] for e in rec.events if e[0] == "posttask"}
    assert sorted(pre) == sorted(DSK) and post == {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    for key in DSK:  # each task's pretask comes before its posttask
        assert names.index("pretask", 0) <= rec.events.index(("posttask", key, post[key]))
        assert rec.events.index(("pretask", key)) < rec.events.index(("posttask", key, post[key]))


def test_finish_reports_errors(get: Any) -> None:
    rec = Recorder()
    with rec, pytest.raises(ZeroDivisionError):
        get({"x": (fail, 1)}, "x")
    assert rec.events[-1] == ("finish", True)


def test_constructor_hooks_and_per_call_callbacks() -> None:
    seen: list[Any] = []
    cb = Callback(pretask=lambda key, dsk, state: seen.append(key))
    synchronous.get(DSK, "c", callbacks=[cb])
    assert seen == ["a", "b", "c"]
    synchronous.get(DSK, "c")
    assert seen == ["a", "b", "c"], "a per-call callback must not stay registered"


def test_global_registration() -> None:
    seen: list[Any] = []
    cb = Callback(finish=lambda dsk, state, errored: seen.append(errored))
    cb.register()
    try:
        synchronous.get(DSK, "b")
    finally:
        cb.unregister()
    synchronous.get(DSK, "b")
    assert seen == [False]


def test_state_mapping_has_dasks_keys() -> None:
    states: list[dict[str, Any]] = []

    def post(key: Any, result: Any, dsk: Any, state: Any, worker: Any) -> None:
        if key == "c":
            states.append({k: state[k] for k in state})

    with Callback(posttask=post):
        synchronous.get(DSK, "e")
    (state,) = states
    assert set(state) >= {"cache", "ready", "running", "finished", "waiting", "dependencies"}
    assert state["finished"] == {"a", "b", "c"}
    assert state["dependencies"]["d"] == {"a", "c"}
    assert state["dependents"]["a"] == {"b", "d"}
    assert state["waiting"]["e"] == {"d"}
    assert state["cache"] == {"a": 1, "c": 3}


def test_no_callbacks_means_no_state(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Any] = []
    original = engine.StateView.__init__

    def spy(self: Any, *args: Any) -> None:
        made.append(1)
        original(self, *args)

    monkeypatch.setattr(engine.StateView, "__init__", spy)
    synchronous.get(DSK, "e")
    assert made == []


def test_hooks_must_be_callable() -> None:
    with pytest.raises(TypeError, match="hook 'posttask' must be callable, got int"):
        Callback(posttask=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"must be tessera\.callbacks\.Callback instances"):
        synchronous.get(DSK, "a", callbacks=[print])


def test_state_at_start_and_pretask_match_dask(get: Any) -> None:
    seen: dict[str, Any] = {}

    def start_state(dsk: Any, state: Any) -> None:
        seen["ready"], seen["waiting"] = sorted(state["ready"]), state["waiting"]

    def pretask(key: Any, dsk: Any, state: Any) -> None:
        if key == "c":
            seen["running"], seen["ready_at_c"] = state["running"], state["ready"]

    graph = {"a": 1, "b": 2, "c": (add, "a", "b")}
    with Callback(start_state=start_state, pretask=pretask):
        assert get(graph, "c") == 3
    assert seen["ready"] == ["a", "b"] and seen["waiting"] == {"c": {"a", "b"}}
    assert "c" in seen["running"] and "c" not in seen["ready_at_c"]


def test_a_none_result_is_cached_not_released() -> None:
    snapshots: list[Any] = []

    def post(key: Any, result: Any, dsk: Any, state: Any, worker: Any) -> None:
        if key == "n":
            snapshots.append((state["released"], dict(state["cache"])))

    with Callback(posttask=post):
        synchronous.get({"n": (type(None),), "m": (lambda x: 1, "n")}, "m")
    assert snapshots == [(set(), {"n": None})]


def test_callbacks_started_before_a_failing_start_are_finished(get: Any) -> None:
    finished: list[bool] = []

    def bad_start(dsk: Any) -> None:
        raise RuntimeError("start failed")

    first = Callback(finish=lambda dsk, state, errored: finished.append(errored))
    with pytest.raises(RuntimeError, match="start failed"):
        get(DSK, "e", callbacks=[first, Callback(start=bad_start)])
    assert finished == [True]
