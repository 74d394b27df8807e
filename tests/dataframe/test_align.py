"""Frames with different divisions line up by index; query/eval; explode; combine_first."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.errors import UndefinedVariableError

import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

SCHEDULERS = ["sync", "threads", "processes"]


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 40),
    shift=st.integers(-10, 10),
    na=st.integers(1, 5),
    nb=st.integers(1, 5),
)
def test_operators_align_different_divisions(n: int, shift: int, na: int, nb: int) -> None:
    a = pd.Series(np.arange(n, dtype=float), name="v")
    b = pd.Series(np.arange(n, dtype=float) * 10, index=np.arange(n) + shift, name="v")
    da, db = dd.from_pandas(a, npartitions=na), dd.from_pandas(b, npartitions=nb)
    assert_eq(da + db, a + b)
    assert_eq(da.to_frame().assign(w=db), a.to_frame().assign(w=b))
    assert_eq(da.where(db > 20, -1.0), a.where(b > 20, -1.0))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_align_on_every_scheduler(scheduler: str) -> None:
    a = pd.Series(np.arange(12.0))
    b = pd.Series(np.arange(12.0), index=np.arange(12) + 5)
    da = dd.from_pandas(a, npartitions=3)
    db = dd.from_pandas(b, npartitions=2)
    assert_eq(da * db, a * b, scheduler=scheduler)


def test_unknown_divisions_still_pair_by_position(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    unknown = df.clear_divisions() if hasattr(df, "clear_divisions") else df.reset_index()
    assert not unknown.known_divisions
    with pytest.raises(ValueError, match="partition"):
        unknown.x + dd.from_pandas(pdf, npartitions=2).x


@pytest.mark.parametrize("n", NPARTS)
def test_query_and_eval(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    low = 0  # noqa: F841 -- used by the @low in the query strings
    assert_eq(df.query("x > @low and k != 2"), pdf.query("x > @low and k != 2"))
    assert_eq(df.query("x > @cap", local_dict={"cap": 2}), pdf.query("x > 2"))
    assert_eq(df.eval("x * y + k"), pdf.eval("x * y + k"))
    assert_eq(df.eval("w = x - k"), pdf.eval("w = x - k"))


def test_at_signs_in_strings_and_quoted_names() -> None:
    """Only ``@name`` outside string literals and backtick-quoted names is a variable."""
    pdf = pd.DataFrame({"email": ["a@b", "c@d", "@e"], "a@b": [1, 2, 3]})
    df = dd.from_pandas(pdf, npartitions=2)
    e = 1  # noqa: F841 -- used by the @e in the query strings
    for expr in ['email == "a@b"', "email != '@e' and `a@b` > @e", "`a@b` >= @ e"]:
        assert_eq(df.query(expr), pdf.query(expr))
    assert_eq(df.eval('email == "c@d"'), pdf.eval('email == "c@d"'))


def test_query_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(UndefinedVariableError, match=r"@missing.*local_dict"):
        df.query("x > @missing")
    for expr in ["nope > 1", "x >", "x + "]:  # pandas' own errors, when called
        for method in ("query", "eval"):
            with pytest.raises(Exception) as expected:
                getattr(pdf, method)(expr)
            with pytest.raises(type(expected.value), match=re.escape(str(expected.value))):
                getattr(df, method)(expr)
    with pytest.raises(NotImplementedError, match="assign the result"):
        df.query("x > 0", inplace=True)
    with pytest.raises(TypeError, match="string expression"):
        df.eval(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", NPARTS)
def test_explode(n: int) -> None:
    pdf = pd.DataFrame(
        {"a": [[1, 2], [], [3], [4, 5, 6], None, [7]], "b": list("uvwxyz")},
        index=[0, 1, 2, 3, 4, 5],
    )
    df = dd.from_pandas(pdf, npartitions=n)
    assert_eq(df.explode("a"), pdf.explode("a"))
    assert_eq(df.a.explode(), pdf.a.explode())
    assert_eq(df.explode("a", ignore_index=True), pdf.explode("a", ignore_index=True))


@pytest.mark.parametrize("n", NPARTS)
def test_combine_first(pdf: pd.DataFrame, n: int) -> None:
    other = pdf[["z", "y"]].assign(z=pdf.y * 100, q=1.5)
    df = dd.from_pandas(pdf, npartitions=n)
    do = dd.from_pandas(other, npartitions=2)
    assert_eq(df.z.combine_first(do.z), pdf.z.combine_first(other.z))
    assert_eq(df[["z", "y"]].combine_first(do), pdf[["z", "y"]].combine_first(other))
