"""Reductions with ``skipna=False``/``min_count``, of datetimes and timedeltas, grouped too.

Every result is compared with pandas on the same data, over several partitionings,
including empty partitions and partitions whose values are all missing.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera
import tessera.dataframe as dd
from tessera.dataframe.testing import assert_eq
from tessera.dataframe.ticks import from_ticks, to_ticks

NAN = np.nan
OPS = ["sum", "prod", "min", "max", "mean", "std", "var", "count", "any", "all", "sem"]
TIMES = pd.to_datetime(
    ["2024-01-01", "2024-01-03", None, "2024-01-06", "2024-01-09 00:00:07", None],
    format="ISO8601",
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "f": [1.0, NAN, 3.0, 4.0, NAN, 6.0],
            "i": [1, 2, 3, 4, 5, 6],
            "I": pd.array([1, None, 3, 4, None, 6], dtype="Int64"),
            "F": pd.array([1.5, None, 3.0, 4.0, 2.0, 6.0], dtype="Float64"),
            "B": pd.array([True, None, False, True, None, True], dtype="boolean"),
            "b": [True, False, True, True, False, True],
            "t": TIMES,
            "z": TIMES.tz_localize("Europe/Paris"),
            "d": TIMES - TIMES.min(),
            "a": [NAN, NAN, NAN, NAN, 2.0, 1.0],  # all missing in the first partitions
        }
    )


def _parts(pdf: pd.DataFrame, npartitions: int, empty: bool) -> tuple[pd.DataFrame, dd.DataFrame]:
    """``pdf`` and its tessera version; ``empty``: rows 2 and 3 dropped after partitioning
    (with 3 partitions the middle one is empty)."""
    keep = pd.Series([True, True, not empty, not empty, True, True], index=pdf.index)
    ddf = dd.from_pandas(pdf.assign(keep=keep), npartitions=npartitions)
    return pdf[keep], ddf[ddf.keep].drop(columns="keep")


def _outcome(f: Any) -> Any:
    """The value of the thunk ``f``, or the type of its TypeError/ValueError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return f()
        except (TypeError, ValueError) as e:
            return type(e)


def _same(got: Any, expected: Any) -> None:
    """Equal results; a missing one of the same kind (``NaN``, ``NA`` or ``NaT``)."""
    if isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(got, expected)
    elif pd.isna(expected):
        assert pd.isna(got), (got, expected)
        assert (got is pd.NA, got is pd.NaT) == (expected is pd.NA, expected is pd.NaT)
    else:
        assert_eq(got, expected)


KWARGS = [
    {},
    {"skipna": False},
    {"min_count": 3},
    {"min_count": 5},
    {"skipna": False, "min_count": 2},
    {"numeric_only": True},
    {"ddof": 0},
]


def _check_all(pandas_obj: Any, lazy_obj: Any, ops: list[str], **extra: Any) -> None:
    """Every ``op(**kw)`` of ``lazy_obj`` equals pandas' (computed together, in one go); an
    error of pandas is raised when the lazy result is built, or else when it is computed."""
    cases, lazies = [], []
    for op in ops:
        for kw in KWARGS:
            expected = _outcome(lambda: getattr(pandas_obj, op)(**kw, **extra))  # noqa: B023
            lazy = _outcome(lambda: getattr(lazy_obj, op)(**kw, **extra))  # noqa: B023
            if isinstance(expected, type) and not isinstance(lazy, type):
                lazy = _outcome(lambda: lazy.compute(scheduler="sync"))  # noqa: B023
            if isinstance(expected, type) or isinstance(lazy, type):
                assert lazy is expected, (op, kw, lazy, expected)
            else:
                cases.append((op, kw, expected))
                lazies.append(lazy)
    for (op, kw, expected), got in zip(
        cases, tessera.compute(*lazies, scheduler="sync"), strict=True
    ):
        try:
            _same(got, expected)
        except AssertionError as e:
            raise AssertionError(f"{op}({kw}): {e}") from e


@pytest.mark.parametrize("column", list(_frame().columns))
@pytest.mark.parametrize("npartitions", [1, 3])
def test_series_reductions_match_pandas(column: str, npartitions: int) -> None:
    pdf, ddf = _parts(_frame(), npartitions, empty=npartitions == 3)
    # sem of a datetime Series raises AttributeError, not pandas' TypeError (moments.py)
    ops = [op for op in OPS if op != "sem" or column not in "tzd"]
    _check_all(pdf[column], ddf[column], ops)


