"""Graph optimization of bags: pipelines fused per partition, shared steps kept, same results."""

from __future__ import annotations

import heapq
from collections import Counter
from operator import add
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import tessera
import tessera.bag as db
from tessera.bag.partitions import Flatten, MapElements, Select, SplitWords
from tessera.bag.pipeline import Pipeline, fuse_pipelines
from tessera.bag.text import ReadText
from tessera.callbacks import Callback
from tests.bag.funcs import double, inc, is_even


def optimized(*collections: object, **kwargs: object) -> dict[object, object]:
    dsk: dict[object, object] = {}
    for c in tessera.optimize(*collections, **kwargs):
        dsk.update(c.dask)
    return dsk


def test_wordcount_graph_is_one_task_per_partition_or_per_worker(tmp_path: Path) -> None:
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text("to be or not\nto be\n")
    words = db.read_text(str(tmp_path / "*.txt")).str.split().flatten()
    top = words.frequencies().topk(2, key=1)
    for workers in (None, 4):  # unknown parallelism, or as many workers as partitions
        dsk = optimized(top, workers=workers)
        assert {k[0].split("-")[0] for k in dsk} == {"frequencies", "topk"}
        assert len([k for k in dsk if "frequencies-part" in k[0]]) == 4
    dsk = optimized(top, workers=2)
    groups = [v[0] for k, v in dsk.items() if k[0].endswith("-leaves")]
    assert [len(g.leaves) for g in groups] == [2, 2]
    assert not [k for k in dsk if "frequencies-part" in k[0] or "read_text" in k[0]]


def test_compute_groups_leaves_by_the_schedulers_workers(tmp_path: Path) -> None:
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text("to be or not\nto be\n")
    top = db.read_text(str(tmp_path / "*.txt")).str.split().flatten().frequencies()
    seen: list[int] = []

    def spy(dsk: dict[object, object], keys: object, **kwargs: object) -> object:
        seen.append(len([k for k in dsk if k[0].endswith("-leaves")]))  # type: ignore[index]
        return tessera.get(dsk, keys)

    expected = [("to", 8), ("be", 8), ("or", 4), ("not", 4)]
    assert sorted(top.compute(scheduler=spy), key=lambda kv: -kv[1]) == expected
    assert seen == [0]  # an unknown scheduler (a cluster, a user's get): no grouping

    def count(dsk: dict[object, object]) -> None:
        seen.append(len([k for k in dsk if k[0].endswith("-leaves")]))  # type: ignore[index]

    with Callback(start=count):
        assert dict(top.compute(scheduler="threads", num_workers=2)) == dict(expected)
        with tessera.config.set({"num-workers": 4}):
            assert dict(top.compute(scheduler="processes")) == dict(expected)
        assert dict(top.compute(scheduler="sync")) == dict(expected)
    assert seen == [0, 2, 0, 0]  # 2 workers: 2 groups; 4 workers for 4 files: none


def test_read_then_split_flatten_fuses_into_the_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x y\nz\n")
    words = db.read_text(str(tmp_path / "a.txt")).str.split().flatten().map(str.upper)
    fused = fuse_pipelines(words.dask, [(words.name, 0)])
    assert list(fused) == [(words.name, 0)]
    (task,) = fused.values()
    assert isinstance(task[0], ReadText) and isinstance(task[0].post, Pipeline)
    assert [type(s) for s in task[0].post.stages] == [SplitWords, MapElements]
    assert words.compute(scheduler="sync") == ["X", "Y", "Z"]


def test_stages_fuse_but_shared_or_requested_steps_stay() -> None:
    b = db.from_sequence(range(10), npartitions=2)
    mapped = b.map(inc)
    final = mapped.filter(is_even).map(double)
    fused = fuse_pipelines(final.dask, final.__tessera_keys__())
    stage_tasks = [v for k, v in fused.items() if k[0] == final.name]
    assert all(isinstance(t[0], Pipeline) for t in stage_tasks)
    assert [type(s) for s in stage_tasks[0][0].stages] == [MapElements, Select, MapElements]
    both = fuse_pipelines(
        {**final.dask, **mapped.dask}, [*final.__tessera_keys__(), *mapped.__tessera_keys__()]
    )
    assert (mapped.name, 0) in both
    a, c = db.compute(mapped, final, scheduler="sync")
    assert a == [x + 1 for x in range(10)]
    assert c == [2 * (x + 1) for x in range(10) if (x + 1) % 2 == 0]
    twice = db.zip(mapped.map(double), mapped.map(inc))
    assert twice.compute(scheduler="sync") == [(2 * x + 2, x + 2) for x in range(10)]


def test_fused_pipeline_equals_step_by_step() -> None:
    b = db.from_sequence([[1, -2], [], [3, 4, -5]], npartitions=2)
    pipeline = b.flatten().map(abs).remove(is_even).map(lambda x, k: x * k, 10)
    assert pipeline.compute(scheduler="sync") == [10, 30, 50]
    assert pipeline.compute(scheduler="sync", optimize_graph=False) == [10, 30, 50]
    assert pipeline.compute() == [10, 30, 50]
    nested = Pipeline((Pipeline((Flatten(), MapElements(abs))), Select(bool, True)))
    assert [type(s) for s in nested.stages] == [Flatten, MapElements, Select]
    assert nested([[-1, 0], [2]]) == [1, 2]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-20, 20), max_size=30), st.integers(1, 6))
def test_reductions_streaming_from_fused_steps(data: list[int], n: int) -> None:
    b = db.from_sequence(data, npartitions=n)
    steps = b.map(double).filter(lambda x: x % 3 != 0).map(lambda x: [x, -x]).flatten()
    plain = [y for x in data if (2 * x) % 3 != 0 for y in (2 * x, -2 * x)]
    count = steps.count()
    fused = fuse_pipelines(count.dask, count.__tessera_keys__())
    per = [v[0] for k, v in fused.items() if k[0].startswith("count-part")]
    assert len(per) == b.npartitions and all(isinstance(p.pre, Pipeline) for p in per)
    got = db.compute(
        steps.count(),
        steps.sum(),
        steps.any(),
        steps.all(),
        steps.frequencies(),
        steps.topk(3),
        steps.distinct(),
        steps.fold(add, initial=0),
        steps.foldby(abs, add, 0),
        scheduler="sync",
    )
    foldby: dict[int, int] = {}
    for y in plain:
        foldby[abs(y)] = foldby.get(abs(y), 0) + y
    assert got[:4] == (len(plain), sum(plain), any(plain), all(plain))
    assert dict(got[4]) == Counter(plain)
    assert got[5] == heapq.nlargest(3, plain)
    assert got[6] == list(dict.fromkeys(plain))
    assert got[7] == sum(plain)
    assert dict(got[8]) == foldby
    if plain:
        assert steps.max().compute(scheduler="sync") == max(plain)
        assert steps.min().compute(scheduler="threads") == min(plain)
