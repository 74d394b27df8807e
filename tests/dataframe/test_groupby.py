"""Grouped reductions against pandas: methods, keys, options, split_out, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from pandas.errors import SpecificationError

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

OPS = ["sum", "mean", "count", "min", "max", "size", "prod", "first", "last", "std", "var"]
OPS_ALL = [*OPS, "nunique"]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("op", OPS_ALL)
def test_groupby_methods(pdf: pd.DataFrame, n: int, op: str) -> None:
    num = pdf[["k", "x", "y", "z"]]
    df = dd.from_pandas(num, npartitions=n)
    assert_eq(getattr(df.groupby("k"), op)(), getattr(num.groupby("k"), op)())
    assert_eq(getattr(df.groupby("k").y, op)(), getattr(num.groupby("k").y, op)())
    sel, psel = df.groupby("k")[["x", "z"]], num.groupby("k")[["x", "z"]]
    assert_eq(getattr(sel, op)(), getattr(psel, op)())
    assert_eq(df.groupby("k").agg(op), num.groupby("k").agg(op))


@pytest.mark.parametrize("op", ["sum", "count", "min", "max", "first", "last", "nunique", "size"])
def test_object_and_bool_columns(pdf: pd.DataFrame, op: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(getattr(df.groupby("k"), op)(), getattr(pdf.groupby("k"), op)())
    assert_eq(getattr(df.groupby("s"), op)(), getattr(pdf.groupby("s"), op)())


@pytest.mark.parametrize("op", ["mean", "std", "var", "prod"])
def test_bool_column_and_numeric_only(pdf: pd.DataFrame, op: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(getattr(df.groupby("k").b, op)(), getattr(pdf.groupby("k").b, op)())
    got = getattr(df.groupby("k"), op)(numeric_only=True)
    assert_eq(got, getattr(pdf.groupby("k"), op)(numeric_only=True))


@pytest.mark.parametrize("ddof", [0, 1, 2, 5])
def test_std_var_ddof(pdf: pd.DataFrame, ddof: int) -> None:
    df = dd.from_pandas(pdf, npartitions=7)
    assert_eq(df.groupby("k").var(ddof=ddof, numeric_only=True),
              pdf.groupby("k").var(ddof=ddof, numeric_only=True))  # fmt: skip
    assert_eq(df.groupby("s").z.std(ddof=ddof), pdf.groupby("s").z.std(ddof=ddof))


def test_var_is_numerically_stable() -> None:
    rng = np.random.default_rng(1)
    n = 400
    pdf = pd.DataFrame({"k": rng.integers(0, 3, n), "v": 1e9 + rng.normal(size=n)})
    df = dd.from_pandas(pdf, npartitions=8)
    expected = pdf.groupby("k").v.var()
    assert_eq(df.groupby("k").v.var(split_every=2), expected, rtol=1e-7, check_exact=False)
    assert_eq(df.groupby("k").v.std(), pdf.groupby("k").v.std(), rtol=1e-7, check_exact=False)


def test_first_last_follow_partition_order() -> None:
    pdf = pd.DataFrame(
        {"k": [1, 2, 1, 2, 1, 2, 1], "v": [np.nan, np.nan, np.nan, 4.0, 5.0, 6.0, np.nan]}
    )
    for n in NPARTS:
        df = dd.from_pandas(pdf, npartitions=n)
        assert_eq(df.groupby("k").v.first(split_every=2), pdf.groupby("k").v.first())
        assert_eq(df.groupby("k").v.last(split_every=2), pdf.groupby("k").v.last())


@pytest.mark.parametrize("dropna", [True, False])
def test_nunique_with_missing_values(pdf: pd.DataFrame, dropna: bool) -> None:
    pdf = pdf.assign(r=pdf.z.round(0))
    df = dd.from_pandas(pdf, npartitions=4)
    assert_eq(df.groupby("k").r.nunique(dropna=dropna), pdf.groupby("k").r.nunique(dropna=dropna))
    assert_eq(df.groupby("s").nunique(dropna=dropna), pdf.groupby("s").nunique(dropna=dropna))


def test_group_by_series(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    num, pnum = df[["k", "x", "y"]], pdf[["k", "x", "y"]]
    assert_eq(num.groupby(num.k).sum(), pnum.groupby(pnum.k).sum())
    assert_eq(num.groupby(num.k % 3).sum(), pnum.groupby(pnum.k % 3).sum())
    assert_eq(num.groupby(num.x > 0).y.mean(), pnum.groupby(pnum.x > 0).y.mean())
    assert_eq(df.groupby(["s", df.k % 2]).x.max(), pdf.groupby(["s", pdf.k % 2]).x.max())
    assert_eq(
        df.groupby([df.k % 2, "s"]).agg({"y": ["std", "first"], "x": "nunique"}),
        pdf.groupby([pdf.k % 2, "s"]).agg({"y": ["std", "first"], "x": "nunique"}),
    )
    sub, psub = df[df.x > 0], pdf[pdf.x > 0]
    assert_eq(sub.groupby(sub.k).y.sum(), psub.groupby(psub.k).y.sum())


def test_series_groupby(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.y.groupby(df.k).mean(), pdf.y.groupby(pdf.k).mean())
    assert_eq(df.y.groupby(df.k).size(), pdf.y.groupby(pdf.k).size())
    assert_eq(df.y.groupby([df.k, df.s]).var(), pdf.y.groupby([pdf.k, pdf.s]).var())
    assert_eq(df.y.groupby(df.k).agg(["sum", "max"]), pdf.y.groupby(pdf.k).agg(["sum", "max"]))
    unnamed, punnamed = df.y * 2, pdf.y * 2
    assert_eq(unnamed.groupby(df.k % 2).nunique(), punnamed.groupby(pdf.k % 2).nunique())


@pytest.mark.parametrize("n", [1, 3, 7])
def test_sort_false_keeps_order_of_appearance(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    for by in ["s", ["s", "k"], "k"]:
        got = df.groupby(by, sort=False).agg({"y": ["sum", "last"], "x": "var"}, split_every=2)
        assert_eq(got, pdf.groupby(by, sort=False).agg({"y": ["sum", "last"], "x": "var"}))
        assert_eq(df.groupby(by, sort=False).size(), pdf.groupby(by, sort=False).size())


@pytest.mark.parametrize("sort", [True, False])
@pytest.mark.parametrize("dropna", [True, False])
def test_missing_keys(sort: bool, dropna: bool) -> None:
    pdf = pd.DataFrame(
        {
            "k": [1.0, np.nan, 2.0, 1.0, np.nan, 3.0, 2.0],
            "j": ["a", "b", None, "a", "b", None, "b"],
            "v": [1, 2, 3, 4, 5, 6, 7],
        }
    )
    df = dd.from_pandas(pdf, npartitions=3)
    for by in ["k", ["k", "j"]]:
        opts = {"sort": sort, "dropna": dropna}
        got = df.groupby(by, **opts).agg({"v": ["sum", "mean", "nunique", "std"]})
        assert_eq(got, pdf.groupby(by, **opts).agg({"v": ["sum", "mean", "nunique", "std"]}))
        assert_eq(df.groupby(by, **opts).v.first(), pdf.groupby(by, **opts).v.first())


@pytest.mark.parametrize("observed", [True, False])
def test_categorical_keys(observed: bool) -> None:
    cats = pd.Categorical(["b", "a", "b", "b", "a", "a"], categories=["c", "b", "a"])
    pdf = pd.DataFrame({"k": cats, "v": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "w": [1, 2, 3, 4, 5, 6]})
    df = dd.from_pandas(pdf, npartitions=3)
    g, pg = df.groupby("k", observed=observed), pdf.groupby("k", observed=observed)
    for op in ["sum", "mean", "count", "std", "first", "nunique", "size"]:
        assert_eq(getattr(g, op)(), getattr(pg, op)())
    assert_eq(g.w.max(), pg.w.max())


def _check_split_out(got: dd.DataFrame | dd.Series, expected: pd.DataFrame | pd.Series) -> None:
    parts = [got.get_partition(j).compute() for j in range(got.npartitions)]
    seen = [set(p.index) for p in parts]
    assert sum(len(s) for s in seen) == len(set().union(*seen)), "a group in two partitions"
    for p in parts:  # each output partition is sorted (missing keys last)
        pd.testing.assert_index_equal(p.index, p.sort_index().index)
    assert_eq(got.compute().sort_index(), expected.sort_index())


@pytest.mark.parametrize("split_out", [1, 2, 3])
def test_split_out(split_out: int) -> None:
    rng = np.random.default_rng(2)
    n = 300
    pdf = pd.DataFrame(
        {"k": rng.integers(0, 60, n), "s": rng.choice(list("abcd"), n), "v": rng.random(n)}
    )
    df = dd.from_pandas(pdf, npartitions=5)
    got = df.groupby("k").v.mean(split_out=split_out)
    assert got.npartitions == split_out
    _check_split_out(got, pdf.groupby("k").v.mean())
    spec = {"v": ["sum", "std", "nunique", "first"], "k": "count"}
    got_agg = df.groupby(["s", "k"]).agg(spec, split_out=split_out, split_every=2)
    _check_split_out(got_agg, pdf.groupby(["s", "k"]).agg(spec))
    _check_split_out(df.groupby("s").size(split_out=split_out), pdf.groupby("s").size())


def test_split_every_and_empty_partitions(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=7)
    sub, psub = df[df.x > 3], pdf[pdf.x > 3]
    for op in OPS_ALL:
        got = getattr(sub.groupby("k").y, op)(split_every=2)
        assert_eq(got, getattr(psub.groupby("k").y, op)())
    none, pnone = df[df.x > 100], pdf[pdf.x > 100]
    assert_eq(none.groupby("k").y.mean(), pnone.groupby("k").y.mean())
    assert_eq(none.groupby("k").agg(["sum", "max"]), pnone.groupby("k").agg(["sum", "max"]))


def test_float32_keeps_its_dtype() -> None:
    pdf = pd.DataFrame({"k": [1, 2, 1, 2, 1], "f": np.arange(5, dtype="float32") / 3})
    df = dd.from_pandas(pdf, npartitions=2)
    for op in ["mean", "var", "std", "sum"]:
        assert_eq(getattr(df.groupby("k").f, op)(), getattr(pdf.groupby("k").f, op)())


def _key_columns(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(3)
    small = rng.integers(0, 5, n)
    return {
        "Int64": pd.array(np.where(rng.random(n) < 0.2, None, small), dtype="Int64"),
        "string": pd.array(rng.choice(["x", "y", "z"], n), dtype="string[pyarrow]"),
        "datetime": pd.Timestamp("2020-01-01") + pd.to_timedelta(small, unit="D"),
        "bool": small > 2,
        "uint64": small.astype("uint64"),
        "int32": small.astype("int32"),
        "negative": small - 1_000_003,
        "sparse": small * 10**11,
    }


@pytest.mark.parametrize("key", list(_key_columns(1)))
def test_key_dtypes(key: str) -> None:
    n = 40
    rng = np.random.default_rng(4)
    pdf = pd.DataFrame(
        {
            "key": _key_columns(n)[key],
            "f": np.where(rng.random(n) < 0.2, np.nan, rng.random(n)),
            "F64": pd.array(np.where(rng.random(n) < 0.2, None, rng.random(n)), dtype="Float64"),
            "i": rng.integers(0, 9, n),
            "f32": rng.random(n).astype("float32"),
        }
    )
    df = dd.from_pandas(pdf, npartitions=4)
    for dropna in (True, False):
        g, pg = df.groupby("key", dropna=dropna), pdf.groupby("key", dropna=dropna)
        spec = {"f": ["std", "size", "last"], "F64": ["sum", "min", "nunique"], "i": "mean"}
        assert_eq(g.agg(spec), pg.agg(spec))
        assert_eq(g[["f", "f32"]].mean(), pg[["f", "f32"]].mean())  # dense integer keys: bincount
        assert_eq(g.f.count(), pg.f.count())
        _check_split_out(g.f.mean(split_out=2), pg.f.mean())


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=4)
    spec = {"y": ["mean", "std"], "s": ["nunique", "first"], "x": "sum"}
    assert_eq(df.groupby("k").agg(spec), pdf.groupby("k").agg(spec), scheduler=scheduler)
    got = df.groupby(df.k % 2).y.sum(split_out=2).compute(scheduler=scheduler)
    pd.testing.assert_series_equal(got.sort_index(), pdf.groupby(pdf.k % 2).y.sum())


def test_bad_inputs(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(AttributeError, match=r"'nope' is not a groupby aggregation.*'nunique'"):
        df.groupby("k").agg(["sum", "nope"])
    with pytest.raises(NotImplementedError, match=r"apply\(lambda g: g.rank\(\)\)"):
        df.groupby("k").y.agg("rank")
    with pytest.raises(NotImplementedError, match="apply"):
        df.groupby("k").agg({"y": "cumsum"})
    with pytest.raises(TypeError, match=r"by name .* or as dd.Aggregation"):
        df.groupby("k").agg(np.sum)
    with pytest.raises(SpecificationError, match="unique"):
        df.groupby("k").y.agg(["sum", "sum"])
    with pytest.raises(SpecificationError, match="nested renamer"):
        df.groupby("k").y.agg({"a": "sum"})
    with pytest.raises(TypeError, match="ddof"):
        df.groupby("k").agg("std", skipna=False)
    with pytest.raises(TypeError, match="mean"):
        df.groupby("k").mean()  # pandas' own error: the column "s" holds strings


def test_bad_keys(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    for bad in (lambda: df.groupby("nope"), lambda: df.groupby(["k", "nope"]),
                lambda: df.groupby("k")["nope"], lambda: df.groupby("k")[["y", "nope"]],
                lambda: df.groupby("k").agg({"nope": "sum"}),
                lambda: df.groupby("k").agg(t=("nope", "sum"))):  # fmt: skip
        with pytest.raises(KeyError, match=r"'nope'.*available columns: \['k', 'x', 'y'"):
            bad()
    other = dd.from_pandas(pdf, npartitions=3)
    with pytest.raises(ValueError, match="same partitioning"):
        df.groupby(other.k)
    with pytest.raises(NotImplementedError, match="tessera Series"):
        df.groupby(pdf.k)
    with pytest.raises(KeyError, match="Series has no columns"):
        df.y.groupby("k")
    with pytest.raises(ValueError, match="split_out"):
        df.groupby("k").sum(split_out=0)
    with pytest.raises(ValueError, match="split_every"):
        df.groupby("k").sum(split_every=1)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = df.groupby("k").nope
