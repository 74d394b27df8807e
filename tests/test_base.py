"""The collection protocol, compute/persist/optimize, scheduler choice and tokenize."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from operator import add, mul
from typing import Any

import pytest

import tessera
from tessera import config
from tessera.base import Collection, compute, is_collection, optimize, persist
from tessera.scheduling import synchronous


class Seq(Collection):
    """A toy collection: a list of partitions, each a task; computes to a list."""

    __tessera_scheduler__ = staticmethod(synchronous.get)

    def __init__(self, dsk: dict[Any, Any], name: str, n: int) -> None:
        self.dsk, self.name, self.n = dsk, name, n

    def __tessera_graph__(self) -> dict[Any, Any]:
        return self.dsk

    def __tessera_keys__(self) -> list[Any]:
        return [(self.name, i) for i in range(self.n)]

    def __tessera_postcompute__(self) -> Any:
        return list, ()

    def __tessera_postpersist__(self) -> Any:
        return Seq, (self.name, self.n)

    def map(self, func: Any, name: str) -> Seq:
        dsk = dict(self.dsk)
        dsk.update({(name, i): (func, (self.name, i)) for i in range(self.n)})
        return Seq(dsk, name, self.n)


calls: list[Any] = []


def counted(x: int) -> int:
    calls.append(x)
    return x + 1


def base() -> Seq:
    return Seq({("x", i): i for i in range(4)}, "x", 4)


@pytest.fixture(autouse=True)
def reset() -> Iterator[None]:
    calls.clear()
    config.refresh()
    yield
    config.refresh()


def test_compute_function_and_method() -> None:
    y = base().map(counted, "y")
    assert y.compute() == [1, 2, 3, 4]
    assert compute(y, 5, [y]) == ([1, 2, 3, 4], 5, [[1, 2, 3, 4]])
    assert compute({"k": y}, traverse=False)[0] == {"k": y}
    assert tessera.base.compute is tessera.compute


def test_compute_shares_intermediates() -> None:
    y = base().map(counted, "y")
    a, b = y.map(abs, "a"), y.map(lambda v: -v, "b")
    assert compute(a, b) == ([1, 2, 3, 4], [-1, -2, -3, -4])
    assert sorted(calls) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "name",
    [
        "sync",
        "synchronous",
        "single-threaded",
        "threads",
        "threading",
        "processes",
        "multiprocessing",
    ],
)
def test_scheduler_names(name: str) -> None:
    assert base().map(abs, "a").compute(scheduler=name) == [0, 1, 2, 3]


def test_scheduler_get_function_and_executor() -> None:
    used = []

    def my_get(dsk: Any, keys: Any, **kwargs: Any) -> Any:
        used.append(kwargs)
        return synchronous.get(dsk, keys)

    assert base().compute(scheduler=my_get, num_workers=2) == [0, 1, 2, 3]
    assert used == [{"num_workers": 2}]
    with ThreadPoolExecutor(2) as ex:
        assert base().map(abs, "a").compute(scheduler=ex) == [0, 1, 2, 3]


def test_scheduler_precedence() -> None:
    where: list[str] = []

    def who(x: int) -> int:
        where.append(threading.current_thread().name)
        return x

    seq = base().map(who, "w")
    seq.compute()  # the collection's default: synchronous
    with config.set(scheduler="threads"):
        seq.compute()
        seq.compute(scheduler="sync")
    assert where[0:4] == ["MainThread"] * 4
    assert all(w.startswith("tessera") for w in where[4:8])
    assert where[8:] == ["MainThread"] * 4


def test_unknown_scheduler() -> None:
    with pytest.raises(ValueError, match=r"Unknown scheduler 'fast'.*'threads'"):
        base().compute(scheduler="fast")
    with pytest.raises(TypeError, match="scheduler must be"):
        base().compute(scheduler=42)


def test_persist_keeps_results() -> None:
    y = base().map(counted, "y")
    (p,) = persist(y)
    assert len(calls) == 4
    assert p.dsk == {("y", i): i + 1 for i in range(4)}
    assert p.map(abs, "z").compute() == [1, 2, 3, 4]
    assert len(calls) == 4
    assert y.persist().compute() == [1, 2, 3, 4]


def test_optimize_culls_and_fuses() -> None:
    y = base().map(counted, "y").map(abs, "z")
    (o,) = optimize(y)
    assert len(o.dsk) == 4 and all(k[0] == "z" for k in o.dsk)
    assert o.compute() == [1, 2, 3, 4]
    assert y.compute(optimize_graph=False) == [1, 2, 3, 4]


def test_is_collection() -> None:
    assert is_collection(base()) and not is_collection(Seq) and not is_collection([1])


def test_kwargs_reach_the_scheduler() -> None:
    with pytest.raises(ZeroDivisionError):
        Seq({("x", 0): (mul, 1, 0), ("y", 0): (lambda v: 1 / v, ("x", 0))}, "y", 1).compute(
            scheduler="threads", rerun_exceptions_locally=True
        )
    assert tessera.compute(Seq({("s", 0): (add, 1, 2)}, "s", 1), num_workers=1) == ([3],)


def test_plain_arguments_that_look_like_containers_come_back_unchanged() -> None:
    odd = (list, [2])
    assert compute(base(), odd, traverse=False)[1] == odd
    assert compute(base(), {"k": odd}, [odd])[1:] == ({"k": odd}, [odd])
