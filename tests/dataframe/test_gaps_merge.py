"""merge/join ``validate`` (checked across partitions, on every plan), ``join`` with a list
of frames, and ``set_index`` with a Series -- against pandas."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera
import tessera.dataframe as dd
from tessera.dataframe.merge import join, merge
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

HOWS = ["inner", "left", "right", "outer"]
VALIDATES = [
    "one_to_one",
    "1:1",
    "one_to_many",
    "1:m",
    "many_to_one",
    "m:1",
    "many_to_many",
    "m:m",
]
#: The sides whose keys each validate says are unique (pandas' documentation).
UNIQUE = {
    "one_to_one": {"left", "right"},
    "one_to_many": {"left"},
    "many_to_one": {"right"},
    "many_to_many": set(),
}
UNIQUE.update({"1:1": UNIQUE["one_to_one"], "1:m": UNIQUE["one_to_many"]})
UNIQUE.update({"m:1": UNIQUE["many_to_one"], "m:m": UNIQUE["many_to_many"]})
CHECKING = [v for v in VALIDATES if UNIQUE[v]]
MERGE_ERROR = r"Merge keys are not unique in (either left or right|{side}) dataset"


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a canonical order (a hash join groups rows by the hash of the key)."""
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def _declared(expected: pd.DataFrame, lazy: Any) -> pd.DataFrame:
    """pandas' result cast to the lazy dtypes, after checking the cast is the documented
    one (pandas keeps ``int64``/``bool`` when every row happened to match)."""
    out = expected.copy()
    for i, (have, want) in enumerate(zip(expected.dtypes, lazy.dtypes, strict=True)):
        assert have == want or (have.kind, want.kind) in {("i", "f"), ("b", "O")}
        out.isetitem(i, out.iloc[:, i].astype(want))
    return out


def _check_rows(lazy: Any, expected: pd.DataFrame, scheduler: str = "sync") -> None:
    result = lazy.compute(scheduler=scheduler)
    pd.testing.assert_series_equal(result.dtypes, lazy.dtypes)
    assert_eq(_rows(result), _rows(_declared(expected, lazy)))


def _lazy_merge(
    left: pd.DataFrame,
    right: pd.DataFrame,
    nleft: int,
    nright: int,
    how: str,
    validate: str,
    broadcast: bool | None,
) -> Any:
    """tessera's merge of ``left`` and ``right`` on ``k`` in the given partitionings."""
    return merge(
        dd.from_pandas(left, npartitions=nleft),
        dd.from_pandas(right, npartitions=nright),
        how=how,
        on="k",
        validate=validate,
        broadcast=broadcast,
    )


def _plan(out: Any) -> str:
    names = " ".join(out.layers)
    for plan in ("broadcast", "hash-join", "aligned-join"):
        if plan in names:
            return plan
    raise AssertionError(f"no join plan in {names}")


def _partitions_holding(lazy: Any, column: str, value: Any) -> set[int]:
    parts = tessera.compute(*[lazy.get_partition(i) for i in range(lazy.npartitions)])
    return {i for i, p in enumerate(parts) if (p[column] == value).any()}


