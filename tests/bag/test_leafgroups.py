"""Leaves of tree reductions gathered per worker, and word counts streamed block by block."""

from __future__ import annotations

import heapq
from collections import Counter
from functools import reduce
from operator import add, itemgetter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera
import tessera.bag as db
from tessera.bag import text
from tessera.bag.aggregations import count_chunk
from tessera.bag.graph import Literal
from tessera.bag.items import Item
from tessera.bag.leafgroups import LeafGroup, group_leaves
from tessera.bag.pipeline import fuse_pipelines
from tessera.bag.tree import Aggregate, PerPartition, no_result
from tests.bag.funcs import add as add_func
from tests.bag.funcs import mod3

SETTINGS = settings(max_examples=30, deadline=None)
ints = st.lists(st.integers(-20, 20), max_size=40)


def leaf_tasks(*items: Item, workers: int) -> list[LeafGroup]:
    """The leaf groups of the items' graph, before linear chains are fused."""
    dsk: dict[object, object] = {}
    for item in items:
        dsk.update(item.dask)
    keys = [item.key for item in items]
    grouped = group_leaves(fuse_pipelines(dsk, keys), keys, workers=workers)
    return [t[0] for t in grouped.values() if type(t) is tuple and type(t[0]) is LeafGroup]


@SETTINGS
@given(ints, st.integers(1, 12), st.integers(1, 5), st.sampled_from([None, 2, 3]))
def test_grouped_reductions_equal_python(
    data: list[int], n: int, workers: int, split_every: int | None
) -> None:
    b = db.from_sequence(data, npartitions=n) if data else db.from_sequence([], npartitions=1)
    r = db.range(len(data), npartitions=n).map(lambda i: data[i])
    kw = {"split_every": split_every}
    with tessera.config.set({"num-workers": workers}):
        for bag in (b, r):
            got = db.compute(
                bag.count(**kw),
                bag.sum(**kw),
                bag.frequencies(sort=True, **kw),
                bag.topk(3, **kw),
                bag.distinct(),
                bag.fold(add, initial=0, **kw),
                bag.foldby(mod3, add_func, 0, add, 0, **kw),
                scheduler="sync",
            )
            totals: dict[int, int] = {}
            for x in data:
                totals[mod3(x)] = totals.get(mod3(x), 0) + x
            assert got[0] == len(data)
            assert got[1] == sum(data)
            assert sorted(got[2]) == sorted(Counter(data).items())
            assert [c for _, c in got[2]] == sorted(Counter(data).values(), reverse=True)
            assert got[3] == heapq.nlargest(3, data)
            assert got[4] == list(dict.fromkeys(data))
            assert got[5] == reduce(add, data, 0)
            assert sorted(got[6]) == sorted(totals.items())
            if data:
                assert db.compute(bag.min(), bag.max(), scheduler="sync") == (min(data), max(data))


@pytest.mark.parametrize(("workers", "tasks"), [(1, 2), (2, 2), (3, 4), (16, 16)])
def test_leaf_tasks_never_fewer_than_workers(workers: int, tasks: int) -> None:
    b = db.range(100, npartitions=16).map(add_func, 1)
    groups = leaf_tasks(b.sum(), workers=workers)
    with tessera.config.set({"num-workers": workers}):
        assert b.sum().compute(scheduler="sync") == sum(range(1, 101))
    assert sum(len(g.leaves) for g in groups) == 16  # 16 partitions, 2 first-level nodes
    assert len(groups) == tasks


def test_shared_or_requested_leaves_stay() -> None:
    b = db.range(20, npartitions=4)
    total, biggest = b.sum(), b.max()
    assert not leaf_tasks(total, biggest, workers=1)  # the range feeds two trees
    assert len(leaf_tasks(total, workers=1)) == 1
    with tessera.config.set({"num-workers": 1}):
        assert db.compute(total, biggest, scheduler="sync") == (190, 19)
    dsk = dict(total.dask)
    leaf = next(k for k in dsk if "-part-" in k[0])
    kept = group_leaves(dsk, [total.key, leaf], workers=1)
    assert leaf in kept and not any(type(t[0]) is LeafGroup for t in kept.values())


def test_leaf_group_skips_empty_partitions_and_combines() -> None:
    per = PerPartition(max, False)
    group = LeafGroup(((Literal([]), per), (Literal([]), per)))
    assert group() == [] and Aggregate(max, False, None)([group()]) is no_result
    one = LeafGroup(((Literal([3, 9]), per), (Literal([]), per), (Literal([4]), per)))
    assert one() == [9, 4] and Aggregate(max, False, None)([one(), 5]) == 9
    counts = PerPartition(count_chunk, False)
    leaves = ((Literal(["a"]), counts), (Literal(["a", "b"]), counts))
    assert LeafGroup(leaves)() == Counter({"a": 2, "b": 1})  # counted into one Counter


def test_per_partition_accepts_iterators() -> None:
    assert PerPartition(max, False)(iter([])) is no_result
    assert PerPartition(sum, True)(iter([])) == 0
    assert PerPartition(max, False)(iter([2, 5, 1])) == 5
    assert PerPartition(sum, False)(range(4)) == 6


@pytest.mark.parametrize(
    "content",
    [
        "",
        "one\n",
        "a b\nc\n" * 50,
        "x  y\r\nz\r\n" * 30,
        "no newline",
        "\u00e9t\u00e9 \u2003x\n" * 9,
    ],
)
def test_blocks_cut_after_newlines(content: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "WORD_BLOCK", 7)
    blocks = list(text._blocks(content))
    assert "".join(blocks) == content
    assert all(b.endswith("\n") for b in blocks[:-1])
    assert [w for b in blocks for w in b.split()] == content.split()


def test_word_count_streams_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contents = ["to be or not\nto be\n" * 40, "", "be\r\nthere\r\n", "last line"] * 3
    for i, c in enumerate(contents):
        (tmp_path / f"{i:02d}.txt").write_bytes(c.encode())
    expected = Counter(" ".join(contents).split())
    words = db.read_text(str(tmp_path / "*.txt")).str.split().flatten()
    monkeypatch.setattr(text, "WORD_BLOCK", 5)
    for workers in (1, 2, 5, 20):
        with tessera.config.set({"num-workers": workers}):
            got = words.frequencies().compute(scheduler="sync")
            assert Counter(dict(got)) == expected
            upper = words.map(str.upper).frequencies().compute(scheduler="threads")
            assert Counter(dict(upper)) == Counter({k.upper(): v for k, v in expected.items()})
    top = words.frequencies().topk(2, key=1).compute(scheduler="processes")
    assert top == expected.most_common(2)


def test_processes_foldby_over_range(scheduler: str) -> None:
    b = db.range(1000, npartitions=7).map(lambda i: (i % 5, i))
    got = b.foldby(itemgetter(0), lambda t, r: t + r[1], 0, add, 0).compute(scheduler=scheduler)
    assert sorted(got) == [(k, sum(range(k, 1000, 5))) for k in range(5)]


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_user_aggregate_sees_the_same_partials_whatever_the_grouping(workers: int) -> None:
    b = db.from_sequence(range(8), npartitions=4)
    distinct = b.reduction(set, lambda sets: len(set().union(*sets)))
    assert distinct.compute(scheduler="threads", num_workers=workers) == 8
    assert distinct.compute(scheduler="sync", optimize_graph=False) == 8
