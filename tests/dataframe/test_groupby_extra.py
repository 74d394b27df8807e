"""GroupBy get_group, shift, ffill, bfill, head, tail, idxmax, idxmin, value_counts, unique."""

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


@pytest.fixture
def gdf(pdf: pd.DataFrame) -> pd.DataFrame:
    """The shared frame with missing values in a key and a value column."""
    out = pdf.copy()
    out["m"] = out.k.where(out.x != 0).astype("float64")  # a key with missing values
    out["x"] = out.x.astype("float64").where(out.x % 3 != 0)
    return out


def _grouped(frame: Any, case: str) -> Any:
    """The same grouping of a pandas or tessera frame (``case`` picks which)."""
    return {
        "column": lambda f: f.groupby("k"),
        "select": lambda f: f.groupby("k").x,
        "list": lambda f: f.groupby(["k", "s"])[["x", "z"]],
        "series": lambda f: f.groupby(f.k % 2).z,
        "nan": lambda f: f.groupby("m").x,
        "nan_kept": lambda f: f.groupby("m", dropna=False).x,
        "of_series": lambda f: f.x.groupby(f.s),
    }[case](frame)


CASES = ["column", "select", "list", "series", "nan", "nan_kept", "of_series"]
#: (case, npartitions): every partitioning for the plain cases, three partitions for others.
SPLITS = [*((c, n) for c in CASES[:2] for n in NPARTS), *((c, 3) for c in CASES[2:])]
#: The splits of a SeriesGroupBy.
SERIES_SPLITS = [(c, n) for c, n in SPLITS if c not in ("column", "list")]
WINDOWS = {
    "shift": lambda g: g.shift(),
    "shift-3-fill": lambda g: g.shift(-3, fill_value=-1.0),
    "shift0": lambda g: g.shift(0),
    "ffill": lambda g: g.ffill(),
    "bfill": lambda g: g.bfill(),
    "ffill1": lambda g: g.ffill(limit=1),
    "bfill2": lambda g: g.bfill(limit=2),
    "head2": lambda g: g.head(2),
    "tail2": lambda g: g.tail(2),
    "tail0": lambda g: g.tail(0),
}


@pytest.mark.parametrize(("case", "n"), SPLITS)
@pytest.mark.parametrize("call", list(WINDOWS))
def test_windows(gdf: pd.DataFrame, case: str, n: int, call: str) -> None:
    df = dd.from_pandas(gdf, npartitions=n)
    run = WINDOWS[call]
    try:
        expected = run(_grouped(gdf, case))
    except TypeError:  # a number filled into strings: pandas' error, also lazily
        with pytest.raises(TypeError):
            run(_grouped(df, case)).compute()
        return
    out = run(_grouped(df, case))
    assert out.divisions == df.divisions
    assert_eq(out, expected)


@pytest.mark.parametrize(("case", "n"), [(c, n) for c, n in SPLITS if "nan" not in c])
@pytest.mark.parametrize("how", ["idxmax", "idxmin"])
def test_idxmax_idxmin(pdf: pd.DataFrame, case: str, n: int, how: str) -> None:
    p = pdf.assign(x=pdf.x.astype("float64"))
    p.loc[p.index[::4], "x"] = np.nan  # missing values and ties (x has few values)
    df = dd.from_pandas(p, npartitions=n)
    expected = getattr(_grouped(p, case), how)()
    assert_eq(getattr(_grouped(df, case), how)(split_every=2), expected, check_divisions=False)


def test_idxmax_all_missing_and_skipna(pdf: pd.DataFrame) -> None:
    p = pdf.assign(x=pdf.x.astype("float64").where(pdf.k != 1))
    df = dd.from_pandas(p, npartitions=3)
    with pytest.raises(ValueError, match="all NA"):
        p.groupby("k").x.idxmax()
    with pytest.raises(ValueError, match="all NA"):
        df.groupby("k").x.idxmax().compute()
    with pytest.raises(ValueError, match="encountered an NA"):
        df.groupby("k").x.idxmin(skipna=False).compute()
    ok = df[df.k != 1]
    expected = p[p.k != 1].groupby("k").x.idxmin(skipna=False)
    assert_eq(ok.groupby("k").x.idxmin(skipna=False), expected, check_divisions=False)