@pytest.fixture
def keyed() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two frames with unique keys (some shared), and float values (no dtype changes)."""
    left = pd.DataFrame({"k": [5, 1, 7, 3, 9, 0, 8, 2], "x": np.arange(8.0)})
    right = pd.DataFrame({"k": [1, 2, 3, 4, 11, 0], "y": np.arange(6.0) * 10})
    return left, right


# -- validate ----------------------------------------------------------------------------


#: (left partitions, right partitions, broadcast) forcing each plan of a column merge.
PLANS = {"hash": (3, 2, False), "broadcast": (3, 1, None), "forced-broadcast": (1, 3, True)}


@pytest.mark.parametrize("validate", VALIDATES)
@pytest.mark.parametrize("plan", list(PLANS))
@pytest.mark.parametrize("how", ["inner", "left"])
def test_validate_unique_keys_give_pandas_result(
    keyed: tuple[pd.DataFrame, pd.DataFrame], validate: str, plan: str, how: str
) -> None:
    left, right = keyed
    nleft, nright, broadcast = PLANS[plan]
    out = _lazy_merge(left, right, nleft, nright, how, validate, broadcast)
    _check_rows(out, pd.merge(left, right, how=how, on="k", validate=validate))


@pytest.mark.parametrize("validate", CHECKING)
@pytest.mark.parametrize("how", HOWS)
def test_validate_duplicates_in_different_partitions_hash(
    keyed: tuple[pd.DataFrame, pd.DataFrame], validate: str, how: str
) -> None:
    left, right = keyed
    # key 5 twice on the left, key 2 twice on the right: first and last rows
    left = pd.concat([left, pd.DataFrame({"k": [5], "x": [99.0]})], ignore_index=True)
    right = pd.concat([right, pd.DataFrame({"k": [2], "y": [99.0]})], ignore_index=True)
    lazy_left = dd.from_pandas(left, npartitions=3)
    lazy_right = dd.from_pandas(right, npartitions=2)
    assert len(_partitions_holding(lazy_left, "k", 5)) == 2
    assert len(_partitions_holding(lazy_right, "k", 2)) == 2
    out = merge(lazy_left, lazy_right, how=how, on="k", validate=validate)
    assert _plan(out) == "hash-join"
    with pytest.raises(pd.errors.MergeError) as expected:
        pd.merge(left, right, how=how, on="k", validate=validate)
    with pytest.raises(pd.errors.MergeError, match="Merge keys are not unique") as got:
        out.compute(scheduler="sync")
    # the message names a side that is not unique and its repeated key
    message = str(got.value)
    sides = "|".join(sorted(UNIQUE[validate]))
    assert re.search(MERGE_ERROR.format(side=sides), message), message
    assert re.search(r"Duplicates in (left|right):\n\s+k\n\s+(5|2)\b", message), message
    kind = str(expected.value).split(";")[1].split("\n")[0].rstrip(".")
    assert kind in message  # e.g. " not a one-to-one merge"


def test_validate_many_to_many_ignores_duplicates(
    keyed: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    left, right = keyed
    left = pd.concat([left, left], ignore_index=True)
    for validate in ["m:m", "many_to_many", None]:
        out = merge(
            dd.from_pandas(left, npartitions=3),
            dd.from_pandas(right, npartitions=2),
            on="k",
            validate=validate,
        )
        _check_rows(out, pd.merge(left, right, on="k", validate=validate))
    # the "many" side may repeat: m:1 with repeated left keys
    out = merge(dd.from_pandas(left, npartitions=3), right, on="k", how="left", validate="m:1")
    _check_rows(out, pd.merge(left, right, on="k", how="left", validate="m:1"))


@pytest.mark.parametrize("nsmall", [1, 3])
@pytest.mark.parametrize("how", ["left", "inner"])
def test_validate_broadcast_small_side_checked_whole(
    keyed: tuple[pd.DataFrame, pd.DataFrame], nsmall: int, how: str
) -> None:
    left, right = keyed
    right = pd.concat([right, pd.DataFrame({"k": [1], "y": [-1.0]})], ignore_index=True)
    lazy_right = dd.from_pandas(right, npartitions=nsmall)
    assert len(_partitions_holding(lazy_right, "k", 1)) == min(nsmall, 2)
    out = merge(
        dd.from_pandas(left, npartitions=3),
        lazy_right,
        how=how,
        on="k",
        validate="m:1",
        broadcast=True,
    )
    assert _plan(out) == "broadcast"
    with pytest.raises(pd.errors.MergeError, match=r"not unique in right dataset"):
        out.compute(scheduler="sync")


@pytest.mark.parametrize("validate", ["1:1", "one_to_many"])
def test_validate_never_broadcasts_a_split_side_that_must_be_unique(
    keyed: tuple[pd.DataFrame, pd.DataFrame], validate: str
) -> None:
    left, right = keyed
    left = pd.concat([left, pd.DataFrame({"k": [5], "x": [99.0]})], ignore_index=True)
    lazy_left = dd.from_pandas(left, npartitions=3)
    assert len(_partitions_holding(lazy_left, "k", 5)) == 2
    out = merge(lazy_left, right, how="left", on="k", validate=validate)
    assert _plan(out) == "hash-join"  # a broadcast of the right would split the left
    with pytest.raises(pd.errors.MergeError, match="not unique in left dataset"):
        out.compute(scheduler="sync")
    # a left join may only broadcast the right side (the left is, if the right has one
    # partition: tessera picks that)
    two = dd.from_pandas(right, npartitions=2)
    with pytest.raises(ValueError, match=r"broadcast=True cannot check .* left side"):
        merge(lazy_left, two, how="left", on="k", validate=validate, broadcast=True)
    out = merge(lazy_left, right, how="left", on="k", validate=validate, broadcast=True)
    assert _plan(out) == "broadcast"
    with pytest.raises(pd.errors.MergeError, match="not unique in left dataset"):
        out.compute(scheduler="sync")
    # one partition on the left: a broadcast (and the lookup plan) stays possible
    single = dd.from_pandas(left, npartitions=1)
    out = merge(single, right, how="left", on="k", validate=validate, broadcast=True)
    assert _plan(out) == "broadcast"
    with pytest.raises(pd.errors.MergeError, match="not unique in left dataset"):
        out.compute(scheduler="sync")
    unique = dd.from_pandas(keyed[0], npartitions=1)
    out = merge(unique, right, how="left", on="k", validate=validate, broadcast=True)
    _check_rows(out, pd.merge(keyed[0], right, how="left", on="k", validate=validate))


@pytest.mark.parametrize("validate", ["1:1", "m:1"])
@pytest.mark.parametrize("how", HOWS)
def test_validate_aligned_index_join(validate: str, how: str) -> None:
    left = pd.DataFrame({"x": np.arange(12.0)}, index=np.arange(12) * 2)
    right = pd.DataFrame({"y": np.arange(10.0)}, index=np.arange(10) * 3)
    for nleft, nright in [(3, 2), (4, 4)]:
        lazy_left = dd.from_pandas(left, npartitions=nleft)
        lazy_right = dd.from_pandas(right, npartitions=nright)
        out = lazy_left.join(lazy_right, how=how, validate=validate)
        assert _plan(out) == "aligned-join"
        assert_eq(out, left.join(right, how=how, validate=validate).sort_index())
    doubled = pd.concat([right, right.iloc[[2, 7]]]).sort_index()
    lazy_doubled = dd.from_pandas(doubled, npartitions=3)
    out = dd.from_pandas(left, npartitions=4).join(lazy_doubled, how=how, validate=validate)
    assert _plan(out) == "aligned-join"
    with pytest.raises(pd.errors.MergeError, match=r"not unique in right dataset") as got:
        out.compute(scheduler="sync")
    assert re.search(r"Duplicates in right:\n.*\n\s*(6|21) \.\.\.", str(got.value)), got.value


@pytest.mark.parametrize("nright", [1, 2])
def test_validate_join_on_column(nright: int) -> None:
    left = pd.DataFrame({"k": [0, 1, 2, 3, 1], "v": np.arange(5.0)})
    other = pd.DataFrame({"w": [1.0, 2.0, 3.0]}, index=[0, 1, 5])
    lazy_left = dd.from_pandas(left, npartitions=3)
    assert len(_partitions_holding(lazy_left, "k", 1)) == 2
    lazy_other = dd.from_pandas(other, npartitions=nright)
    out = lazy_left.join(lazy_other, on="k", validate="m:1")
    _check_rows(out, left.join(other, on="k", validate="m:1"))
    with pytest.raises(pd.errors.MergeError, match="not unique in left dataset"):
        lazy_left.join(lazy_other, on="k", validate="1:1").compute(scheduler="sync")
    repeated = pd.concat([other, other.iloc[:1]])
    with pytest.raises(pd.errors.MergeError, match="not unique in right dataset"):
        lazy_left.join(repeated, on="k", validate="m:1").compute(scheduler="sync")


@pytest.mark.parametrize("how", HOWS)
def test_validate_index_keys_through_the_hash_shuffle(how: str) -> None:
    """Index keys of unknown divisions are shuffled as hidden columns: still global."""
    left = pd.DataFrame({"k": [3, 1, 2, 0, 3], "x": np.arange(5.0)})
    right = pd.DataFrame({"y": np.arange(4.0)}, index=pd.Index([0, 1, 2, 3], name="i"))
    lazy_left = dd.from_pandas(left, npartitions=3)
    lazy_right = dd.from_pandas(right, npartitions=2, sort=False)
    kw: dict[str, Any] = {"how": how, "left_on": "k", "right_index": True}
    out = merge(lazy_left, lazy_right, validate="m:1", **kw)
    assert _plan(out) == "hash-join"
    _check_rows(out, pd.merge(left, right, validate="m:1", **kw))
    with pytest.raises(pd.errors.MergeError, match="not unique in left dataset") as got:
        merge(lazy_left, lazy_right, validate="1:1", **kw).compute(scheduler="sync")
    assert re.search(r"Duplicates in left:\n\s+k\n\s+3 \.\.\.", str(got.value)), got.value
    doubled = pd.concat([right, right.iloc[[1]]])  # label 1 at both ends
    lazy_doubled = dd.from_pandas(doubled, npartitions=2, sort=False)
    kw = {"how": how, "left_index": True, "right_index": True}
    with pytest.raises(pd.errors.MergeError, match="not unique in right dataset"):
        merge(lazy_right, lazy_doubled, validate="1:1", **kw).compute(scheduler="sync")
    out = merge(lazy_right, lazy_doubled, validate="1:m", **kw)
    _check_rows(out, pd.merge(right, doubled, validate="1:m", **kw))


def test_validate_keeps_the_lookup_plan(keyed: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    left, right = keyed
    out = merge(dd.from_pandas(left, npartitions=3), right, how="left", on="k", validate="m:1")
    assert "broadcast-table" in " ".join(out.layers)
    _check_rows(out, pd.merge(left, right, how="left", on="k", validate="m:1"))


def test_validate_errors_and_cross(keyed: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    left, right = keyed
    lazy_left = dd.from_pandas(left, npartitions=2)
    for bad in ["1:n", "one-to-one", 1]:
        with pytest.raises(ValueError, match=f'validate="{bad}" is not a valid argument'):
            merge(lazy_left, right, on="k", validate=bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="is not a valid argument"):
            lazy_left.join(right.set_index("k"), on="k", validate=bad)
    # pandas checks nothing for a cross join
    small = right.iloc[:2].rename(columns={"k": "k2"})
    out = merge(lazy_left, small, how="cross", validate="1:1")
    _check_rows(out, pd.merge(left, small, how="cross", validate="1:1"))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_validate_on_every_scheduler(
    keyed: tuple[pd.DataFrame, pd.DataFrame], scheduler: str
) -> None:
    left, right = keyed
    lazy_left = dd.from_pandas(left, npartitions=3)
    lazy_right = dd.from_pandas(right, npartitions=2)
    out = merge(lazy_left, lazy_right, how="outer", on="k", validate="1:1")
    _check_rows(out, pd.merge(left, right, how="outer", on="k"), scheduler)
    doubled = dd.from_pandas(pd.concat([right, right.iloc[:1]], ignore_index=True), 2)
    with pytest.raises(pd.errors.MergeError, match="not unique in right dataset"):
        merge(lazy_left, doubled, on="k", validate="1:1").compute(scheduler=scheduler)


@settings(max_examples=40, deadline=None)
@given(
    lkeys=st.lists(st.integers(0, 6), min_size=1, max_size=12),
    rkeys=st.lists(st.integers(0, 6), min_size=1, max_size=8),
    nleft=st.integers(1, 4),
    nright=st.integers(1, 3),
    validate=st.sampled_from(VALIDATES),
    how=st.sampled_from(HOWS),
    broadcast=st.sampled_from([None, False]),
)
def test_validate_random(
    lkeys: list[int],
    rkeys: list[int],
    nleft: int,
    nright: int,
    validate: str,
    how: str,
    broadcast: bool | None,
) -> None:
    left = pd.DataFrame({"k": lkeys, "x": np.arange(len(lkeys), dtype=float)})
    right = pd.DataFrame({"k": rkeys, "y": np.arange(len(rkeys), dtype=float)})
    out = _lazy_merge(left, right, nleft, nright, how, validate, broadcast)
    try:
        expected = pd.merge(left, right, how=how, on="k", validate=validate)
    except pd.errors.MergeError:
        with pytest.raises(pd.errors.MergeError):
            out.compute(scheduler="sync")
    else:
        _check_rows(out, expected)


# -- join with a list of frames ------------------------------------------------------------


@pytest.fixture
def others() -> list[pd.DataFrame | pd.Series]:
    """Frames with unique indexes overlapping the pdf fixture's (even numbers 0..38)."""
    return [
        pd.DataFrame({"a": np.arange(10), "c": list("abcdefghij")}, index=np.arange(10) * 4),
        pd.Series(np.arange(8.0), index=np.arange(8) * 6 - 4, name="w"),
    ]


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("n", NPARTS)
@pytest.mark.parametrize("sort", [True, False])
def test_join_list_like_pandas(
    pdf: pd.DataFrame, others: list[Any], how: str, n: int, sort: bool
) -> None:
    expected = pdf.join(others, how=how)
    lazy = [dd.from_pandas(o, npartitions=2, sort=sort) for o in others]
    out = dd.from_pandas(pdf, npartitions=n, sort=sort).join(lazy, how=how)
    if sort:  # every join aligned on the divisions: pandas' exact result
        assert _plan(out) == "aligned-join" and out.known_divisions
        assert_eq(out, expected.sort_index() if how in ("right", "outer") else expected)
    else:
        result = out.compute(scheduler="sync")
        assert_eq(result.sort_index(), expected.sort_index())


