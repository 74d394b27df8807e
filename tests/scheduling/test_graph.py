"""The graph spec and its tools: keys, tasks, references, cull, toposort, validation."""

from __future__ import annotations

from operator import add
from typing import Any

import pytest

from tessera.errors import CycleError, KeyNotInGraphError, MissingDependencyError
from tessera.scheduling.graph import (
    compile_graph,
    cull,
    flatten_keys,
    get_dependencies,
    iskey,
    istask,
    toposort,
    validate,
)
from tessera.scheduling.optimize import Chain, fuse_chains, optimize_graph
from tessera.scheduling.synchronous import get
from tests.scheduling.tasks import inc


def test_keys_and_tasks() -> None:
    assert all(iskey(k) for k in ["x", b"x", 1, 1.5, ("x", 0), ("x", ("y", 1))])
    assert not any(iskey(k) for k in [True, ["x"], {"x": 1}, ("x", [1]), None])
    assert istask((add, 1, 2)) and not istask((1, add)) and not istask(()) and not istask([add])


def test_int_keys_are_references_like_in_dask() -> None:
    assert get({1: 10, 2: (inc, 1)}, 2) == 11


def test_tasks_in_nested_lists_are_evaluated_without_references() -> None:
    dsk = {"x": (list, [[(add, 1, 2)], [(inc, 3)]])}
    assert get(dsk, "x") == [[3], [4]]


def test_dependencies() -> None:
    dsk = {"a": 1, "b": 2, "c": (add, "a", [("x", 0), (inc, "b")]), ("x", 0): 5}
    assert get_dependencies(dsk, "c") == {"a", "b", ("x", 0)}
    assert get_dependencies(dsk, "a") == set()
    with pytest.raises(KeyNotInGraphError):
        get_dependencies(dsk, "nope")


def test_toposort_puts_dependencies_first() -> None:
    dsk = {"d": (add, "b", "c"), "c": (inc, "a"), "b": (inc, "a"), "a": 1}
    order = toposort(dsk)
    assert sorted(order) == sorted(dsk)
    pos = {k: i for i, k in enumerate(order)}
    for k in dsk:
        assert all(pos[d] < pos[k] for d in get_dependencies(dsk, k))


def test_cull() -> None:
    dsk = {"a": 1, "b": (inc, "a"), "c": (inc, "b"), "unrelated": (inc, 5)}
    assert cull(dsk, ["b"]) == {"a": 1, "b": (inc, "a")}
    assert cull(dsk, [["c"], "a"]) == {"a": 1, "b": (inc, "a"), "c": (inc, "b")}


def test_cycle_message_prints_the_cycle() -> None:
    with pytest.raises(CycleError) as info:
        validate({"a": (inc, "b"), "b": (inc, "a")})
    assert "'a' -> 'b' -> 'a'" in str(info.value)
    assert info.value.cycle == ["a", "b", "a"]
    with pytest.raises(CycleError, match="'s' -> 's'"):
        get({"s": (inc, "s")}, "s")


def test_missing_chunk_dependency_names_key_and_task() -> None:
    dsk = {("x", 0): 1, ("x", 1): 2, "total": (add, ("x", 0), ("x", 2))}
    with pytest.raises(MissingDependencyError) as info:
        get(dsk, "total")
    msg = str(info.value)
    assert "('x', 2)" in msg and "'total'" in msg
    assert info.value.missing == ("x", 2) and info.value.needed_by == "total"


def test_key_not_in_graph() -> None:
    with pytest.raises(KeyNotInGraphError, match="Key 'q' is not in the graph"):
        get({"a": 1}, "q")
    with pytest.raises(KeyError):  # also a KeyError, as users expect
        get({"a": 1}, ["a", ["q"]])


def test_validate_rejects_non_keys() -> None:
    with pytest.raises(TypeError, match="is not a key"):
        validate({True: 1})


def test_flatten_keys() -> None:
    assert flatten_keys([["a", [("x", 1)]], [], "b"]) == ["a", ("x", 1), "b"]
    assert flatten_keys(("x", 1)) == [("x", 1)]


def test_compiled_deps_are_distinct() -> None:
    cg = compile_graph({"a": 1, "b": (add, "a", "a")}, ["b"])
    assert cg.deps[0] == (1,)


def test_fuse_chains_keeps_outputs_and_shared_keys() -> None:
    dsk: dict[Any, Any] = {"a": 1, "b": (inc, "a"), "c": (inc, "b"), "d": (inc, "c")}
    dsk["e"] = (add, "d", "d")
    dsk["f"] = (inc, "d")
    fused = fuse_chains(dsk, ["e", "f"])
    assert "d" in fused and "b" not in fused and "c" not in fused
    assert get(fused, ["e", "f"]) == [8, 5]
    assert get(fuse_chains(dsk, ["c", "e"]), ["c", "e"]) == [3, 8]


def test_chain_of_ten_thousand_fuses_flat_and_pickles() -> None:
    import pickle

    dsk: dict[Any, Any] = {("c", 0): 0}
    for i in range(1, 10_000):
        dsk[("c", i)] = (inc, ("c", i - 1))
    fused = optimize_graph(dsk, [("c", 9_999)])
    (task,) = fused.values()
    assert isinstance(task[0], Chain)
    assert get(pickle.loads(pickle.dumps(fused)), ("c", 9_999)) == 9_999
