"""Review fixes in IO and concat: Parquet categoricals, concat of unknown categories,
CSV object columns, to_parquet append/overwrite/replace."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.categorical import UNKNOWN_CATEGORIES
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

SCHEDULERS = ["sync", "threads", "processes"]


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# -- read_parquet: categoricals -------------------------------------------------------------
@pytest.fixture
def cat_pdf() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "k": pd.Categorical(list("abacbddc")),
            "x": [1.0, 2, 3, 4, 5, 6, 7, 8],
            "o": pd.Categorical(list("lmlmhhlm"), ["l", "m", "h"], ordered=True),
        }
    )


@pytest.mark.parametrize("n", NPARTS)
def test_parquet_categoricals_are_unknown(cat_pdf: pd.DataFrame, tmp_path: Path, n: int) -> None:
    dd.from_pandas(cat_pdf, npartitions=n).to_parquet(tmp_path)
    back = dd.read_parquet(tmp_path)
    assert not back.k.cat.known and not back.o.cat.known
    assert back.o.cat.ordered
    assert_eq(back, cat_pdf)
    assert_eq(back.k, cat_pdf.k)  # a Series of it
    assert_eq(dd.read_parquet(tmp_path, columns="k"), cat_pdf.k)
    # what needs the categories says so, and categorize() finds them
    with pytest.raises(NotImplementedError, match="unknown categories"):
        dd.get_dummies(back, columns=["k"])
    known = back.categorize(["k"])
    assert_eq(dd.get_dummies(known, columns=["k"]), pd.get_dummies(cat_pdf, columns=["k"]))
    pivot = dd.pivot_table(known, index="x", columns="k", values="x")
    assert_eq(
        pivot, pd.pivot_table(cat_pdf, index="x", columns="k", values="x"), check_names=False
    )


def test_parquet_categorical_index_and_empty_result(cat_pdf: pd.DataFrame, tmp_path: Path) -> None:
    dd.from_pandas(cat_pdf, npartitions=3).to_parquet(tmp_path)
    back = dd.read_parquet(tmp_path, index="k")
    assert back.index.dtype.categories.tolist() == [UNKNOWN_CATEGORIES]
    assert back.divisions == (None,) * 4
    assert_eq(back, cat_pdf.set_index("k"))
    empty = dd.read_parquet(tmp_path, filters=[("x", ">", 100)])
    assert not empty.k.cat.known
    assert empty.compute().k.cat.categories.tolist() == []  # no placeholder in the data


def test_parquet_hive_columns_stay_known(cat_pdf: pd.DataFrame, tmp_path: Path) -> None:
    pdf = cat_pdf.assign(h=[1, 2] * 4)
    dd.from_pandas(pdf, npartitions=2).to_parquet(tmp_path, partition_on="h")
    back = dd.read_parquet(tmp_path)
    assert back.h.cat.known and back.h.cat.categories.tolist() == [1, 2]
    assert not back.k.cat.known
    expected = pd.read_parquet(tmp_path)
    assert_eq(
        back.compute().sort_values("x").reset_index(drop=True),
        expected.sort_values("x").reset_index(drop=True),
    )


# -- concat: categoricals ------------------------------------------------------------------
def _cats() -> tuple[pd.DataFrame, pd.DataFrame]:
    a = pd.DataFrame({"k": pd.Categorical(["a", "b", "a"]), "x": [1, 2, 3]})
    b = pd.DataFrame({"k": pd.Categorical(["z", "a"]), "x": [3.5, 4.5]}, index=[5, 6])
    return a, b


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_concat_unknown_categories_keeps_values(scheduler: str) -> None:
    pa_, pb = _cats()
    a = dd.from_pandas(pa_.astype({"k": object}), npartitions=2).astype({"k": "category"})
    b = dd.from_pandas(pb, npartitions=1)
    for parts in ([a, b], [a, b.assign(k=b.k.cat.as_unknown())], [b, a]):
        out = dd.concat(parts)
        assert not out.k.cat.known
        got = out.compute(scheduler=scheduler)
        expected = pd.concat([p.compute() for p in parts]).astype({"k": "category"})
        pd.testing.assert_frame_equal(got, expected)
        assert UNKNOWN_CATEGORIES not in got.k.cat.categories
    series = dd.concat([a.k, b.k])
    assert not series.cat.known
    assert_eq(series, pd.concat([pa_.k, pb.k]).astype("category"), scheduler=scheduler)


def test_concat_known_categories_as_pandas() -> None:
    pa_, pb = _cats()
    a, b = dd.from_pandas(pa_, npartitions=2), dd.from_pandas(pb, npartitions=1)
    assert_eq(dd.concat([a, b]), pd.concat([pa_, pb]))  # different categories: str
    same = pb.astype({"k": pd.CategoricalDtype(["a", "b", "z"])})
    a2 = dd.from_pandas(pa_.astype({"k": same.k.dtype}), npartitions=2)
    assert_eq(
        dd.concat([a2, dd.from_pandas(same, npartitions=1)]),
        pd.concat([pa_.astype({"k": same.k.dtype}), same]),
    )
    assert_eq(dd.concat([a, b[["x"]]]), pd.concat([pa_, pb[["x"]]]))  # missing column
    ai, bi = pa_.set_index("k"), pb.set_index("k")  # a categorical index
    assert_eq(
        dd.concat([dd.from_pandas(ai, 2, sort=False), dd.from_pandas(bi, 1, sort=False)]),
        pd.concat([ai, bi]),
    )


def test_concat_unknown_missing_column_and_interleave() -> None:
    pa_, pb = _cats()
    a = dd.from_pandas(pa_, npartitions=2)
    a = a.assign(k=a.k.cat.as_unknown())
    b = dd.from_pandas(pb[["x"]], npartitions=1)
    out = dd.concat([a, b])
    assert not out.k.cat.known
    got = out.compute()
    assert got.k.cat.categories.tolist() == ["a", "b"]
    assert got.k.tolist()[:3] == ["a", "b", "a"] and got.k.isna().sum() == 2
    c = dd.from_pandas(pb.set_axis([1, 7]), npartitions=1)
    inter = dd.concat([a, c.assign(k=c.k.cat.as_unknown())], interleave_partitions=True)
    assert inter.known_divisions
    expected = pd.concat([pa_, pb.set_axis([1, 7])]).sort_index(kind="stable")
    assert_eq(inter, expected.astype({"k": "category", "x": float}))


# -- read_csv: object columns ----------------------------------------------------------------
@pytest.mark.parametrize("blocksize", [None, 30])
def test_csv_booleans_with_missing_values(tmp_path: Path, blocksize: int | None) -> None:
    path = tmp_path / "b.csv"
    rows = [(1, "True", "2024-01-01"), (2, "", "2024-01-02"), (3, "False", ""), (4, "True", "")]
    path.write_text("a,b,d\n" + "".join(f"{a},{b},{d}\n" for a, b, d in rows * 3))
    df = dd.read_csv(path, blocksize=blocksize)
    expected = pd.read_csv(path)
    assert expected.b.dtype == object
    got = df.compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    assert {type(v).__name__ for v in got.b.dropna()} == {"bool"}


def test_csv_object_blocks_without_missing_or_values(tmp_path: Path) -> None:
    """Blocks holding only booleans, or only missing values, are cast to object."""
    path = tmp_path / "b.csv"
    path.write_text("a,b\n1,True\n2,\n" + "3,False\n" * 10 + "4,\n" * 10)
    got = dd.read_csv(path, blocksize=40, sample=20)
    assert got.npartitions > 2
    pd.testing.assert_frame_equal(got.compute().reset_index(drop=True), pd.read_csv(path))


def test_csv_strings_with_digits_stay_strings(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("s\nab\n" + "".join(f"0{i}\n" for i in range(40)))
    df = dd.read_csv(path, blocksize=40, sample=10)
    pd.testing.assert_frame_equal(df.compute().reset_index(drop=True), pd.read_csv(path))


def test_csv_pyarrow_engine_dates(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,d\n1,2024-01-01\n2,2024-01-02\n")
    got = dd.read_csv(path, engine="pyarrow").compute()
    pd.testing.assert_frame_equal(got, pd.read_csv(path, engine="pyarrow"))


# -- to_parquet: append, overwrite, replace ---------------------------------------------------
@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_append_numbers_files_after_existing(tmp_path: Path, scheduler: str) -> None:
    first = pd.DataFrame({"x": range(6), "s": list("abcdef")})
    second = pd.DataFrame({"x": range(6, 10), "s": list("ghij")}, index=range(6, 10))
    kw = {"compute_kwargs": {"scheduler": scheduler}}
    dd.from_pandas(first, npartitions=3).to_parquet(tmp_path, **kw)
    dd.from_pandas(second, npartitions=2).to_parquet(tmp_path, append=True, **kw)
    assert _files(tmp_path) == [f"part.{i}.parquet" for i in range(5)]
    back = dd.read_parquet(tmp_path)
    assert back.known_divisions
    assert_eq(back, pd.concat([first, second]), scheduler=scheduler)


def test_append_checks_schema_and_divisions(tmp_path: Path) -> None:
    pdf = pd.DataFrame({"x": range(6)})
    dd.from_pandas(pdf, npartitions=3).to_parquet(tmp_path)
    with pytest.raises(ValueError, match=r"overlap.*ignore_divisions=True"):
        dd.from_pandas(pdf, npartitions=2).to_parquet(tmp_path, append=True)
    with pytest.raises(
        ValueError, match=r"column 'x': the dataset has int64, the new data double"
    ):
        dd.from_pandas(pdf.astype(float).set_axis(range(6, 12)), npartitions=1).to_parquet(
            tmp_path, append=True
        )
    with pytest.raises(ValueError, match="the dataset has the columns"):
        dd.from_pandas(pdf.rename(columns={"x": "y"}), npartitions=1).to_parquet(
            tmp_path, append=True
        )
    with pytest.raises(ValueError, match="only one"):
        dd.from_pandas(pdf, npartitions=1).to_parquet(tmp_path, append=True, overwrite=True)
    assert _files(tmp_path) == [f"part.{i}.parquet" for i in range(3)]  # nothing written
    dd.from_pandas(pdf, npartitions=2).to_parquet(tmp_path, append=True, ignore_divisions=True)
    back = dd.read_parquet(tmp_path)
    assert not back.known_divisions
    assert_eq(back, pd.concat([pdf, pdf]))


def test_append_object_column_types_and_new_dataset(tmp_path: Path) -> None:
    old = pd.DataFrame({"o": ["a", None], "x": [1, 2]}, dtype=object).astype({"x": int})
    dd.from_pandas(old, npartitions=1).to_parquet(tmp_path / "d", append=True)  # no dataset yet
    new = pd.DataFrame({"o": [None, None], "x": [3, 4]}, index=[2, 3]).astype({"o": object})
    dd.from_pandas(new, npartitions=2).to_parquet(tmp_path / "d", append=True)
    assert_eq(dd.read_parquet(tmp_path / "d"), pd.read_parquet(tmp_path / "d"))
    assert len(_files(tmp_path / "d")) == 3


def test_append_partition_on(tmp_path: Path) -> None:
    pdf = pd.DataFrame({"h": [1, 2, 1, 2], "x": [1.0, 2, 3, 4]})
    dd.from_pandas(pdf, npartitions=2).to_parquet(tmp_path, partition_on="h")
    more = pdf.assign(h=[2, 3, 3, 3]).set_axis(range(4, 8))
    dd.from_pandas(more, npartitions=1).to_parquet(tmp_path, partition_on="h", append=True)
    assert "h=3/part.2.parquet" in _files(tmp_path)
    got = dd.read_parquet(tmp_path).compute().sort_index()
    expected = pd.concat([pdf, more])[["x", "h"]].astype({"h": "category"})
    pd.testing.assert_frame_equal(got, expected, check_categorical=False, check_index_type=False)


def test_plain_write_replaces_the_dataset(tmp_path: Path) -> None:
    pdf = pd.DataFrame({"x": range(6), "h": [1, 2] * 3})
    dd.from_pandas(pdf, npartitions=3).to_parquet(tmp_path, partition_on="h")
    (tmp_path / "_SUCCESS").write_text("")  # not data: kept
    dd.from_pandas(pdf, npartitions=3).to_parquet(tmp_path)
    assert _files(tmp_path) == ["_SUCCESS", "part.0.parquet", "part.1.parquet", "part.2.parquet"]
    lazy = dd.from_pandas(pdf.iloc[:2], npartitions=1).to_parquet(tmp_path, compute=False)
    assert len(_files(tmp_path)) == 4  # nothing happens before compute
    assert [Path(p).name for p in lazy.compute(scheduler="sync")] == ["part.0.parquet"]
    assert _files(tmp_path) == ["_SUCCESS", "part.0.parquet"]
    assert_eq(dd.read_parquet(tmp_path), pdf.iloc[:2])
    dd.from_pandas(pdf, npartitions=2).to_parquet(tmp_path, overwrite=True)
    assert _files(tmp_path) == ["part.0.parquet", "part.1.parquet"]


def test_failed_plain_write_keeps_the_old_dataset(tmp_path: Path) -> None:
    pdf = pd.DataFrame({"x": range(6)})
    dd.from_pandas(pdf, npartitions=3).to_parquet(tmp_path)

    def boom(part: pd.DataFrame) -> pd.DataFrame:
        if part.x.iloc[0] > 0:
            raise RuntimeError("boom")
        return part

    bad = dd.from_pandas(pdf, npartitions=2).map_partitions(boom, meta=pdf.iloc[:0])
    with pytest.raises(RuntimeError, match="boom"):
        bad.to_parquet(tmp_path, compute_kwargs={"scheduler": "sync"})
    assert len(_files(tmp_path)) == 3 and not any(f.startswith(".") for f in _files(tmp_path))


def test_unknown_writer_keyword_is_a_clear_error(tmp_path: Path) -> None:
    df = dd.from_pandas(pd.DataFrame({"x": [1]}), npartitions=1)
    with pytest.raises(TypeError, match="write_table does not take"):
        df.to_parquet(tmp_path, no_such_option=1)
    df.to_parquet(tmp_path, row_group_size=10)
    assert_eq(dd.read_parquet(tmp_path), pd.DataFrame({"x": [1]}))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_plain_write_leaves_files_with_other_names(tmp_path: Path, scheduler: str) -> None:
    other = pd.DataFrame({"x": [100]}, index=[100])
    other.to_parquet(tmp_path / "mine.parquet")
    pdf = pd.DataFrame({"x": range(4)})
    kw = {"compute_kwargs": {"scheduler": scheduler}}
    dd.from_pandas(pdf, npartitions=2).to_parquet(tmp_path, **kw)
    dd.from_pandas(pdf, npartitions=1).to_parquet(tmp_path, **kw)
    assert _files(tmp_path) == ["mine.parquet", "part.0.parquet"]
    assert_eq(dd.read_parquet(tmp_path), pd.concat([other, pdf]), scheduler=scheduler)