def test_join_list_of_pandas_objects_and_broadcast(pdf: pd.DataFrame, others: list[Any]) -> None:
    left = dd.from_pandas(pdf, npartitions=3, sort=False)
    out = left.join(others)  # pandas objects: one partition each, broadcast
    assert _plan(out) == "broadcast"
    assert_eq(out, pdf.join(others))
    assert_eq(left.join([]), pdf.join([]))
    out = join(left, others, how="inner", validate="1:1")
    assert_eq(out.compute().sort_index(), pdf.join(others, how="inner").sort_index())


@pytest.mark.parametrize("how", ["left", "inner", "outer"])
def test_join_list_with_repeated_labels(how: str) -> None:
    """pandas joins one by one when an index repeats a label: so does tessera."""
    left = pd.DataFrame({"x": [1, 2, 3, 4]}, index=[2, 0, 1, 3])
    first = pd.DataFrame({"y": [10, 20, 30]}, index=[0, 0, 1])
    second = pd.DataFrame({"z": [True, False]}, index=[1, 2])
    expected = left.join([first, second], how=how)
    parts = [dd.from_pandas(f, npartitions=2, sort=False) for f in (left, first, second)]
    out = parts[0].join(parts[1:], how=how)
    assert_eq(_rows(out.compute()), _rows(_declared(expected, out)))
    with pytest.raises(pd.errors.MergeError, match="not unique in right dataset"):
        left.join([first, second], how=how, validate="1:1")
    with pytest.raises(pd.errors.MergeError, match="not unique in right dataset"):
        parts[0].join(parts[1:], how=how, validate="1:1").compute(scheduler="sync")


