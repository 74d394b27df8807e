"""Hive-partitioned Parquet: to_parquet(partition_on=) and read_parquet of ``k=v`` directories,
against pandas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _as_read(pdf: pd.DataFrame, on: list[str], categories: dict[str, list[Any]]) -> pd.DataFrame:
    """``pdf`` as read back: the partition columns last, as categoricals."""
    out = pdf[[c for c in pdf.columns if c not in on] + on].copy()
    for c in on:
        cats = pd.Index(categories[c], dtype="int32" if c == "k" else None)
        out[c] = pd.Categorical(out[c], categories=cats)
    return out


@pytest.mark.parametrize("n", NPARTS)
def test_round_trip_matches_pandas(pdf: pd.DataFrame, tmp_path: Path, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert df.to_parquet(tmp_path, partition_on=["k"]) is None
    files = _files(tmp_path)
    assert {f.split("/")[0] for f in files} == {f"k={k}" for k in pdf.k.unique()}
    assert all(f.split("/")[1].startswith("part.") for f in files)
    back = dd.read_parquet(tmp_path)
    expected = pd.read_parquet(tmp_path)
    assert isinstance(expected.k.dtype, pd.CategoricalDtype)
    assert_eq(back, expected)  # one-digit values: natural order is pandas' order
    assert_eq(back.compute().sort_index(), _as_read(pdf, ["k"], {"k": [0, 1, 2, 3]}))


def test_two_levels_written_by_pandas(pdf: pd.DataFrame, tmp_path: Path) -> None:
    pdf.to_parquet(tmp_path, partition_cols=["k", "s"], index=False)
    expected = pd.read_parquet(tmp_path)
    (tmp_path / "_SUCCESS").write_text("")  # skipped, like other non-parquet names
    (tmp_path / "k=1" / "notes.txt").write_text("not parquet")
    back = dd.read_parquet(tmp_path)
    assert back.npartitions == len(pdf[["k", "s"]].drop_duplicates())
    assert list(back.columns) == [*pdf.columns.drop(["k", "s"]), "k", "s"]
    assert_eq(back.compute().reset_index(drop=True), expected)
    assert_eq(back.s.compute().reset_index(drop=True), expected.s)


@pytest.mark.parametrize(
    "filters,mask",
    [
        ([("k", "==", 1)], lambda d: d.k == 1),
        ([("k", ">=", 2), ("x", ">", 0)], lambda d: (d.k >= 2) & (d.x > 0)),
        ([[("k", "in", [0, 3])], [("y", "<", 0)]], lambda d: d.k.isin([0, 3]) | (d.y < 0)),
        ([("k", "not in", [0, 1, 2, 3])], lambda d: d.k < 0),
    ],
)
def test_filters_on_partition_columns_prune_directories(
    pdf: pd.DataFrame, tmp_path: Path, filters: Any, mask: Any
) -> None:
    dd.from_pandas(pdf, npartitions=3).to_parquet(tmp_path, partition_on="k")
    got = dd.read_parquet(tmp_path, filters=filters)
    full = dd.read_parquet(tmp_path).compute()
    expected = full[mask(full.assign(k=full.k.astype("int64")))]
    assert_eq(got.compute().sort_index(), expected.sort_index())
    if filters[0] == ("k", "==", 1):  # only the k=1 files are read
        paths = [t[0].path for t in got.layers[got._name].values()]
        assert paths and all("/k=1/" in p for p in paths)
        assert got.npartitions == len(list((tmp_path / "k=1").iterdir()))


def test_columns_and_index_with_partition_columns(pdf: pd.DataFrame, tmp_path: Path) -> None:
    dd.from_pandas(pdf, npartitions=2).to_parquet(tmp_path, partition_on=["s"])
    expected = pd.read_parquet(tmp_path)
    assert_eq(dd.read_parquet(tmp_path, columns=["s", "y"]), expected[["s", "y"]])
    assert_eq(dd.read_parquet(tmp_path, columns="s"), expected.s)
    by_s = dd.read_parquet(tmp_path, index="s", columns=["x"])
    assert_eq(by_s, expected.reset_index(drop=True).set_index("s")[["x"]])


def test_missing_values_and_escaped_names(tmp_path: Path) -> None:
    pdf = pd.DataFrame({"g": ["a/b", None, "c d", "a/b"], "v": np.arange(4.0)})
    lazy = dd.from_pandas(pdf, npartitions=2).to_parquet(tmp_path, partition_on="g", compute=False)
    paths = lazy.compute()
    assert sorted(Path(p).relative_to(tmp_path).as_posix() for p in paths) == _files(tmp_path)
    assert {f.split("/")[0] for f in _files(tmp_path)} == {
        "g=a%2Fb",
        "g=c%20d",
        "g=__HIVE_DEFAULT_PARTITION__",
    }
    back = dd.read_parquet(tmp_path).compute().sort_index()
    assert back.g.isna().tolist() == pdf.g.isna().tolist()
    assert back.g.dropna().astype(str).tolist() == pdf.g.dropna().tolist()
    assert dd.read_parquet(tmp_path, filters=[("g", "!=", "c d")]).v.compute().tolist() == [
        0.0,
        3.0,
    ]


def _fail_on_four(part: pd.DataFrame) -> pd.DataFrame:
    if (part.index == 4).any():
        raise RuntimeError("boom in partition")
    return part


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers_and_atomic_writes(pdf: pd.DataFrame, tmp_path: Path, scheduler: str) -> None:
    df = dd.from_pandas(pdf.reset_index(drop=True), npartitions=4)
    df.to_parquet(tmp_path / "ok", partition_on="k", compute_kwargs={"scheduler": scheduler})
    back = dd.read_parquet(tmp_path / "ok", filters=[("k", "<", 2)])
    assert_eq(back, pd.read_parquet(tmp_path / "ok", filters=[("k", "<", 2)]), scheduler=scheduler)
    bad = df.map_partitions(_fail_on_four, meta=df.meta)
    with pytest.raises(RuntimeError, match="boom"):
        bad.to_parquet(tmp_path / "bad", partition_on="k", compute_kwargs={"scheduler": scheduler})
    for name in _files(tmp_path / "bad"):  # no temporary file; whatever was written is whole
        assert not Path(name).name.startswith(".")
        assert len(pd.read_parquet(tmp_path / "bad" / name)) > 0


def test_bad_partition_input(pdf: pd.DataFrame, tmp_path: Path) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(KeyError, match=r"'nope'.*available columns"):
        df.to_parquet(tmp_path, partition_on=["nope"])
    df.to_parquet(tmp_path, partition_on=["k"])
    for filters in ([("k", "~", 1)], [], [[]]):  # pyarrow's "Malformed filters" as in pandas
        with pytest.raises(ValueError) as expected:
            pd.read_parquet(tmp_path, filters=filters)
        with pytest.raises(ValueError, match=expected.value.args[0]):
            dd.read_parquet(tmp_path, filters=filters)


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Datasets partitioned on ``k`` of several types: int (directories ``k=1`` read as
    int32), float (``k=1.0`` read as strings) and str, with a missing value."""
    keys = {
        "int": pd.array([1, 2, 1, None], dtype="Int64"),
        "float": [1.0, 2.0, 1.0, 2.0],
        "str": ["a", "b", "a", None],
    }
    folders = {}
    for kind, k in keys.items():
        folders[kind] = tmp_path_factory.mktemp(kind)
        pdf = pd.DataFrame({"k": k, "v": np.arange(4.0)})
        dd.from_pandas(pdf, npartitions=2).to_parquet(folders[kind], partition_on="k")
    return folders


@pytest.mark.parametrize("keys", ["int", "float", "str"])
@pytest.mark.parametrize(
    "term",
    [
        ("k", "==", 1),
        ("k", "!=", 1.0),
        ("k", "<", 1.5),
        ("k", "==", "1"),
        ("k", "==", "1.0"),
        ("k", "in", ["1", "2"]),
        ("k", "not in", [1, None]),
        ("k", ">=", "b"),
        ("k", "==", None),
    ],
)
def test_partition_filters_of_other_types_as_pandas(
    keyed: dict[str, Path], keys: str, term: tuple[Any, ...]
) -> None:
    """pyarrow casts the literal to the partition column's type, or raises, as in pandas."""
    tmp_path = keyed[keys]
    try:
        expected = pd.read_parquet(tmp_path, filters=[term])
    except Exception as e:
        with pytest.raises(type(e)):
            dd.read_parquet(tmp_path, filters=[term])
    else:
        got = dd.read_parquet(tmp_path, filters=[term]).compute()
        assert sorted(got.v) == sorted(expected.v)
        if len(expected):  # (pandas reads no categories when no row is left)
            assert got.k.dtype == expected.k.dtype
