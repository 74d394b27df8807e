"""read_csv with categorical dtypes: unknown categories (``"category"``), known ones
(``pd.CategoricalDtype``), over files, byte blocks, projection, path column, assume_missing.

The reference is pandas.  ``pd.concat`` of frames whose categories differ falls back to the
values' dtype, so per-file reads are joined with ``union_categoricals(sort_categories=True)``
(what pandas gives reading all the rows at once, which is also checked directly).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pandas.api.types import union_categoricals

import tessera
import tessera.dataframe as dd
from tessera.dataframe.categorical import has_known_categories
from tessera.dataframe.io.csv import ReadCSV
from tessera.dataframe.testing import assert_eq

#: Values outside known categories become NaN; pandas 3 warns that this will raise later.
OUTSIDE = "ignore:Constructing a Categorical with a dtype:DeprecationWarning"
UNKNOWN_SPECS = [{"c": "category"}, "category", {"c": pd.CategoricalDtype()}]
KNOWN = pd.CategoricalDtype(["b", "a"])


def _rows(i: int, n: int, pool: list[str]) -> list[str]:
    return [f"{100 * i + j},{pool[j % len(pool)]},{j % 3}\n" for j in range(n)]


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    """Three small files whose ``c`` columns have different values (and some missing);
    the first has a line longer than the small blocksizes below (so it has empty blocks)."""
    folder = tmp_path / "parts"
    folder.mkdir()
    first = _rows(0, 24, ["b", "a", "b", ""])
    first[5] = "5," + "long" * 20 + ",2\n"
    contents = [first, _rows(1, 6, ["c", "a", ""]), _rows(2, 3, ["d"])]
    paths = []
    for i, rows in enumerate(contents):
        path = folder / f"{i}.csv"
        path.write_text("n,c,m\n" + "".join(rows))
        paths.append(str(path))
    whole = tmp_path / "whole.csv"
    whole.write_text("n,c,m\n" + "".join(r for rows in contents for r in rows))
    return paths


def _whole(files: list[str]) -> str:
    return str(Path(files[0]).parent.parent / "whole.csv")


def _union_concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat``, with categorical columns whose categories differ joined to the sorted
    union of the categories."""
    out = pd.concat(frames)
    for col, dtype in frames[0].dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype) and any(f[col].dtype != dtype for f in frames):
            out[col] = union_categoricals([f[col] for f in frames], sort_categories=True)
    return out


def _block_index(df: Any) -> pd.Index:
    """The index of ``df`` computed: a RangeIndex from 0 in each partition (as in Dask)."""
    parts = tessera.compute(*[df.get_partition(i) for i in range(df.npartitions)])
    return pd.Index(np.concatenate([np.arange(len(p), dtype="int64") for p in parts]))


def _categoricals(meta: pd.DataFrame) -> list[Any]:
    return [c for c, d in meta.dtypes.items() if isinstance(d, pd.CategoricalDtype)]


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
@pytest.mark.parametrize("spec", UNKNOWN_SPECS)
def test_unknown_categories_union_like_pandas(files: list[str], spec: Any, scheduler: str) -> None:
    df = dd.read_csv(files, dtype=spec, blocksize=None)
    cats = _categoricals(df.meta)
    assert cats == (["n", "c", "m"] if spec == "category" else ["c"])
    assert not any(has_known_categories(df.meta[c]) for c in cats)
    assert not df.c.cat.known
    expected = _union_concat([pd.read_csv(f, dtype=spec) for f in files])
    assert_eq(df, expected, scheduler=scheduler)
    whole = pd.read_csv(_whole(files), dtype=spec)
    pd.testing.assert_frame_equal(expected.reset_index(drop=True), whole)


@pytest.mark.parametrize("blocksize", [40, 97, 200, None])
@pytest.mark.parametrize("spec", [*UNKNOWN_SPECS, {"c": pd.CategoricalDtype(ordered=True)}])
def test_blocks_like_one_pandas_read(files: list[str], spec: Any, blocksize: int | None) -> None:
    df = dd.read_csv(files, dtype=spec, blocksize=blocksize)
    assert df.npartitions > 3 if blocksize else df.npartitions == 3
    index = _block_index(df)
    if blocksize == 40:  # the long line leaves a block without rows: no categories there
        assert (np.diff(index) != 1).sum() + 1 < df.npartitions
    expected = pd.read_csv(_whole(files), dtype=spec).set_axis(index)
    assert df.dtypes["c"].ordered is expected.c.dtype.ordered
    assert_eq(df, expected)


def test_categories_become_known(files: list[str]) -> None:
    df = dd.read_csv(files, dtype={"c": "category"}, blocksize=50)
    whole = pd.read_csv(_whole(files), dtype={"c": "category"})
    known = df.c.cat.as_known()
    assert known.cat.known
    pd.testing.assert_index_equal(known.cat.categories, whole.c.cat.categories)
    assert known.cat.codes.compute().tolist() == whole.c.cat.codes.tolist()
    categorized = df.categorize(["c"])
    assert categorized.c.cat.categories.tolist() == whole.c.cat.categories.tolist()
    assert_eq(categorized.c.value_counts(), whole.c.value_counts(), check_index=False)


