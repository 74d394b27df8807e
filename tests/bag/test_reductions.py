"""Reductions against their plain-Python equivalents, for any partitioning and tree shape."""

from __future__ import annotations

import heapq
import math
import statistics
from collections import Counter
from functools import reduce
from operator import add, itemgetter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.bag as db
from tessera.bag.tree import tree_reduce

ints = st.lists(st.integers(-50, 50), max_size=40)
nonempty = st.lists(st.integers(-50, 50), min_size=1, max_size=40)
nparts = st.integers(1, 10)
every = st.sampled_from([None, 2, 3, False])
SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(nonempty, nparts, every)
def test_simple_reductions(data: list[int], n: int, split_every: object) -> None:
    b = db.from_sequence(data, npartitions=n)
    kw = {"split_every": split_every}
    got = db.compute(
        b.count(**kw),
        b.sum(**kw),
        b.min(**kw),
        b.max(**kw),
        b.any(**kw),
        b.all(**kw),
        scheduler="sync",
    )
    assert got == (len(data), sum(data), min(data), max(data), any(data), all(data))


@SETTINGS
@given(nonempty, nparts, every)
def test_mean_var_std(data: list[int], n: int, split_every: object) -> None:
    b = db.from_sequence([x / 7 for x in data], npartitions=n)
    floats = [x / 7 for x in data]
    mean, var, std = db.compute(
        b.mean(split_every=split_every),
        b.var(split_every=split_every),
        b.std(split_every=split_every),
        scheduler="threads",
    )
    assert math.isclose(mean, statistics.fmean(floats), rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(var, statistics.pvariance(floats), rel_tol=1e-7, abs_tol=1e-9)
    assert math.isclose(std, statistics.pstdev(floats), rel_tol=1e-7, abs_tol=1e-9)
    if len(data) > 1:
        v1 = b.var(ddof=1).compute(scheduler="sync")
        assert math.isclose(v1, statistics.variance(floats), rel_tol=1e-7, abs_tol=1e-9)


def test_var_is_numerically_stable() -> None:
    data = [1e9 + x for x in (4.0, 7.0, 13.0, 16.0)]
    b = db.from_sequence(data, npartitions=3)
    assert b.var().compute(scheduler="sync") == pytest.approx(22.5)
    assert b.var(ddof=1).compute(scheduler="sync") == pytest.approx(30.0)


def test_empty_bags() -> None:
    empty = db.from_sequence([])
    two_empty = db.from_sequence([1, 2], npartitions=2).filter(lambda x: x > 5)
    for b in (empty, two_empty):
        assert b.count().compute(scheduler="sync") == 0
        assert b.sum().compute(scheduler="sync") == 0
        assert b.any().compute(scheduler="sync") is False
        assert b.all().compute(scheduler="sync") is True
        assert b.frequencies().compute(scheduler="sync") == []
        assert b.topk(3).compute(scheduler="sync") == []
        assert b.distinct().compute(scheduler="sync") == []
        assert b.fold(add, initial=0).compute(scheduler="sync") == 0
        with pytest.raises(ValueError, match="max\\(\\) arg is an empty"):
            b.max().compute(scheduler="sync")
        with pytest.raises(ValueError, match="mean\\(\\) of an empty bag"):
            b.mean().compute(scheduler="sync")
        with pytest.raises(ValueError, match="ddof=0 needs more than 0 elements"):
            b.var().compute(scheduler="sync")
        with pytest.raises(TypeError, match="reduce\\(\\) of empty"):
            b.fold(add).compute(scheduler="sync")


def test_empty_partitions_are_skipped() -> None:
    b = db.from_sequence(range(10), npartitions=5).filter(lambda x: x in (3, 8))
    assert b.min().compute(scheduler="sync") == 3
    assert b.fold(add).compute(scheduler="sync") == 11


@SETTINGS
@given(ints, nparts, every)
def test_fold(data: list[int], n: int, split_every: object) -> None:
    b = db.from_sequence(data, npartitions=n)
    assert b.fold(add, initial=0, split_every=split_every).compute(scheduler="sync") == sum(data)
    got = b.fold(lambda acc, x: acc | {x}, set.union, initial=set()).compute(scheduler="sync")
    assert got == set(data)
    if data:
        assert b.fold(max).compute(scheduler="sync") == reduce(max, data)


def test_fold_and_reduction_errors() -> None:
    b = db.from_sequence([1, 2])
    with pytest.raises(TypeError, match="fold binop must be a callable"):
        b.fold(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="fold combine must be a callable"):
        b.fold(add, combine="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="reduction aggregate must be a callable"):
        b.reduction(sum, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="split_every must be an integer >= 2"):
        b.sum(split_every=1)
    with pytest.raises(ValueError, match="out_type"):
        b.reduction(sum, sum, out_type=list)


@SETTINGS
@given(ints, nparts, every)
def test_reduction(data: list[int], n: int, split_every: object) -> None:
    b = db.from_sequence(data, npartitions=n)
    assert b.reduction(sum, sum, split_every=split_every).compute(scheduler="sync") == sum(data)
    assert b.reduction(len, sum).compute(scheduler="sync") == len(data)
    as_bag = b.reduction(
        sorted, lambda parts: sorted(x for p in parts for x in p), out_type=db.Bag
    )
    assert as_bag.npartitions == 1
    assert as_bag.compute(scheduler="sync") == sorted(data)


@SETTINGS
@given(st.lists(st.sampled_from("abcde"), max_size=40), nparts, every)
def test_frequencies(data: list[str], n: int, split_every: object) -> None:
    b = db.from_sequence(data, npartitions=n)
    freq = b.frequencies(split_every=split_every).compute(scheduler="sync")
    assert dict(freq) == Counter(data) and len(freq) == len(set(data))
    ranked = b.frequencies(sort=True).compute(scheduler="threads")
    assert [c for _, c in ranked] == sorted(Counter(data).values(), reverse=True)
    assert dict(ranked) == Counter(data)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 5), st.integers()), max_size=40), nparts, every)