def test_join_list_right_takes_values_missing_in_between() -> None:
    """how="right": every frame's values for the last frame's labels (pandas' concat)."""
    left = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=[0, 1, 2])
    middle = pd.DataFrame({"y": [10.0]}, index=[0])
    last = pd.DataFrame({"z": [5.0, 6.0, 7.0]}, index=[2, 1, 9])
    expected = left.join([middle, last], how="right")
    assert expected.x.tolist()[:2] == [3.0, 2.0]  # label 1, 2 are not in the middle frame
    lazy = [dd.from_pandas(f, npartitions=2, sort=False) for f in (left, middle, last)]
    out = lazy[0].join(lazy[1:], how="right")
    assert_eq(out.compute().sort_index(), expected.sort_index())


def test_join_list_errors(pdf: pd.DataFrame, others: list[Any]) -> None:
    left = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(ValueError, match="only supported for joining on index"):
        left.join(others, on="k")
    with pytest.raises(ValueError, match="Suffixes not supported"):
        left.join(others, rsuffix="_r")
    with pytest.raises(ValueError, match="how='cross' is not supported"):
        left.join(others, how="cross")
    with pytest.raises(ValueError, match=r"overlapping values: \['x'\]"):
        left.join([others[0], pdf[["x"]]])
    with pytest.raises(ValueError, match="overlapping values"):
        pdf.join([others[0], pdf[["x"]]])  # pandas rejects it too
    with pytest.raises(ValueError, match="is not a valid argument"):
        left.join(others, validate="1:n")


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_join_list_on_every_scheduler(
    pdf: pd.DataFrame, others: list[Any], scheduler: str
) -> None:
    lazy = [dd.from_pandas(o, npartitions=2, sort=False) for o in others]
    out = dd.from_pandas(pdf, npartitions=3, sort=False).join(lazy, how="outer")
    result = out.compute(scheduler=scheduler)
    assert_eq(result.sort_index(), pdf.join(others, how="outer"))


