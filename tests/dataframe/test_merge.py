"""merge and join against pandas: every how, every plan (aligned, broadcast, hash)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera import config
from tessera.dataframe.merge import join, merge
from tessera.dataframe.testing import assert_eq

HOWS = ["inner", "left", "right", "outer"]


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a canonical order (the order of a distributed merge is not pandas')."""
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def declared(expected: pd.DataFrame, lazy: Any) -> pd.DataFrame:
    """pandas' result cast to the lazy dtypes -- after checking that the cast is only the
    documented one (pandas keeps ``int64``/``bool`` when every row happened to match)."""
    for have, want in zip(expected.dtypes, lazy.dtypes, strict=True):
        assert have == want or (have.kind, want.kind) in {("i", "f"), ("u", "f"), ("b", "O")}
    out = expected.copy()
    for i, want in enumerate(lazy.dtypes):
        out.isetitem(i, out.iloc[:, i].astype(want))
    return out


def check(lazy: Any, expected: pd.DataFrame, scheduler: str = "sync") -> pd.DataFrame:
    """Order-insensitive: the same multiset of rows, with the declared dtypes in every
    partition."""
    result = lazy.compute(scheduler=scheduler)
    pd.testing.assert_index_equal(result.columns, lazy.columns)
    pd.testing.assert_series_equal(result.dtypes, lazy.dtypes)
    assert_eq(_rows(result), _rows(declared(expected, lazy)))
    return result


@pytest.fixture
def right() -> pd.DataFrame:
    """Float/object values, so unmatched rows do not change dtypes (see the merge docs)."""
    return pd.DataFrame(
        {
            "k": [0, 1, 1, 2, 7, 9],
            "w": [0.5, 1.5, 2.5, 3.5, 4.5, np.nan],
            "s": ["p", "q", "r", "s", "t", "u"],
        }
    )


def _plan_names(frame: Any) -> str:
    return " ".join(frame.layers)


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("n", [1, 4])
@pytest.mark.parametrize("nright", [1, 3])
def test_merge_on_column(
    pdf: pd.DataFrame, right: pd.DataFrame, how: str, n: int, nright: int
) -> None:
    left = dd.from_pandas(pdf, npartitions=n)
    other = dd.from_pandas(right, npartitions=nright)
    out = dd_merge(left, other, how=how, on="k")
    check(out, pd.merge(pdf, right, how=how, on="k"))
    broadcast_ok = {"inner": True, "left": nright == 1, "right": n == 1, "outer": False}[how]
    uses_broadcast = "broadcast" in _plan_names(out)
    if (n > 1 and nright > 1) or not broadcast_ok:
        assert not uses_broadcast or (how == "outer" and (n == 1 or nright == 1))
    else:
        assert uses_broadcast


def dd_merge(left: Any, right: Any, **kwargs: Any) -> Any:
    return left.merge(right, **kwargs)


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("broadcast", [True, False, None])
def test_merge_plans_agree(
    pdf: pd.DataFrame, right: pd.DataFrame, how: str, broadcast: Any
) -> None:
    left = dd.from_pandas(pdf, npartitions=3)
    other = dd.from_pandas(right, npartitions=2)
    expected = pd.merge(pdf, right, how=how, on="k")
    if broadcast and how == "outer":
        with pytest.raises(ValueError, match="broadcast=True cannot be used"):
            merge(left, other, how=how, on="k", broadcast=True)
        return
    out = merge(left, other, how=how, on="k", broadcast=broadcast, npartitions=5)
    check(out, expected)
    assert ("broadcast" in _plan_names(out)) == bool(broadcast)


