from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

OPS = ["sum", "mean", "count", "min", "max", "size"]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("op", OPS)
def test_groupby_reductions(pdf: pd.DataFrame, n: int, op: str) -> None:
    num = pdf[["k", "x", "y", "z"]]
    df = dd.from_pandas(num, npartitions=n)
    assert_eq(getattr(df.groupby("k"), op)(), getattr(num.groupby("k"), op)())
    assert_eq(getattr(df.groupby("k").y, op)(), getattr(num.groupby("k").y, op)())
    assert_eq(
        getattr(df.groupby("k")[["x", "z"]], op)(), getattr(num.groupby("k")[["x", "z"]], op)()
    )
    assert_eq(df.groupby("k").agg(op), num.groupby("k").agg(op))


@pytest.mark.parametrize("op", ["sum", "mean", "count", "size", "max"])
def test_groupby_multiple_keys_and_strings(pdf: pd.DataFrame, op: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(getattr(df.groupby(["s", "k"]).x, op)(), getattr(pdf.groupby(["s", "k"]).x, op)())
    assert_eq(getattr(df.groupby("s").y, op)(split_every=2), getattr(pdf.groupby("s").y, op)())


def test_groupby_after_filter_with_empty_partitions(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=7)
    sub, psub = df[df.x > 3], pdf[pdf.x > 3]
    for op in OPS:
        assert_eq(getattr(sub.groupby("k").y, op)(), getattr(psub.groupby("k").y, op)())


def test_groupby_nan_keys() -> None:
    pdf = pd.DataFrame({"k": [1.0, np.nan, 2.0, 1.0, np.nan], "v": [1, 2, 3, 4, 5]})
    df = dd.from_pandas(pdf, npartitions=2)
    assert_eq(df.groupby("k").v.sum(), pdf.groupby("k").v.sum())
    assert_eq(df.groupby("k", dropna=False).v.sum(), pdf.groupby("k", dropna=False).v.sum())


def test_groupby_bad_inputs(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(NotImplementedError, match="agg"):
        df.groupby("k").agg(["sum", "mean"])
    with pytest.raises(KeyError, match="nope"):
        df.groupby("k")["nope"]
    with pytest.raises(NotImplementedError, match="Series"):
        df.groupby(df.k)