SUBSETS = [
    ["f", "i", "I", "F", "b", "a"],
    ["B", "b"],
    ["t", "d", "f"],
    list(_frame().columns),
]


# row-wise (axis=1) only over the numbers: pandas mixes datetimes in rows inconsistently
FRAME_CASES = [(c, 0) for c in SUBSETS] + [(c, 1) for c in SUBSETS[:2]]


@pytest.mark.parametrize(("columns", "axis"), FRAME_CASES, ids=str)
@pytest.mark.parametrize("npartitions", [2, 3])
def test_frame_reductions_match_pandas(columns: list[str], axis: int, npartitions: int) -> None:
    pdf, ddf = _parts(_frame()[columns], npartitions, empty=npartitions == 3)
    _check_all(pdf, ddf, OPS, axis=axis)


def test_the_review_reproducer() -> None:
    s = pd.Series([1.0, NAN, 3.0, 4.0])
    d = dd.from_pandas(s, npartitions=2)
    for op in ["sum", "mean", "min", "max", "std", "var", "prod"]:
        assert np.isnan(getattr(d, op)(skipna=False).compute())
    assert np.isnan(d.sum(min_count=5).compute())
    assert d.sum(min_count=3).compute() == 8.0
    df = pd.DataFrame({"x": [1.0, NAN], "y": [1.0, 2.0]})
    assert_eq(dd.from_pandas(df, npartitions=1).mean(skipna=False), df.mean(skipna=False))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_skipna_and_min_count_on_schedulers(scheduler: str) -> None:
    pdf = _frame()[["f", "I", "a", "t", "d"]]
    ddf = dd.from_pandas(pdf, npartitions=3)
    for op, kw in [("sum", {"skipna": False}), ("mean", {"skipna": False}), ("max", {})]:
        columns = ["f", "I", "a", "d"] if op == "sum" else list(pdf.columns)
        got = getattr(ddf[columns], op)(**kw).compute(scheduler=scheduler)
        pd.testing.assert_series_equal(got, getattr(pdf[columns], op)(**kw))
    got = ddf[["f", "I", "a"]].sum(min_count=2).compute(scheduler=scheduler)
    pd.testing.assert_series_equal(got, pdf[["f", "I", "a"]].sum(min_count=2))
    assert ddf.t.mean().compute(scheduler=scheduler) == pdf.t.mean()
    assert ddf.d.std().compute(scheduler=scheduler) == pdf.d.std()


def test_datetime_mean_and_std_keep_unit_and_zone() -> None:
    for unit in ["s", "ms", "us", "ns"]:
        t = pd.Series(TIMES.as_unit(unit))
        for s in [t, t.dt.tz_localize("Asia/Tokyo"), t - t.min()]:
            for n in [1, 2, 4]:
                d = dd.from_pandas(s, npartitions=n)
                mean, expected = d.mean().compute(), s.mean()
                assert mean == expected and mean.unit == expected.unit
                assert getattr(mean, "tz", None) == getattr(expected, "tz", None)
                std = d.std().compute()
                assert std == s.std() and std.unit == s.std().unit
                assert_eq(d.std(ddof=0), s.std(ddof=0))
                assert pd.isna(d.mean(skipna=False).compute())


def test_timedelta_sum_is_exact() -> None:
    s = pd.Series(pd.to_timedelta(np.arange(1, 200) * 10**14 + 1, unit="ns"))
    d = dd.from_pandas(s, npartitions=5)
    assert d.sum().compute() == s.sum()
    assert pd.isna(d.sum(min_count=500).compute()) and s.sum(min_count=500) is pd.NaT


def test_ticks_round_trip() -> None:
    zoned = pd.Series(TIMES.tz_localize("America/New_York").as_unit("ms"))
    back = from_ticks(to_ticks(zoned), zoned.dtype)
    pd.testing.assert_extension_array_equal(back, zoned.array)
    negative = from_ticks(np.array([-1.5, 2.5]), np.dtype("m8[s]"))
    assert list(negative) == [pd.Timedelta(-1, "s"), pd.Timedelta(2, "s")]  # toward 0


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-50, 50)), max_size=12),
    npartitions=st.integers(1, 4),
    min_count=st.integers(0, 6),
    skipna=st.booleans(),
    nullable=st.booleans(),
)
def test_sum_prod_mean_hypothesis(
    values: list[int | None], npartitions: int, min_count: int, skipna: bool, nullable: bool
) -> None:
    s = pd.Series(values, dtype="Int64" if nullable else "float64")
    d = dd.from_pandas(s, npartitions=npartitions)
    for op in ["sum", "prod"]:
        got = getattr(d, op)(skipna=skipna, min_count=min_count).compute(scheduler="sync")
        _same(got, getattr(s, op)(skipna=skipna, min_count=min_count))
    for op in ["mean", "min", "max", "var"]:
        expected = getattr(s, op)(skipna=skipna)
        got = getattr(d, op)(skipna=skipna).compute(scheduler="sync")
        if pd.isna(expected):
            assert pd.isna(got)
        else:
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


