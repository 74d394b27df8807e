"""read_csv / read_table / to_csv: round trips against pandas, blocks, errors, atomic writes."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tessera
import tessera.dataframe as dd
from tessera.dataframe.io.write import WriteResult
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def big_csv(tmp_path: Path) -> Path:
    """One file of 200 rows (about 3 KB) with ints, floats, strings and dates."""
    n = 200
    pdf = pd.DataFrame(
        {
            "k": np.arange(n) % 7,
            "v": np.round(np.arange(n) / 3, 3),
            "s": [f"w{i}" for i in range(n)],
            "when": pd.date_range("2024-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M"),
        }
    )
    path = tmp_path / "big.csv"
    pdf.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("n", NPARTS)
def test_to_csv_read_csv_round_trip(pdf: pd.DataFrame, n: int, tmp_path: Path) -> None:
    paths = dd.from_pandas(pdf, npartitions=n).to_csv(str(tmp_path / "*.csv"))
    assert len(paths) == dd.from_pandas(pdf, npartitions=n).npartitions
    df = dd.read_csv(str(tmp_path / "*.csv"), index_col="idx")
    assert df.npartitions == len(paths) and not df.known_divisions
    expected = pd.concat([pd.read_csv(p, index_col="idx") for p in paths])
    assert_eq(df, expected)
    assert_eq(df, pdf, check_exact=False)


@pytest.mark.parametrize("blocksize", [40, 97, 500, 2000, None])
def test_blocksize_splits_one_file(big_csv: Path, blocksize: int | None) -> None:
    df = dd.read_csv(big_csv, blocksize=blocksize)
    size = os.path.getsize(big_csv)
    header = len(big_csv.read_bytes().split(b"\n")[0]) + 1
    if blocksize is None or blocksize >= size:
        assert df.npartitions == 1
    else:
        assert df.npartitions == 1 + len(range(max(blocksize, header), size, blocksize))
    expected = pd.read_csv(big_csv)
    got = df.compute()
    assert got.index.is_monotonic_increasing is (df.npartitions == 1)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(blocksize=st.integers(20, 800))
def test_any_blocksize_gives_the_same_rows(big_csv: Path, blocksize: int) -> None:
    got = dd.read_csv(big_csv, blocksize=blocksize, usecols=["k", "s"]).compute()
    expected = pd.read_csv(big_csv, usecols=["k", "s"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"skiprows": 2, "header": None},
        {"skiprows": 1, "header": None, "names": ["a", "b", "c", "d"]},
        {"header": 1},
        {"sep": ";", "skiprows": [0]},
    ],
)
def test_header_and_skiprows_with_blocks(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    text = "junk line\n" + "".join(f"{i};{i * 2};x{i};{i % 2}\n" for i in range(60))
    sep = kwargs.pop("sep", ",")
    path = tmp_path / "h.csv"
    path.write_text(text.replace(";", sep) if sep == ";" else text.replace(";", ","))
    df = dd.read_csv(path, blocksize=64, sep=sep, **kwargs)
    expected = pd.read_csv(path, sep=sep, **kwargs)
    pd.testing.assert_frame_equal(df.compute().reset_index(drop=True), expected)


@pytest.mark.parametrize("kwargs", [{}, {"comment": "#"}])
def test_leading_blank_and_comment_lines(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "\n# made by hand\n" * bool(kwargs)
        + "\na,b\n"
        + "".join(f"{i},{i * 2}\n" for i in range(40))
    )
    df = dd.read_csv(path, blocksize=50, **kwargs)
    pd.testing.assert_frame_equal(df.compute().reset_index(drop=True), pd.read_csv(path, **kwargs))


def test_read_table_and_lineterminator(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n" + "".join(f"{i}\tx{i}\n" for i in range(30)))
    assert_eq(
        dd.read_table(path, blocksize=50).compute().reset_index(drop=True), pd.read_table(path)
    )
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(b"a,b\r\n" + b"".join(f"{i},{i}\r\n".encode() for i in range(30)))
    got = dd.read_csv(crlf, blocksize=40).compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(got, pd.read_csv(crlf))


@pytest.mark.parametrize(("ext", "name"), [(".gz", "gzip"), (".bz2", "bz2"), (".xz", "xz")])
def test_compressed_files_are_one_partition_each(
    pdf: pd.DataFrame, tmp_path: Path, ext: str, name: str
) -> None:
    paths = [tmp_path / f"p{i}.csv{ext}" for i in range(2)]
    for i, p in enumerate(paths):
        pdf.iloc[i * 10 : (i + 1) * 10].to_csv(p)
    expected = pd.concat([pd.read_csv(p, index_col="idx") for p in paths])
    df = dd.read_csv(str(tmp_path / f"*.csv{ext}"), blocksize=100, index_col="idx")
    assert df.npartitions == 2
    assert_eq(df, expected)
    plain = [tmp_path / f"p{i}.data" for i in range(2)]
    for src, dst in zip(paths, plain, strict=True):
        dst.write_bytes(src.read_bytes())
    explicit = dd.read_csv(plain, compression=name, blocksize=100, index_col="idx")
    assert explicit.npartitions == 2
    assert_eq(explicit, expected)


def test_zstd_needs_zstandard(pdf: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "a.csv.zst"
    try:
        import zstandard  # noqa: F401
    except ImportError:
        path.write_bytes(b"")
        with pytest.raises(ImportError, match="zstandard"):
            dd.read_csv(path)
        return
    pdf.to_csv(path, compression="zstd")
    assert_eq(dd.read_csv(path, index_col="idx"), pd.read_csv(path, index_col="idx"))


def test_dtype_mismatch_error_names_column_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_text("k,v\n" + "".join(f"{i},{i}\n" for i in range(60)) + "1.5,7\n")
    df = dd.read_csv(path, blocksize=100, sample=60)
    assert df.dtypes["k"] == "int64"
    with pytest.raises(ValueError, match="column 'k'") as info:
        df.compute()
    msg = str(info.value)
    assert "expected int64, found float64" in msg and "1.5" in msg
    assert "dtype={'k': 'float64'}" in msg and "late.csv" in msg
    fixed = dd.read_csv(path, blocksize=100, sample=60, dtype={"k": "float64"})
    pd.testing.assert_frame_equal(
        fixed.compute().reset_index(drop=True), pd.read_csv(path, dtype={"k": "float64"})
    )
    missing = tmp_path / "missing.csv"
    missing.write_text("k,v\n" + "".join(f"{i},{i}\n" for i in range(60)) + ",7\n")
    with pytest.raises(ValueError, match=r"found float64 \(e.g. nan\)"):
        dd.read_csv(missing, blocksize=100, sample=60).compute()
    assume = dd.read_csv(missing, blocksize=100, sample=60, assume_missing=True)
    assert assume.dtypes["k"] == "float64"
    pd.testing.assert_frame_equal(
        assume.compute().reset_index(drop=True), pd.read_csv(missing).astype({"v": float})
    )


def test_later_blocks_widen_like_pandas(tmp_path: Path) -> None:
    """A float column whose later blocks hold ints, and strings with digits, as pandas reads."""
    path = tmp_path / "widen.csv"
    path.write_text("f,s\n1.5,a\n" + "".join(f"{i},0{i}\n" for i in range(80)))
    df = dd.read_csv(path, blocksize=60, sample=10)
    assert df.npartitions > 3
    pd.testing.assert_frame_equal(df.compute().reset_index(drop=True), pd.read_csv(path))


def test_files_with_other_columns_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x,y\n1,2\n")
    (tmp_path / "b.csv").write_text("x,z\n1,2\n")
    with pytest.raises(ValueError, match="same columns"):
        dd.read_csv(str(tmp_path / "*.csv")).compute()


def test_glob_matching_nothing(tmp_path: Path) -> None:
    pattern = str(tmp_path / "nothing-*.csv")
    with pytest.raises(FileNotFoundError, match="nothing-"):
        dd.read_csv(pattern)
    with pytest.raises(FileNotFoundError, match="no such file"):
        dd.read_csv(tmp_path / "absent.csv")
    with pytest.raises(IsADirectoryError, match="glob"):
        dd.read_csv(tmp_path)
    (tmp_path / "a.csv").write_text("x\n1\n")
    with pytest.raises(ValueError, match="nrows"):
        dd.read_csv(tmp_path / "a.csv", nrows=1)


def test_usecols_parse_dates_include_path_column(big_csv: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    pd.read_csv(big_csv).iloc[:50].to_csv(other, index=False)
    paths = [str(big_csv), str(other)]
    kw: dict[str, Any] = {"usecols": ["k", "when"], "parse_dates": ["when"]}
    df = dd.read_csv(paths, blocksize=1000, include_path_column=True, **kw)
    assert list(df.columns) == ["k", "when", "path"]
    assert df.dtypes["path"] == pd.CategoricalDtype(paths)
    frames = [pd.read_csv(p, **kw).assign(path=p) for p in paths]
    expected = pd.concat(frames, ignore_index=True).astype({"path": pd.CategoricalDtype(paths)})
    pd.testing.assert_frame_equal(df.compute().reset_index(drop=True), expected)
    named = dd.read_csv(paths, include_path_column="file", usecols=["k"])
    assert named.file.compute().value_counts().to_dict() == {paths[0]: 200, paths[1]: 50}
    with pytest.raises(ValueError, match="already have a column 'k'"):
        dd.read_csv(paths, include_path_column="k")


def test_sample_smaller_than_header_still_finds_rows(big_csv: Path) -> None:
    df = dd.read_csv(big_csv, sample=5, blocksize=None)
    assert df.dtypes.astype(str).tolist() == ["int64", "float64", "str", "str"]
    pd.testing.assert_frame_equal(df.compute(), pd.read_csv(big_csv))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(big_csv: Path, scheduler: str) -> None:
    df = dd.read_csv(big_csv, blocksize=500, include_path_column=True)
    expected = pd.read_csv(big_csv)
    assert_eq(df.groupby("k").v.mean(), expected.groupby("k").v.mean(), scheduler=scheduler)
    paths = df.to_csv(
        str(big_csv.parent / "out" / "*.csv"), index=False, compute_kwargs={"scheduler": scheduler}
    )
    back = pd.concat([pd.read_csv(p) for p in paths], ignore_index=True)
    pd.testing.assert_frame_equal(back.drop(columns="path"), expected)


@pytest.mark.parametrize("n", [1, 3])
def test_single_file_header_once_in_order(pdf: pd.DataFrame, tmp_path: Path, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    for name in ["all.csv", "all.csv.gz"]:
        out = df.to_csv(str(tmp_path / name), single_file=True)
        assert out == [str(tmp_path / name)]
        pd.testing.assert_frame_equal(
            pd.read_csv(out[0], index_col="idx"),
            pd.read_csv(_pandas_csv(pdf, tmp_path), index_col="idx"),
        )
    assert _files(tmp_path) == ["all.csv", "all.csv.gz", "pandas.csv"]
    text = (tmp_path / "all.csv").read_text()
    assert text == pdf.to_csv() and text.count("idx,k") == 1


def _pandas_csv(pdf: pd.DataFrame, folder: Path) -> Path:
    path = folder / "pandas.csv"
    pdf.to_csv(path)
    return path


def test_to_csv_names_and_options(pdf: pd.DataFrame, tmp_path: Path) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    paths = df.to_csv(str(tmp_path / "d"), name_function=lambda i: f"p{i:02d}", sep=";")
    assert [os.path.basename(p) for p in paths] == ["p00.part", "p01.part", "p02.part"]
    assert (tmp_path / "d" / "p00.part").read_text().startswith("idx;k;x")
    listed = df.to_csv([str(tmp_path / f"l{i}.csv") for i in range(3)], index=False)
    assert pd.concat(map(pd.read_csv, listed), ignore_index=True).equals(
        pdf.reset_index(drop=True)
    )
    assert_eq(dd.read_csv(listed), pd.concat(map(pd.read_csv, listed)))
    with pytest.raises(ValueError, match="2 paths for 3 partitions"):
        df.to_csv(["a.csv", "b.csv"])
    with pytest.raises(ValueError, match="distinct name"):
        df.to_csv(str(tmp_path / "*.csv"), name_function=lambda i: "same")
    series = df.y.to_csv(str(tmp_path / "y-*.csv"))
    pd.testing.assert_series_equal(
        pd.concat(pd.read_csv(p, index_col="idx").y for p in series), pdf.y
    )


def _fail_on_third(part: pd.DataFrame) -> pd.DataFrame:
    if len(part) and part.index[0] >= 20:
        raise RuntimeError("boom in partition")
    return part


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_failed_writes_leave_no_temp_or_partial_files(
    pdf: pd.DataFrame, tmp_path: Path, scheduler: str
) -> None:
    df = dd.from_pandas(pdf, npartitions=4).map_partitions(_fail_on_third, meta=pdf.iloc[:0])
    kw = {"compute_kwargs": {"scheduler": scheduler}}
    with pytest.raises(RuntimeError, match="boom"):
        df.to_csv(str(tmp_path / "multi" / "*.csv"), **kw)
    for name in _files(tmp_path):  # whatever was written is complete
        assert not name.endswith(".tmp")
        part = pd.read_csv(tmp_path / "multi" / name, index_col="idx")
        assert len(part) == 5
    with pytest.raises(RuntimeError, match="boom"):
        df.to_csv(str(tmp_path / "one.csv"), single_file=True, **kw)
    lazy = df.to_csv(str(tmp_path / "lazy.csv"), single_file=True, compute=False)
    assert isinstance(lazy, WriteResult)
    with pytest.raises(RuntimeError, match="boom"):
        tessera.compute(lazy, scheduler=scheduler)
    gc.collect()
    assert not [n for n in _files(tmp_path) if n.endswith(".tmp") or n.startswith(("one", "lazy"))]


def test_lazy_write_writes_when_computed(pdf: pd.DataFrame, tmp_path: Path) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    lazy = df.to_csv(str(tmp_path / "one.csv"), single_file=True, compute=False)
    assert _files(tmp_path) == []
    (paths,) = tessera.compute(lazy)
    assert paths == [str(tmp_path / "one.csv")] and _files(tmp_path) == ["one.csv"]
    assert lazy.compute(scheduler="processes") == paths
    assert_eq(dd.read_csv(paths, index_col="idx"), pdf, check_exact=False)


def test_column_projection_reads_only_the_selected_columns(big_csv: Path) -> None:
    from tessera.dataframe.io.project import project_columns

    df = dd.read_csv(big_csv, blocksize=700, include_path_column=True, parse_dates=["when"])
    for cols in (["v", "k"], ["path", "s"], ["when"]):
        got = project_columns(df, cols)
        assert got.npartitions == df.npartitions and list(got.columns) == cols
        task = next(iter(got.layers[got._name].values()))[0]
        assert task.kwargs["usecols"] == [c for c in cols if c != "path"]
        assert_eq(got, df[cols])
    assert project_columns(df, ["path"]) is None  # nothing to parse
    assert project_columns(dd.read_csv(big_csv, index_col="k"), ["v"]) is None
    assert project_columns(df.assign(z=1), ["k"]) is None  # not a reader's output
    twice = project_columns(df[["k", "v"]], ["k"])  # a projected read projects again
    assert next(iter(twice.layers[twice._name].values()))[0].kwargs["usecols"] == ["k"]


def test_groupby_reads_only_the_columns_it_needs(tmp_path: Path) -> None:
    # "w" holds ints in the sampled block and text later: parsing it would fail, so a
    # groupby that does not need it succeeds only when the reader skips it.
    rows = [f"{i % 3},{i * 0.5},{i}" for i in range(40)] + ["1,2.0,oops"]
    path = tmp_path / "t.csv"
    path.write_text("k,v,w\n" + "\n".join(rows) + "\n")
    df = dd.read_csv(path, blocksize=100, sample=100)
    pdf = pd.read_csv(path)
    with pytest.raises(ValueError, match="w"):
        df.compute()
    assert_eq(df.groupby("k").v.mean(), pdf.groupby("k").v.mean())
    got = df[["v", "k"]].compute(scheduler="sync").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, pdf[["v", "k"]])
