"""read_parquet / to_parquet: round trips, pushdown, divisions, schemas, atomic writes."""

from __future__ import annotations

import gc
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera
import tessera.dataframe as dd
from tessera.dataframe.io.parquet import import_pyarrow
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("n", NPARTS)
def test_round_trip_keeps_index_dtypes_and_divisions(
    pdf: pd.DataFrame, tmp_path: Path, n: int
) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert df.to_parquet(tmp_path) is None
    assert _files(tmp_path) == sorted(f"part.{i}.parquet" for i in range(df.npartitions))
    back = dd.read_parquet(tmp_path)
    assert back.divisions == df.divisions
    assert_eq(back, pdf)
    assert_eq(back, pd.read_parquet(tmp_path))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    frame=data_frames(
        [
            column("i", dtype="int64"),
            column("f", dtype="float64"),
            column("t", elements=st.text(max_size=3)),
        ],
        index=range_indexes(max_size=25),
    ),
    n=st.integers(1, 4),
)
def test_round_trip_property(tmp_path: Path, frame: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(frame, npartitions=n)
    df.to_parquet(tmp_path, overwrite=True)
    back = dd.read_parquet(tmp_path)
    assert_eq(back, pd.read_parquet(tmp_path))
    assert_eq(back, frame, check_dtype=False, check_index_type=False)


def test_unnamed_range_index_and_series(tmp_path: Path) -> None:
    pdf = pd.DataFrame({"a": np.arange(10.0), "t": pd.date_range("2024", periods=10)})
    dd.from_pandas(pdf, npartitions=3).to_parquet(tmp_path / "f")
    back = dd.read_parquet(tmp_path / "f")
    assert back.divisions == (0, 4, 8, 9)
    assert_eq(back, pdf)
    dd.from_pandas(pdf.a, npartitions=2).to_parquet(tmp_path / "s")
    assert_eq(dd.read_parquet(tmp_path / "s", columns="a"), pdf.a)


@pytest.mark.parametrize(
    "filters",
    [
        [("k", "==", 1)],
        [("x", ">", 0), ("s", "in", ["a", "b"])],
        [[("k", "==", 0)], [("y", "<", -0.5)]],
        [("x", ">", 100)],
    ],
)
def test_filters_and_columns_match_pandas(pdf: pd.DataFrame, tmp_path: Path, filters: Any) -> None:
    dd.from_pandas(pdf, npartitions=4).to_parquet(tmp_path)
    expected = pd.read_parquet(tmp_path, filters=filters)
    assert_eq(dd.read_parquet(tmp_path, filters=filters), expected)
    got = dd.read_parquet(tmp_path, columns=["y", "s"], filters=filters)
    assert_eq(got, expected[["y", "s"]])
    assert_eq(dd.read_parquet(tmp_path, columns="y", filters=filters), expected.y)


def test_filters_drop_files_by_statistics(tmp_path: Path) -> None:
    pdf = pd.DataFrame({"a": np.arange(100)}, index=pd.Index(np.arange(100), name="i"))
    dd.from_pandas(pdf, npartitions=5).to_parquet(tmp_path)
    df = dd.read_parquet(tmp_path, filters=[("a", ">=", 45)])
    assert df.npartitions == 3 and df.divisions == (40, 60, 80, 99)
    assert_eq(df, pdf[pdf.a >= 45])
    none = dd.read_parquet(tmp_path, filters=[("a", ">", 1000)])
    assert none.npartitions == 1
    assert_eq(none, pdf.iloc[:0])


def test_columns_are_the_only_ones_read(pdf: pd.DataFrame, tmp_path: Path) -> None:
    dd.from_pandas(pdf, npartitions=2).to_parquet(tmp_path)
    df = dd.read_parquet(tmp_path, columns=["z"])
    assert {v[0].spec.fields for v in df.layers[df._name].values()} == {("z", "idx")}
    with pytest.raises(KeyError, match=r"'nope'.*the files hold"):
        dd.read_parquet(tmp_path, columns=["nope"])


def test_index_options(pdf: pd.DataFrame, tmp_path: Path) -> None:
    dd.from_pandas(pdf, npartitions=3).to_parquet(tmp_path)
    flat = dd.read_parquet(tmp_path, index=False)
    assert not flat.known_divisions
    expected = pd.read_parquet(tmp_path).reset_index()[[*pdf.columns, "idx"]]
    assert_eq(flat.compute().reset_index(drop=True), expected)
    by_k = dd.read_parquet(tmp_path, index="k")
    assert not by_k.known_divisions  # k is not sorted across files
    assert_eq(by_k, pdf.reset_index(drop=True).set_index("k"))
    by_x = dd.read_parquet(tmp_path, index="x", columns=["y", "idx"])
    assert_eq(by_x, pdf.reset_index().set_index("x")[["y", "idx"]])


def test_dataset_inputs(pdf: pd.DataFrame, tmp_path: Path) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    df.to_parquet(tmp_path, name_function=lambda i: f"{10 - i * 4}")
    (tmp_path / "_SUCCESS").write_text("")
    (tmp_path / ".hidden.parquet").write_text("not parquet")
    names = _files(tmp_path)
    assert {"part.10.parquet", "part.6.parquet", "part.2.parquet"} <= set(names)
    # natural order: part.2 < part.6 < part.10, so the index is out of order
    back = dd.read_parquet(tmp_path)
    assert not back.known_divisions
    assert_eq(back.compute().sort_index(), pdf)
    glob = dd.read_parquet(str(tmp_path / "part.1*.parquet"))
    assert_eq(glob, pdf.iloc[:7])
    listed = dd.read_parquet([tmp_path / "part.10.parquet", tmp_path / "part.6.parquet"])
    assert listed.known_divisions
    assert_eq(listed, pdf.iloc[:14])
    with pytest.raises(FileNotFoundError, match="nothing"):
        dd.read_parquet(tmp_path / "nothing*.parquet")


def test_overwrite_and_empty_partitions(pdf: pd.DataFrame, tmp_path: Path) -> None:
    dd.from_pandas(pdf, npartitions=7).to_parquet(tmp_path)
    sub = dd.from_pandas(pdf, npartitions=3)
    sub = sub[sub.x > 4]  # some partitions are empty
    sub.to_parquet(tmp_path, overwrite=True)
    assert len(_files(tmp_path)) == 3
    schemas = {pq.read_schema(tmp_path / f).remove_metadata() for f in _files(tmp_path)}
    assert len(schemas) == 1
    assert_eq(dd.read_parquet(tmp_path), pdf[pdf.x > 4])


def test_object_columns_take_their_type_from_the_first_partition(tmp_path: Path) -> None:
    pdf = pd.DataFrame({"d": pd.Series([Decimal("1.5"), None, Decimal("2.5")], dtype=object)})
    df = dd.from_pandas(pdf, npartitions=2)
    df.to_parquet(tmp_path / "a")
    assert pa.types.is_decimal(pq.read_schema(tmp_path / "a" / "part.1.parquet").field("d").type)
    assert_eq(dd.read_parquet(tmp_path / "a"), pd.read_parquet(tmp_path / "a"))
    nones = pd.DataFrame({"o": pd.Series([None, None, "x"], dtype=object)})
    with pytest.raises(ValueError, match="schema="):
        dd.from_pandas(nones, npartitions=2).to_parquet(tmp_path / "b")
    dd.from_pandas(nones, npartitions=2).to_parquet(tmp_path / "c", schema={"o": pa.string()})
    assert dd.read_parquet(tmp_path / "c").o.compute().tolist()[2] == "x"


def _fail_late(part: pd.DataFrame) -> pd.DataFrame:
    if len(part) and part.index[0] >= 20:
        raise RuntimeError("boom in partition")
    return part


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers_and_failed_writes(pdf: pd.DataFrame, tmp_path: Path, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=4)
    df.to_parquet(tmp_path / "ok", compute_kwargs={"scheduler": scheduler})
    assert_eq(
        dd.read_parquet(tmp_path / "ok", filters=[("k", "<", 2)]),
        pdf[pdf.k < 2],
        scheduler=scheduler,
    )
    bad = df.map_partitions(_fail_late, meta=pdf.iloc[:0])
    with pytest.raises(RuntimeError, match="boom"):
        bad.to_parquet(tmp_path / "bad", compute_kwargs={"scheduler": scheduler})
    lazy = bad.to_parquet(tmp_path / "lazy", compute=False)
    with pytest.raises(RuntimeError, match="boom"):
        tessera.compute(lazy, scheduler=scheduler)
    gc.collect()
    for folder in (tmp_path / "bad", tmp_path / "lazy"):
        assert set(_files(folder)) <= {"part.0.parquet", "part.1.parquet"}
        for name in _files(folder):  # whatever was written is complete
            assert len(pd.read_parquet(folder / name)) == 5


def test_compression_and_writer_options(pdf: pd.DataFrame, tmp_path: Path) -> None:
    dd.from_pandas(pdf, npartitions=2).to_parquet(
        tmp_path, compression="zstd", row_group_size=4, write_index=False
    )
    meta = pq.ParquetFile(tmp_path / "part.0.parquet").metadata
    assert meta.num_row_groups == 3 and meta.row_group(0).column(0).compression == "ZSTD"
    back = dd.read_parquet(tmp_path)
    assert not back.known_divisions
    assert_eq(back.compute().reset_index(drop=True), pdf.reset_index(drop=True))


def test_missing_pyarrow_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r'pip install "tessera\[parquet\]"'):
        import_pyarrow()


def test_column_projection(pdf: pd.DataFrame, tmp_path: Path) -> None:
    from tessera.dataframe.io.project import project_columns

    dd.from_pandas(pdf, npartitions=3).to_parquet(tmp_path)
    df = dd.read_parquet(tmp_path, filters=[("x", ">", -3)])
    got = project_columns(df, ["s", "y"])
    assert got.divisions == df.divisions
    assert {t[0].spec.fields for t in got.layers[got._name].values()} == {("s", "y", "idx")}
    assert_eq(got, df[["s", "y"]])
    assert_eq(got, pd.read_parquet(tmp_path, filters=[("x", ">", -3)])[["s", "y"]])