# -- grouped -----------------------------------------------------------------------------


def _grouped_frame() -> pd.DataFrame:
    t = pd.to_datetime(
        [
            "2024-01-01",
            "2024-01-03",
            None,
            "2024-01-06",
            "2024-01-09 00:00:07",
            None,
            "2024-02-01",
        ],
        format="ISO8601",
    )
    return pd.DataFrame(
        {
            "k": [1, 1, 2, 2, 1, 3, 1],
            "t": t,
            "z": t.tz_localize("Europe/Paris"),
            "d": t - t.min(),
            "n": t.as_unit("ns"),
            "x": [1.0, NAN, 2.0, 3.0, NAN, NAN, 5.0],
            "i": [1, 2, 3, 4, 5, 6, 7],
            "I": pd.array([1, None, 3, None, 5, None, 7], dtype="Int64"),
        }
    )


GROUPED = {
    "t.mean": lambda g: g.t.mean(),
    "z.mean": lambda g: g.z.mean(),
    "d.mean": lambda g: g.d.mean(),
    "n.mean": lambda g: g.n.mean(),
    "frame.mean": lambda g: g[["t", "z", "d", "x"]].mean(),
    "t.std": lambda g: g.t.std(),
    "d.std": lambda g: g.d.std(),
    "z.std": lambda g: g.z.std(ddof=0),
    "agg": lambda g: g.agg({"t": ["mean", "min", "max", "first"], "d": ["sum", "mean", "std"]}),
    "d.sum": lambda g: g.d.sum(),
    "t.agg": lambda g: g.t.agg(["mean", "count"]),
}


@pytest.mark.parametrize("name", list(GROUPED))
@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_grouped_datetime_reductions(name: str, npartitions: int) -> None:
    pdf = _grouped_frame()
    ddf = dd.from_pandas(pdf, npartitions=npartitions)
    assert_eq(GROUPED[name](ddf.groupby("k")), GROUPED[name](pdf.groupby("k")))


def test_grouped_datetime_mean_with_empty_partitions_and_schedulers() -> None:
    pdf = _grouped_frame()
    ddf = dd.from_pandas(pdf, npartitions=4)
    ddf, pdf = ddf[ddf.k != 2], pdf[pdf.k != 2]
    for scheduler in ["sync", "threads", "processes"]:
        got = ddf.groupby("k")[["t", "z", "d"]].mean().compute(scheduler=scheduler)
        pd.testing.assert_frame_equal(got, pdf.groupby("k")[["t", "z", "d"]].mean())


@pytest.mark.parametrize("op", ["sum", "prod"])
@pytest.mark.parametrize("column", ["x", "i", "I", "d"])
def test_grouped_min_count(op: str, column: str) -> None:
    """``groupby(...).sum/prod(min_count=)``: groups with fewer non-null values are missing."""
    if op == "prod" and column == "d":
        return
    pdf = _grouped_frame()
    for npartitions in [1, 3, 7]:
        g = dd.from_pandas(pdf, npartitions=npartitions).groupby("k")[column]
        for min_count in [0, 1, 2, 3]:
            kw = {"min_count": min_count}
            got = getattr(g, op)(**kw).compute(scheduler="sync")
            pd.testing.assert_series_equal(got, getattr(pdf.groupby("k")[column], op)(**kw))


@pytest.mark.parametrize("kw", [{}, {"skipna": False}, {"min_count": 4}, {"min_count": 8}])
def test_deep_trees(kw: dict[str, Any]) -> None:
    """Partials merged over several combine levels (``split_every=2``, 7 partitions)."""
    pdf = _frame()[["f", "I", "a", "d"]]
    pdf = pd.concat([pdf, pdf.iloc[::-1]], ignore_index=True)
    ddf = dd.from_pandas(pdf, npartitions=7)
    for op in ["sum", "mean", "std", "min"]:
        if "min_count" in kw and op != "sum":
            continue
        pd.testing.assert_series_equal(
            getattr(ddf, op)(split_every=2, **kw).compute(scheduler="sync"),
            getattr(pdf, op)(**kw),
        )
