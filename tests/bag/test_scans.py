"""``accumulate`` and ``random_sample`` against their plain-Python equivalents."""

from __future__ import annotations

import itertools
import random
from operator import add, mul

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.bag as db

ints = st.lists(st.integers(-50, 50), max_size=40)
SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(ints, st.integers(1, 8), st.sampled_from(["sync", "threads"]))
def test_accumulate_matches_itertools(data: list[int], n: int, scheduler: str) -> None:
    b = db.from_sequence(data, npartitions=n)
    assert b.accumulate(add).compute(scheduler=scheduler) == list(itertools.accumulate(data))
    assert b.accumulate(max, initial=0).compute(scheduler=scheduler) == list(
        itertools.accumulate(data, max, initial=0)
    )


def test_accumulate_over_empty_partitions_and_processes() -> None:
    b = db.concat([db.from_sequence([1, 2]), db.from_sequence([]), db.from_sequence([3])])
    assert b.npartitions >= 3  # at least one partition is empty
    assert b.accumulate(mul, initial=2).compute(scheduler="processes") == [2, 2, 4, 12]
    assert b.accumulate(add).compute(scheduler="processes") == [1, 3, 6]


def test_accumulate_carries_only_last_values() -> None:
    b = db.from_sequence(range(9), npartitions=3).accumulate(add)
    dsk = b.__tessera_graph__()
    scan = [k for k in dsk if k[0] == b.name]
    for key in scan[1:]:  # each later partition depends on a one-value carry, not a partition
        carry = dsk[key][2]
        assert carry[0].startswith("accumulate-carry-")


def test_accumulate_carries_none_like_any_value() -> None:
    def last_unless_three(acc: object, x: int) -> object:
        return None if x == 3 else x

    data = [1, 2, 3, 4, 5, 6]
    b = db.from_sequence(data, npartitions=2)
    assert b.accumulate(last_unless_three).compute(scheduler="sync") == list(
        itertools.accumulate(data, last_unless_three)
    )
    # toolz/Dask: the initial value leads even when it is None
    keep = db.from_sequence([1, 2], npartitions=1).accumulate(lambda a, x: x, initial=None)
    assert keep.compute(scheduler="sync") == [None, 1, 2]


def test_accumulate_needs_a_function() -> None:
    with pytest.raises(TypeError, match="accumulate"):
        db.from_sequence([1]).accumulate(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_random_sample_is_reproducible_and_ordered(scheduler: str) -> None:
    data = list(range(2000))
    b = db.from_sequence(data, npartitions=5)
    a = b.random_sample(0.25, random_state=11).compute(scheduler=scheduler)
    assert a == b.random_sample(0.25, random_state=11).compute(scheduler="sync")
    assert a == sorted(a) and set(a) <= set(data)
    assert 350 < len(a) < 650  # a binomial(2000, 0.25) far outside 6 sigma is a bug
    assert a != b.random_sample(0.25, random_state=12).compute(scheduler=scheduler)
    same = b.random_sample(0.25, random_state=random.Random(11)).compute(scheduler=scheduler)
    assert same == a


def test_random_sample_edges_and_errors() -> None:
    b = db.from_sequence(range(10), npartitions=2)
    assert b.random_sample(1.0).compute(scheduler="sync") == list(range(10))
    assert b.random_sample(0).compute(scheduler="sync") == []
    with pytest.raises(ValueError, match="between 0 and 1"):
        b.random_sample(1.5)
