from __future__ import annotations

import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


@pytest.mark.parametrize("n", NPARTS)
def test_from_pandas_roundtrip(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert df.npartitions <= n
    assert df.known_divisions
    assert df.divisions[0] == pdf.index[0] and df.divisions[-1] == pdf.index[-1]
    assert_eq(df, pdf)
    assert_eq(dd.from_pandas(pdf.y, npartitions=n), pdf.y)
    assert len(df) == len(pdf)


def test_structure(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert list(df.columns) == list(pdf.columns)
    pd.testing.assert_series_equal(df.dtypes, pdf.dtypes)
    assert df.x.dtype == pdf.x.dtype
    assert df.index.name == "idx" and df.index.dtype == pdf.index.dtype
    assert len(df.meta) == 0
    text = repr(df)
    assert "npartitions=3" in text and "float64" in text
    assert "npartitions=3" in repr(df.x) and "Name: x" in repr(df.x)
    assert sorted(df.__tessera_keys__()) == [(df._name, i) for i in range(3)]


def test_unsorted_and_chunksize() -> None:
    pdf = pd.DataFrame({"a": range(6)}, index=[5, 3, 1, 0, 2, 4])
    assert_eq(dd.from_pandas(pdf, npartitions=2), pdf.sort_index())
    df = dd.from_pandas(pdf, chunksize=4, sort=False)
    assert df.divisions == (None, None, None) and not df.known_divisions
    assert_eq(df, pdf)


def test_repeated_index_does_not_straddle() -> None:
    pdf = pd.DataFrame({"a": range(6)}, index=[0, 0, 0, 1, 1, 2])
    df = dd.from_pandas(pdf, npartitions=3)
    assert df.divisions == (0, 1, 2, 2)
    assert_eq(df, pdf)


def test_empty_frame() -> None:
    pdf = pd.DataFrame({"a": pd.Series([], dtype="int64")})
    df = dd.from_pandas(pdf, npartitions=2)
    assert df.npartitions == 1
    assert_eq(df, pdf)
    assert len(df) == 0


def test_from_pandas_bad_inputs(pdf: pd.DataFrame) -> None:
    with pytest.raises(TypeError, match="pandas DataFrame"):
        dd.from_pandas([1, 2], npartitions=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exactly one"):
        dd.from_pandas(pdf)
    with pytest.raises(ValueError, match="positive"):
        dd.from_pandas(pdf, npartitions=0)


def test_from_dict() -> None:
    data = {"a": [1, 2, 3], "b": [1.5, 2.5, 3.5]}
    assert_eq(dd.from_dict(data, npartitions=2), pd.DataFrame(data))


def test_head_tail(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=4)
    pd.testing.assert_frame_equal(df.head(), pdf.head())
    pd.testing.assert_frame_equal(df.head(8, npartitions=2), pdf.head(8))
    pd.testing.assert_frame_equal(df.head(30, npartitions=-1), pdf)
    pd.testing.assert_frame_equal(df.tail(3), pdf.tail(3))
    pd.testing.assert_series_equal(df.y.head(2), pdf.y.head(2))
    with pytest.warns(UserWarning, match="Insufficient elements"):
        out = df.head(10)
    pd.testing.assert_frame_equal(out, pdf.head(5))
    with pytest.raises(ValueError, match="npartitions"):
        df.head(2, npartitions=9)


def test_persist_and_compute_together(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    p = (df.x + 1).persist(scheduler="sync")
    assert_eq(p, pdf.x + 1)
    a, b = dd.compute(df.x.sum(), df.y.max())
    assert a == pdf.x.sum() and b == pdf.y.max()


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    expr = df[df.x > 0].assign(w=df.y * 2)
    assert_eq(expr, pdf[pdf.x > 0].assign(w=pdf.y * 2), scheduler=scheduler)
    assert_eq(df.groupby("k").y.mean(), pdf.groupby("k").y.mean(), scheduler=scheduler)
    assert_eq(df.y.std(), pdf.y.std(), scheduler=scheduler)


def test_default_scheduler_is_threads() -> None:
    from tessera.scheduling import threaded

    assert dd.DataFrame.__tessera_scheduler__ is threaded.get
    assert dd.Scalar.__tessera_scheduler__ is threaded.get


def test_keys_are_deterministic(pdf: pd.DataFrame) -> None:
    a = dd.from_pandas(pdf, npartitions=2)
    b = dd.from_pandas(pdf.copy(), npartitions=2)
    assert (a.x + 1)._name == (b.x + 1)._name
    assert a.x.sum()._name == b.x.sum()._name


def test_head_honours_configured_scheduler(pdf: pd.DataFrame) -> None:
    from tessera import config

    df = dd.from_pandas(pdf, npartitions=2)
    with config.set(scheduler="sync"):
        pd.testing.assert_frame_equal(df.head(3), pdf.head(3))
