"""Element-wise methods against their plain-Python equivalents, and their errors."""

from __future__ import annotations

import itertools
from fnmatch import fnmatch
from operator import add

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.bag as db
from tests.bag.funcs import double, inc, is_even, partition_sum

ints = st.lists(st.integers(-1000, 1000), max_size=40)
nparts = st.integers(1, 8)
fast = st.sampled_from(["sync", "threads"])
SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(ints, nparts, fast)
def test_map_filter_remove(data: list[int], n: int, scheduler: str) -> None:
    b = db.from_sequence(data, npartitions=n)
    assert b.map(inc).compute(scheduler=scheduler) == [x + 1 for x in data]
    assert b.filter(is_even).compute(scheduler=scheduler) == [x for x in data if x % 2 == 0]
    assert b.remove(is_even).compute(scheduler=scheduler) == [x for x in data if x % 2]
    chained = b.map(double).filter(lambda x: x % 3 == 0).map(inc).remove(is_even)
    expected = [2 * x + 1 for x in data if (2 * x) % 3 == 0 and (2 * x + 1) % 2]
    assert chained.compute(scheduler=scheduler) == expected


@SETTINGS
@given(ints, nparts)
def test_map_with_bags_items_and_values(data: list[int], n: int) -> None:
    b = db.from_sequence(data, npartitions=n)
    other = b.map(double)
    assert b.map(add, other).compute(scheduler="sync") == [3 * x for x in data]
    assert b.map(add, 10).compute(scheduler="sync") == [x + 10 for x in data]
    assert b.map(lambda x, y=0: x - y, y=other).compute(scheduler="sync") == [-x for x in data]
    total = b.count()
    assert b.map(add, total).compute(scheduler="sync") == [x + len(data) for x in data]
    assert b.map(lambda x, k: x * k, k=total).compute(scheduler="sync") == [
        x * len(data) for x in data
    ]


def test_map_arguments_that_look_like_keys_or_tasks_are_values() -> None:
    b = db.from_sequence([1, 2], npartitions=2)
    key = (b.name, 0)
    out = b.map(lambda x, a, b_: (x, a, b_), key, b_=[(len, "ab")]).compute(scheduler="sync")
    assert out == [(1, key, [(len, "ab")]), (2, key, [(len, "ab")])]


def test_map_on_processes_with_bags_and_items() -> None:
    b = db.from_sequence(range(20), npartitions=4)
    assert b.map(add, b.map(inc)).compute() == [2 * x + 1 for x in range(20)]
    assert b.map(add, b.max()).compute() == [x + 19 for x in range(20)]
    assert b.map(lambda x, k: x + k, k=5).filter(is_even).compute() == [
        x + 5 for x in range(20) if (x + 5) % 2 == 0
    ]