def _same_counts(out: dd.Series, expected: pd.Series) -> None:
    """Equal value counts, in pandas' order of groups and counts (pandas orders equal counts
    of a group with an unstable sort, so their order is left free)."""
    got = out.compute()
    assert got.dtype == out.dtype and got.name == out.name == expected.name
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index())
    nkeys = expected.index.nlevels - 1
    a, b = (
        s.index.droplevel(nkeys).to_frame(index=False).assign(n=s.to_numpy())
        for s in (got, expected)
    )
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(("case", "n"), SERIES_SPLITS)
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"normalize": True}, {"sort": False}, {"ascending": True}, {"dropna": False}],
)
def test_value_counts(gdf: pd.DataFrame, case: str, n: int, kwargs: dict[str, object]) -> None:
    p = gdf.assign(x=gdf.x.round(-1))  # repeated values
    df = dd.from_pandas(p, npartitions=n)
    expected = _grouped(p, case).value_counts(**kwargs)
    out = _grouped(df, case).value_counts(split_every=2, **kwargs)
    _same_counts(out, expected)


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("sort", [True, False])
def test_value_counts_group_order(gdf: pd.DataFrame, n: int, sort: bool) -> None:
    df = dd.from_pandas(gdf, npartitions=n)
    expected = gdf.groupby("s", sort=sort).k.value_counts()
    _same_counts(df.groupby("s", sort=sort).k.value_counts(), expected)
    exact = gdf.groupby("s", sort=False).k.value_counts(sort=False)  # order of appearance
    out = df.groupby("s", sort=False).k.value_counts(sort=False)
    assert_eq(out, exact, check_divisions=False)


@pytest.mark.parametrize(("case", "n"), SERIES_SPLITS)
def test_unique(gdf: pd.DataFrame, case: str, n: int) -> None:
    df = dd.from_pandas(gdf.assign(x=gdf.x.round(-1)), npartitions=n)
    expected = _grouped(gdf.assign(x=gdf.x.round(-1)), case).unique()
    out = _grouped(df, case).unique(split_every=2).compute()
    pd.testing.assert_index_equal(out.index, expected.index)
    assert out.name == expected.name
    for a, b in zip(out, expected, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n", NPARTS)
def test_get_group(gdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(gdf, npartitions=n)
    for key in sorted(gdf.k.unique()):
        assert_eq(df.groupby("k").get_group(key), gdf.groupby("k").get_group(key))
        assert_eq(df.groupby("k").x.get_group(key), gdf.groupby("k").x.get_group(key))
    key = (gdf.k.iloc[0], gdf.s.iloc[0])
    assert_eq(df.groupby(["k", "s"]).get_group(key), gdf.groupby(["k", "s"]).get_group(key))
    assert_eq(df.x.groupby(df.s).get_group("a"), gdf.x.groupby(gdf.s).get_group("a"))
    with pytest.raises(KeyError):
        df.groupby("k").get_group(99).compute()


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(gdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(gdf, npartitions=3)
    g, pg = df.groupby("k"), gdf.groupby("k")
    assert_eq(g.x.shift(-1, fill_value=0.0), pg.x.shift(-1, fill_value=0.0), scheduler=scheduler)
    assert_eq(g.tail(1), pg.tail(1), scheduler=scheduler)
    assert_eq(g.x.idxmax(), pg.x.idxmax(), scheduler=scheduler, check_divisions=False)
    got = g.s.unique().compute(scheduler=scheduler)
    assert got.map(list).to_dict() == pg.s.unique().map(list).to_dict()


def test_errors(gdf: pd.DataFrame) -> None:
    g = dd.from_pandas(gdf, npartitions=2).groupby("k")
    with pytest.raises(TypeError, match="one integer"):
        g.x.shift([1, 2])
    with pytest.raises(NotImplementedError, match="n >= 0"):
        g.head(-1)
    with pytest.raises(NotImplementedError, match="bins"):
        g.x.value_counts(bins=3)
    with pytest.raises(AttributeError, match="select one column"):
        g.unique()


_frames = data_frames(
    [
        column("k", elements=st.sampled_from([0, 1, 2])),
        column(
            "v",
            dtype=float,
            elements=st.one_of(st.none(), st.integers(0, 3)).map(
                lambda v: np.nan if v is None else float(v)
            ),
        ),
    ],
    index=range_indexes(min_size=1, max_size=15),
)


@settings(max_examples=25, deadline=None)
@given(
    p=_frames, n=st.integers(1, 5), periods=st.integers(-3, 3), limit=st.sampled_from([None, 1, 2])
)
def test_windows_hypothesis(p: pd.DataFrame, n: int, periods: int, limit: int | None) -> None:
    df = dd.from_pandas(p, npartitions=n)
    g, pg = df.groupby("k").v, p.groupby("k").v
    assert_eq(g.shift(periods), pg.shift(periods))
    assert_eq(g.ffill(limit=limit), pg.ffill(limit=limit))
    assert_eq(g.bfill(limit=limit), pg.bfill(limit=limit))
    assert_eq(g.head(abs(periods)), pg.head(abs(periods)))
    assert_eq(g.tail(abs(periods)), pg.tail(abs(periods)))
    if p.v.notna().all():
        assert_eq(g.idxmin(), pg.idxmin(), check_divisions=False)
