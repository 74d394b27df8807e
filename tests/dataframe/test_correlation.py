"""corr/cov and sem/skew/kurtosis against pandas: pairwise NaNs, large means, tree shapes."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS
from tests.dataframe.test_cumulative import with_empty_partitions

NUMERIC = ["k", "x", "y", "z", "b"]
CLOSE = {"check_exact": False, "rtol": 1e-9}


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("split_every", [None, 2])
def test_corr_cov(pdf: pd.DataFrame, n: int, split_every: int | None) -> None:
    num = pdf[NUMERIC]
    df = dd.from_pandas(num, npartitions=n)
    assert_eq(df.corr(split_every=split_every), num.corr(), **CLOSE)
    assert_eq(df.cov(split_every=split_every), num.cov(), **CLOSE)
    assert_eq(df.corr(min_periods=17), num.corr(min_periods=17), **CLOSE)
    assert_eq(df.cov(min_periods=17), num.cov(min_periods=17), **CLOSE)
    assert_eq(df.z.corr(df.y), num.z.corr(num.y), rtol=1e-9)
    assert_eq(df.z.cov(df.x, min_periods=3), num.z.cov(num.x, min_periods=3), rtol=1e-9)


def test_ddof_numeric_only_and_empty_partitions(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    full = pdf[["x", "y", "b"]]  # no missing values: pandas honours ddof there
    assert_eq(df[["x", "y", "b"]].cov(ddof=0), full.cov(ddof=0), **CLOSE)
    assert_eq(df.x.cov(df.y, ddof=0), full.x.cov(full.y, ddof=0), rtol=1e-9)
    assert_eq(df.corr(numeric_only=True), pdf.corr(numeric_only=True), **CLOSE)
    with pytest.raises(ValueError, match=r"\['s'\] are not numeric.*numeric_only=True"):
        df.corr()
    sparse, expected = with_empty_partitions(pdf[NUMERIC])
    assert_eq(sparse.corr(), expected.corr(), **CLOSE)
    assert_eq(sparse.cov(), expected.cov(), **CLOSE)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy: degrees of freedom <= 0
@pytest.mark.parametrize("ddof", [-1, 0, 1, 2, 3, 5])
@pytest.mark.parametrize("missing", [False, True])
def test_cov_ddof_as_pandas(ddof: int, missing: bool) -> None:
    """n - ddof <= 0 gives +-inf (NaN for a zero co-moment), never a negative variance;
    DataFrame.cov honours ddof only when no value is missing (pandas' documented rule)."""
    pdf = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [2.0, 5.0, 1.0], "c": [3.0, 3.0, 3.0]})
    if missing:
        pdf.loc[1, "a"] = np.nan
    for n in (1, 2, 3):
        df = dd.from_pandas(pdf, npartitions=n)
        assert_eq(df.cov(ddof=ddof), pdf.cov(ddof=ddof), **CLOSE)
        assert_eq(df.a.cov(df.b, ddof=ddof), pdf.a.cov(pdf.b, ddof=ddof), rtol=1e-9)
        assert_eq(df.b.cov(df.c, ddof=ddof), pdf.b.cov(pdf.c, ddof=ddof), rtol=1e-9)


def test_corr_constant_and_positional_arguments() -> None:
    pdf = pd.DataFrame({"a": [1.0, 2.0, 4.0, 3.0], "c": [5.0] * 4, "n": [np.nan] * 4})
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.corr(), pdf.corr(), **CLOSE)  # NaN for constant and empty columns
    assert_eq(df.corr("pearson"), pdf.corr("pearson"), **CLOSE)
    assert_eq(df.cov(2), pdf.cov(2), **CLOSE)
    with pytest.raises(NotImplementedError, match="pearson"):
        df.corr(method="spearman")
    with pytest.raises(TypeError, match="another lazy Series"):
        df.a.corr(pdf.a)
    other = dd.from_pandas(pdf.a.iloc[::-1].sort_index(), npartitions=2)
    with pytest.raises(ValueError, match="partitioned differently"):
        df.a.corr(other.repartition(divisions=(0, 1, 3)))


def test_large_means_keep_precision() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=200)
    pdf = pd.DataFrame({"x": 1e9 + x, "y": 1e9 - 2 * x + rng.normal(size=200) * 0.1})
    df = dd.from_pandas(pdf, npartitions=9)
    assert_eq(df.corr(), pdf.corr(), check_exact=False, rtol=1e-7)
    assert_eq(df.cov(), pdf.cov(), check_exact=False, rtol=1e-7)
    assert_eq(df.x.skew(), pdf.x.skew(), rtol=1e-5)
    assert_eq(df.x.kurtosis(), pdf.x.kurtosis(), rtol=1e-5)


@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("stat", ["sem", "skew", "kurtosis"])
@pytest.mark.parametrize("skipna", [True, False])
def test_moments(pdf: pd.DataFrame, n: int, stat: str, skipna: bool) -> None:
    num = pdf[NUMERIC]
    df = dd.from_pandas(num, npartitions=n)
    assert_eq(getattr(df, stat)(skipna=skipna), getattr(num, stat)(skipna=skipna), **CLOSE)
    assert_eq(getattr(df.z, stat)(skipna=skipna), getattr(num.z, stat)(skipna=skipna), rtol=1e-9)