# -- set_index with a Series ---------------------------------------------------------------


def _sorted_by_index(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_index(kind="stable")


@pytest.mark.parametrize("n", NPARTS)
def test_set_index_series(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n)
    out = df.set_index(df.x + 1)
    assert out.known_divisions and out.index.name == "x"
    assert_eq(out, _sorted_by_index(pdf.set_index(pdf.x + 1)))
    out = df.set_index([df.y * 2], drop=False)
    assert_eq(out, _sorted_by_index(pdf.set_index([pdf.y * 2], drop=False)))


def test_set_index_series_names_and_options(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    unnamed = (df.x - df.k).rename(None)
    out = df.set_index(unnamed)
    assert out.index.name is None
    assert_eq(out, _sorted_by_index(pdf.set_index((pdf.x - pdf.k).rename(None))))
    out = df.set_index(df.s.rename("key"), npartitions=2)
    assert out.npartitions <= 2
    assert_eq(out, _sorted_by_index(pdf.set_index(pdf.s.rename("key"))))
    # a sorted Series: no shuffle, divisions from each partition's min and max
    ranked = pdf.assign(r=np.arange(20) // 3)
    lazy = dd.from_pandas(ranked, npartitions=3)
    out = lazy.set_index(lazy.r * 10, sorted=True)
    assert out.known_divisions and "shuffle" not in " ".join(out.layers)
    assert_eq(out, ranked.set_index(ranked.r * 10))
    assert_eq(df.set_index(["x"]), _sorted_by_index(pdf.set_index(["x"])))


def test_set_index_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(NotImplementedError, match=r"several columns.*MultiIndex"):
        df.set_index(["x", "y"])
    with pytest.raises(NotImplementedError, match="got a Series"):
        df.set_index(pdf.x)
    with pytest.raises(ValueError, match="partitions"):
        df.set_index(dd.from_pandas(pdf.x, npartitions=3, sort=False))
    with pytest.raises(KeyError):
        df.set_index("nope")


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_set_index_series_on_every_scheduler(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    assert_eq(df.set_index(-df.y), _sorted_by_index(pdf.set_index(-pdf.y)), scheduler=scheduler)
