"""from_sequence and range: partitioning, contents, bad arguments."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.bag as db
from tessera.bag.creation import partition_bounds


def sizes(b: db.Bag) -> list[int]:
    return b.map_partitions(len).compute(scheduler="sync")  # type: ignore[no-any-return]


def test_default_partitioning_follows_dask_aim_of_about_100() -> None:
    assert db.from_sequence(range(5)).npartitions == 5
    assert db.from_sequence(range(100)).npartitions == 100
    assert db.from_sequence(range(101)).npartitions == 51
    assert db.from_sequence(range(10_000)).npartitions == 100
    assert db.from_sequence(range(12_345)).npartitions <= 100
    assert db.from_sequence([]).npartitions == 1
    assert db.from_sequence([]).compute(scheduler="sync") == []


def test_npartitions_is_exact_and_even() -> None:
    b = db.from_sequence(range(10), npartitions=4)
    assert b.npartitions == 4
    assert sizes(b) == [2, 3, 2, 3]
    assert db.from_sequence(range(3), npartitions=10).npartitions == 3


def test_partition_size() -> None:
    b = db.from_sequence(range(10), partition_size=4)
    assert sizes(b) == [4, 4, 2]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers()), st.integers(1, 12))
def test_from_sequence_round_trips(data: list[int], npartitions: int) -> None:
    b = db.from_sequence(data, npartitions=npartitions)
    assert b.npartitions == min(npartitions, max(len(data), 1))
    assert b.compute(scheduler="sync") == data
    s = sizes(b)
    assert max(s) - min(s) <= 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=3)), st.integers(1, 7))
def test_from_sequence_partition_size_round_trips(data: list[str], size: int) -> None:
    b = db.from_sequence(data, partition_size=size)
    assert b.compute(scheduler="threads") == data
    assert b.npartitions == max(1, math.ceil(len(data) / size))


def test_from_sequence_accepts_iterables_and_strings() -> None:
    assert db.from_sequence(iter([3, 4])).compute(scheduler="sync") == [3, 4]
    assert db.from_sequence("abc").compute(scheduler="sync") == ["a", "b", "c"]


def test_from_sequence_bad_arguments() -> None:
    with pytest.raises(TypeError, match="expects a sequence"):
        db.from_sequence(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not both"):
        db.from_sequence([1], partition_size=1, npartitions=1)
    with pytest.raises(ValueError, match="npartitions must be a positive integer"):
        db.from_sequence([1], npartitions=0)
    with pytest.raises(ValueError, match="partition_size must be a positive integer"):
        db.from_sequence([1], partition_size=-2)


def test_data_that_looks_like_tasks_or_keys_is_data(scheduler: str) -> None:
    b = db.from_sequence([1, 2], npartitions=2)
    data = [(len, "abc"), (b.name, 0), [(b.name, 1)], "x"]
    assert db.from_sequence(data, npartitions=2).compute(scheduler=scheduler) == data


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 200), st.integers(1, 20))
def test_range(n: int, npartitions: int) -> None:
    b = db.range(n, npartitions=npartitions)
    assert b.npartitions == npartitions
    assert b.compute(scheduler="sync") == list(range(n))


def test_range_on_processes() -> None:
    assert db.range(1000, npartitions=7).sum().compute() == sum(range(1000))


def test_range_bad_arguments() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        db.range(-1, 2)
    with pytest.raises(ValueError, match="npartitions"):
        db.range(5, 0)


def test_partition_bounds() -> None:
    assert partition_bounds(0, 3) == [0, 0, 0, 0]
    assert partition_bounds(7, 1) == [0, 7]
