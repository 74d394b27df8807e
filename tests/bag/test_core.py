"""The Bag collection itself: protocol, repr, compute/persist, iteration, take, keys."""

from __future__ import annotations

import warnings

import pytest

import tessera
import tessera.bag as db
from tessera.bag import Bag, Item
from tessera.scheduling import multiprocessing
from tests.bag.funcs import NotWelcome, fail_on_7, inc, raise_not_welcome


def test_exports() -> None:
    assert db.compute is tessera.compute
    for name in db.__all__:
        assert getattr(db, name) is not None
    assert set(db.__all__) == {
        "Bag",
        "Item",
        "compute",
        "concat",
        "from_sequence",
        "map_partitions",
        "range",
        "read_text",
        "zip",
    }


def test_repr_names_and_npartitions() -> None:
    b = db.from_sequence(range(10), npartitions=3)
    assert repr(b) == f"tessera.bag<name={b.name}, npartitions=3>"
    assert b.name.startswith("from_sequence-")
    assert repr(b.sum()).startswith("tessera.bag.Item<name=sum-")


def test_default_scheduler_is_processes() -> None:
    assert Bag.__tessera_scheduler__ is multiprocessing.get
    assert Item.__tessera_scheduler__ is multiprocessing.get


def test_keys_and_graph() -> None:
    b = db.from_sequence([1, 2, 3], npartitions=2)
    assert b.__tessera_keys__() == [(b.name, 0), (b.name, 1)]
    assert set(b.dask) == {(b.name, 0), (b.name, 1)}
    assert tessera.get(b.dask, (b.name, 1)) == [2, 3]


def test_same_expression_same_keys() -> None:
    def build() -> Bag:
        return db.from_sequence(range(20), npartitions=4).map(inc).filter(lambda x: x % 3)

    a, b = build(), build()
    assert a.name == b.name
    assert a.frequencies().name == b.frequencies().name
    assert a.map(inc).name != a.map(str).name


def test_compute_returns_a_list_on_every_scheduler(scheduler: str) -> None:
    b = db.from_sequence(range(10), npartitions=3).map(inc)
    assert b.compute(scheduler=scheduler) == list(range(1, 11))


def test_compute_shares_work_between_collections() -> None:
    calls: list[int] = []

    def record(x: int) -> int:
        calls.append(x)
        return x

    b = db.from_sequence(range(6), npartitions=2).map(record)
    total, count = db.compute(b.sum(), b.count(), scheduler="sync")
    assert (total, count) == (15, 6)
    assert sorted(calls) == list(range(6))


def test_persist_keeps_results() -> None:
    calls: list[int] = []

    def record(x: int) -> int:
        calls.append(x)
        return x * 10

    b = db.from_sequence(range(4), npartitions=2).map(record)
    p = b.persist(scheduler="sync")
    assert isinstance(p, Bag) and p.npartitions == 2
    assert p.compute(scheduler="sync") == [0, 10, 20, 30]
    assert p.map(inc).compute(scheduler="sync") == [1, 11, 21, 31]
    assert len(calls) == 4


def test_persist_on_processes_and_tuples_that_look_like_tasks() -> None:
    data = [(len, "abc"), ("x", 0)]
    p = db.from_sequence(data, npartitions=2).persist()
    assert p.compute(scheduler="sync") == data
    assert db.from_sequence(data).map(lambda t: t).compute() == data


def test_bag_from_a_plain_graph() -> None:
    b = Bag({("x", 0): [1, 2], ("x", 1): [3]}, "x", 2)
    assert b.compute(scheduler="sync") == [1, 2, 3]
    with pytest.raises(ValueError, match="positive integer number of partitions"):
        Bag({}, "x", 0)


def test_iteration_computes() -> None:
    b = db.from_sequence(["a", "b"]).map(str.upper)
    assert list(b) == ["A", "B"]


def test_take() -> None:
    b = db.from_sequence(range(10), npartitions=5)
    assert b.take(2) == (0, 1)
    assert b.take(3, npartitions=2) == (0, 1, 2)
    assert b.take(100, npartitions=-1, warn=False) == tuple(range(10))
    lazy = b.take(3, npartitions=2, compute=False)
    assert isinstance(lazy, Bag) and lazy.compute(scheduler="sync") == [0, 1, 2]


def test_take_warns_when_too_few_found() -> None:
    b = db.from_sequence(range(10), npartitions=5)
    with pytest.warns(UserWarning, match="found only 2 elements"):
        assert b.take(5) == (0, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert b.take(5, warn=False) == (0, 1)
    with pytest.warns(UserWarning, match="npartitions"):
        b.take(5, compute=False).compute(scheduler="sync")


def test_take_bad_arguments() -> None:
    b = db.from_sequence(range(10), npartitions=5)
    with pytest.raises(ValueError, match="only 5 partitions"):
        b.take(1, npartitions=6)
    with pytest.raises(ValueError, match="non-negative integer"):
        b.take(-1)
    with pytest.raises(ValueError, match="npartitions"):
        b.take(1, npartitions=0)


def test_user_errors_keep_their_type_on_every_scheduler(scheduler: str) -> None:
    b = db.from_sequence(range(10), npartitions=3)
    with pytest.raises(ZeroDivisionError, match="7 is not welcome"):
        b.map(fail_on_7).compute(scheduler=scheduler)
    with pytest.raises(NotWelcome):
        b.map(raise_not_welcome).sum().compute(scheduler=scheduler)


def test_optimize_graph_false_gives_the_same_result() -> None:
    b = db.from_sequence([[1, 2], [3]], npartitions=2).flatten().map(inc).filter(bool)
    assert b.compute(scheduler="sync", optimize_graph=False) == [2, 3, 4]
    assert b.frequencies().compute(scheduler="sync", optimize_graph=False) == [
        (2, 1),
        (3, 1),
        (4, 1),
    ]


def test_worker_errors_carry_the_user_traceback_and_the_task() -> None:
    b = db.from_sequence(range(10), npartitions=3).map(fail_on_7)
    with pytest.raises(ZeroDivisionError) as info:
        b.compute()
    assert "fail_on_7" in str(info.value.__cause__)
    assert any(b.name in note for note in info.value.__notes__)
