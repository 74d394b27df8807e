"""Meta inference: value-dependent dtypes, scalar map_partitions, meta= with the parent's
index, pandas' error types, ``partition_info``."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.dataframe as dd
from tessera.dataframe.graph import error_like, infer_meta, make_meta, nonempty
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "k": ["a", "b", "c", "a", "b", "d", "a", "c"],
            "i": [1, 2, 3, 1, 5, 6, 2, 3],
            "f": [1.5, None, 2.5, 3.0, -1.0, 0.0, None, 4.0],
            "b": [True, False, True, True, False, False, True, False],
            "t": pd.date_range("2024-01-01", periods=8, freq="7h"),
            "c": pd.Categorical(list("abcabcab")),
            "n": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int64"),
        },
        index=pd.Index(np.arange(8) * 3, name="ix"),
    )


# pandas' result dtype depends on the values: on empty input it keeps the input dtype.
VALUE_DEPENDENT: dict[str, Callable[[Any], Any]] = {
    "map-dict-missing-keys": lambda x: x.k.map({"a": 1, "b": 2}),
    "map-series": lambda x: x.k.map(pd.Series([1, 2], index=["a", "b"])),
    "map-int-to-str": lambda x: x.i.map({1: "one", 2: "two"}),
    "map-datetime": lambda x: x.t.map({pd.Timestamp("2024-01-01"): 1}),
    "map-nullable": lambda x: x.n.map({1: 10}),
    "map-categorical": lambda x: x.c.map({"a": 1, "b": 2, "c": 3}),
    "map-unknown-categories": lambda x: x.k.astype("category").map(
        {"a": 1, "b": 2, "c": 3, "d": 4}
    ),
    "replace-str-to-int": lambda x: x.k.replace({"a": 1, "b": 2, "c": 3}),
    "replace-int-to-str": lambda x: x.i.replace({1: "one"}),
    "replace-int-to-float": lambda x: x.i.replace(1, 1.5),
    "replace-bool": lambda x: x.b.replace({True: "yes"}),
    "fillna-str-on-float": lambda x: x.f.fillna("z"),
    "clip-float-bound-on-int": lambda x: x.i.clip(upper=1.5),
    "frame-fillna-str": lambda x: x[["f", "i"]].fillna("z"),
    "frame-clip": lambda x: x[["i", "f"]].clip(upper=2.5),
}

# dtypes that must not change (the probes must not mislead where empty input was right).
STABLE: dict[str, Callable[[Any], Any]] = {
    "map-dict-all-keys": lambda x: x.i.map({v: v * 2 for v in range(10)}),
    "replace-same-type": lambda x: x.i.replace(1, 10),
    "replace-str": lambda x: x.k.replace("a", "z"),
    "fillna-number": lambda x: x.f.fillna(0),
    "clip-int-bounds": lambda x: x.i.clip(0, 4),
    "where": lambda x: x.i.where(x.i > 2),
    "where-other": lambda x: x.i.where(x.i > 2, 0),
    "mask": lambda x: x.i.mask(x.i > 2, 0.5),
    "astype": lambda x: x.i.astype("f8"),
    "apply": lambda x: (
        x.i.apply(lambda v: v * 2, meta=("i", "int64"))
        if hasattr(x, "divisions")
        else x.i.apply(lambda v: v * 2)
    ),
    "str-len": lambda x: x.k.str.len(),
    "str-contains": lambda x: x.k.str.contains("a"),
    "str-upper": lambda x: x.k.str.upper(),
    "dt-year": lambda x: x.t.dt.year,
    "dt-floor": lambda x: x.t.dt.floor("D"),
    "floordiv": lambda x: x.i // 2,
    "floordiv-self": lambda x: x.i // x.i,
    "pow": lambda x: x.i**2,
    "add-str": lambda x: x.k + "x",
    "add-mixed": lambda x: x.i + x.f,
    "sub-datetime": lambda x: x.t - x.t,
    "nullable-div": lambda x: x.n / 2,
    "compare-categorical": lambda x: x.c == "a",
    "isin": lambda x: x.i.isin([1, 2]),
    "shift": lambda x: x.i.shift(1),
    "frame-arith": lambda x: x[["i", "f", "b"]] + 1,
}


def _dtypes(x: Any) -> list[Any]:
    return list(x.dtypes) if isinstance(x, pd.DataFrame) else [x.dtype]


@pytest.mark.filterwarnings("ignore:'str' is not supported as a fill value")
@pytest.mark.parametrize("n", [1, 3])
def test_dtypes_follow_pandas_on_data(frame: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(frame, npartitions=n)
    for case, op in {**VALUE_DEPENDENT, **STABLE}.items():
        try:
            assert_eq(op(df), op(frame))
        except AssertionError as e:
            raise AssertionError(f"{case}: {e}") from e


@pytest.mark.filterwarnings("ignore:'str' is not supported as a fill value")
def test_value_dependent_meta_before_compute(frame: pd.DataFrame) -> None:
    df = dd.from_pandas(frame, npartitions=2)
    for case, op in VALUE_DEPENDENT.items():
        lazy, expected = _dtypes(op(df).meta), _dtypes(op(frame))
        unknown = [isinstance(d, pd.CategoricalDtype) for d in lazy]
        assert lazy == expected or all(unknown), f"{case}: {lazy} != {expected}"
    mapped = df.k.map({"a": 1, "b": 2})
    assert_eq(mapped.mean(), frame.k.map({"a": 1, "b": 2}).mean())  # was a TypeError
    assert_eq(mapped + 1, frame.k.map({"a": 1, "b": 2}) + 1)


def test_map_lazy_series(frame: pd.DataFrame) -> None:
    df = dd.from_pandas(frame, npartitions=3)
    lookup = pd.Series([10, 20], index=["a", "b"])
    lazy = dd.from_pandas(lookup, npartitions=1)
    assert_eq(df.k.map(lazy), frame.k.map(lookup))


def test_meta_keeps_structure_of_empty_result(frame: pd.DataFrame) -> None:
    df = dd.from_pandas(frame, npartitions=2)
    out = df[["k", "f"]].replace({"a": 1})
    assert out.meta.index.name == "ix" and list(out.meta.columns) == ["k", "f"]
    assert_eq(out, frame[["k", "f"]].replace({"a": 1}))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_map_partitions_scalar_gives_series(scheduler: str) -> None:
    pdf = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6]})
    df = dd.from_pandas(pdf, npartitions=3)
    sums = df.map_partitions(lambda p: p.x.sum())
    assert isinstance(sums, dd.Series)
    assert_eq(sums, pd.Series([3.0, 7.0, 11.0]), scheduler=scheduler)
    assert_eq(df.map_partitions(len), pd.Series([2, 2, 2]), scheduler=scheduler)
    assert_eq(sums.sum(), 21.0, scheduler=scheduler)


@pytest.mark.parametrize("n", NPARTS)
def test_map_partitions_scalar_partition_count(n: int) -> None:
    pdf = pd.DataFrame({"x": range(20)})
    df = dd.from_pandas(pdf, npartitions=n)
    parts = [df.partitions[i].compute() for i in range(df.npartitions)]
    lengths = df.map_partitions(len)
    assert lengths.npartitions == df.npartitions and lengths.divisions[0] == 0
    assert_eq(lengths, pd.Series([len(p) for p in parts]))
    assert_eq(lengths.sum(), 20)
    means = df.map_partitions(lambda p: p.x.mean(), meta=float)
    assert_eq(means, pd.Series([p.x.mean() for p in parts]))


def test_map_partitions_scalar_kinds() -> None:
    df = dd.from_pandas(pd.DataFrame({"s": list("abcd")}), npartitions=2)
    assert_eq(df.map_partitions(lambda p: p.s.str.cat()), pd.Series(["ab", "cd"]))
    lists = df.map_partitions(lambda p: p.s.tolist()).compute()
    assert lists.tolist() == [["a", "b"], ["c", "d"]]


@pytest.mark.parametrize("meta", [{"x": "f8", "y": "f8"}, [("x", "f8"), ("y", "f8")]])
def test_meta_dict_keeps_parent_index(meta: Any) -> None:
    pdf = pd.DataFrame({"x": [1.0, 2, 3, 4]}, index=pd.date_range("2024-01-01", periods=4))
    pdf.index.name = "when"
    df = dd.from_pandas(pdf, npartitions=2)
    out = df.map_partitions(lambda p: p.assign(y=p.x * 2), meta=meta)
    assert out.meta.index.dtype == pdf.index.dtype and out.meta.index.name == "when"
    expected = pdf.assign(y=pdf.x * 2)
    assert_eq(out.loc["2024-01-02":"2024-01-03"], expected.loc["2024-01-02":"2024-01-03"])


def test_meta_tuple_keeps_parent_index() -> None:
    pdf = pd.DataFrame({"x": [1.0, 2, 3, 4]}, index=pd.date_range("2024-01-01", periods=4))
    df = dd.from_pandas(pdf, npartitions=2)
    s = df.x.apply(lambda v: v * 2, meta=("x", "f8"))
    assert s.meta.index.dtype == pdf.index.dtype
    assert_eq(s.resample("2D").sum(), (pdf.x * 2).resample("2D").sum(), check_freq=False)
    m = df.x.map(lambda v: v + 1, meta=("x", "f8"))
    assert m.meta.index.dtype == pdf.index.dtype


def test_meta_pandas_object_is_kept_as_given() -> None:
    df = dd.from_pandas(pd.DataFrame({"x": [1.0, 2]}, index=pd.Index([3, 4], name="i")), 2)
    given = pd.DataFrame({"x": pd.Series([], dtype="f8")})
    assert isinstance(df.map_partitions(lambda p: p, meta=given).meta.index, pd.RangeIndex)


def test_make_meta_dtypes_and_index() -> None:
    assert make_meta(float) == 0.0 and isinstance(make_meta(float), np.float64)
    assert isinstance(make_meta(np.dtype("int32")), np.int32)
    index = pd.Index([], dtype="int16", name="k")
    assert make_meta({"a": "i8"}, index=index).index.dtype == "int16"
    assert make_meta(("a", "i8"), index=index).index.name == "k"
    assert list(make_meta({}, index=index).columns) == []


def test_errors_keep_pandas_type(frame: pd.DataFrame) -> None:
    df = dd.from_pandas(frame, npartitions=2)
    with pytest.raises(TypeError) as expected:
        frame.k + frame.i
    with pytest.raises(TypeError, match="Metadata inference failed") as got:
        df.k + df.i
    assert type(got.value) is type(expected.value)
    assert isinstance(got.value.__cause__, TypeError)

    def lookup(p: pd.DataFrame) -> Any:
        return p["missing"]

    with pytest.raises(KeyError, match="Metadata inference failed"):
        df.map_partitions(lookup)

    def bad(v: Any) -> Any:
        raise ArithmeticError("no")

    with pytest.raises(ArithmeticError, match="Could not guess"):
        df.i.apply(bad)


def test_error_like_falls_back_to_value_error() -> None:
    class Picky(Exception):
        def __init__(self, a: int, b: int) -> None:
            super().__init__(a, b)

    assert type(error_like(Picky(1, 2), "msg")) is ValueError
    assert str(error_like(OverflowError("x"), "msg")) == "msg"


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_partition_info(scheduler: str) -> None:
    pdf = pd.DataFrame({"x": range(6)}, index=[0, 1, 2, 3, 4, 5])
    df = dd.from_pandas(pdf, npartitions=3)

    def tag(p: pd.DataFrame, partition_info: Any = None) -> pd.DataFrame:
        return p.assign(part=partition_info["number"], first=partition_info["division"])

    expected = pdf.assign(part=[0, 0, 1, 1, 2, 2], first=[0, 0, 2, 2, 4, 4])
    assert_eq(df.map_partitions(tag), expected, scheduler=scheduler)
    given = df.map_partitions(tag, partition_info={"number": 9, "division": -1})
    assert_eq(given, pdf.assign(part=9, first=-1), scheduler=scheduler)


def test_partition_info_unknown_divisions() -> None:
    pdf = pd.DataFrame({"x": range(4)})
    df = dd.from_pandas(pdf, npartitions=2).reset_index(drop=True)
    assert not df.known_divisions

    def tag(p: pd.DataFrame, partition_info: Any = None) -> pd.Series:
        return p.x * 0 + partition_info["number"] + (partition_info["division"] is None)

    assert df.map_partitions(tag).compute().tolist() == [1, 1, 2, 2]


def test_probes_are_silent() -> None:
    df = dd.from_pandas(pd.DataFrame({"i": [1, 2, 3]}), npartitions=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert infer_meta(lambda s: s.i.clip(upper=1.5), (df,), {}).dtype == "float64"
        assert infer_meta(lambda s: np.log(s.i - 2), (df,), {}).dtype == "float64"


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30),
    nparts=st.integers(1, 5),
)
def test_map_partitions_scalar_per_partition_hypothesis(values: list[float], nparts: int) -> None:
    pdf = pd.DataFrame({"x": values})
    df = dd.from_pandas(pdf, npartitions=nparts)
    parts = [df.partitions[i].compute() for i in range(df.npartitions)]
    assert_eq(df.map_partitions(lambda p: p.x.sum()), pd.Series([p.x.sum() for p in parts]))
    assert_eq(df.map_partitions(len).sum(), len(values))


def test_fake_partitions_keep_a_multiindex() -> None:
    # the fake partitions behind meta inference gave a MultiIndex meta a flat str index
    idx = pd.MultiIndex.from_tuples([("a", 1)], names=["x", "y"])
    meta = pd.DataFrame({"v": [1.0]}, index=idx).iloc[:0]
    fake = nonempty(meta)
    assert isinstance(fake.index, pd.MultiIndex)
    assert list(fake.index.names) == ["x", "y"]
    assert fake.index.get_level_values("y").dtype == np.int64