def test_broadcast_picks_the_side_whose_unmatched_rows_are_dropped(
    pdf: pd.DataFrame, right: pd.DataFrame
) -> None:
    left = dd.from_pandas(pdf, npartitions=3)
    small = dd.from_pandas(right, npartitions=1)
    assert "broadcast" in _plan_names(merge(left, small, how="left", on="k"))
    # how="right" must not broadcast the right side: its unmatched rows would repeat
    out = merge(left, small, how="right", on="k")
    assert "broadcast" not in _plan_names(out)
    check(out, pd.merge(pdf, right, how="right", on="k"))
    out = merge(small, left, how="right", on="k")
    assert "broadcast" in _plan_names(out)
    check(out, pd.merge(right, pdf, how="right", on="k"))
    two = dd.from_pandas(right, npartitions=2)
    with config.set({"dataframe.broadcast-npartitions": 2}):
        assert "broadcast" in _plan_names(merge(left, two, how="inner", on="k"))
    assert "broadcast" not in _plan_names(merge(left, two, how="inner", on="k"))


@pytest.mark.parametrize("how", HOWS)
def test_merge_left_on_right_on_with_different_dtypes(pdf: pd.DataFrame, how: str) -> None:
    other = pd.DataFrame({"kk": [0.0, 1.0, 3.0, 5.0], "w": [1.0, 2.0, 3.0, 4.0]})
    left = dd.from_pandas(pdf, npartitions=3)
    out = merge(left, dd.from_pandas(other, npartitions=2), how=how, left_on="k", right_on="kk")
    assert "shuffle" in _plan_names(out)
    check(out, pd.merge(pdf, other, how=how, left_on="k", right_on="kk"))


@pytest.mark.parametrize("how", HOWS)
def test_merge_on_several_keys_with_strings_and_nan(pdf: pd.DataFrame, how: str) -> None:
    other = pd.DataFrame(
        {"s": ["a", "b", "c", None], "z2": [1.0, 2.0, 3.0, 4.0], "k": [0, 1, 2, 3]}
    )
    left = dd.from_pandas(pdf, npartitions=4)
    out = merge(left, dd.from_pandas(other, npartitions=3), how=how, on=["s", "k"])
    check(out, pd.merge(pdf, other, how=how, on=["s", "k"]))
    nan_keys = pd.DataFrame({"z": [np.nan, pdf.z.iloc[0]], "v": [1.0, 2.0]})
    out = merge(left, dd.from_pandas(nan_keys, npartitions=2), how=how, on="z")
    check(out, pd.merge(pdf, nan_keys, how=how, on="z"))


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("sort", [True, False])
def test_merge_on_index(pdf: pd.DataFrame, how: str, sort: bool) -> None:
    other = pd.DataFrame({"w": np.arange(15.0)}, index=pd.Index(np.arange(15) * 3, name="idx"))
    left = dd.from_pandas(pdf, npartitions=3, sort=sort)
    rdf = dd.from_pandas(other, npartitions=4, sort=sort)
    out = merge(left, rdf, how=how, left_index=True, right_index=True)
    expected = pd.merge(pdf, other, how=how, left_index=True, right_index=True)
    if sort:  # aligned: no shuffle, known divisions, result sorted like pandas' index
        assert "shuffle" not in _plan_names(out) and out.known_divisions
        # unmatched right rows turn left's int/bool columns to float/object (not in meta)
        assert_eq(out if how in ("inner", "left") else out.compute(), expected.sort_index())
    else:
        assert "shuffle" in _plan_names(out)
        assert_eq(out.compute().sort_index(), expected.sort_index())


def test_merge_left_index_right_on(pdf: pd.DataFrame) -> None:
    other = pd.DataFrame({"key": [0, 2, 4, 6, 8], "w": [1.0, 2.0, 3.0, 4.0, 5.0]})
    left = dd.from_pandas(pdf, npartitions=3)
    for how in HOWS:
        out = merge(
            left, dd.from_pandas(other, npartitions=2), how=how, left_index=True, right_on="key"
        )
        check(out, pd.merge(pdf, other, how=how, left_index=True, right_on="key"))


def test_merge_suffixes_indicator_and_cross(pdf: pd.DataFrame, right: pd.DataFrame) -> None:
    left = dd.from_pandas(pdf, npartitions=3)
    other = dd.from_pandas(right, npartitions=2)
    kw: dict[str, Any] = {"how": "outer", "on": "k", "suffixes": ("_l", "_r"), "indicator": True}
    out = merge(left, other, **kw)
    assert out.dtypes["_merge"] == pd.merge(pdf, right, **kw).dtypes["_merge"]
    check(out, pd.merge(pdf, right, **kw))
    small = right.iloc[:3]
    check(merge(left, small, how="cross"), pd.merge(pdf, small, how="cross"))