@pytest.mark.filterwarnings(OUTSIDE)
@pytest.mark.parametrize("blocksize", [40, None])
@pytest.mark.parametrize(
    "spec", [{"c": KNOWN}, {"c": pd.CategoricalDtype(["d", "a", "c"], ordered=True)}]
)
def test_known_categories(files: list[str], spec: dict[str, Any], blocksize: int | None) -> None:
    df = dd.read_csv(files, dtype=spec, blocksize=blocksize)
    assert df.c.cat.known
    assert df.dtypes["c"] == spec["c"]
    assert df.c.cat.categories.tolist() == spec["c"].categories.tolist()
    expected = pd.concat([pd.read_csv(f, dtype=spec) for f in files])  # same categories
    assert expected.c.isna().sum() > 0  # values outside the categories are NaN
    if blocksize is None:
        assert_eq(df, expected)
    else:
        assert_eq(df, expected.set_axis(_block_index(df)))


@pytest.mark.filterwarnings(OUTSIDE)
def test_one_known_dtype_for_every_column(files: list[str]) -> None:
    dtype = pd.CategoricalDtype(["a", "b", "0", "1"])
    df = dd.read_csv(files, dtype=dtype, blocksize=None)
    assert all(d == dtype for d in df.dtypes)
    assert_eq(df, pd.concat([pd.read_csv(f, dtype=dtype) for f in files]))


@pytest.mark.parametrize("blocksize", [40, None])
@pytest.mark.parametrize(
    ("spec", "columns"),
    [({"c": "category"}, ["c"]), ("category", ["m", "c"]), ({"c": KNOWN}, ["c", "n"])],
)
@pytest.mark.filterwarnings(OUTSIDE)
def test_projection_reads_only_the_columns(
    files: list[str], spec: Any, columns: list[str], blocksize: int | None
) -> None:
    df = dd.read_csv(files, dtype=spec, blocksize=blocksize)[columns]
    task = next(iter(df.layers[df._name].values()))[0]
    assert isinstance(task, ReadCSV) and task.kwargs["usecols"] == columns
    assert df.c.cat.known is (isinstance(spec, dict) and spec["c"] is KNOWN)
    expected = pd.read_csv(_whole(files), dtype=spec)[columns].set_axis(_block_index(df))
    assert_eq(df, expected)


@pytest.mark.parametrize("spec", ["category", {"c": KNOWN}])
@pytest.mark.filterwarnings(OUTSIDE)
def test_path_column(files: list[str], spec: Any) -> None:
    df = dd.read_csv(files, dtype=spec, blocksize=None, include_path_column="file")
    paths = pd.CategoricalDtype(files)
    assert df.dtypes["file"] == paths  # known: the files are known
    frames = [pd.read_csv(f, dtype=spec) for f in files]
    frames = [
        x.assign(file=pd.Categorical([f] * len(x), dtype=paths))
        for x, f in zip(frames, files, strict=True)
    ]
    expected = _union_concat(frames)
    assert_eq(df, expected)
    assert_eq(df[["file", "c"]], expected[["file", "c"]])


@pytest.mark.parametrize("blocksize", [40, None])
def test_assume_missing_leaves_named_columns(files: list[str], blocksize: int | None) -> None:
    spec = {"c": "category", "n": "int64"}
    df = dd.read_csv(files, dtype=spec, assume_missing=True, blocksize=blocksize)
    assert df.dtypes["n"] == "int64" and df.dtypes["m"] == "float64"
    expected = pd.read_csv(_whole(files), dtype={**spec, "m": "float64"})
    assert_eq(df, expected.set_axis(_block_index(df)))
    every = dd.read_csv(files, dtype="category", assume_missing=True, blocksize=blocksize)
    assert _categoricals(every.meta) == ["n", "c", "m"]
    expected = pd.read_csv(_whole(files), dtype="category")
    assert_eq(every, expected.set_axis(_block_index(every)))


@pytest.mark.parametrize("blocksize", [40, None])
def test_categorical_index(files: list[str], blocksize: int | None) -> None:
    spec = {"c": "category"}
    df = dd.read_csv(files, dtype=spec, index_col="c", blocksize=blocksize)
    assert not has_known_categories(df.meta.index)
    expected = pd.read_csv(_whole(files), dtype=spec, index_col="c")
    assert_eq(df, expected, check_index_type=True)
    assert isinstance(df.compute().index, pd.CategoricalIndex)


def test_mismatch_error_names_the_other_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("n,c\n" + "".join(f"{i},x{i % 3}\n" for i in range(30)) + "1.5,y\n")
    df = dd.read_csv(path, dtype={"c": "category"}, blocksize=60, sample=40)
    with pytest.raises(ValueError, match=r"column 'n': expected int64, found float64") as info:
        df.compute()
    assert "'c'" not in str(info.value)
