"""Engine policies: memory is freed early, nested and concurrent computes never deadlock."""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from operator import add
from typing import Any, ClassVar

import pytest

from tessera.callbacks import Callback
from tessera.scheduling import synchronous, threaded
from tests.scheduling.tasks import inc, nested_compute


class Blob:
    """A stand-in for a large chunk; instances are tracked to count live results."""

    live: ClassVar[weakref.WeakSet[Blob]] = weakref.WeakSet()

    def __init__(self, value: int) -> None:
        self.value = value
        Blob.live.add(self)


def make(i: int) -> Blob:
    return Blob(i)


def merge(a: Blob, b: Blob) -> Blob:
    return Blob(a.value + b.value)


def tree(leaves: int) -> tuple[dict[Any, Any], Any]:
    dsk: dict[Any, Any] = {("leaf", i): (make, i) for i in range(leaves)}
    names = [("leaf", i) for i in range(leaves)]
    level = 0
    while len(names) > 1:
        level += 1
        pairs = [names[j : j + 2] for j in range(0, len(names), 2)]
        names = []
        for j, pair in enumerate(pairs):
            if len(pair) == 1:
                names.append(pair[0])
                continue
            dsk[(f"level{level}", j)] = (merge, *pair)
            names.append((f"level{level}", j))
    return dsk, names[0]


def _peak_live_blobs(run: Any) -> int:
    peak = [0]

    def watch(key: Any, result: Any, dsk: Any, state: Any, worker: Any) -> None:
        peak[0] = max(peak[0], len(Blob.live))

    with Callback(posttask=watch):
        run()
    return peak[0]


def test_tree_reduction_keeps_few_results_alive_synchronously() -> None:
    dsk, root = tree(256)
    result: list[Any] = []
    peak = _peak_live_blobs(lambda: result.append(synchronous.get(dsk, root)))
    assert result[0].value == sum(range(256))
    # depth-first order: one path of partial results (log2(256) = 8) plus the new one
    assert peak <= 10, peak


def test_tree_reduction_keeps_few_results_alive_on_threads() -> None:
    from tessera.scheduling.engine import execute
    from tessera.scheduling.graph import compile_graph

    dsk, root = tree(256)
    backend = threaded.ThreadBackend(threaded.default_pool(), 2)
    backend.target_seconds = 0.0  # one task per batch: the order alone decides
    result: list[Any] = []
    peak = _peak_live_blobs(lambda: result.extend(execute(compile_graph(dsk, [root]), backend)))
    assert result[0].value == sum(range(256))
    # a path of partial results plus at most `capacity` tasks in flight
    assert peak <= 10 + backend.capacity, peak


def test_shared_input_used_by_all_consumers_before_the_next_is_made() -> None:
    n = 64
    dsk: dict[Any, Any] = {("x", i): (make, i) for i in range(n)}
    dsk.update({("y", i): (lambda b: b.value, ("x", i)) for i in range(n)})
    dsk.update({("z", i): (lambda b: -b.value, ("x", i)) for i in range(n)})
    dsk["y"] = (sum, [("y", i) for i in range(n)])
    dsk["z"] = (sum, [("z", i) for i in range(n)])
    result: list[Any] = []
    peak = _peak_live_blobs(lambda: result.append(synchronous.get(dsk, ["y", "z"])))
    assert result[0] == [sum(range(n)), -sum(range(n))]
    assert peak <= 1, peak


def test_results_are_released_after_the_last_dependent() -> None:
    released_when: dict[Any, int] = {}
    finished: list[Any] = []

    def post(key: Any, result: Any, dsk: Any, state: Any, worker: Any) -> None:
        finished.append(key)
        for k in state["released"]:
            released_when.setdefault(k, len(finished))

    dsk = {"a": 1, "b": (inc, "a"), "c": (inc, "a"), "d": (add, "b", "c")}
    with Callback(posttask=post):
        synchronous.get(dsk, "d")
    # 'a' is released once both 'b' and 'c' have run, and never the output 'd'
    assert finished.index("b") < released_when["a"] and finished.index("c") < released_when["a"]
    assert "d" not in released_when


@pytest.mark.parametrize("outer", ["threads", "processes"])
@pytest.mark.parametrize("inner", ["threads", "processes", "sync"])
def test_nested_compute_does_not_deadlock(outer: str, inner: str) -> None:
    from tessera.scheduling.registry import get_scheduler

    n_outer = 6
    dsk = {("outer", i): (nested_compute, 5, inner) for i in range(n_outer)}
    out = get_scheduler(outer)(dsk, [("outer", i) for i in range(n_outer)])
    assert out == [[1, 2, 3, 4, 5]] * n_outer


@pytest.mark.parametrize("scheduler", ["threads", "processes"])
def test_computes_from_several_threads_at_once(scheduler: str) -> None:
    from tessera.scheduling.registry import get_scheduler

    get = get_scheduler(scheduler)

    def job(k: int) -> Any:
        dsk = {("x", i): (inc, i + k) for i in range(200)}
        dsk["s"] = (sum, [("x", i) for i in range(200)])
        return get(dsk, "s")

    with ThreadPoolExecutor(4, thread_name_prefix="tessera-test-caller") as ex:
        results = list(ex.map(job, range(8)))
    assert results == [sum(range(1 + k, 201 + k)) for k in range(8)]


def test_num_workers_pool_is_temporary() -> None:
    names: set[str] = set()

    def who(x: int) -> int:
        names.add(threading.current_thread().name)
        return x

    dsk = {("x", i): (who, i) for i in range(20)}
    assert threaded.get(dsk, list(dsk), num_workers=3) == list(range(20))
    assert all(n.startswith("tessera-temp") for n in names)
    assert not [t for t in threading.enumerate() if t.name.startswith("tessera-temp")]


def test_bad_num_workers() -> None:
    with pytest.raises(ValueError, match="num_workers must be a positive integer or None, got -1"):
        threaded.get({"a": 1}, "a", num_workers=-1)


def test_synchronous_runs_in_the_calling_thread_with_a_plain_traceback() -> None:
    where: list[Any] = []

    def boom(x: int) -> int:
        where.append(threading.current_thread())
        raise KeyError("inside")

    with pytest.raises(KeyError) as info:
        synchronous.get({"a": (boom, 1)}, "a")
    assert where == [threading.current_thread()]
    # pdb.post_mortem would land in the user's function: it is the last frame
    tb = info.value.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    assert tb is not None and tb.tb_frame.f_code.co_name == "boom"


def test_graph_must_be_a_mapping() -> None:
    with pytest.raises(TypeError, match="must be a mapping"):
        synchronous.get([("a", 1)], "a")  # type: ignore[arg-type]


def test_failure_reported_while_other_batches_finish_in_the_same_wait() -> None:
    # 'a' fails only after 'b' is allowed to finish, so both outcomes can arrive together
    started = threading.Event()

    def fail() -> None:
        started.set()
        raise ValueError("boom")

    def ok() -> int:
        started.wait()
        return 1

    dsk = {"a": (fail,), "b": (ok,), "c": (lambda x, y: x, "a", "b")}
    for _ in range(20):
        started.clear()
        with pytest.raises(ValueError, match="boom"):
            threaded.get(dsk, "c", num_workers=2)
