"""from_array: NumPy and tessera arrays into frames with known RangeIndex divisions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tessera.array as da
import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq


@pytest.mark.parametrize("chunksize", [1, 3, 7, 50])
def test_numpy_1d_and_2d(chunksize: int) -> None:
    x = np.arange(20, dtype="float64").reshape(10, 2)
    df = dd.from_array(x, chunksize=chunksize)
    assert df.npartitions == -(-10 // chunksize)
    assert df.divisions == (*range(0, 10, chunksize), 9)
    assert_eq(df, pd.DataFrame(x))
    named = dd.from_array(x, chunksize=chunksize, columns=["a", "b"])
    assert_eq(named, pd.DataFrame(x, columns=["a", "b"]))
    assert_eq(named.a.sum(), 90.0)
    s = dd.from_array(x[:, 0], chunksize=chunksize, columns="v")
    assert_eq(s, pd.Series(x[:, 0], name="v"))


def test_structured_and_string_arrays() -> None:
    rec = np.array(
        [(i, i / 2, f"s{i}") for i in range(9)], dtype=[("i", "i8"), ("f", "f8"), ("s", "U3")]
    )
    assert_eq(dd.from_array(rec, chunksize=4), pd.DataFrame(rec))
    assert_eq(dd.from_array(rec, chunksize=4, columns=["s", "i"]), pd.DataFrame(rec)[["s", "i"]])
    words = np.array(["a", "bb", "ccc"], dtype=object)
    assert_eq(dd.from_array(words, chunksize=2), pd.Series(words))


def test_empty_array() -> None:
    df = dd.from_array(np.empty((0, 3)), chunksize=5)
    assert df.npartitions == 1 and not df.known_divisions
    assert_eq(df, pd.DataFrame(np.empty((0, 3))))


@pytest.mark.parametrize("chunks", [(3, 4), (4, 2), (10, 1)])
def test_tessera_array_follows_row_chunks(chunks: tuple[int, int]) -> None:
    x = np.arange(40).reshape(10, 4)
    a = da.from_array(x, chunks=chunks)
    df = dd.from_array(a, columns=list("abcd"))
    assert df.npartitions == len(a.chunks[0])
    assert df.divisions == (*np.cumsum((0, *a.chunks[0][:-1])).tolist(), 9)
    assert_eq(df, pd.DataFrame(x, columns=list("abcd")))
    assert_eq(dd.from_array(a[:, 1]), pd.Series(x[:, 1]))
    assert_eq(dd.from_array((a + 1)[:, 2], columns="c").sum(), int(x[:, 2].sum() + 10))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(scheduler: str) -> None:
    x = np.arange(30.0).reshape(15, 2)
    df = dd.from_array(da.from_array(x, chunks=(4, 1)), columns=["a", "b"])
    assert_eq(df[df.a > 5].b.sum(), x[x[:, 0] > 5, 1].sum(), scheduler=scheduler)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="1-D or 2-D"):
        dd.from_array(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="3 names for an array with 2 columns"):
        dd.from_array(np.zeros((2, 2)), columns=["a", "b", "c"])
    rec = np.zeros(3, dtype=[("a", "i8")])
    with pytest.raises(ValueError, match="fields"):
        dd.from_array(rec, columns=["nope"])
    with pytest.raises(ValueError, match="chunksize"):
        dd.from_array(np.zeros(3), chunksize=0)
