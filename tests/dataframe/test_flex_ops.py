"""Flexible arithmetic and comparison methods (``df.add(other, axis, level, fill_value)``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera.dataframe as dd
from tessera.dataframe.flex_ops import ARITHMETIC, COMPARISON
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

ARITH = [*ARITHMETIC, *(f"r{name}" for name in ARITHMETIC)]
ALL = [*ARITH, *COMPARISON]


def _num(pdf: pd.DataFrame) -> pd.DataFrame:
    """The numeric columns, with positive integers: pandas gives an integer division by
    zero a float dtype in the partitions that hold one, which no meta can foresee, and
    refuses negative integer powers."""
    out = pdf[["x", "y", "z"]].copy()
    out["x"] = out.x.abs() + 1
    return out


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("name", ALL)
def test_scalar_and_frame(pdf: pd.DataFrame, n: int, name: str) -> None:
    p = _num(pdf)
    d = dd.from_pandas(p, npartitions=n)
    assert_eq(getattr(d, name)(2), getattr(p, name)(2))
    assert_eq(getattr(d, name)(d * 0.5), getattr(p, name)(p * 0.5))
    assert_eq(getattr(d.z, name)(d.y), getattr(p.z, name)(p.y))


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("name", ARITH)
def test_fill_value(pdf: pd.DataFrame, n: int, name: str) -> None:
    p = _num(pdf)
    q = p.where(p.y > 0) + 1.5
    d, e = dd.from_pandas(p, npartitions=n), dd.from_pandas(q, npartitions=n)
    assert_eq(getattr(d, name)(e, fill_value=2.0), getattr(p, name)(q, fill_value=2.0))
    assert_eq(getattr(d.z, name)(e.z, fill_value=3), getattr(p.z, name)(q.z, fill_value=3))
    assert_eq(getattr(d.z, name)(1, fill_value=3), getattr(p.z, name)(1, fill_value=3))


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("name", ["add", "rsub", "truediv", "lt", "eq"])
def test_axis(pdf: pd.DataFrame, n: int, name: str) -> None:
    p = _num(pdf)
    d = dd.from_pandas(p, npartitions=n)
    for axis in ("index", 0, "rows"):
        assert_eq(getattr(d, name)(d.x, axis=axis), getattr(p, name)(p.x, axis=axis))
    row = pd.Series([1.0, 2.0, 3.0], index=["x", "y", "z"])
    assert_eq(getattr(d, name)(row), getattr(p, name)(row))
    assert_eq(getattr(d, name)(row, axis="columns"), getattr(p, name)(row, axis="columns"))
    assert_eq(getattr(d, name)([1, 2, 3], axis=1), getattr(p, name)([1, 2, 3], axis=1))


@pytest.mark.parametrize("n", NPARTS)
def test_positional_arguments_follow_pandas(pdf: pd.DataFrame, n: int) -> None:
    p = _num(pdf)
    d = dd.from_pandas(p, npartitions=n)
    assert_eq(d.sub(d.y, "index"), p.sub(p.y, "index"))  # DataFrame: (other, axis, ...)
    assert_eq(d.z.mul(d.y, None, 5.0), p.z.mul(p.y, None, 5.0))  # Series: (other, level, fill)


@pytest.mark.parametrize("n", [1, 3])
def test_different_divisions_are_aligned(pdf: pd.DataFrame, n: int) -> None:
    p = _num(pdf)
    q = p.iloc[3:15] * 2
    d = dd.from_pandas(p, npartitions=n)
    e = dd.from_pandas(q, npartitions=2)
    assert_eq(d.add(e, fill_value=0), p.add(q, fill_value=0))
    assert_eq(d.y.gt(e.y), p.y.gt(q.y))
    assert_eq(d.add(q, fill_value=1), p.add(q, fill_value=1))  # a pandas DataFrame other
    assert_eq(d.y.pow(q.y, fill_value=1), p.y.pow(q.y, fill_value=1))  # a pandas Series


def test_lazy_scalar_other(pdf: pd.DataFrame) -> None:
    p = _num(pdf)
    d = dd.from_pandas(p, npartitions=3)
    assert_eq(d.sub(d.x.mean()), p.sub(p.x.mean()))
    assert_eq(d.y.rdiv(d.x.max(), fill_value=0), p.y.rdiv(p.x.max(), fill_value=0))


@pytest.mark.parametrize("n", [1, 3])
def test_level(n: int) -> None:
    index = pd.MultiIndex.from_product([["a", "b"], [1, 2, 3]], names=["u", "v"])
    p = pd.DataFrame({"x": np.arange(6.0), "y": np.arange(6.0) * 2}, index=index)
    d = dd.from_pandas(p, npartitions=n)
    other = pd.Series([10.0, 20.0], index=pd.Index(["a", "b"], name="u"))
    assert_eq(d.x.add(other, level="u"), p.x.add(other, level="u"), check_divisions=False)
    assert_eq(d.mul(other, axis=0, level=0), p.mul(other, axis=0, level=0), check_divisions=False)


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    p = _num(pdf)
    d = dd.from_pandas(p, npartitions=3)
    expected = p.rfloordiv(p.x, axis=0, fill_value=1)
    assert_eq(d.rfloordiv(d.x, axis=0, fill_value=1), expected, scheduler=scheduler)
    assert_eq(d.y.ne(d.z, fill_value=0.0), p.y.ne(p.z, fill_value=0.0), scheduler=scheduler)


def test_meta_and_strings(pdf: pd.DataFrame) -> None:
    d = dd.from_pandas(pdf, npartitions=3)
    out = d.s.add("!", fill_value="?")
    assert out.dtype == pdf.s.add("!").dtype
    assert_eq(out, pdf.s.add("!", fill_value="?"))
    assert_eq(d.x.eq(d.k), pdf.x.eq(pdf.k))
    assert d.x.ge(0).dtype == np.dtype(bool)


def test_errors(pdf: pd.DataFrame) -> None:
    d = dd.from_pandas(_num(pdf), npartitions=2)
    with pytest.raises(NotImplementedError, match="axis='index'"):
        d.add(d.x)  # a lazy Series lined up with the columns
    with pytest.raises(NotImplementedError, match="Series with the frame's index"):
        d.x.add([1] * len(pdf))
    with pytest.raises(TypeError, match="signature is pandas'"):
        d.add(1, bogus=2)
    with pytest.raises(ValueError, match="No axis named"):
        d.add(d.x, axis="nope")
    unknown = dd.from_pandas(_num(pdf), npartitions=2, sort=False)
    if not unknown.known_divisions:
        with pytest.raises(ValueError, match="unknown divisions"):
            unknown.add(_num(pdf))


_frames = data_frames(
    [
        column(
            "a",
            dtype=float,
            elements=st.one_of(st.none(), st.integers(-20, 20)).map(
                lambda v: np.nan if v is None else float(v)
            ),
        ),
        column(
            "b",
            dtype=float,
            elements=st.one_of(st.none(), st.floats(-5, 5, width=32)).map(
                lambda v: np.nan if v is None else v
            ),
        ),
    ],
    index=range_indexes(min_size=1, max_size=12),
)


@settings(max_examples=25, deadline=None)
@given(
    p=_frames,
    n=st.integers(1, 4),
    name=st.sampled_from(ARITH),
    fill=st.one_of(st.none(), st.sampled_from([0.0, 1.5, -2.0])),
)
def test_fill_value_hypothesis(p: pd.DataFrame, n: int, name: str, fill: float | None) -> None:
    q = p.iloc[::-1].iloc[: max(1, len(p) // 2)].rename(columns={"b": "c"}) - 1
    d = dd.from_pandas(p, npartitions=n)
    e = dd.from_pandas(q, npartitions=max(1, n - 1))
    with np.errstate(all="ignore"):
        expected = getattr(p, name)(q, fill_value=fill)
        series = getattr(p.a, name)(p.b, fill_value=fill)
    assert_eq(getattr(d, name)(e, fill_value=fill), expected, check_divisions=False)
    assert_eq(getattr(d.a, name)(d.b, fill_value=fill), series)
