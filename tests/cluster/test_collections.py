"""One representative computation per collection on each cluster, against NumPy/pandas."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tessera.array as da
import tessera.bag as db
import tessera.dataframe as dd
from tessera.array.testing import assert_eq as assert_array_eq
from tessera.dataframe.testing import assert_eq as assert_frame_eq

LINES = [
    "the quick brown fox",
    "jumps over the lazy dog",
    "the dog sleeps",
    "",
    "a fox and a dog and the end",
]


@pytest.mark.parametrize("chunks", [(5, 4), (20, 7)])
def test_array_reduction(cluster: Any, chunks: tuple[int, int]) -> None:
    x = np.random.default_rng(0).normal(size=(20, 14))
    d = da.from_array(x, chunks=chunks)
    assert_array_eq(d.sum(axis=0), x.sum(axis=0), scheduler=cluster)
    assert_array_eq((d + 1).std(), (x + 1).std(), scheduler=cluster)


@pytest.mark.parametrize("npartitions", [1, 3])
def test_bag_word_count(cluster: Any, npartitions: int) -> None:
    words = db.from_sequence(LINES, npartitions=npartitions).str.split().flatten()
    got = words.frequencies().compute(scheduler=cluster)
    assert dict(got) == Counter(w for line in LINES for w in line.split())
    assert len(got) == len(set(got))


@pytest.mark.parametrize("npartitions", [1, 3])
def test_dataframe_groupby_mean(cluster: Any, npartitions: int) -> None:
    rng = np.random.default_rng(1)
    pdf = pd.DataFrame(
        {"k": rng.integers(0, 4, 30), "x": rng.integers(-5, 6, 30), "y": rng.normal(size=30)}
    )
    ddf = dd.from_pandas(pdf, npartitions=npartitions)
    assert_frame_eq(ddf.groupby("k").mean(), pdf.groupby("k").mean(), scheduler=cluster)
    assert_frame_eq(ddf.groupby("k").y.mean(), pdf.groupby("k").y.mean(), scheduler=cluster)
