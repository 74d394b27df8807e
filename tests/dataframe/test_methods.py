"""where, mask, replace, between, select_dtypes, map, apply, to_datetime, to_numeric."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


@pytest.mark.parametrize("n", NPARTS)
def test_where_mask(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    num, pnum = df[["x", "y", "z"]], pdf[["x", "y", "z"]]
    assert_eq(num.where(num > 0), pnum.where(pnum > 0))
    assert_eq(num.where(num > 0, -num), pnum.where(pnum > 0, -pnum))
    assert_eq(num.mask(num > 0, 0), pnum.mask(pnum > 0, 0))
    assert_eq(df.x.where(df.b, 100), pdf.x.where(pdf.b, 100))
    assert_eq(df.x.mask(df.x < 0), pdf.x.mask(pdf.x < 0))
    assert_eq(df.y.where(lambda s: s > 0, df.y.mean()), pdf.y.where(pdf.y > 0, pdf.y.mean()))
    assert_eq(df.s.where(df.x > 0, None), pdf.s.where(pdf.x > 0, None))


@pytest.mark.parametrize("n", [1, 3])
def test_replace_between_select_dtypes(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.x.replace(0, 100), pdf.x.replace(0, 100))
    assert_eq(df.replace({"s": {"a": "A"}}), pdf.replace({"s": {"a": "A"}}))
    assert_eq(df.s.replace(["a", "b"], ["x", "y"]), pdf.s.replace(["a", "b"], ["x", "y"]))
    assert_eq(
        df.s.replace(r"^[ab]$", "ab", regex=True), pdf.s.replace(r"^[ab]$", "ab", regex=True)
    )
    assert_eq(df.x.between(-1, 2), pdf.x.between(-1, 2))
    assert_eq(df.y.between(-0.5, 0.5, inclusive="neither"),
              pdf.y.between(-0.5, 0.5, inclusive="neither"))  # fmt: skip
    assert_eq(df.select_dtypes("number"), pdf.select_dtypes("number"))
    assert_eq(df.select_dtypes(include=["float"]), pdf.select_dtypes(include=["float"]))
    assert_eq(df.select_dtypes(exclude=["number", "bool"]),
              pdf.select_dtypes(exclude=["number", "bool"]))  # fmt: skip
    with pytest.raises(AttributeError, match="between"):
        df.between(0, 1)
    with pytest.raises(ValueError):
        df.select_dtypes()  # pandas: at least one of include or exclude


@pytest.mark.parametrize("n", NPARTS)
def test_series_map(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    names = {"a": "alpha", "b": "beta", "c": "gamma"}
    assert_eq(df.s.map(names), pdf.s.map(names))
    assert_eq(df.k.map(pd.Series([10.0, 20.0], index=[0, 1])),
              pdf.k.map(pd.Series([10.0, 20.0], index=[0, 1])))  # fmt: skip
    assert_eq(df.x.map(lambda v: v * 2, meta=("x", "int64")), pdf.x.map(lambda v: v * 2))
    assert_eq(df.z.map("{:.1f}".format, na_action="ignore", meta=("z", "str")),
              pdf.z.map("{:.1f}".format, na_action="ignore"))  # fmt: skip
    lookup = pd.Series([0.5, 1.5, 2.5, 3.5], index=[0, 1, 2, 3])
    lazy = dd.from_pandas(lookup, npartitions=2)
    assert_eq(df.k.map(lazy), pdf.k.map(lookup))


def test_map_and_apply_guess_meta_with_warning(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    with pytest.warns(UserWarning, match="meta="):
        lazy = df.x.map(lambda v: v / 2)
    assert_eq(lazy, pdf.x.map(lambda v: v / 2))
    with pytest.warns(UserWarning, match="meta="):
        rows = df.apply(lambda r: f"{r.s}{r.x}", axis=1)
    assert_eq(rows, pdf.apply(lambda r: f"{r.s}{r.x}", axis=1))
    with pytest.raises(ZeroDivisionError, match="Pass meta="):
        df.x.map(lambda v: 1 / 0)


@pytest.mark.parametrize("n", NPARTS)
def test_apply(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)

    def row_total(r: pd.Series, scale: int = 1) -> float:
        return float(r.x + r.y) * scale

    assert_eq(df.apply(row_total, axis=1, meta=(None, "float64"), args=(3,)),
              pdf.apply(row_total, axis=1, args=(3,)))  # fmt: skip
    assert_eq(df.apply(row_total, axis="columns", meta=(None, "float64"), scale=2),
              pdf.apply(row_total, axis="columns", scale=2))  # fmt: skip
    expand = {"a": "float64", "b": "float64"}  # a row upcasts
    assert_eq(df.apply(lambda r: pd.Series({"a": r.x, "b": r.y}), axis=1, meta=expand),
              pdf.apply(lambda r: pd.Series({"a": r.x, "b": r.y}), axis=1))  # fmt: skip
    assert_eq(df.y.apply(abs, meta=("y", "float64")), pdf.y.apply(abs))
    assert_eq(
        df.x.apply(np.power, args=(2,), meta=("x", "int64")), pdf.x.apply(np.power, args=(2,))
    )
    assert_eq(df[["x", "y"]].map(lambda v: v + 1, meta=pdf[["x", "y"]]),
              pdf[["x", "y"]].map(lambda v: v + 1))  # fmt: skip


def test_apply_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(NotImplementedError, match="axis=1"):
        df.apply(sum)
    with pytest.raises(NotImplementedError, match="whole columns"):
        df.apply(sum, axis=0, meta=(None, "int64"))
    with pytest.raises(ValueError, match="No axis named 1"):
        df.x.apply(abs, axis=1)


@pytest.mark.parametrize("n", [1, 3])
def test_to_datetime(n: int) -> None:
    s = pd.Series(["2000-01-01", "2000-02-03 04:05", None, "2001-12-31"] * 3, name="d")
    ds = dd.from_pandas(s, npartitions=n)
    assert_eq(dd.to_datetime(ds, format="ISO8601"), pd.to_datetime(s, format="ISO8601"))
    assert_eq(
        dd.to_datetime(ds, format="mixed", utc=True), pd.to_datetime(s, format="mixed", utc=True)
    )
    epochs = pd.Series([0, 86400, 10**9], name="e")
    assert_eq(dd.to_datetime(dd.from_pandas(epochs, npartitions=n), unit="s"),
              pd.to_datetime(epochs, unit="s"))  # fmt: skip
    parts = pd.DataFrame({"year": [2000, 2010, 2020], "month": [1, 6, 12], "day": [5, 6, 7]})
    assert_eq(dd.to_datetime(dd.from_pandas(parts, npartitions=n)), pd.to_datetime(parts))
    bad = dd.from_pandas(pd.Series(["2000-01-01", "nope"]), npartitions=n)
    assert_eq(
        dd.to_datetime(bad, errors="coerce"),
        pd.to_datetime(pd.Series(["2000-01-01", "nope"]), errors="coerce"),
    )
    with pytest.raises(ValueError, match="nope"):
        dd.to_datetime(bad).compute(scheduler="sync")
    assert dd.to_datetime("2000-01-02") == pd.Timestamp("2000-01-02")
    assert_eq(dd.to_datetime(ds, meta=("d", "datetime64[ns]"), format="ISO8601").dtype,
              np.dtype("datetime64[ns]"))  # fmt: skip


@pytest.mark.parametrize("n", [1, 3])
def test_to_numeric(n: int) -> None:
    s = pd.Series(["1", "2", "-3", "40"], name="v")
    ds = dd.from_pandas(s, npartitions=n)
    assert_eq(dd.to_numeric(ds), pd.to_numeric(s))
    floats = pd.Series(["1.5", "x", "3"], name="v")
    dfl = dd.from_pandas(floats, npartitions=n)
    assert_eq(dd.to_numeric(dfl, errors="coerce", meta=("v", "float64")),
              pd.to_numeric(floats, errors="coerce"))  # fmt: skip
    assert_eq(dd.to_numeric(ds, downcast="float", meta=("v", "float32")),
              pd.to_numeric(s, downcast="float"))  # fmt: skip
    with pytest.raises(ValueError, match="Unable to parse"):
        dd.to_numeric(dfl).compute(scheduler="sync")
    with pytest.raises(TypeError, match="Series, not a DataFrame"):
        dd.to_numeric(ds.to_frame())
    assert dd.to_numeric("5") == 5
    assert dd.to_numeric(np.array(["1.5", "2"])).tolist() == [1.5, 2.0]


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    lazy = df.apply(lambda r: r.x * 2 + r.k, axis=1, meta=(None, "int64"))
    assert_eq(lazy, pdf.apply(lambda r: r.x * 2 + r.k, axis=1), scheduler=scheduler)
    lookup = dd.from_pandas(pd.Series(["zero", "one", "two", "three"]), npartitions=2)
    assert_eq(df.k.map(lookup), pdf.k.map(pd.Series(["zero", "one", "two", "three"])),
              scheduler=scheduler)  # fmt: skip
    assert_eq(df.x.where(df.x > 0, 0), pdf.x.where(pdf.x > 0, 0), scheduler=scheduler)
