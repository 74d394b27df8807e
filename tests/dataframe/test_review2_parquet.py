"""Review 2 of ``to_parquet``: nothing touches the dataset before every partition is
written; a write that replaces a dataset refuses a graph reading from it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

SCHEDULERS = ["sync", "threads", "processes"]


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _no_temps(folder: Path) -> bool:
    return not any(part.startswith(".") for p in folder.rglob("*") for part in p.parts[-1:])


def _boom(part: pd.DataFrame) -> pd.DataFrame:
    if part.a.iloc[0] >= 5:
        raise RuntimeError("boom")
    return part


def _failing(pdf: pd.DataFrame) -> dd.DataFrame:
    """Two partitions; the second one fails."""
    return dd.from_pandas(pdf, npartitions=2).map_partitions(_boom, meta=pdf.iloc[:0])


@pytest.fixture
def ten() -> pd.DataFrame:
    return pd.DataFrame({"a": range(10), "h": [1, 2] * 5})


# -- reviewer reproducers ---------------------------------------------------------------------
@pytest.mark.parametrize("compute", [True, False])
def test_overwrite_of_the_path_being_read_is_refused(
    ten: pd.DataFrame, tmp_path: Path, compute: bool
) -> None:
    dd.from_pandas(ten, npartitions=3).to_parquet(tmp_path)
    before = _files(tmp_path)
    with pytest.raises(ValueError, match=r"read from .*part\.0\.parquet.*overwrite=True"):
        (dd.read_parquet(tmp_path) + 1).to_parquet(tmp_path, overwrite=True, compute=compute)
    assert _files(tmp_path) == before
    assert_eq(dd.read_parquet(tmp_path), ten)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_failed_rewrite_leaves_the_old_dataset(
    ten: pd.DataFrame, tmp_path: Path, scheduler: str
) -> None:
    dd.from_pandas(ten, npartitions=4).to_parquet(tmp_path)
    before = {f: (tmp_path / f).read_bytes() for f in _files(tmp_path)}
    with pytest.raises(RuntimeError, match="boom"):
        _failing(ten).to_parquet(tmp_path, compute_kwargs={"scheduler": scheduler})
    assert {f: (tmp_path / f).read_bytes() for f in _files(tmp_path)} == before
    assert _no_temps(tmp_path)
    assert_eq(dd.read_parquet(tmp_path), ten, scheduler=scheduler)


# -- failures leave the directory as it was ---------------------------------------------------
@pytest.mark.parametrize(
    "options",
    [{"overwrite": True}, {"partition_on": "h"}, {"append": True, "ignore_divisions": True}],
)
def test_failed_write_of_any_kind_changes_nothing(
    ten: pd.DataFrame, tmp_path: Path, options: dict[str, object]
) -> None:
    dd.from_pandas(ten, npartitions=3).to_parquet(tmp_path)
    (tmp_path / "_SUCCESS").write_text("")
    before = _files(tmp_path)
    with pytest.raises(RuntimeError, match="boom"):
        _failing(ten).to_parquet(tmp_path, compute_kwargs={"scheduler": "threads"}, **options)
    assert _files(tmp_path) == before
    assert _no_temps(tmp_path)
    assert_eq(dd.read_parquet(tmp_path), ten)


def test_failed_hive_rewrite_keeps_the_hive_dataset(ten: pd.DataFrame, tmp_path: Path) -> None:
    dd.from_pandas(ten, npartitions=3).to_parquet(tmp_path, partition_on="h")
    before = _files(tmp_path)
    with pytest.raises(RuntimeError, match="boom"):
        _failing(ten).to_parquet(tmp_path, overwrite=True, partition_on="h")
    assert _files(tmp_path) == before and _no_temps(tmp_path)
    got = dd.read_parquet(tmp_path).compute().sort_index()
    assert got.a.tolist() == list(range(10))


# -- overwrite --------------------------------------------------------------------------------
def test_lazy_overwrite_touches_nothing_until_computed(ten: pd.DataFrame, tmp_path: Path) -> None:
    dd.from_pandas(ten, npartitions=3).to_parquet(tmp_path)
    new = ten.assign(a=ten.a * 10).iloc[:4]
    lazy = dd.from_pandas(new, npartitions=2).to_parquet(tmp_path, overwrite=True, compute=False)
    assert _files(tmp_path) == [f"part.{i}.parquet" for i in range(3)]
    assert_eq(dd.read_parquet(tmp_path), ten)
    assert [Path(p).name for p in lazy.compute()] == ["part.0.parquet", "part.1.parquet"]
    assert _files(tmp_path) == ["part.0.parquet", "part.1.parquet"]
    assert_eq(dd.read_parquet(tmp_path), new)


@pytest.mark.parametrize("npartitions", NPARTS)
def test_overwrite_keeps_files_outside_the_dataset(
    pdf: pd.DataFrame, tmp_path: Path, npartitions: int
) -> None:
    dd.from_pandas(pdf, npartitions=5).to_parquet(tmp_path, partition_on="y")
    for name in ("_metadata", "_common_metadata", "_SUCCESS", "mine.parquet"):
        (tmp_path / name).write_bytes((tmp_path / _files(tmp_path)[0]).read_bytes())
    (tmp_path / "notes.txt").write_text("keep me")
    dd.from_pandas(pdf, npartitions=npartitions).to_parquet(tmp_path, overwrite=True)
    expected = ["notes.txt", *sorted(f"part.{i}.parquet" for i in range(npartitions))]
    assert _files(tmp_path) == expected
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert_eq(dd.read_parquet(tmp_path), pdf)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_overwrite_flat_with_hive(ten: pd.DataFrame, tmp_path: Path, scheduler: str) -> None:
    dd.from_pandas(ten, npartitions=4).to_parquet(tmp_path)
    kw = {"compute_kwargs": {"scheduler": scheduler}}
    dd.from_pandas(ten, npartitions=2).to_parquet(tmp_path, overwrite=True, partition_on="h", **kw)
    assert _files(tmp_path) == [f"h={h}/part.{i}.parquet" for h in (1, 2) for i in (0, 1)]
    got = dd.read_parquet(tmp_path).compute(scheduler=scheduler).sort_index()
    assert got.a.tolist() == list(range(10)) and got.h.tolist() == ten.h.tolist()


# -- plain rewrite ----------------------------------------------------------------------------
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_rewrite_keeps_unrelated_files(ten: pd.DataFrame, tmp_path: Path, scheduler: str) -> None:
    dd.from_pandas(ten, npartitions=4).to_parquet(tmp_path)
    for name in ("notes.txt", "part.7.parquet.notes", "_SUCCESS"):
        (tmp_path / name).write_text(name)
    kw = {"compute_kwargs": {"scheduler": scheduler}}
    dd.from_pandas(ten, npartitions=2).to_parquet(tmp_path, **kw)
    assert _files(tmp_path) == [
        "_SUCCESS",
        "notes.txt",
        "part.0.parquet",
        "part.1.parquet",
        "part.7.parquet.notes",
    ]
    assert all((tmp_path / n).read_text() == n for n in ("notes.txt", "part.7.parquet.notes"))
    assert_eq(dd.read_parquet(tmp_path), ten, scheduler=scheduler)


def test_hive_rewrite_removes_the_values_not_written(ten: pd.DataFrame, tmp_path: Path) -> None:
    dd.from_pandas(ten, npartitions=3).to_parquet(tmp_path, partition_on="h")
    only_one = ten[ten.h == 1]
    dd.from_pandas(only_one, npartitions=1).to_parquet(tmp_path, partition_on="h")
    assert _files(tmp_path) == ["h=1/part.0.parquet"]
    assert dd.read_parquet(tmp_path).compute().a.tolist() == only_one.a.tolist()


@pytest.mark.parametrize(
    ("below", "options"),
    [("h=1", {}), ("", {"partition_on": "h"})],  # h=1: one file below
)
def test_rewrite_of_the_path_being_read_is_refused(
    ten: pd.DataFrame, tmp_path: Path, below: str, options: dict[str, object]
) -> None:
    dd.from_pandas(ten, npartitions=2).to_parquet(tmp_path, partition_on="h")
    before = _files(tmp_path)
    read = dd.read_parquet(tmp_path / below)
    with pytest.raises(ValueError, match=r"no append=True.*persist"):
        read.repartition(npartitions=1).to_parquet(tmp_path, compute=False, **options)
    assert _files(tmp_path) == before


def test_append_and_persist_may_use_the_path_being_read(ten: pd.DataFrame, tmp_path: Path) -> None:
    dd.from_pandas(ten, npartitions=2).to_parquet(tmp_path)
    read = dd.read_parquet(tmp_path)
    read.to_parquet(tmp_path, append=True, ignore_divisions=True)
    assert len(_files(tmp_path)) == 4 and _no_temps(tmp_path)
    doubled = pd.concat([ten, ten])
    assert_eq(dd.read_parquet(tmp_path), doubled)
    dd.read_parquet(tmp_path).persist().to_parquet(tmp_path, overwrite=True)
    assert _files(tmp_path) == [f"part.{i}.parquet" for i in range(4)]
    assert_eq(dd.read_parquet(tmp_path), doubled)
