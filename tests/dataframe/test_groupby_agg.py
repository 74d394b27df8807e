"""``GroupBy.agg`` against pandas: every spelling, one pass, random frames (hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

FRAME_SPECS: list[tuple[Any, dict[str, Any]]] = [
    ("sum", {}),
    (["sum", "max"], {}),
    (["mean", "std", "count", "size", "first", "last", "nunique", "prod", "min", "var"], {}),
    ({"y": "mean", "x": ["sum", "max"]}, {}),
    ({"y": "mean", "x": "sum", "k": "count"}, {}),
    ({"z": ["var", "nunique", "last"], "y": ("first", "std")}, {}),
    ("std", {"ddof": 0}),
    (None, {"total": ("y", "sum"), "top": pd.NamedAgg("x", "max"), "n": ("z", "count")}),
    (None, {"spread": ("y", "std"), "avg": ("y", "mean"), "keys": ("k", "nunique")}),
]


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize(("arg", "kwargs"), FRAME_SPECS)
def test_frame_agg(pdf: pd.DataFrame, n: int, arg: Any, kwargs: dict[str, Any]) -> None:
    num = pdf[["k", "x", "y", "z"]]
    df = dd.from_pandas(num, npartitions=n)
    args = () if arg is None else (arg,)
    assert_eq(df.groupby("k").agg(*args, **kwargs), num.groupby("k").agg(*args, **kwargs))
    if n > 2:
        assert_eq(df.groupby("k").aggregate(*args, split_every=2, **kwargs),
                  num.groupby("k").aggregate(*args, **kwargs))  # fmt: skip


SERIES_SPECS: list[tuple[Any, dict[str, Any]]] = [
    ("mean", {}),
    ("size", {}),
    (["sum", "max", "nunique"], {}),
    (("std", "first", "count"), {}),
    (None, {"total": "sum", "spread": "var"}),
    ("var", {"ddof": 2}),
]


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(("arg", "kwargs"), SERIES_SPECS)
def test_series_agg(pdf: pd.DataFrame, n: int, arg: Any, kwargs: dict[str, Any]) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    args = () if arg is None else (arg,)
    assert_eq(df.groupby("k").y.agg(*args, **kwargs), pdf.groupby("k").y.agg(*args, **kwargs))
    assert_eq(df.y.groupby(df.s).agg(*args, **kwargs), pdf.y.groupby(pdf.s).agg(*args, **kwargs))


def test_agg_with_object_columns_and_selection(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    spec = {"s": ["min", "max", "first", "nunique"], "b": ["sum", "mean"], "y": "last"}
    assert_eq(df.groupby("k").agg(spec), pdf.groupby("k").agg(spec))
    assert_eq(
        df.groupby(["s", "b"]).agg(["sum", "min"]), pdf.groupby(["s", "b"]).agg(["sum", "min"])
    )
    sel, psel = df.groupby("s")[["k", "y"]], pdf.groupby("s")[["k", "y"]]
    assert_eq(sel.agg(["mean", "nunique"]), psel.agg(["mean", "nunique"]))


def test_agg_is_one_pass(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=5)
    out = df.groupby("k").agg({"y": ["mean", "std", "sum"], "x": ["nunique", "first"]})
    chunk_layers = [name for name in out.layers if "-chunk-" in name]
    assert len(chunk_layers) == 1, chunk_layers
    assert len(out.layers[chunk_layers[0]]) == df.npartitions
    assert len(df.layers) + 1 + 1 == len(out.layers)  # chunk, final (5 <= split_every)


def test_equal_aggregations_share_keys(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    a, b = df.groupby("k").y.mean(), df.groupby("k").y.mean()
    assert a._name == b._name
    assert a._name != df.groupby("k").y.mean(split_out=2)._name


keys = st.one_of(st.none(), st.integers(0, 6)).map(lambda k: np.nan if k is None else float(k))
values = st.one_of(st.none(), st.floats(-1e3, 1e3)).map(lambda v: np.nan if v is None else v)
frames = data_frames(
    [
        column("k", elements=keys, dtype=float),
        column("j", elements=st.sampled_from(["a", "b", "c"])),
        column("v", elements=values, dtype=float),
        column("w", elements=st.integers(-50, 50)),
    ],
    index=range_indexes(min_size=0, max_size=30),
)
SPEC = {"v": ["sum", "mean", "count", "min", "max", "std", "first", "last", "nunique"],
        "w": ["prod", "var", "size"]}  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    frames,
    st.integers(1, 7),
    st.integers(1, 3),
    st.booleans(),
    st.sampled_from(["k", ["j", "k"]]),
    st.booleans(),
)
def test_agg_matches_pandas(
    pdf: pd.DataFrame, n: int, split_out: int, dropna: bool, by: Any, filtered: bool
) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    if filtered:  # leaves some partitions empty
        df, pdf = df[df.w > 0], pdf[pdf.w > 0]
    expected = pdf.groupby(by, dropna=dropna).agg(SPEC)
    got = df.groupby(by, dropna=dropna).agg(SPEC, split_out=split_out, split_every=2)
    assert got.npartitions == split_out
    result = got.compute() if split_out == 1 else got.compute().sort_index()
    atol = 1e-9 * float((pdf.v**2).max()) if len(pdf) else 0.0
    assert_eq(result, expected, check_exact=False, atol=max(atol, 1e-9))
    if split_out == 1:
        unsorted = df.groupby(by, dropna=dropna, sort=False).v.last(split_every=2)
        assert_eq(unsorted, pdf.groupby(by, dropna=dropna, sort=False).v.last())
