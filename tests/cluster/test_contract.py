"""The scheduler contract on the clusters: a Dask ``Client`` and a ``RayScheduler``.

The contract's tests are imported from tests/scheduling/test_contract.py and run with the
``get`` fixture of tests/cluster/conftest.py.  Three differ on a cluster, where nothing a
task takes or returns stays in the caller's process: an exception that cannot be pickled
comes back as ``RemoteError``, and an unpicklable function or result is an error.
The chain of ten thousand tasks runs fused on Ray (one Ray task per key waits a few
milliseconds for each link's predecessor: per key, it runs a shorter chain).
"""

from __future__ import annotations

from typing import Any

import pytest

from tessera.errors import RemoteError, SerializationError
from tessera.scheduling.ray import RayScheduler
from tests.scheduling.tasks import inc, raise_unpicklable, return_lock
from tests.scheduling.test_contract import (
    test_arguments_that_are_not_references_pass_through,
    test_cycle_is_reported_with_its_path,
    test_failure_in_a_chain_names_the_failing_link,
    test_failure_then_success,
    test_lambdas_and_closures_run_everywhere,
    test_missing_key,
    test_nested_key_lists_keep_their_structure,
    test_overview_examples,
    test_random_dags_match_recursive_evaluation,
    test_rerun_exceptions_locally,
    test_tuple_keys_and_lists_of_keys_inside_tasks,
    test_unneeded_tasks_are_culled,
    test_user_exception_type_and_task_key,
    test_wide_graph,
)

__all__ = [
    "test_arguments_that_are_not_references_pass_through",
    "test_cycle_is_reported_with_its_path",
    "test_failure_in_a_chain_names_the_failing_link",
    "test_failure_then_success",
    "test_lambdas_and_closures_run_everywhere",
    "test_missing_key",
    "test_nested_key_lists_keep_their_structure",
    "test_overview_examples",
    "test_random_dags_match_recursive_evaluation",
    "test_rerun_exceptions_locally",
    "test_tuple_keys_and_lists_of_keys_inside_tasks",
    "test_unneeded_tasks_are_culled",
    "test_user_exception_type_and_task_key",
    "test_wide_graph",
]


def test_long_chains(get: Any, scheduler_name: str) -> None:
    def chain(n: int) -> dict[Any, Any]:
        dsk: dict[Any, Any] = {("c", 0): 0}
        for i in range(1, n):
            dsk[("c", i)] = (inc, ("c", i - 1))
        return dsk

    if scheduler_name == "ray":
        assert get(chain(300), ("c", 299)) == 299
        get = RayScheduler(fuse_chains=True)
    assert get(chain(10_000), ("c", 9_999)) == 9_999


def test_unpicklable_exception_still_reported(get: Any) -> None:
    with pytest.raises(RemoteError, match=r"Unpicklable.*holds a lock") as info:
        get({"x": (raise_unpicklable, 1)}, "x")
    assert "while computing task 'x'" in info.value.__notes__


def test_result_that_cannot_be_pickled(get: Any) -> None:
    with pytest.raises(TypeError, match=r"serialize|pickle"):
        get({"x": (return_lock, 1)}, "x")


def test_unpicklable_function_suggests_threads(get: Any) -> None:
    import threading

    lock = threading.Lock()

    def uses_lock(x: int) -> int:
        with lock:
            return x + 1

    with pytest.raises(SerializationError, match="scheduler='threads'") as info:
        get({"a": 1, "b": (uses_lock, "a")}, "b")
    assert "while computing task 'b'" in info.value.__notes__