@pytest.mark.parametrize("stat", ["sem", "skew", "kurt"])
@pytest.mark.parametrize("n", [1, 3])
def test_moment_dtypes_as_pandas(stat: str, n: int) -> None:
    """float32 columns give float32, masked ones Float64/Float32; lazy dtype == computed."""
    pdf = pd.DataFrame(
        {
            "f": np.float32([1, 2, 3, 9, 4]),
            "h": np.float16([1, 2, 3, 9, 4]),
            "I": pd.array([1, 2, None, 9, 4], dtype="Int64"),
            "F": pd.array([1, 2, 3, 9, None], dtype="Float32"),
            "x": [1.0, 2.0, 3.0, 9.0, 4.0],
        }
    )
    df = dd.from_pandas(pdf, npartitions=n)
    for columns in (["f"], ["h"], ["I"], ["F"], ["f", "x"], ["f", "I"]):
        assert_eq(getattr(df[columns], stat)(), getattr(pdf[columns], stat)(), rtol=1e-3)
    for name in ["f", "I", "F", "x"]:
        for rows in (5, 1):  # a value, then NaN (<NA> when masked) from one row
            series = pdf[name].iloc[:rows]
            got = getattr(dd.from_pandas(series, npartitions=n), stat)().compute()
            want = getattr(series, stat)()
            assert type(got) is type(want), (name, rows, got, want)
            if rows > 1:
                assert_eq(got, want, rtol=1e-3)


def test_moment_options(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=4)
    num = pdf[NUMERIC]
    assert_eq(df.sem(ddof=0, numeric_only=True), pdf.sem(ddof=0, numeric_only=True), **CLOSE)
    assert_eq(df.kurt(numeric_only=True), pdf.kurt(numeric_only=True), **CLOSE)
    assert_eq(df[NUMERIC].skew(axis=1), num.skew(axis=1), **CLOSE)
    with pytest.raises(NotImplementedError, match="axis=None"):
        df.sem(axis=None)
    with pytest.raises(TypeError, match="not numeric"):
        df.skew()
    few = pd.Series([1.0, 2.0, 2.0, 2.0], name="a")  # too few values, constant values
    s = dd.from_pandas(few, npartitions=2)
    assert_eq(s.skew(), few.skew(), rtol=1e-9)
    assert_eq(s[s > 1].skew(), few[few > 1].skew())
    assert_eq(s[s > 1].kurtosis(), few[few > 1].kurtosis())


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf[NUMERIC], npartitions=4)
    assert_eq(df.corr(), pdf[NUMERIC].corr(), scheduler=scheduler, **CLOSE)
    assert_eq(df.y.skew(), pdf.y.skew(), scheduler=scheduler, rtol=1e-9)


numbers = st.one_of(st.none(), st.integers(-20, 20).map(float))
frames = data_frames(
    [column("a", elements=numbers, dtype=float), column("b", elements=numbers, dtype=float)],
    index=range_indexes(min_size=0, max_size=25),
)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # pandas on degenerate frames
@settings(max_examples=25, deadline=None)
@given(frames, st.integers(1, 6))
def test_any_partitioning(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.cov(), pdf.cov(), check_exact=False, rtol=1e-9, atol=1e-9)
    assert_eq(df.corr(), pdf.corr(), check_exact=False, rtol=1e-9, atol=1e-9)
    assert_eq(df.a.skew(), pdf.a.skew(), rtol=1e-7, atol=1e-9)


def exact_cov(x: list[float], y: list[float], ddof: int = 1) -> float:
    fx, fy = [Fraction(v) for v in x], [Fraction(v) for v in y]
    mx, my = sum(fx) / len(fx), sum(fy) / len(fy)
    return float(sum((a - mx) * (b - my) for a, b in zip(fx, fy, strict=True)) / (len(x) - ddof))


@pytest.mark.parametrize("n", [1, 2, 3])
def test_nearly_constant_columns_are_exact(n: int) -> None:
    """Values a few ulps apart: the merged moments keep their exact differences."""
    v = [0.3, 0.1 + 0.2, 0.3, 0.3, 1.0, 1.0, 1.0 + 1e-15, 1.0]
    pdf = pd.DataFrame({"a": v, "b": v[::-1]})
    df = dd.from_pandas(pdf, npartitions=n)
    got = df.cov().compute()
    assert got.loc["a", "b"] == pytest.approx(exact_cov(v, v[::-1]), rel=1e-12)
    assert got.loc["a", "a"] == pytest.approx(exact_cov(v, v), rel=1e-12)
    tiny = pd.Series([0.1] * 7 + [0.1 + 1e-17])
    assert_eq(dd.from_pandas(tiny, npartitions=n).skew(), tiny.skew(), rtol=1e-9)
    assert_eq(dd.from_pandas(tiny, npartitions=n).kurt(), tiny.kurt(), rtol=1e-9)
