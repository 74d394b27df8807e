"""The shuffles: rows routed by key, order kept; the disk shuffle's spill files removed and
its memory bounded (method comparisons: test_shuffle_tasks.py)."""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera
import tessera.dataframe as dd
from tessera import config
from tessera.callbacks import Callback
from tessera.dataframe.shuffle import HashPartitioner, ReadPieces, SplitWrite, sizes_table
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


@pytest.fixture
def disk() -> Iterator[None]:
    """Every shuffle of the test is a disk shuffle."""
    with config.set({"dataframe.shuffle.method": "disk"}):
        yield


@pytest.fixture(params=["tasks", "disk"])
def method(request: pytest.FixtureRequest) -> Iterator[str]:
    """The test runs once per shuffle method (set in the configuration)."""
    with config.set({"dataframe.shuffle.method": request.param}):
        yield request.param


@pytest.fixture
def spill_root(tmp_path: Path, disk: None) -> Iterator[Path]:
    """Disk shuffles whose spill directories go under a directory the test can inspect."""
    with config.set(temporary_directory=str(tmp_path)):
        yield tmp_path


def _parts(frame: Any, scheduler: str = "sync") -> list[pd.DataFrame]:
    return [frame.get_partition(i).compute(scheduler=scheduler) for i in range(frame.npartitions)]


def _check_grouped(parts: list[pd.DataFrame], keys: list[str]) -> None:
    seen: dict[Any, int] = {}
    for j, p in enumerate(parts):
        assert p.index.is_monotonic_increasing, "rows that meet keep their input order"
        for key in p[keys].drop_duplicates().itertuples(index=False):
            k = tuple("nan" if isinstance(x, float) and np.isnan(x) else x for x in key)
            assert seen.setdefault(k, j) == j, f"key {k} in partitions {seen[k]} and {j}"


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("nout", [1, 3, 5])
def test_shuffle_puts_equal_keys_together(
    pdf: pd.DataFrame, n: int, nout: int, method: str
) -> None:
    out = dd.from_pandas(pdf, npartitions=n).shuffle("k", npartitions=nout)
    assert out.npartitions == nout and not out.known_divisions
    parts = _parts(out)
    _check_grouped(parts, ["k"])
    assert_eq(pd.concat(parts).sort_index(), pdf)


@pytest.mark.parametrize("on", [["k", "s"], "z", "s", "b"])
def test_shuffle_on_several_columns_and_dtypes(pdf: pd.DataFrame, on: Any, method: str) -> None:
    out = dd.from_pandas(pdf, npartitions=3).shuffle(on, npartitions=4)
    _check_grouped(_parts(out), on if isinstance(on, list) else [on])
    assert_eq(out.compute().sort_index(), pdf)


