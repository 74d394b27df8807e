"""repartition, zip, concat, join, product against plain Python."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.bag as db

SETTINGS = settings(max_examples=40, deadline=None)
ints = st.lists(st.integers(), max_size=40)


@SETTINGS
@given(ints, st.integers(1, 10), st.integers(1, 15))
def test_repartition_keeps_elements_in_order(data: list[int], n: int, m: int) -> None:
    b = db.from_sequence(data, npartitions=n)
    r = b.repartition(m)
    assert r.npartitions == m
    assert r.compute(scheduler="sync") == data
    sizes = r.map_partitions(len).compute(scheduler="sync")
    assert len(sizes) == m and sum(sizes) == len(data)


def test_repartition_same_count_and_errors() -> None:
    b = db.from_sequence(range(6), npartitions=3)
    assert b.repartition(3).name == b.name
    with pytest.raises(ValueError, match="positive integer"):
        b.repartition(0)
    assert b.repartition(7).compute() == list(range(6))


@SETTINGS
@given(ints, st.integers(1, 6), st.sampled_from(["sync", "threads"]))
def test_zip(data: list[int], n: int, scheduler: str) -> None:
    a = db.from_sequence(data, npartitions=n)
    got = db.zip(a, a.map(str), a.map(lambda x: -x)).compute(scheduler=scheduler)
    assert got == [(x, str(x), -x) for x in data]


def test_zip_errors() -> None:
    a = db.from_sequence(range(6), npartitions=3)
    with pytest.raises(ValueError, match="same number of partitions, got 3 and 2"):
        db.zip(a, db.from_sequence(range(6), npartitions=2))
    short = db.from_sequence(range(5), npartitions=3)
    with pytest.raises(ValueError, match="different lengths"):
        db.zip(a, short).compute(scheduler="sync")
    with pytest.raises(ValueError, match="at least one Bag"):
        db.zip()
    with pytest.raises(TypeError, match="expects Bags, got list"):
        db.zip(a, [1, 2])  # type: ignore[arg-type]


@SETTINGS
@given(st.lists(ints, min_size=1, max_size=4), st.integers(1, 4))
def test_concat(datas: list[list[int]], n: int) -> None:
    bags = [db.from_sequence(d, npartitions=n) for d in datas]
    c = db.concat(bags)
    assert c.npartitions == sum(b.npartitions for b in bags)
    assert c.compute(scheduler="sync") == list(itertools.chain.from_iterable(datas))


def test_concat_on_processes_and_errors() -> None:
    a = db.from_sequence([1, 2], npartitions=2)
    assert db.concat([a, a.map(lambda x: x * 10)]).compute() == [1, 2, 10, 20]
    with pytest.raises(ValueError, match="at least one Bag"):
        db.concat([])
    with pytest.raises(TypeError, match="expects Bags"):
        db.concat([a, "b"])  # type: ignore[list-item]


def plain_join(data: list[Any], other: list[Any], on_self: Any, on_other: Any) -> list[Any]:
    return [(o, x) for x in data for o in other if on_other(o) == on_self(x)]


@SETTINGS
@given(
    st.lists(st.integers(0, 6), max_size=20),
    st.lists(st.integers(0, 6), max_size=10),
    st.integers(1, 5),
)
def test_join(data: list[int], other: list[int], n: int) -> None:
    b = db.from_sequence(data, npartitions=n)

    def parity(x: int) -> int:
        return x % 2

    got = b.join(other, parity).compute(scheduler="sync")
    assert got == plain_join(data, other, parity, parity)
    got = b.join(other, parity, lambda o: (o + 1) % 2).compute(scheduler="sync")
    assert got == plain_join(data, other, parity, lambda o: (o + 1) % 2)
    one = db.from_sequence(other, npartitions=1)
    assert b.join(one, parity).compute(scheduler="sync") == plain_join(data, other, parity, parity)


def test_join_by_field_on_processes_and_errors() -> None:
    people = db.from_sequence([{"id": 1, "n": "a"}, {"id": 2, "n": "b"}], npartitions=2)
    cities = [("x", 1), ("y", 2), ("z", 1)]
    a, b = {"id": 1, "n": "a"}, {"id": 2, "n": "b"}
    assert people.join(cities, "id", 1).compute() == [(("x", 1), a), (("z", 1), a), (("y", 2), b)]
    with pytest.raises(ValueError, match="must have 1 partition, got 2"):
        people.join(people, "id")
    with pytest.raises(TypeError, match="iterable or a one-partition Bag"):
        people.join(5, "id")


@SETTINGS
@given(ints, st.lists(st.text(max_size=2), max_size=6), st.integers(1, 4), st.integers(1, 3))
def test_product(a: list[int], b: list[str], n: int, m: int) -> None:
    x = db.from_sequence(a, npartitions=n)
    y = db.from_sequence(b, npartitions=m)
    p = x.product(y)
    assert p.npartitions == x.npartitions * y.npartitions
    assert sorted(p.compute(scheduler="sync"), key=repr) == sorted(
        itertools.product(a, b), key=repr
    )


def test_product_errors() -> None:
    with pytest.raises(TypeError, match="product expects a Bag, got list"):
        db.from_sequence([1]).product([1, 2])  # type: ignore[arg-type]
