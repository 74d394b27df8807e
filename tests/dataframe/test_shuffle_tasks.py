"""The task shuffle against the disk shuffle (equal partitions), its stages, and the choice
of method."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera
import tessera.array as da
import tessera.dataframe as dd
from tessera import config
from tessera.config import defaults
from tessera.dataframe.shuffle import HashPartitioner, SplitWrite, hash_shuffle
from tessera.dataframe.shuffle_method import choose_method, in_memory_bytes
from tessera.dataframe.shuffle_tasks import Gather, Plan, SplitRows, task_shuffle
from tessera.dataframe.testing import assert_eq
from tessera.sizes import parse_bytes
from tests.dataframe.conftest import NPARTS

METHODS = ["tasks", "disk"]


def _parts(frame: Any, scheduler: str = "sync") -> list[Any]:
    keys = [frame.get_partition(i) for i in range(frame.npartitions)]
    return list(tessera.compute(*keys, scheduler=scheduler))


def _same_partitions(a: list[Any], b: list[Any]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert_eq(x, y, check_divisions=False)


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("nout", [1, 4, 9])
@pytest.mark.parametrize("max_branch", [2, 32])
def test_tasks_equal_disk_partition_by_partition(
    pdf: pd.DataFrame, n: int, nout: int, max_branch: int
) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    part = HashPartitioner(("k", "s"), nout)
    tasks = task_shuffle(df, part, nout, max_branch=max_branch)
    disk = hash_shuffle(df, ["k", "s"], nout, method="disk")
    _same_partitions(_parts(tasks), _parts(disk))
    assert_eq(tasks.compute().sort_index(), pdf)


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
@pytest.mark.parametrize(
    "how",
    [
        lambda df: df.shuffle("s", npartitions=3),
        lambda df: df.set_index("y"),
        lambda df: df.sort_values(["k", "y"]),
        lambda df: df.merge(df[["k", "x"]], on="k", broadcast=False),
        lambda df: df.groupby("k").apply(lambda g: g.x.cumsum(), meta=("x", "int64")),
    ],
    ids=["shuffle", "set_index", "sort_values", "merge", "groupby_apply"],
)
def test_every_shuffling_operation_gives_the_same_result(
    pdf: pd.DataFrame, scheduler: str, how: Any
) -> None:
    results = {}
    for method in METHODS:
        with config.set({"dataframe.shuffle.method": method}):
            out = how(dd.from_pandas(pdf, npartitions=3))
            results[method] = _parts(out, scheduler)
    _same_partitions(results["tasks"], results["disk"])
    assert len(pd.concat(results["tasks"])) >= len(pdf)


@settings(max_examples=20, deadline=None)
@given(
    data_frames(
        [column("a", dtype=int), column("b", elements=st.sampled_from(["x", "y", None]))],
        index=range_indexes(min_size=0, max_size=40),
    ),
    st.integers(1, 9),
    st.integers(1, 12),
    st.integers(2, 5),
)
def test_tasks_equal_disk_property(frame: pd.DataFrame, n: int, nout: int, branch: int) -> None:
    df = dd.from_pandas(frame, npartitions=n)
    tasks = task_shuffle(df, HashPartitioner(("a", "b"), nout), nout, max_branch=branch)
    disk = hash_shuffle(df, ["a", "b"], nout, method="disk")
    _same_partitions(_parts(tasks), _parts(disk))


@pytest.mark.parametrize("nin,nout", [(1, 1), (3, 40), (40, 3), (100, 100), (1000, 7)])
def test_plan_moves_every_row_once_per_stage(nin: int, nout: int) -> None:
    plan = Plan(nin, nout, 32)
    assert plan.base <= 32 and plan.base**plan.stages >= max(nin, nout)
    live = plan.live()
    assert live[0] == list(range(nin)) and live[-1] == list(range(nout))
    for s in range(plan.stages):  # the groups of stage s partition its live tasks
        groups = {tuple(plan.group(q, s)) for q in live[s + 1]}
        members = [m for g in groups for m in g if m in set(live[s])]
        assert sorted(members) == live[s]


def test_graph_stays_small_for_many_partitions() -> None:
    df = dd.from_pandas(pd.DataFrame({"k": range(240)}), npartitions=120)
    out = task_shuffle(df, HashPartitioner(("k",), 120), 120, max_branch=8)
    tasks = out.__tessera_graph__()
    gathers = [t for t in tasks.values() if isinstance(t[0], Gather)]
    splits = [t for t in tasks.values() if isinstance(t[0], SplitRows)]
    assert len(splits) == 120 and len(gathers) <= 3 * 5**3  # 3 stages of base 5
    assert sum(len(t[1]) for t in gathers) <= 3 * 5**4  # vs 120 * 120 edges in one stage
    assert_eq(out.compute(scheduler="sync").sort_index(), df.compute())


def _grow(part: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([part] * 3)


def test_choose_method_rules(pdf: pd.DataFrame, tmp_path: Any) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    derived = df[df.x > 0].assign(w=df.y * 2)
    assert choose_method(df) == choose_method(derived) == "tasks"
    assert choose_method(df.map_partitions(_grow, meta=df.meta)) == "disk"  # user code
    df.to_parquet(tmp_path)
    assert choose_method(dd.read_parquet(tmp_path)) == "disk"  # files: size unknown
    assert choose_method(df.persist()) == "tasks"
    assert choose_method(dd.from_array(np.arange(6.0))) == "tasks"  # NumPy data
    assert choose_method(dd.from_array(da.arange(6.0, chunks=3))) == "disk"  # generated
    with config.set({"dataframe.shuffle.tasks-max-bytes": 100}):
        assert choose_method(df) == "disk"
    with config.set({"dataframe.shuffle.tasks-max-bytes": "1MiB"}):
        assert choose_method(df) == "tasks"
    with config.set({"dataframe.shuffle.method": "disk"}):
        assert choose_method(df) == "disk" and choose_method(df, "tasks") == "tasks"
    held = sum(p.memory_usage(deep=True).sum() for p in _parts(df))
    assert in_memory_bytes(df.__tessera_graph__()) == held
    big = pd.DataFrame(
        {"a": np.zeros(parse_bytes(defaults["dataframe.shuffle.tasks-max-bytes"]) // 8 + 1)}
    )
    assert choose_method(dd.from_pandas(big, npartitions=2)) == "disk"


def test_joins_and_explode_make_the_size_unknown() -> None:
    # 4 rows with one key make 16 in a self-join (and any number, with more rows), so
    # what is held in memory says nothing about what reaches the shuffle
    pdf = pd.DataFrame({"k": [1, 1, 1, 1], "v": [[1, 2, 3]] * 4})
    df = dd.from_pandas(pdf, npartitions=2)
    small = dd.from_pandas(pdf[["k"]], npartitions=1)
    assert choose_method(df[df.k > 0]) == "tasks"
    assert choose_method(df.explode("v")) == "disk"
    assert choose_method(df.merge(df, on="k")) == "disk"  # hash join
    assert choose_method(df.merge(small, on="k")) == "disk"  # broadcast join
    assert choose_method(df.set_index("k").join(small.set_index("k"))) == "disk"
    out = df.merge(df, on="k").explode("v_x").shuffle("k").compute()
    assert len(out) == len(pdf.merge(pdf, on="k").explode("v_x")) == 48


def test_auto_method_in_the_graph(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    small = df.shuffle("k").__tessera_graph__()
    assert any(isinstance(t[0], SplitRows) for t in small.values())
    grown = df.map_partitions(_grow, meta=df.meta).shuffle("k").__tessera_graph__()
    assert any(isinstance(t[0], SplitWrite) for t in grown.values())


def test_bad_method_names_the_choices(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(ValueError, match=r"'tasks', 'disk' or None, got 'p2p'"):
        hash_shuffle(df, ["k"], method="p2p")
    bad = config.set({"dataframe.shuffle.method": "fast"})
    with bad, pytest.raises(ValueError, match=r"config 'dataframe.shuffle.method'.*'fast'"):
        df.shuffle("k")
