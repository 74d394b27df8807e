"""explain(): operations, counts, bytes, projected peak and footgun warnings."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tessera.array as da
import tessera.bag as db
import tessera.dataframe as dd
from tessera.base import Collection
from tessera.diagnostics import Plan, explain
from tessera.diagnostics.explain import format_bytes


def rows(plan: Plan) -> list[tuple[str, int, int, str]]:
    return [(op.group, op.tasks, op.partitions, op.bytes_text) for op in plan.operations]


def test_array_plan() -> None:
    x = da.from_array(np.arange(64.0).reshape(8, 8), chunks=4)
    y = (x + 1).T
    plan = y.explain()
    assert isinstance(plan, str) and plan is not None and repr(plan) == str(plan)
    assert rows(plan) == [
        ("array-original-array", 1, 1, "512 B"),  # the NumPy array held in the graph
        ("array", 4, 4, "512 B"),  # its blocks: 4 x (4, 4) float64, sliced from it
        ("add", 4, 4, "~512 B"),  # block-wise: estimated from its input
        ("transpose", 4, 4, "512 B"),  # the result: shape x itemsize
    ]
    assert [op.inputs for op in plan.operations] == [(), (0,), (1,), (2,)]
    assert plan.tasks == 13 and plan.fused_tasks < plan.tasks
    assert plan.peak.results >= 5 and plan.peak.unknown == 0
    assert 512 + 128 <= plan.peak.nbytes <= 2 * 512
    assert plan.warnings == []
    lines = plan.splitlines()
    assert lines[0] == "array.Array transpose: 4 operations, 13 tasks (5 after fusing chains)"
    assert lines[2].split() == ["#", "operation", "tasks", "chunks", "bytes", "reads"]
    assert lines[-1] == "warnings: none"


def test_array_peak_follows_the_static_order() -> None:
    """A sum keeps one block or partial sum at a time, not the whole array."""
    x = da.ones((100, 100), chunks=10)  # 100 blocks of 800 bytes
    plan = x.sum().explain()
    assert plan.operations[0].bytes_text == "78.1 KiB"
    assert plan.peak.nbytes < 10 * 800
    whole = (x + 1).explain()
    assert whole.peak.nbytes >= 100 * 800  # every block of the result is kept


def test_unknown_chunks_and_all_to_all_rechunk() -> None:
    x = da.ones((8, 8), chunks=(8, 1))
    plan = x.rechunk((1, 8)).explain()
    (warning,) = plan.warnings
    assert warning.startswith("rechunk: all-to-all: each of its 8 partitions depends on all 8")
    assert "Rechunk once" in warning
    assert "all-to-all" not in x.rechunk((8, 2)).explain()
    y = x[x[:, 0] > 0]  # boolean selection: the number of rows is unknown
    (unknown,) = y.explain().warnings
    assert unknown.startswith("the chunk sizes are unknown (nan): len() and shape")
    assert y.explain().operations[-1].bytes_text == "unknown"


def test_bag_plan_with_take_and_shuffle() -> None:
    b = db.from_sequence(range(20), npartitions=4)
    plan = b.map(str).take(3, compute=False).explain()
    assert [op.group for op in plan.operations] == ["from_sequence", "map-str", "take"]
    assert plan.operations[1].bytes_text == "unknown"
    assert plan.operations[0].bytes_text.startswith("~")  # a list: sampled sizes
    (warning,) = plan.warnings
    assert warning.startswith("take reads only the first 1 of the 4 partitions of map-str")
    assert "npartitions=-1" in warning
    assert not b.take(3, npartitions=-1, compute=False).explain().warnings
    grouped = b.groupby(lambda v: v % 3).explain()
    assert grouped.operations[-1].partitions == 4 < grouped.operations[-1].tasks
    (shuffle,) = grouped.warnings
    assert "all-to-all" in shuffle and "Prefer a reduction" in shuffle


def test_bag_gzip_input_cannot_be_split(tmp_path: Path) -> None:
    for i in range(2):
        with gzip.open(tmp_path / f"{i}.txt.gz", "wt") as f:
            f.write("a\nb\n")
    (tmp_path / "plain.txt").write_text("c\n")
    plan = db.read_text(str(tmp_path / "*.gz")).map(len).explain()
    (warning,) = plan.warnings
    assert warning.startswith("read_text: 2 tasks read gzip-compressed files, which cannot be")
    assert not db.read_text(str(tmp_path / "plain.txt"), blocksize=1).explain().warnings


def test_dataframe_plan() -> None:
    pdf = pd.DataFrame({"k": [1, 2, 1, 2, 3, 4] * 5, "v": np.arange(30.0)})
    df = dd.from_pandas(pdf, npartitions=3)
    plan = df.groupby("k").v.mean().explain()
    groups = [op.group for op in plan.operations]
    assert groups[:2] == ["from-pandas", "groupby-mean-chunk"]
    assert groups[2].startswith("groupby-mean")
    assert [op.partitions for op in plan.operations] == [3, 3, 1]
    parts = [df.get_partition(i).compute() for i in range(3)]
    expected = sum(int(p.memory_usage(deep=False).sum()) for p in parts)
    assert plan.operations[0].nbytes == expected  # the pandas data in the graph
    assert [op.bytes_text for op in plan.operations[1:]] == ["unknown", "unknown"]
    assert "partitions" in plan.splitlines()[2]
    assert plan.peak.unknown >= 1 and "results of unknown size" in plan
    assert plan.warnings[0].startswith("len() computes: it runs all 7 tasks")


def test_dataframe_read_csv_gzip(tmp_path: Path) -> None:
    if not hasattr(dd, "read_csv"):
        pytest.skip("tessera.dataframe.read_csv is not available")
    with gzip.open(tmp_path / "a.csv.gz", "wt") as f:
        f.write("k,v\n1,2\n3,4\n")
    plan = dd.read_csv(str(tmp_path / "a.csv.gz")).explain()
    assert any("gzip-compressed files, which cannot be split" in w for w in plan.warnings)


class Graph(Collection):
    """A minimal collection with layers, standing for any reader."""

    def __init__(self, layers: dict[str, dict[Any, Any]], keys: list[Any]) -> None:
        self.layers, self.keys = layers, keys

    def __tessera_graph__(self) -> dict[Any, Any]:
        return {k: v for layer in self.layers.values() for k, v in layer.items()}

    def __tessera_keys__(self) -> list[Any]:
        return self.keys


class Block:
    def __init__(self, path: str, compression: str | None) -> None:
        self.path, self.compression = path, compression


def test_compressed_reader_found_through_its_arguments() -> None:
    layer = {("read-csv-1234abcd", i): (len, Block(f"{i}.csv.bz2", "bz2")) for i in range(3)}
    plan = explain(Graph({"read-csv-1234abcd": layer}, list(layer)))
    (warning,) = plan.warnings
    assert warning.startswith("read-csv: 3 tasks read bz2-compressed files")
    assert plan.operations[0].bytes_text == "unknown"
    assert "projected peak memory: unknown (3 results held at once" in plan


def test_layers_are_listed_in_dependency_order() -> None:
    # the layers dict lists the consumer first; the plan puts its input first
    layers = {
        "b-1234abcd": {("b-1234abcd", 0): (sum, [("a-1234abcd", 0), ("a-1234abcd", 1)])},
        "a-1234abcd": {("a-1234abcd", i): (abs, -i) for i in range(2)},
    }
    plan = explain(Graph(layers, [("b-1234abcd", 0)]))
    assert [op.group for op in plan.operations] == ["a", "b"]
    assert plan.operations[1].inputs == (0,)


def test_format_bytes() -> None:
    assert [format_bytes(n) for n in (0, 1023, 1024, 5 * 2**20, 2**50)] == [
        "0 B",
        "1023 B",
        "1.0 KiB",
        "5.0 MiB",
        "1024.0 TiB",
    ]
