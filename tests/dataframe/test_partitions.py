"""df.partitions[...] and DataFrame.value_counts against pandas."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq

from .conftest import NPARTS


def _parts(pdf: pd.DataFrame, n: int) -> list[pd.DataFrame]:
    df = dd.from_pandas(pdf, npartitions=n)
    return [df.get_partition(i).compute() for i in range(df.npartitions)]


@pytest.mark.parametrize(
    "key", [0, -1, slice(1, 3), slice(None, None, 2), slice(None, None, -1), [2, 0], [1, 3]]
)
def test_partitions_indexer(pdf: pd.DataFrame, key: object) -> None:
    df = dd.from_pandas(pdf, npartitions=4)
    parts = _parts(pdf, 4)
    chosen = list(range(4))[key] if isinstance(key, slice) else key
    chosen = chosen if isinstance(chosen, list) else [chosen]
    out = df.partitions[key]
    assert out.npartitions == len(chosen)
    expected = pd.concat([parts[i] for i in chosen])
    assert_eq(out, expected)
    if all(a < b for a, b in pairwise(chosen)):
        assert out.known_divisions
    else:
        assert not out.known_divisions


def test_partitions_mask_series_and_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    parts = _parts(pdf, 3)
    assert_eq(df.x.partitions[np.array([True, False, True])],
              pd.concat([parts[0].x, parts[2].x]))  # fmt: skip
    with pytest.raises(IndexError, match="out of range"):
        df.partitions[3]
    with pytest.raises(IndexError, match="3 values"):
        df.partitions[[True, False]]
    with pytest.raises(IndexError, match="no partition"):
        df.partitions[2:1]
    with pytest.raises(TypeError, match="slice"):
        df.partitions["a"]


@pytest.mark.parametrize("n", NPARTS)
def test_frame_value_counts(pdf: pd.DataFrame, n: int) -> None:
    p = pdf.assign(z=pdf.z.round(0))
    df = dd.from_pandas(p, npartitions=n)
    cases = [
        {"subset": ["k", "s"]},
        {"subset": ["k", "z"], "dropna": False},
        {"subset": ["k", "z"]},
        {"subset": "s", "normalize": True},
        {"subset": ["k", "b"], "ascending": True},
        {"subset": ["s", "k"], "sort": False},
    ]
    for kw in cases:
        assert_eq(df.value_counts(**kw), p.value_counts(**kw))
    assert_eq(df[["k", "s"]].value_counts(split_every=2), p[["k", "s"]].value_counts())


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_frame_value_counts_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df[["k", "s"]].value_counts(), pdf[["k", "s"]].value_counts(), scheduler=scheduler)


def test_value_counts_series_unchanged_and_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.k.value_counts(), pdf.k.value_counts())
    with pytest.raises(KeyError, match="nope"):
        df.value_counts(subset=["nope"])


@pytest.mark.parametrize("key", [[], np.array([], dtype=int), slice(3, 3)])
def test_partitions_selecting_nothing_raises_index_error(pdf: pd.DataFrame, key: object) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    with pytest.raises(IndexError, match="selects no partition"):
        df.partitions[key]


def _categorical_frame(rows: list[tuple[float | None, str | None, str | None]]) -> pd.DataFrame:
    a, c, d = zip(*rows, strict=True) if rows else ((), (), ())
    return pd.DataFrame(
        {
            "a": pd.Series(a, dtype="float64"),
            "c": pd.Categorical(c, categories=["r", "p", "q"]),
            "d": pd.Categorical(d, categories=["v", "u", "w"], ordered=True),
        }
    )


_ROWS = st.lists(
    st.tuples(
        st.sampled_from([1.0, 2.0, None]),
        st.sampled_from(["p", "q", "r", None]),
        st.sampled_from(["u", "v", None]),
    ),
    max_size=8,
)


@settings(max_examples=30, deadline=None)
@given(rows=_ROWS, n=st.integers(1, 4))
def test_frame_value_counts_categoricals_property(
    rows: list[tuple[float | None, str | None, str | None]], n: int
) -> None:
    """Unobserved category combinations come where pandas puts them, not ahead of rows
    first seen in later partitions."""
    p = _categorical_frame(rows)
    df = dd.from_pandas(p, npartitions=n)
    for subset in (["a", "c"], ["c", "d"], "c", ["a", "c", "d"]):
        for kw in ({"sort": False}, {"sort": True}, {"sort": False, "dropna": False}):
            expected = p.value_counts(subset=subset, **kw)
            assert_eq(df.value_counts(subset=subset, split_every=2, **kw), expected,
                      scheduler="sync")  # fmt: skip


def test_frame_value_counts_categorical_rows_of_later_partitions() -> None:
    p = pd.DataFrame(
        {"a": [2.0, 1.0, 1.0, 2.0], "c": pd.Categorical(list("pqpp"), categories=list("pqr"))}
    )
    for n in NPARTS:
        df = dd.from_pandas(p, npartitions=n)
        for sort in (True, False):
            assert_eq(df.value_counts(sort=sort), p.value_counts(sort=sort))
