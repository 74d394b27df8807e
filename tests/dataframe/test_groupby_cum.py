"""Grouped ``cumsum/cumprod/cummax/cummin/cumcount`` (a scan over partitions) against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

OPS = ["cumsum", "cumprod", "cummax", "cummin", "cumcount"]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("op", OPS)
def test_methods(pdf: pd.DataFrame, n: int, op: str) -> None:
    num = pdf[["k", "x", "y", "z", "b"]]
    df = dd.from_pandas(num, npartitions=n)
    assert_eq(getattr(df.groupby("k"), op)(), getattr(num.groupby("k"), op)())
    assert_eq(getattr(df.groupby("k").z, op)(), getattr(num.groupby("k").z, op)())
    assert_eq(getattr(df.groupby(["k", df.x > 0]).y, op)(),
              getattr(num.groupby(["k", num.x > 0]).y, op)())  # fmt: skip
    assert_eq(getattr(df.y.groupby(df.k % 2), op)(), getattr(num.y.groupby(num.k % 2), op)())


@pytest.mark.parametrize("op", OPS[:4])
def test_extension_dtypes_and_numeric_only(pdf: pd.DataFrame, op: str) -> None:
    pdf = pdf.assign(I=pd.array(np.where(pdf.x > 2, None, pdf.x), dtype="Int64"))
    df = dd.from_pandas(pdf, npartitions=4)
    assert_eq(getattr(df.groupby("s").I, op)(), getattr(pdf.groupby("s").I, op)())
    got = getattr(df.groupby("s"), op)(numeric_only=True)
    assert_eq(got, getattr(pdf.groupby("s"), op)(numeric_only=True))


def test_lines_up_with_the_frame(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    got = df.assign(c=df.groupby("s").y.cumsum(), n=df.groupby("s").cumcount())
    assert_eq(got, pdf.assign(c=pdf.groupby("s").y.cumsum(), n=pdf.groupby("s").cumcount()))


def test_missing_keys() -> None:
    pdf = pd.DataFrame({"k": [1.0, np.nan, 1.0, 2.0, np.nan, 1.0], "v": [1.0, 2, 3, 4, 5, 6]})
    for dropna in (True, False):
        for n in (1, 2, 3):
            df = dd.from_pandas(pdf, npartitions=n)
            g, pg = df.groupby("k", dropna=dropna), pdf.groupby("k", dropna=dropna)
            for op in OPS[:4]:
                assert_eq(getattr(g.v, op)(), getattr(pg.v, op)())


@pytest.mark.parametrize("dtype", ["int8", "int16", "uint8", "uint32", "Int8", "UInt16", "bool"])
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_narrow_integers_do_not_overflow(dtype: str, op: str) -> None:
    """Sums and products are taken in 64 bits; the input's dtype is kept when they fit."""
    keys = [1, 2, 1, 3, 2, 1]
    for values in ([1, 0, 1, 1, 1, 1], [100, 0, 100, 100, 1, 100]):
        pdf = pd.DataFrame({"k": keys, "u": pd.array(values, dtype=dtype), "v": keys})
        fits = values[0] == 1 or dtype == "bool"
        for n in (1, 2, 3):
            df = dd.from_pandas(pdf, npartitions=n)
            for got, expected in [
                (getattr(df.groupby("k").u, op)(), getattr(pdf.groupby("k").u, op)()),
                (getattr(df.groupby("k"), op)(), getattr(pdf.groupby("k"), op)()),
            ]:
                # pandas' dtype depends on the values: 64 bits only when one overflows
                assert_eq(got if fits else got.compute(), expected)


keyed = data_frames(
    [column("k", elements=st.integers(0, 3)), column("v", elements=st.integers(-9, 9))],
    index=range_indexes(min_size=0, max_size=30),
)


@settings(max_examples=25, deadline=None)
@given(keyed, st.integers(1, 6), st.sampled_from(OPS))
def test_matches_pandas(pdf: pd.DataFrame, n: int, op: str) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(getattr(df.groupby("k").v, op)(), getattr(pdf.groupby("k").v, op)())


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=4)
    assert_eq(df.groupby("s").y.cumsum(), pdf.groupby("s").y.cumsum(), scheduler=scheduler)
    assert_eq(df.groupby("k").cumcount(), pdf.groupby("k").cumcount(), scheduler=scheduler)


def test_bad_inputs(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(TypeError):  # pandas' own error: strings have no cumprod
        df.groupby("k").cumprod()
    with pytest.raises(NotImplementedError, match="skipna=False"):
        df.groupby("k").y.cumsum(skipna=False)
    with pytest.raises(NotImplementedError, match="ascending=False"):
        df.groupby("k").cumcount(ascending=False)
