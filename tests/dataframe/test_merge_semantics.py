"""merge/join semantics: declared dtypes in every partition, row order per plan, index
labels of one-sided index joins, errors, the broadcast lookup plan, random joins."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera
import tessera.dataframe as dd
from tessera.dataframe.merge import merge
from tessera.dataframe.testing import assert_eq

HOWS = ["inner", "left", "right", "outer"]
PLANS = {"broadcast": True, "hash": False}


def _typed_frame(keys: list[int], prefix: str) -> pd.DataFrame:
    n = len(keys)
    return pd.DataFrame(
        {
            "k": keys,
            f"{prefix}i": np.arange(n, dtype="int64"),
            f"{prefix}u": np.arange(n, dtype="uint8"),
            f"{prefix}b": np.arange(n) % 2 == 0,
            f"{prefix}f": np.arange(n) / 2,
            f"{prefix}s": [f"s{i}" for i in range(n)],
            f"{prefix}c": pd.Categorical(["p", "q"] * (n // 2) + ["p"] * (n % 2)),
            f"{prefix}d": pd.date_range("2000", periods=n),
        }
    )


def _cast(frame: pd.DataFrame, dtypes: pd.Series) -> pd.DataFrame:
    out = frame.copy()
    for i, want in enumerate(dtypes):
        out.isetitem(i, out.iloc[:, i].astype(want))
    return out


def _partitions(lazy: Any) -> list[pd.DataFrame]:
    """Every partition, computed together (the shuffle runs once)."""
    parts = [lazy.get_partition(i) for i in range(lazy.npartitions)]
    return list(tessera.compute(*parts, scheduler="sync"))


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("plan", ["broadcast", "hash"])
def test_every_partition_has_the_declared_dtypes(how: str, plan: str) -> None:
    left = _typed_frame([0, 1, 2, 3, 4, 5, 6, 7], "l")
    right = _typed_frame([1, 3, 5, 9], "r")
    nleft, nright = (
        (4, 2) if plan == "hash" else {"right": (1, 2), "outer": (2, 1)}.get(how, (4, 1))
    )
    lazy_left = dd.from_pandas(left, npartitions=nleft)
    lazy_right = dd.from_pandas(right, npartitions=nright)
    out = merge(lazy_left, lazy_right, how=how, on="k", broadcast=PLANS[plan])
    assert f"{plan}-join" in " ".join(out.layers)
    expected = pd.merge(left, right, how=how, on="k")
    if how != "inner":  # rows were left unmatched: the declared dtypes are pandas' own
        pd.testing.assert_series_equal(out.dtypes, expected.dtypes)
    for part in _partitions(out):  # some partitions match every row, some none
        pd.testing.assert_series_equal(part.dtypes, out.dtypes)
    result = out.compute()
    pd.testing.assert_series_equal(result.dtypes, out.dtypes)
    order = ["k", "li", "ri"]
    assert_eq(
        result.sort_values(order).reset_index(drop=True),
        expected.sort_values(order).reset_index(drop=True),
    )


@pytest.mark.parametrize("how", ["left", "right", "outer"])
def test_all_rows_matched_still_declares_the_missing_capable_dtypes(how: str) -> None:
    left = pd.DataFrame({"k": [1, 2, 3], "x": [10, 20, 30], "b": [True, False, True]})
    right = pd.DataFrame({"k": [3, 2, 1], "y": [7, 8, 9], "c": [False, False, True]})
    out = dd.from_pandas(left, npartitions=2).merge(right, on="k", how=how)
    expected = pd.merge(left, right, on="k", how=how)
    assert (expected.dtypes.drop("k") != "float64").all()  # pandas keeps int/bool here
    side = {"left": ["y", "c"], "right": ["x", "b"], "outer": ["x", "b", "y", "c"]}[how]
    assert [str(out.dtypes[c]) for c in side] == [
        "float64" if c in "xy" else "object" for c in side
    ]
    assert out.dtypes["k"] == "int64"
    got = out.compute().sort_values("k").reset_index(drop=True)
    assert_eq(got, _cast(expected.sort_values("k").reset_index(drop=True), out.dtypes))


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("nparts", [1, 2, 3])
def test_broadcast_keeps_pandas_row_order(how: str, nparts: int) -> None:
    rng = np.random.default_rng(1)
    big = pd.DataFrame({"k": rng.integers(0, 6, 30), "v": np.arange(30)})
    unique = pd.DataFrame({"k": [4, 0, 2, 5, 9], "x": [1, 2, 3, 4, 5]})
    repeated = pd.DataFrame({"k": [4, 0, 4, 2, 9], "x": [1, 2, 3, 4, 5]})
    for small in (unique, repeated):
        if how in ("inner", "left"):  # the small side is broadcast on the right
            out = dd.from_pandas(big, npartitions=nparts).merge(small, on="k", how=how)
            expected = pd.merge(big, small, on="k", how=how)
        elif how == "right":  # ... on the left
            out = dd.merge(small, dd.from_pandas(big, npartitions=nparts), on="k", how=how)
            expected = pd.merge(small, big, on="k", how=how)
        else:
            continue
        assert "broadcast" in " ".join(out.layers)
        assert ("broadcast-table" in " ".join(out.layers)) == (how != "right")
        got = out.compute(scheduler="sync").reset_index(drop=True)
        assert_eq(got, _cast(expected, out.dtypes))  # rows in pandas' exact order


def test_outer_join_is_pandas_rows_in_another_order(pdf: pd.DataFrame) -> None:
    right = pd.DataFrame({"k": [0, 2, 2, 9], "w": [1, 2, 3, 4]})
    out = merge(dd.from_pandas(pdf, npartitions=3), right, how="outer", on="k")
    expected = _cast(pd.merge(pdf, right, how="outer", on="k"), out.dtypes)
    got = out.compute()
    # the multiset of rows is pandas' exactly: compare value counts of whole rows
    counts = got.astype(str).value_counts()
    pd.testing.assert_series_equal(
        counts.sort_index(), expected.astype(str).value_counts().sort_index()
    )


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("which", ["left_index", "right_index"])
@pytest.mark.parametrize("plan", ["broadcast", "hash"])
def test_one_sided_index_join_labels(how: str, which: str, plan: str) -> None:
    a = pd.DataFrame(
        {"k": [1, 2, 3, 4], "x": [1, 2, 3, 4]}, index=pd.Index([1, 5, 6, 8], name="ia")
    )
    b = pd.DataFrame({"k": [1, 5, 7], "y": [1.5, 2.5, 3.5]}, index=pd.Index([2, 3, 40], name="ib"))
    kw: dict[str, Any] = {"left_index": True, "right_on": "k"}
    if which == "right_index":
        kw = {"left_on": "k", "right_index": True}
    expected = pd.merge(a, b, how=how, **kw)
    la, lb = dd.from_pandas(a, npartitions=2), dd.from_pandas(b, npartitions=2)
    broadcast = {"broadcast": True, "hash": False}[plan]
    if broadcast and how == "outer":
        broadcast = False
    if broadcast:
        lb = dd.from_pandas(b, npartitions=1) if how != "right" else lb
        la = dd.from_pandas(a, npartitions=1) if how == "right" else la
    out = merge(la, lb, how=how, broadcast=broadcast or None, **kw)
    assert out.meta.index.name == expected.index.name
    assert out.meta.index.dtype == expected.index.dtype
    got = out.compute()
    order = ["x", "y"]
    assert_eq(
        got.sort_values(order, na_position="first"),
        _cast(expected, out.dtypes).sort_values(order, na_position="first"),
    )


def test_indicator_suffixes_and_index_names(pdf: pd.DataFrame) -> None:
    right = pd.DataFrame({"k": [0, 3, 8], "x": [1, 2, 3], "y": [0.5, 1.5, 2.5]})
    for how in HOWS:
        kw = {"how": how, "on": "k", "indicator": True, "suffixes": ("_l", None)}
        out = merge(dd.from_pandas(pdf, npartitions=3), right, **kw)
        expected = pd.merge(pdf, right, **kw)
        assert isinstance(out.dtypes["_merge"], pd.CategoricalDtype)
        assert list(out.columns) == list(expected.columns)
        for part in _partitions(out):
            pd.testing.assert_series_equal(part.dtypes, out.dtypes)
        got = out.compute().sort_values(["k", "x_l", "y_l"]).reset_index(drop=True)
        want = expected.sort_values(["k", "x_l", "y_l"]).reset_index(drop=True)
        assert_eq(got, _cast(want, out.dtypes))
    named = pd.DataFrame({"w": [1, 2]}, index=pd.Index([0, 2], name="idx"))
    out = merge(dd.from_pandas(pdf, npartitions=3), named, left_index=True, right_index=True)
    assert out.index.name == "idx" and out.compute().index.name == "idx"


@pytest.mark.parametrize(
    ("how", "plan"), [(h, "hash") for h in HOWS] + [("inner", "broadcast"), ("left", "broadcast")]
)
def test_on_index_level_names(how: str, plan: str) -> None:
    left = pd.DataFrame({"x": range(8)}, index=pd.Index([1, 2, 3, 4, 5, 6, 7, 9], name="k"))
    right = pd.DataFrame({"k": [2, 3, 3, 8, 9], "y": [5, 6, 7, 8, 9]})
    for a, b in [(left, right), (right, left), (left, left.rename(columns={"x": "z"}))]:
        nb = 1 if plan == "broadcast" else 2
        out = merge(
            dd.from_pandas(a, npartitions=3), dd.from_pandas(b, npartitions=nb), on="k", how=how
        )
        assert f"{plan}-join" in " ".join(out.layers)
        expected = _cast(pd.merge(a, b, on="k", how=how), out.dtypes)
        assert list(out.columns) == list(expected.columns)
        assert out.index.name == expected.index.name
        got = out.compute()
        order = list(got.columns)
        assert_eq(
            got.sort_values(order).reset_index(drop=got.index.name is None),
            expected.sort_values(order).reset_index(drop=got.index.name is None),
        )


@pytest.mark.filterwarnings("ignore:You are merging on int and float:UserWarning")
def test_missing_key_and_mismatched_key_dtypes(pdf: pd.DataFrame) -> None:
    left = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(
        KeyError,
        match=r"\['kk'\] not found in the left frame.*'k', 'x'.*"
        r"and index levels \['idx'\]",
    ):
        merge(left, pd.DataFrame({"kk": [1]}), on="kk")
    strings = pd.DataFrame({"k": ["0", "1"], "w": [1, 2]})
    with pytest.raises(ValueError, match="You are trying to merge on int64 and str"):
        pd.merge(pdf, strings, on="k")  # pandas ...
    with pytest.raises(ValueError, match="You are trying to merge on int64 and str"):
        merge(left, strings, on="k")  # ... and tessera, before computing anything
    floats = pd.DataFrame({"k": [0.0, 1.0, 2.5], "w": [1, 2, 3]})
    for broadcast in (True, False):
        out = merge(left, floats, on="k", how="left", broadcast=broadcast)
        assert ("broadcast-table" in " ".join(out.layers)) is False  # dtypes differ: pandas
        expected = pd.merge(pdf, floats, on="k", how="left")
        assert_eq(
            out.compute().sort_values(["k", "x", "y"]).reset_index(drop=True),
            _cast(expected.sort_values(["k", "x", "y"]).reset_index(drop=True), out.dtypes),
        )


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_lookup_plan_on_every_scheduler(scheduler: str) -> None:
    big = pd.DataFrame({"k": np.arange(40) % 7, "v": np.arange(40.0)})
    small = pd.DataFrame({"k": [6, 0, 3], "x": [1, 2, 3]})
    for how in ("inner", "left"):
        out = dd.from_pandas(big, npartitions=4).merge(small, on="k", how=how)
        got = out.compute(scheduler=scheduler).reset_index(drop=True)
        assert_eq(got, _cast(pd.merge(big, small, on="k", how=how), out.dtypes))


@pytest.mark.parametrize(
    "small_keys",
    [
        [3, -2, 7, 0],  # narrow integers: a dense table
        [10**12, -(10**12), 5, 0],  # wide integers: the hash table
        [0.5, np.nan, 3.0, -1.0],  # floats, NaN matches NaN as in pandas
        list(pd.to_datetime(["2001", "2000", "2003", "1999"])),
        np.array([3, 250, 7, 0], dtype="uint8"),
        np.array([-100, 100, 120, -128], dtype="int8"),  # offsets beyond int8: no wrap
        np.array([-30000, 0, 30000, 7], dtype="int16"),
        np.array([2**64 - 1, 2**64 - 2, 2**64 - 5, 2**64 - 3], dtype="uint64"),  # dense
        np.array([2**64 - 1, 2**63, 0, 2**63 + 9], dtype="uint64"),  # a wide range: hashed
    ],
)
@pytest.mark.parametrize("how", ["inner", "left"])
def test_lookup_probes_match_pandas(small_keys: Any, how: str) -> None:
    small = pd.DataFrame({"k": small_keys, "x": [1, 2, 3, 4], "s": list("abcd")})
    # the second key is not in the table: below, above or outside its range (or NaN)
    big = pd.DataFrame({"k": small.k.to_numpy()[[2, 0, 1, 2, 3, 1]], "v": range(6)})
    table = small.iloc[[0, 2, 3]]
    out = dd.from_pandas(big, npartitions=2).merge(table, on="k", how=how)
    assert "broadcast-table" in " ".join(out.layers)
    expected = pd.merge(big, table, on="k", how=how)
    assert_eq(out.compute().reset_index(drop=True), _cast(expected, out.dtypes))


keys = st.lists(st.integers(0, 5), min_size=0, max_size=12)


@settings(max_examples=15, deadline=None)
@given(
    lkeys=keys,
    rkeys=keys,
    how=st.sampled_from(HOWS),
    nleft=st.integers(1, 3),
    nright=st.integers(1, 3),
    broadcast=st.sampled_from([None, False]),
)
def test_random_joins_match_pandas(
    lkeys: list[int], rkeys: list[int], how: str, nleft: int, nright: int, broadcast: Any
) -> None:
    left = pd.DataFrame({"k": lkeys, "a": range(len(lkeys)), "b": [x % 2 == 0 for x in lkeys]})
    right = pd.DataFrame({"k": rkeys, "c": range(len(rkeys))})
    out = merge(
        dd.from_pandas(left, npartitions=nleft),
        dd.from_pandas(right, npartitions=nright),
        how=how,
        on="k",
        broadcast=broadcast,
    )
    for part in _partitions(out):
        pd.testing.assert_series_equal(part.dtypes, out.dtypes)
    got = out.compute()
    expected = _cast(pd.merge(left, right, how=how, on="k"), out.dtypes)
    order = ["k", "a", "c"]
    assert_eq(
        got.sort_values(order).reset_index(drop=True),
        expected.sort_values(order).reset_index(drop=True),
    )
