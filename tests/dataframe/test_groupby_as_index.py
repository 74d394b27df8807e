"""``groupby(..., as_index=False)``: keys as columns and a RangeIndex, as pandas."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

OPS = ["sum", "mean", "count", "size", "min", "max", "first", "last", "std", "nunique", "median"]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("op", OPS)
def test_methods(pdf: pd.DataFrame, n: int, op: str) -> None:
    num = pdf[["k", "x", "y", "z"]]
    df = dd.from_pandas(num, npartitions=n)
    g, pg = df.groupby("k", as_index=False), num.groupby("k", as_index=False)
    assert_eq(getattr(g, op)(), getattr(pg, op)())
    assert_eq(getattr(g.y, op)(), getattr(pg.y, op)())
    assert_eq(getattr(g[["x", "z"]], op)(), getattr(pg[["x", "z"]], op)())


AGG_SPECS: list[tuple[Any, dict[str, Any]]] = [
    ("sum", {}),
    (["sum", "max"], {}),
    ({"y": "mean", "x": ["sum", "median"]}, {}),
    ({"k": "count", "y": "sum"}, {}),
    (None, {"total": ("y", "sum"), "top": pd.NamedAgg("x", "max")}),
]


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(("arg", "kwargs"), AGG_SPECS)
def test_agg(pdf: pd.DataFrame, n: int, arg: Any, kwargs: dict[str, Any]) -> None:
    num = pdf[["k", "x", "y", "z"]]
    df = dd.from_pandas(num, npartitions=n)
    args = () if arg is None else (arg,)
    for by in ["k", ["k", "x"]]:
        got = df.groupby(by, as_index=False).agg(*args, **kwargs)
        assert_eq(got, num.groupby(by, as_index=False).agg(*args, **kwargs))


def test_keys_options_and_series_keys(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    for opts in [{"sort": False}, {"dropna": False}]:
        got = df.groupby(["s", "k"], as_index=False, **opts).y.sum()
        assert_eq(got, pdf.groupby(["s", "k"], as_index=False, **opts).y.sum())
    num, pnum = df[["k", "x", "y"]], pdf[["k", "x", "y"]]
    # an outside key named like a column is left out of the columns, as pandas does
    assert_eq(num.groupby(num.k % 2, as_index=False).sum(),
              pnum.groupby(pnum.k % 2, as_index=False).sum())  # fmt: skip
    key, pkey = (num.x > 0).rename("pos"), (pnum.x > 0).rename("pos")
    assert_eq(num.groupby(["k", key], as_index=False).y.max(),
              pnum.groupby(["k", pkey], as_index=False).y.max())  # fmt: skip
    assert_eq(df.groupby("s", as_index=False).size(), pdf.groupby("s", as_index=False).size())


def test_split_out_gives_a_range_index_per_partition(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=4)
    got = df.groupby("k", as_index=False).y.mean(split_out=2)
    parts = [got.get_partition(j).compute() for j in range(2)]
    for part in parts:
        pd.testing.assert_index_equal(part.index, pd.RangeIndex(len(part)))
    whole = pd.concat(parts).sort_values("k", ignore_index=True)
    pd.testing.assert_frame_equal(whole, pdf.groupby("k", as_index=False).y.mean())


def test_float32_keeps_its_dtype() -> None:
    pdf = pd.DataFrame({"k": [1, 2, 1, 2, 1], "f": np.arange(5, dtype="float32") / 3})
    df = dd.from_pandas(pdf, npartitions=2)
    for op in ["mean", "var", "std", "sum", "median"]:
        got = getattr(df.groupby("k", as_index=False).f, op)()
        assert_eq(got, getattr(pdf.groupby("k", as_index=False).f, op)())


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    spec = {"y": ["mean", "median"], "s": "first"}
    got = df.groupby("k", as_index=False).agg(spec)
    assert_eq(got, pdf.groupby("k", as_index=False).agg(spec), scheduler=scheduler)


def test_bad_inputs(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(TypeError, match="only valid with DataFrame"):
        df.y.groupby(df.k, as_index=False)
    with pytest.raises(TypeError, match="True or False"):
        df.groupby("k", as_index="no")
