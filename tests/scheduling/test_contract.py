"""The scheduler contract: every scheduler gives the same answers and the same errors."""

from __future__ import annotations

from operator import add
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tessera.errors import CycleError, KeyNotInGraphError, SerializationError
from tests.scheduling.tasks import (
    CustomError,
    combine,
    fail,
    inc,
    raise_custom,
    raise_unpicklable,
    return_lock,
)

OVERVIEW = {"a": 1, "b": 2, "c": (add, "a", "b"), "d": (sum, ["a", "b", "c"])}


def test_overview_examples(get: Any) -> None:
    assert get(OVERVIEW, "c") == 3
    assert get(OVERVIEW, "d") == 6
    assert get(OVERVIEW, ["a", "b", "c"]) == [1, 2, 3]


def test_nested_key_lists_keep_their_structure(get: Any) -> None:
    assert get(OVERVIEW, [["a", "b"], ["c", ["d"]]]) == [[1, 2], [3, [6]]]
    assert get(OVERVIEW, []) == []
    assert get(OVERVIEW, ["c", "c"]) == [3, 3]


def test_tuple_keys_and_lists_of_keys_inside_tasks(get: Any) -> None:
    dsk: dict[Any, Any] = {("x", i): (inc, i) for i in range(5)}
    dsk["total"] = (sum, [("x", i) for i in range(5)])
    dsk["nested"] = (max, [[("x", 0), ("x", 4)][1], (inc, ("x", 1))])
    assert get(dsk, "total") == sum(range(1, 6))
    assert get(dsk, "nested") == 5
    assert get(dsk, ("x", 3)) == 4


def test_arguments_that_are_not_references_pass_through(get: Any) -> None:
    dsk = {
        "a": 10,
        "literal_tuple": (repr, ("not", "a", "key")),
        "dict_values_not_scanned": (sorted, {"a": "a"}),
        "string_that_is_a_key": (add, "a", 1),
        "alias": "a",
        "data_list": [1, 2],
        "list_with_ref": ["a", (inc, "a")],
    }
    assert get(dsk, "literal_tuple") == "('not', 'a', 'key')"
    assert get(dsk, "dict_values_not_scanned") == ["a"]
    assert get(dsk, "string_that_is_a_key") == 11
    assert get(dsk, "alias") == 10
    assert get(dsk, "data_list") == [1, 2]
    assert get(dsk, "list_with_ref") == [10, 11]


def test_unneeded_tasks_are_culled(get: Any) -> None:
    dsk = {"a": 1, "b": (inc, "a"), "broken": (fail, "a")}
    assert get(dsk, "b") == 2


def test_shared_intermediates_run_once() -> None:
    from tessera.scheduling import threaded

    calls: list[int] = []

    def once(x: int) -> int:
        calls.append(x)
        return x * 10

    dsk = {"x": 1, "shared": (once, "x"), "y": (inc, "shared"), "z": (add, "shared", "shared")}
    assert threaded.get(dsk, ["y", "z"]) == [11, 20]
    assert calls == [1]


def test_chain_of_ten_thousand_tasks(get: Any) -> None:
    dsk: dict[Any, Any] = {("c", 0): 0}
    for i in range(1, 10_000):
        dsk[("c", i)] = (inc, ("c", i - 1))
    assert get(dsk, ("c", 9_999)) == 9_999


def test_wide_graph(get: Any) -> None:
    dsk: dict[Any, Any] = {("x", i): (inc, i) for i in range(2_000)}
    dsk["sum"] = (sum, [("x", i) for i in range(2_000)])
    assert get(dsk, "sum") == sum(range(1, 2_001))


def test_user_exception_type_and_task_key(get: Any) -> None:
    dsk = {"a": 1, "b": (inc, "a"), "boom": (raise_custom, "b")}
    with pytest.raises(CustomError, match="custom 2") as info:
        get(dsk, "boom")
    assert "while computing task 'boom'" in info.value.__notes__


def test_failure_in_a_chain_names_the_failing_link(get: Any) -> None:
    dsk = {"a": 0, "b": (inc, "a"), "c": (fail, "b"), "d": (inc, "c")}
    with pytest.raises(ZeroDivisionError, match="with 1") as info:
        get(dsk, "d")
    assert info.value.__notes__ == ["while computing task 'c'"]