def test_map_errors() -> None:
    b = db.from_sequence(range(6), npartitions=3)
    with pytest.raises(TypeError, match=r"map must be a callable.*got int 5"):
        b.map(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same number of partitions, got 3 and 2"):
        b.map(add, db.from_sequence(range(6), npartitions=2))
    uneven = db.from_sequence([1, 2, 3, 4, 5], npartitions=3)
    with pytest.raises(ValueError, match="equal lengths"):
        b.map(add, uneven).compute(scheduler="sync")
    for method in ("filter", "remove", "starmap", "map_partitions"):
        with pytest.raises(TypeError, match=f"{method} must be a callable"):
            getattr(b, method)("not a function")


@SETTINGS
@given(st.lists(st.tuples(st.integers(), st.integers()), max_size=30), nparts)
def test_starmap(data: list[tuple[int, int]], n: int) -> None:
    b = db.from_sequence(data, npartitions=n)
    assert b.starmap(add).compute(scheduler="sync") == [x + y for x, y in data]
    got = b.starmap(lambda x, y, z=0: x * y + z, z=3).compute(scheduler="threads")
    assert got == [x * y + 3 for x, y in data]
    item = db.from_sequence([7]).sum()
    got = b.starmap(lambda x, y, z=0: x - y + z, z=item).compute(scheduler="sync")
    assert got == [x - y + 7 for x, y in data]


def test_starmap_rejects_bag_keywords() -> None:
    b = db.from_sequence([(1, 2)])
    with pytest.raises(TypeError, match="not bags"):
        b.starmap(add, z=b)


records = st.lists(
    st.fixed_dictionaries({"a": st.integers(), "b": st.text(max_size=3)}), max_size=25
)


@SETTINGS
@given(records, nparts)
def test_pluck(data: list[dict[str, object]], n: int) -> None:
    b = db.from_sequence(data, npartitions=n)
    assert b.pluck("a").compute(scheduler="sync") == [r["a"] for r in data]
    assert b.pluck(["b", "a"]).compute(scheduler="sync") == [(r["b"], r["a"]) for r in data]
    assert b.pluck(["a"]).compute(scheduler="sync") == [(r["a"],) for r in data]
    assert b.pluck("zz", default=0).compute(scheduler="sync") == [0 for _ in data]
    assert b.pluck(["a", "zz"], default=None).compute(scheduler="sync") == [
        (r["a"], None) for r in data
    ]


def test_pluck_missing_key_names_the_key(scheduler: str) -> None:
    b = db.from_sequence([{"name": "a"}, {"age": 3}], npartitions=1)
    with pytest.raises(KeyError, match=r"'name'.*default="):
        b.pluck("name").compute(scheduler=scheduler)
    with pytest.raises(IndexError, match="cannot get key 3"):
        db.from_sequence([(1, 2)]).pluck(3).compute(scheduler="sync")
    with pytest.raises(TypeError, match="cannot get key 0 from element 5"):
        db.from_sequence([5]).pluck(0).compute(scheduler="sync")


@SETTINGS
@given(st.lists(st.lists(st.integers(), max_size=5), max_size=20), nparts, fast)
def test_flatten(data: list[list[int]], n: int, scheduler: str) -> None:
    b = db.from_sequence(data, npartitions=n)
    expected = list(itertools.chain.from_iterable(data))
    assert b.flatten().compute(scheduler=scheduler) == expected
    assert b.flatten().map(inc).compute(scheduler=scheduler) == [x + 1 for x in expected]


@SETTINGS
@given(ints, nparts)
def test_map_partitions(data: list[int], n: int) -> None:
    b = db.from_sequence(data, npartitions=n)
    parts = b.map_partitions(list).compute(scheduler="sync")
    assert parts == data
    sums = b.map_partitions(partition_sum).compute(scheduler="sync")
    assert sum(sums) == sum(data) and len(sums) == b.npartitions
    lens = b.map_partitions(len).compute(scheduler="sync")
    assert sum(lens) == len(data)
    gen = b.map_partitions(lambda p: (x * 2 for x in p)).compute(scheduler="sync")
    assert gen == [2 * x for x in data]
    pairs = db.map_partitions(
        lambda p, q, k: [x + y + k for x, y in zip(p, q, strict=True)], b, b, k=1
    )
    assert pairs.compute(scheduler="sync") == [2 * x + 1 for x in data]


def test_map_partitions_with_item_and_on_processes() -> None:
    b = db.from_sequence(range(1, 101), npartitions=10)
    out = b.map_partitions(lambda p, den: [x / den for x in p], den=b.max())
    assert out.take(3) == (0.01, 0.02, 0.03)
    with pytest.raises(TypeError, match="at least one Bag"):
        db.map_partitions(len, [1, 2])


def test_unzip() -> None:
    a, b = db.from_sequence([(1, "x"), (2, "y")]).unzip(2)
    assert a.compute(scheduler="sync") == [1, 2]
    assert b.compute(scheduler="sync") == ["x", "y"]


words = st.lists(st.text(alphabet="ab \t\nXY,", max_size=8), max_size=20)


@SETTINGS
@given(words, nparts, fast)
def test_str_accessor(data: list[str], n: int, scheduler: str) -> None:
    b = db.from_sequence(data, npartitions=n)
    assert b.str.lower().compute(scheduler=scheduler) == [s.lower() for s in data]
    assert b.str.upper().compute(scheduler=scheduler) == [s.upper() for s in data]
    assert b.str.strip().compute(scheduler=scheduler) == [s.strip() for s in data]
    assert b.str.split().compute(scheduler=scheduler) == [s.split() for s in data]
    assert b.str.split(",").compute(scheduler=scheduler) == [s.split(",") for s in data]
    assert b.str.startswith("a").compute(scheduler=scheduler) == [s.startswith("a") for s in data]
    assert b.str.replace("a", "b", 1).compute(scheduler=scheduler) == [
        s.replace("a", "b", 1) for s in data
    ]
    assert b.str.match("a*").compute(scheduler=scheduler) == [s for s in data if fnmatch(s, "a*")]
    flat = [w for s in data for w in s.split()]
    assert b.str.split().flatten().compute(scheduler=scheduler) == flat
    assert b.str.split(",").flatten().compute(scheduler=scheduler) == [
        w for s in data for w in s.split(",")
    ]


def test_str_accessor_on_processes_and_errors() -> None:
    b = db.from_sequence(["Alice Smith", "Bob Jones", "Charlie Smith"])
    assert b.str.match("*Smith").str.split().compute() == [
        ["Alice", "Smith"],
        ["Charlie", "Smith"],
    ]
    assert "split" in dir(b.str) and "match" in dir(b.str)
    with pytest.raises(AttributeError, match="no method 'frobnicate'"):
        b.str.frobnicate()
    with pytest.raises(TypeError, match="glob pattern"):
        b.str.match(5)  # type: ignore[arg-type]


def test_split_flatten_fast_path_handles_non_strings() -> None:
    b = db.from_sequence([b"a b", b"c"], npartitions=1)
    assert b.str.split().flatten().compute(scheduler="sync") == [b"a", b"b", b"c"]