def test_topk(data: list[tuple[int, int]], n: int, split_every: object) -> None:
    b = db.from_sequence(data, npartitions=n)
    for k in (0, 1, 3, 100):
        assert b.topk(k, split_every=split_every).compute(scheduler="sync") == heapq.nlargest(
            k, data
        )
        expected = sorted(data, key=itemgetter(1), reverse=True)[:k]
        assert b.topk(k, key=1).compute(scheduler="sync") == expected
        assert (
            b.topk(k, key=lambda t: -t[1]).compute(scheduler="sync")
            == sorted(data, key=lambda t: -t[1], reverse=True)[:k]
        )
    two_args = b.topk(2, key=lambda a, c: c).compute(scheduler="sync")
    assert two_args == sorted(data, key=itemgetter(1), reverse=True)[:2]


def test_topk_errors() -> None:
    with pytest.raises(ValueError, match="non-negative integer"):
        db.from_sequence([1]).topk(-1)


@SETTINGS
@given(st.lists(st.integers(0, 8), max_size=40), nparts)
def test_distinct(data: list[int], n: int) -> None:
    b = db.from_sequence(data, npartitions=n)
    assert b.distinct().compute(scheduler="sync") == list(dict.fromkeys(data))
    firsts: dict[int, int] = {}
    for x in data:
        firsts.setdefault(x % 2, x)
    assert b.distinct(key=lambda x: x % 2).compute(scheduler="sync") == list(firsts.values())
    recs = db.from_sequence([{"k": x % 3, "v": x} for x in data], npartitions=n)
    firsts = recs.distinct(key="k").compute(scheduler="sync")
    assert [r["k"] for r in firsts] == list(dict.fromkeys(x % 3 for x in data))


def test_reductions_on_processes() -> None:
    b = db.from_sequence(range(100), npartitions=12)
    total, mx, mean, var = db.compute(b.sum(), b.max(), b.mean(), b.var())
    assert (total, mx, mean) == (4950, 99, 49.5)
    assert var == pytest.approx(statistics.pvariance(range(100)))
    assert dict(b.map(lambda x: x % 4).frequencies().compute()) == {i: 25 for i in range(4)}
    assert b.topk(3).compute() == [99, 98, 97]
    assert b.fold(add, split_every=3).compute() == 4950
    assert b.map(lambda x: x % 7).distinct().compute() == list(range(7))


def test_tree_shape() -> None:
    b = db.from_sequence(range(20), npartitions=20)
    item = tree_reduce(b, sum, sum, name="s", split_every=3)
    layer = item.layers[item.name]
    counts = Counter(k[0].rsplit("-", 1)[0] for k in layer)
    assert counts == {"s-part": 20, "s-agg0": 7, "s-agg1": 3, "s": 1}
    assert item.compute(scheduler="sync") == 190
