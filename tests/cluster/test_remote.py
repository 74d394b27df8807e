"""Preparing graphs for a cluster (tessera.scheduling.remote), without any cluster."""

from __future__ import annotations

import pickle
from functools import partial
from operator import add
from typing import Any

import numpy as np
import pytest

from tessera.errors import RemoteError, RemoteTraceback
from tessera.scheduling import synchronous
from tessera.scheduling.graph import CALL
from tessera.scheduling.optimize import fuse_chains
from tessera.scheduling.remote import local_error, run_step
from tessera.scheduling.remote_plan import plan
from tests.scheduling.tasks import CustomError, inc, raise_custom, raise_unpicklable


class Handle:
    """Stands for a Future / ObjectRef: a value that already lives on the cluster."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _is_handle(x: object) -> bool:
    return isinstance(x, Handle)


def _run(p: Any) -> list[Any]:
    """Run a plan in order, as a cluster would: handles resolve to their values."""
    results: list[Any] = []
    lifted = [x.value if isinstance(x, Handle) else x for x in p.lifted]
    for u in p.units:
        args = [results[a] if a >= 0 else lifted[-a - 1] for a in u.args]
        results.append(run_step(pickle.loads(pickle.dumps(u.step)), *args))
    return [results[a] if a >= 0 else lifted[-a - 1] for a in p.outputs]


def test_one_unit_per_key_or_per_chain() -> None:
    dsk = {"a": 1, "b": (inc, "a"), "c": (inc, "b"), "d": (add, "c", "c"), "e": (inc, "d")}
    p = plan(dsk, ["e", "b"], _is_handle)
    assert [u.step.keys for u in p.units] == [["a"], ["b"], ["c"], ["d"], ["e"]]
    assert [u.args for u in p.units] == [[], [0], [1], [2], [3]]
    assert p.dependents == [1, 1, 1, 1, 0] and _run(p) == [7, 2]
    # fused: chains become one unit, and a requested key ("b") ends its chain
    p = plan(dsk, ["e", "b"], _is_handle, fuse=True)
    assert [u.step.keys for u in p.units] == [["a", "b"], ["c", "d", "e"]]
    assert p.units[1].args == [0] and p.dependents == [1, 0]
    assert _run(p) == [7, 2]


def test_units_follow_tessera_order() -> None:
    dsk: dict[Any, Any] = {("x", i): i for i in range(4)}
    dsk.update({"s01": (add, ("x", 0), ("x", 1)), "s23": (add, ("x", 2), ("x", 3))})
    dsk["total"] = (add, "s01", "s23")
    p = plan(dsk, ["total"], _is_handle)
    order = [u.step.keys[-1] for u in sorted(p.units, key=lambda u: u.rank)]
    assert order == [("x", 0), ("x", 1), "s01", ("x", 2), ("x", 3), "s23", "total"]
    assert _run(p) == [6]


def test_large_literals_are_lifted_once() -> None:
    big = np.arange(50_000)
    dsk = {"s": (np.sum, big), "m": (sum, [(len, big), 1]), "v": big, "n": (len, "v")}
    p = plan(dsk, ["s", "m", "n"], _is_handle, threshold=1000)
    assert len(p.lifted) == 1 and p.lifted[0] is big and p.remote == [False]
    args = {u.step.keys[0]: u.args for u in p.units}
    assert args == {"s": [-1], "m": [-1], "v": [-1], "n": [list(args).index("v")]}
    assert all(len(pickle.dumps(u.step)) < 1000 for u in p.units)
    assert _run(p) == [big.sum(), len(big) + 1, len(big)]


def test_small_literals_stay_inline() -> None:
    p = plan({"s": (sum, np.arange(10))}, ["s"], _is_handle, threshold=1000)
    assert p.lifted == [] and _run(p) == [45]


def test_handles_are_inputs_even_inside_fused_chains() -> None:
    h0, h1 = Handle(10), Handle(20)
    dsk = {("x", 0): h0, ("x", 1): h1, ("y", 0): (inc, ("x", 0)), ("y", 1): (inc, ("x", 1))}
    dsk["z"] = (add, ("y", 0), ("y", 1))
    fused = fuse_chains(dsk, ["z"])  # the handles end up inside Chain tasks
    p = plan(fused, ["z"], _is_handle, fuse=True)
    assert {id(x) for x in p.lifted} == {id(h0), id(h1)} and p.remote == [True, True]
    assert _run(p) == [32]
    # a requested handle is not a task: it is fetched as it is
    p = plan(dsk, [("x", 1), "z"], _is_handle)
    assert p.outputs[0] < 0 and _run(p) == [20, 32]


def test_handles_in_lists_and_nested_tasks() -> None:
    h = Handle(5)
    dsk = {"a": [h, 1], "b": (sum, [h, (inc, h)]), "c": (add, h, 1)}
    assert _run(plan(dsk, ["a", "b", "c"], _is_handle)) == [[5, 1], 11, 6]


def test_task_semantics_are_tessera_s() -> None:
    dsk = {
        "a": 10,
        "t": (repr, ("a", 2)),  # a tuple that is not a key: passed as it is
        "d": (sorted, {"a": "a"}),  # dict values are not scanned
        "l": ["a", (inc, "a")],
        "alias": "a",
    }
    assert _run(plan(dsk, ["t", "d", "l", "alias"], _is_handle)) == [
        "('a', 2)",
        ["a"],
        [10, 11],
        10,
    ]


def test_failures_pickle_and_come_back_as_the_user_s_exception() -> None:
    p = plan({"a": 1, "b": (raise_custom, "a")}, ["b"], _is_handle, fuse=True)
    with pytest.raises(CustomError) as info:
        run_step(p.units[0].step)
    sent = pickle.loads(pickle.dumps(info.value))
    exc, key = local_error(sent)
    assert key == "b" and exc.__notes__ == ["while computing task 'b'"]
    assert isinstance(exc.__cause__, RemoteTraceback) and "raise_custom" in exc.__cause__.tb
    other = ValueError("not from a step")
    assert local_error(other) == (other, None)


def test_unpicklable_failures_become_remote_errors() -> None:
    p = plan({"x": (raise_unpicklable, 1)}, ["x"], _is_handle)
    with pytest.raises(RemoteError, match="Unpicklable") as info:
        run_step(p.units[0].step)
    assert info.value.__context__ is None and pickle.loads(pickle.dumps(info.value))


def weighted(x: Any, *, weights: Any) -> float:
    return float((x * weights).sum())


def shapes(t: Any) -> list[Any]:
    """The types around the arrays of ``((array, 1), {"w": array})`` and their lengths."""
    (a, one), d = t
    return [type(t), type(t[0]), type(d), len(a), one, len(d["w"])]


def test_large_literals_nested_in_tasks_are_lifted_once() -> None:
    big = np.arange(50_000)
    dsk = {
        "p": (partial(np.dot, big), big),  # in a partial's args and as an argument
        "kw": (partial(weighted, weights=big), 2),  # in a partial's keywords
        "t": (shapes, ((big, 1), {"w": big})),  # in tuples and dicts
        "l": (len, [[big], 1]),  # in nested lists
        "v": ("x", {"y": (big,)}),  # in a value that is not a task
        "fused": (inc, (partial(np.sum, big),)),  # in a nested task
    }
    keys = list(dsk)
    expected = synchronous.get(dsk, keys)
    for fuse in (False, True):
        p = plan(dsk, keys, _is_handle, threshold=1000, fuse=fuse)
        assert len(p.lifted) == 1 and p.lifted[0] is big and p.remote == [False]
        assert all(len(pickle.dumps(u.step)) < 1500 for u in p.units)
        got = _run(p)
        assert got[2] == [tuple, tuple, dict, len(big), 1, len(big)]
        assert got[4][0] == "x" and got[4][1]["y"][0] is big
        assert repr(got) == repr(expected)


def test_small_parts_that_add_up_are_lifted_whole() -> None:
    parts = tuple(np.arange(200) + i for i in range(10))  # 1.6 kB each, 16 kB together
    p = plan({"n": (len, parts), "s": (partial(sum, parts),)}, ["n", "s"], _is_handle, 10_000)
    assert len(p.lifted) == 1 and p.lifted[0] is parts
    assert _run(p)[0] == 10 and (_run(p)[1] == sum(parts)).all()


def test_small_nested_literals_leave_the_task_unchanged() -> None:
    f = partial(np.add, np.arange(3))
    dsk = {"x": (f, (1, {"k": [2]}))}
    p = plan(dsk, ["x"], _is_handle, threshold=1000)
    assert p.lifted == [] and p.units[0].step.ops[0] == (CALL, f, dsk["x"][1:], ())


def test_handles_nested_in_task_arguments_are_inputs() -> None:
    h = Handle(np.arange(4))
    dsk = {"t": (shapes, ((h, 1), {"w": h})), "s": (partial(np.sum, h),)}
    p = plan(dsk, ["t", "s"], _is_handle)
    assert p.lifted == [h] and p.remote == [True]
    assert _run(p) == [[tuple, tuple, dict, 4, 1, 4], 6]