def test_shuffle_on_a_series_and_ignore_index(pdf: pd.DataFrame, method: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    out = df.shuffle(df.x % 3, npartitions=2)
    assert list(out.columns) == list(pdf.columns)
    _check_grouped([p.assign(m=p.x % 3) for p in _parts(out)], ["m"])
    assert_eq(out.compute().sort_index(), pdf)
    numbered = df.shuffle("k", ignore_index=True).compute()
    assert numbered.index.tolist() == list(range(len(pdf)))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_shuffle_on_every_scheduler(pdf: pd.DataFrame, scheduler: str, method: str) -> None:
    out = dd.from_pandas(pdf, npartitions=3).shuffle("s", npartitions=2)
    _check_grouped(_parts(out, scheduler), ["s"])
    assert_eq(out.compute(scheduler=scheduler).sort_index(), pdf)


@settings(max_examples=15, deadline=None)
@given(
    data_frames(
        [column("a", dtype=int), column("b", elements=st.sampled_from(["x", "y", "zz"]))],
        index=range_indexes(min_size=0, max_size=30),
    ),
    st.integers(1, 4),
    st.integers(1, 5),
)
def test_shuffle_property(frame: pd.DataFrame, n: int, nout: int) -> None:
    out = dd.from_pandas(frame, npartitions=n).shuffle(["a", "b"], npartitions=nout)
    parts = _parts(out)
    _check_grouped(parts, ["a", "b"])
    assert_eq(pd.concat(parts).sort_index(), frame)


def test_hash_partitioner_casts_make_int_and_float_keys_agree() -> None:
    ints, floats = pd.DataFrame({"k": [1, 2, 3]}), pd.DataFrame({"k": [1.0, 2.0, 3.0]})
    cast = (np.dtype("float64"),)
    a = HashPartitioner(("k",), 7, cast)(ints)
    b = HashPartitioner(("k",), 7, cast)(floats)
    assert a.tolist() == b.tolist()
    index = HashPartitioner(None, 7, cast)(pd.DataFrame(index=pd.Index([1, 2, 3])))
    assert index.tolist() == a.tolist()


def test_shuffle_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(KeyError, match=r"available columns: \['k'"):
        df.shuffle("nope")
    with pytest.raises(AttributeError, match="DataFrame method"):
        df.x.shuffle("x")


# -- spill directories ---------------------------------------------------------------
def _boom_on_four(part: pd.DataFrame) -> pd.DataFrame:
    if (part.index == 4).any():
        raise ZeroDivisionError("boom in partition")
    return part


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_spill_dir_removed_after_success(
    pdf: pd.DataFrame, spill_root: Path, scheduler: str
) -> None:
    out = dd.from_pandas(pdf, npartitions=4).shuffle("k", npartitions=3)
    assert len(out.compute(scheduler=scheduler)) == len(pdf)
    assert os.listdir(spill_root) == []
    out.get_partition(0).compute(scheduler=scheduler)  # other outputs never read
    assert os.listdir(spill_root) == []
    assert len(out.persist(scheduler=scheduler).compute()) == len(pdf)
    (result,) = tessera.compute(out, scheduler=scheduler)  # no scope: the graph's lifetime
    assert len(result) == len(pdf) and os.listdir(spill_root) == []


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
@pytest.mark.parametrize("stage", ["input", "output"])
def test_spill_dir_removed_after_failure(
    pdf: pd.DataFrame, spill_root: Path, scheduler: str, stage: str
) -> None:
    df = dd.from_pandas(pdf.reset_index(drop=True), npartitions=5)
    meta = df.meta
    if stage == "input":
        out = df.map_partitions(_boom_on_four, meta=meta).shuffle("k", npartitions=3)
    else:
        out = df.shuffle("k", npartitions=3).reset_index(drop=True)
        out = out.map_partitions(_boom_on_four, meta=meta)
    with pytest.raises(ZeroDivisionError, match="boom") as info:
        out.compute(scheduler=scheduler)
    assert info.value is not None
    assert os.listdir(spill_root) == []


# -- memory --------------------------------------------------------------------------
def _make(seed: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(int(seed.i.iloc[0]))
    return pd.DataFrame({"k": rng.integers(0, 50, 500), "v": rng.random(500)})


class _LiveRows(Callback):
    """The most rows held at once in task results (partitions die when freed)."""

    def _start(self, dsk: Any) -> None:
        self.alive: dict[int, int] = {}
        self.peak = 0

    def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        if isinstance(result, pd.DataFrame) and len(result):
            self.alive[id(result)] = len(result)
            weakref.finalize(result, self.alive.pop, id(result), None)
        self.peak = max(self.peak, sum(self.alive.values()))


@pytest.mark.parametrize("how", ["shuffle", "set_index", "sort_values"])
def test_shuffle_holds_about_one_partition(how: str, disk: None) -> None:
    """8 partitions of 500 rows made by tasks: the shuffle never holds more than ~2."""
    seeds = dd.from_dict({"i": range(8)}, npartitions=8)
    df = seeds.map_partitions(_make, meta={"k": "int64", "v": "float64"})
    moved = {
        "shuffle": lambda: df.shuffle("k"),
        "set_index": lambda: df.set_index("v"),
        "sort_values": lambda: df.sort_values("v"),
    }[how]()
    lengths = moved.map_partitions(len, meta=("n", "int64"))
    with _LiveRows() as live:
        assert lengths.compute(scheduler="sync", optimize_graph=False).sum() == 4000
    assert 500 <= live.peak <= 1000, live.peak


def test_shuffle_graph_structure(pdf: pd.DataFrame, disk: None) -> None:
    """Input tasks read one partition; output tasks read only the sizes table."""
    df = dd.from_pandas(pdf, npartitions=4)
    out = df.shuffle("k", npartitions=3)
    tasks = out.__tessera_graph__()
    writes = [t for t in tasks.values() if isinstance(t[0], SplitWrite)]
    reads = [t for t in tasks.values() if isinstance(t[0], ReadPieces)]
    barrier = [t for t in tasks.values() if t[0] is sizes_table]
    assert len(writes) == 4 and all(len(t) == 2 and t[1][0] == df._name for t in writes)
    assert len(reads) == 3 and len(barrier) == 1
    assert all(t[1:] == reads[0][1:] and t[1][0].startswith("shuffle-sizes") for t in reads)