def test_merge_with_pandas_and_series(pdf: pd.DataFrame) -> None:
    left = dd.from_pandas(pdf, npartitions=3)
    named = pd.Series([1.0, 2.0], index=[0, 1], name="k2")
    other = dd.from_pandas(pd.DataFrame({"k": [0, 1], "w": [1.0, 2.0]}), npartitions=1)
    check(dd.merge(pdf, other, on="k"), pd.merge(pdf, other.compute(), on="k"))
    check(
        merge(left, named, left_on="k", right_index=True),
        pd.merge(pdf, named, left_on="k", right_index=True),
    )
    with pytest.raises(ValueError, match="without a name"):
        merge(left, pd.Series([1]), left_index=True, right_index=True)
    with pytest.raises(TypeError, match="DataFrame or named Series"):
        merge(left, [1, 2])


def test_merge_errors(pdf: pd.DataFrame, right: pd.DataFrame) -> None:
    left = dd.from_pandas(pdf, npartitions=2)
    other = dd.from_pandas(right, npartitions=2)
    with pytest.raises(KeyError, match=r"\['nope'\] not found in the left.*available columns"):
        merge(left, other, on="nope")
    with pytest.raises(KeyError, match="right frame; available columns: \\['k', 'w', 's'\\]"):
        merge(left, other, left_on="k", right_on="kk")
    with pytest.raises(ValueError, match="how must be one of"):
        merge(left, other, on="k", how="sideways")
    with pytest.raises(pd.errors.MergeError):  # pandas' own validation
        merge(left, other, on="k", left_on="k")
    with pytest.raises(AttributeError, match="DataFrame method"):
        left.x.merge(other)


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("n", [1, 3])
def test_join_on_column(pdf: pd.DataFrame, how: str, n: int) -> None:
    other = pd.DataFrame({"w": [1.0, 2.0, 3.0], "x": [7.0, 8.0, 9.0]}, index=[0, 1, 5])
    left = dd.from_pandas(pdf, npartitions=n)
    for nright in [1, 2]:
        out = left.join(dd.from_pandas(other, npartitions=nright), on="k", how=how, rsuffix="_r")
        expected = pdf.join(other, on="k", how=how, suffixes=("", "_r"))
        result = check(out, expected)
        if how == "left" and nright == 1:  # broadcast: the left index and divisions stay
            assert out.divisions == left.divisions
            assert_eq(out, expected)
        pd.testing.assert_index_equal(
            result.index.sort_values(), expected.index.sort_values(), exact=False
        )


@pytest.mark.parametrize("how", HOWS)
def test_join_on_index(pdf: pd.DataFrame, how: str) -> None:
    other = pd.Series(np.arange(10.0), index=pd.Index(np.arange(10) * 5, name="idx"), name="v")
    left = dd.from_pandas(pdf, npartitions=3)
    out = join(left, dd.from_pandas(other, npartitions=2), how=how)
    assert out.known_divisions
    # unmatched right rows turn left's int/bool columns to float/object (not in meta)
    assert_eq(
        out if how in ("inner", "left") else out.compute(), pdf.join(other, how=how).sort_index()
    )
    with pytest.raises(ValueError, match="columns overlap"):
        left.join(left)
    with pytest.raises(ValueError, match="overlapping values"):  # as pandas
        left.join([left])


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_merge_on_every_scheduler(pdf: pd.DataFrame, right: pd.DataFrame, scheduler: str) -> None:
    left = dd.from_pandas(pdf, npartitions=3)
    other = dd.from_pandas(right, npartitions=2)
    for how in ["left", "outer"]:
        check(
            merge(left, other, how=how, on="k"), pd.merge(pdf, right, how=how, on="k"), scheduler
        )
