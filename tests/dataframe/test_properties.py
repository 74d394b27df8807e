"""Hypothesis: the same results as pandas under any partition count."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq

frames = data_frames(
    [
        column("k", elements=st.integers(0, 3)),
        column("x", elements=st.integers(-100, 100)),
        column("y", elements=st.floats(-1e6, 1e6)),
    ],
    index=range_indexes(min_size=0, max_size=25),
)
nparts = st.integers(1, 7)


@settings(max_examples=40, deadline=None)
@given(frames, nparts)
def test_roundtrip_and_elementwise(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df, pdf)
    sub, psub = df[df.x > 0], pdf[pdf.x > 0]
    assert_eq(sub.assign(w=sub.x * 2 + sub.y), psub.assign(w=psub.x * 2 + psub.y))
    assert_eq(df.x + df.y - 1, pdf.x + pdf.y - 1)
    assert len(df) == len(pdf)


@settings(max_examples=40, deadline=None)
@given(frames, nparts)
def test_reductions_match_pandas(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.sum(), pdf.sum())
    assert_eq(df.x.max(), pdf.x.max()) if len(pdf) else None
    assert_eq(df.count(), pdf.count())
    assert_eq(df.mean(), pdf.mean(), rtol=1e-6)
    if len(pdf) > 5:  # rounding noise of a variance scales with the squared values
        assert_eq(df.y.var(), pdf.y.var(), atol=1e-12 * float((pdf.y**2).max()))


@settings(max_examples=40, deadline=None)
@given(frames, nparts)
def test_groupby_matches_pandas(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.groupby("k").sum(), pdf.groupby("k").sum())
    assert_eq(df.groupby("k").x.mean(), pdf.groupby("k").x.mean())
    assert_eq(df.groupby("k").size(), pdf.groupby("k").size())