def test_failure_then_success(get: Any) -> None:
    with pytest.raises(ZeroDivisionError):
        get({"x": (fail, 1)}, "x")
    assert get(OVERVIEW, "d") == 6


def test_unpicklable_exception_still_reported(get: Any, scheduler_name: str) -> None:
    from tests.scheduling.tasks import Unpicklable

    expected: type[BaseException] = Unpicklable
    if scheduler_name in ("processes", "process-executor"):
        from tessera.errors import RemoteError

        expected = RemoteError
    with pytest.raises(expected, match="holds a lock"):
        get({"x": (raise_unpicklable, 1)}, "x")


def test_cycle_is_reported_with_its_path(get: Any) -> None:
    dsk = {"a": (inc, "b"), "b": (inc, "c"), "c": (inc, "a"), "d": 1}
    with pytest.raises(CycleError, match="'a' -> 'b' -> 'c' -> 'a'"):
        get(dsk, "a")
    assert get(dsk, "d") == 1


def test_missing_key(get: Any) -> None:
    with pytest.raises(KeyNotInGraphError, match="Key 'zz' is not in the graph"):
        get(OVERVIEW, ["a", "zz"])


def test_rerun_exceptions_locally(get: Any) -> None:
    dsk = {"a": 1, "b": (inc, "a"), "c": (raise_custom, "b")}
    with pytest.raises(CustomError) as info:
        get(dsk, "c", rerun_exceptions_locally=True)
    # re-raised in this process: the traceback reaches into the task function itself
    frames = []
    tb = info.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert "raise_custom" in frames
    assert (
        info.value.__cause__ is None
        or "RemoteTraceback" not in type(info.value.__cause__).__name__
    )


def test_result_that_cannot_be_pickled(get: Any, scheduler_name: str) -> None:
    dsk = {"x": (return_lock, 1)}
    if scheduler_name in ("processes", "process-executor"):
        with pytest.raises(SerializationError, match="scheduler='threads'"):
            get(dsk, "x")
    else:
        assert type(get(dsk, "x")).__name__ == "lock"


def test_unpicklable_function_suggests_threads(get: Any, scheduler_name: str) -> None:
    import threading

    lock = threading.Lock()

    def uses_lock(x: int) -> int:
        with lock:
            return x + 1

    dsk = {"a": 1, "b": (uses_lock, "a")}
    if scheduler_name in ("processes", "process-executor"):
        with pytest.raises(SerializationError, match="scheduler='threads'") as info:
            get(dsk, "b")
        assert "while computing task 'b'" in info.value.__notes__
    else:
        assert get(dsk, "b") == 2


def test_lambdas_and_closures_run_everywhere(get: Any) -> None:
    k = 7
    dsk = {"a": 1, "b": (lambda x: x + k, "a")}
    assert get(dsk, "b") == 8


def _random_dag(draw: Any) -> tuple[dict[Any, Any], list[Any]]:
    n = draw(st.integers(1, 40))
    dsk: dict[Any, Any] = {}
    for i in range(n):
        deps = draw(st.lists(st.integers(0, max(i - 1, 0)), max_size=4)) if i else []
        const = draw(st.integers(-5, 5))
        if not deps and draw(st.booleans()):
            dsk[("n", i)] = const
        else:
            dsk[("n", i)] = (combine, [("n", d) for d in deps], const)
    keys = draw(st.lists(st.sampled_from(sorted(dsk)), min_size=1, max_size=5))
    return dsk, keys


random_dags = st.composite(_random_dag)()


def _evaluate(dsk: dict[Any, Any], key: Any) -> Any:
    task = dsk[key]
    if isinstance(task, tuple):
        func, deps, const = task
        return func([_evaluate(dsk, d) for d in deps], const)
    return task


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(random_dags)
def test_random_dags_match_recursive_evaluation(get: Any, graph: Any) -> None:
    dsk, keys = graph
    assert get(dsk, keys) == [_evaluate(dsk, k) for k in keys]
