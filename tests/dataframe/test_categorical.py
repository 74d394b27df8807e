"""Categoricals: categorize, known/unknown categories, the .cat accessor, unions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tessera.dataframe as dd
from tessera.dataframe.categorical import (
    UNKNOWN_CATEGORIES,
    astype_meta,
    has_known_categories,
    unify_categoricals,
    union_categories,
    unknown_categories,
)
from tessera.dataframe.testing import assert_eq

from .conftest import NPARTS


def _as_category(part: pd.DataFrame) -> pd.DataFrame:
    return part.astype({"s": "category"})


def _unknown(pdf: pd.DataFrame, n: int) -> dd.DataFrame:
    """A frame whose column ``s`` is categorical with per-partition categories."""
    meta = unknown_categories(_as_category(pdf.iloc[:0]))
    return dd.from_pandas(pdf, npartitions=n).map_partitions(_as_category, meta=meta)


@pytest.mark.parametrize("n", NPARTS)
def test_categorize_object_columns(pdf: pd.DataFrame, n: int) -> None:
    df = dd.from_pandas(pdf, npartitions=n).categorize()
    assert df.s.cat.known
    assert_eq(df, pdf.astype({"s": "category"}))


@pytest.mark.parametrize("n", NPARTS)
def test_categorize_unknown_categoricals(pdf: pd.DataFrame, n: int) -> None:
    unknown = _unknown(pdf, n)
    assert not unknown.s.cat.known
    assert_eq(unknown.categorize(), pdf.astype({"s": "category"}))


def test_categorize_string_columns_and_missing_values() -> None:
    pdf = pd.DataFrame({"t": ["z", None, "a", "z", "m"], "n": range(5)})
    assert isinstance(pdf.t.dtype, pd.StringDtype)  # pandas 3 infers str
    for n in (1, 2, 5):
        out = dd.from_pandas(pdf, npartitions=n).categorize()
        assert_eq(out, pdf.astype({"t": "category"}))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_categorize_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3).categorize(scheduler=scheduler)
    assert_eq(df, pdf.astype({"s": "category"}), scheduler=scheduler)


def test_categorize_columns_and_index(pdf: pd.DataFrame) -> None:
    p = pdf.set_index("s")
    df = dd.from_pandas(pdf, npartitions=3).set_index("s")
    out = df.categorize(columns=[], index=True)
    expected = p.sort_index(kind="stable")
    expected.index = expected.index.astype("category")
    assert_eq(out, expected)
    assert_eq(dd.from_pandas(pdf, 2).categorize("k"), pdf.astype({"k": "category"}))
    with pytest.raises(KeyError, match="nope"):
        dd.from_pandas(pdf, 2).categorize(["nope"])


def test_categorize_split_every_and_unsortable_values() -> None:
    pdf = pd.DataFrame({"m": pd.array([3, "a", 1, "b", 3], dtype=object)})
    for n in (1, 2, 5):
        out = dd.from_pandas(pdf, npartitions=n).categorize(split_every=2)
        assert_eq(out, pdf.astype("category"))


def test_categorize_nothing_to_do_returns_frame(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf[["x", "y"]], npartitions=2)
    assert df.categorize() is df


@pytest.mark.parametrize("n", NPARTS)
def test_cat_accessor_known(pdf: pd.DataFrame, n: int) -> None:
    p = pdf.astype({"s": "category"})
    s = dd.from_pandas(p, npartitions=n).s
    assert s.cat.known and not s.cat.ordered
    pd.testing.assert_index_equal(s.cat.categories, p.s.cat.categories)
    assert_eq(s.cat.codes, p.s.cat.codes)
    assert_eq(s.cat.add_categories(["q"]), p.s.cat.add_categories(["q"]))
    assert_eq(s.cat.remove_categories(["a"]), p.s.cat.remove_categories(["a"]))
    assert_eq(s.cat.rename_categories(str.upper), p.s.cat.rename_categories(str.upper))
    assert_eq(s.cat.set_categories(["c", "a"]), p.s.cat.set_categories(["c", "a"]))
    assert_eq(s.cat.as_ordered(), p.s.cat.as_ordered())
    assert_eq(s.cat.reorder_categories(["c", "b", "a"]),
              p.s.cat.reorder_categories(["c", "b", "a"]))  # fmt: skip


@pytest.mark.parametrize("n", NPARTS)
def test_remove_unused_categories(pdf: pd.DataFrame, n: int) -> None:
    p = pdf.astype({"s": pd.CategoricalDtype(["z", "c", "y", "a", "b"])})
    s = dd.from_pandas(p, npartitions=n).s
    assert_eq(s.cat.remove_unused_categories(), p.s.cat.remove_unused_categories())
    u = _unknown(pdf, n).s.cat.remove_unused_categories()
    assert_eq(u, pdf.s.astype("category").cat.remove_unused_categories())


@pytest.mark.parametrize("n", NPARTS)
def test_unknown_categories(pdf: pd.DataFrame, n: int) -> None:
    s = _unknown(pdf, n).s
    assert not s.cat.known
    assert list(s.meta.cat.categories) == [UNKNOWN_CATEGORIES]
    for what in ("categories", "codes"):
        with pytest.raises(NotImplementedError, match="as_known"):
            getattr(s.cat, what)
    with pytest.raises(NotImplementedError, match="as_known"):
        s.cat.remove_categories(["a"])
    known = s.cat.as_known()
    assert known.cat.known
    assert_eq(known, pdf.s.astype("category"))
    assert not s.cat.add_categories(["q"]).cat.known
    assert s.cat.set_categories(["a", "b"]).cat.known
    assert s.cat.as_unknown() is s


def test_as_unknown_keeps_values(pdf: pd.DataFrame) -> None:
    p = pdf.astype({"s": "category"})
    s = dd.from_pandas(p, npartitions=3).s
    assert s.cat.as_known() is s
    u = s.cat.as_unknown()
    assert not u.cat.known
    pd.testing.assert_series_equal(u.compute(), p.s)


def test_accessor_errors(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(AttributeError, match="categorical"):
        df.x.cat  # noqa: B018
    with pytest.raises(AttributeError, match="shout"):
        df.s.astype("category").cat.shout  # noqa: B018
    with pytest.raises(TypeError, match="categorical"):
        has_known_categories(pdf.x)


@pytest.mark.parametrize("n", NPARTS)
def test_unify_categoricals_gives_whole_column_categories(pdf: pd.DataFrame, n: int) -> None:
    parts = [_as_category(pdf.iloc[i::n]) for i in range(n)]
    expected = pd.concat([pdf.iloc[i::n] for i in range(n)]).astype({"s": "category"})
    pd.testing.assert_frame_equal(pd.concat(unify_categoricals(parts)), expected)
    series = [p.s for p in parts]
    pd.testing.assert_series_equal(pd.concat(unify_categoricals(series)), expected.s)


def test_unify_categoricals_index_and_ordered() -> None:
    a = pd.Series([1, 2], index=pd.CategoricalIndex(["x", "y"], name="i"))
    b = pd.Series([3], index=pd.CategoricalIndex(["w"], name="i"))
    out = pd.concat(unify_categoricals([a, b]))
    assert out.index.categories.tolist() == ["w", "x", "y"]
    assert out.index.tolist() == ["x", "y", "w"]
    c = pd.Series(pd.Categorical(["a"], ordered=True))
    d = pd.Series(pd.Categorical(["c", "b"], categories=["c", "b"], ordered=True))
    with pytest.raises(TypeError, match="ordered"):
        unify_categoricals([c, d])
    assert unify_categoricals([c, c]) == [c, c]


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.sampled_from(["a", "b", "c", "d", None]), min_size=1, max_size=12),
    n=st.integers(1, 4),
)
def test_categorize_property(values: list[str | None], n: int) -> None:
    pdf = pd.DataFrame({"v": pd.array(values, dtype=object)}, index=np.arange(len(values)))
    out = dd.from_pandas(pdf, npartitions=n).categorize()
    assert_eq(out, pdf.astype("category"))
    assert union_categories([pd.Index(["b"]), pd.Index(["a", "b"])]).tolist() == ["a", "b"]


def test_astype_meta_marks_data_dependent_casts_unknown(pdf: pd.DataFrame) -> None:
    meta = pdf.iloc[:0]
    out = astype_meta(meta, "category")
    assert not any(has_known_categories(out[c]) for c in out.columns)
    known = astype_meta(meta.astype({"s": pd.CategoricalDtype(["a", "b", "c"])}), "category")
    assert has_known_categories(known.s) and not has_known_categories(known.k)
    assert not has_known_categories(astype_meta(meta.s, pd.CategoricalDtype()))
    assert astype_meta(meta.s, pd.CategoricalDtype(["a"])).cat.categories.tolist() == ["a"]
    assert astype_meta(meta, {"x": "float64"}).dtypes.x == np.float64
    s = dd.from_pandas(pdf.s, npartitions=3)
    lazy = s.map_partitions(lambda p: p.astype("category"), meta=astype_meta(s.meta, "category"))
    parts = [lazy.get_partition(i).compute() for i in range(3)]
    pd.testing.assert_series_equal(pd.concat(unify_categoricals(parts)), pdf.s.astype("category"))


@pytest.mark.parametrize("name", [None, "v", 0])
def test_as_known_keeps_series_name(name: object) -> None:
    ps = pd.Series(["q", "p", None, "q"], name=name, dtype=object)
    meta = unknown_categories(ps.iloc[:0].astype("category"))
    s = dd.from_pandas(ps, npartitions=3).map_partitions(lambda p: p.astype("category"), meta=meta)
    assert_eq(s.cat.as_known(), ps.astype("category"))


@pytest.mark.parametrize("n", NPARTS)
def test_astype_ordered_category_joins_sorted_categories(n: int) -> None:
    ps = pd.Series(["b", "a", None, "d", "b", "c", "a"], dtype=object)
    dtype = pd.CategoricalDtype(ordered=True)
    out = dd.from_pandas(ps, npartitions=n).astype(dtype)
    assert out.cat.ordered and not out.cat.known
    assert_eq(out, ps.astype(dtype))
    frame = dd.from_pandas(ps.to_frame("v"), npartitions=n).astype({"v": dtype})
    assert_eq(frame, ps.to_frame("v").astype({"v": dtype}))


def test_unify_ordered_categoricals_in_one_order() -> None:
    a = pd.Series(pd.Categorical(["c", "a"], categories=["a", "c"], ordered=True))
    b = pd.Series(pd.Categorical(["b"], ordered=True))
    out = pd.concat(unify_categoricals([a, b]))
    expected = pd.Series(["c", "a", "b"]).astype(pd.CategoricalDtype(ordered=True))
    pd.testing.assert_series_equal(out.reset_index(drop=True), expected)
    with pytest.raises(TypeError, match="one order"):
        unify_categoricals([a, pd.Series(pd.Categorical(["b"]))])  # ordered with unordered


@pytest.mark.parametrize(
    "values", [[True, None, False], [3, None, 1], [2.5, None, None, 1.0]], ids=str
)
@pytest.mark.parametrize("n", NPARTS)
def test_categories_dtype_with_partitions_of_only_missing_values(values: list, n: int) -> None:
    ps = pd.Series(values, dtype=object)
    assert_eq(dd.from_pandas(ps, npartitions=n).astype("category"), ps.astype("category"))
    frame = ps.to_frame("v")
    assert_eq(dd.from_pandas(frame, npartitions=n).categorize(), frame.astype("category"))
    assert union_categories([pd.Index([], dtype=object)]).dtype == object


@pytest.mark.parametrize("ordered", [False, True])
def test_categorize_index_keeps_known_categorical_index(ordered: bool) -> None:
    ci = pd.CategoricalIndex(list("zaza"), categories=["z", "a"], ordered=ordered, name="i")
    p = pd.DataFrame({"x": [1, 2, 3, 4]}, index=ci)
    df = dd.from_pandas(p, npartitions=2, sort=False)
    out = df.categorize(index=True)
    assert out.index.dtype == ci.dtype
    assert out.divisions == df.divisions
    assert_eq(out, p)


def test_categorize_index_keeps_ordered_of_unknown_categorical_index() -> None:
    ci = pd.CategoricalIndex(list("zaza"), categories=["z", "a"], ordered=True, name="i")
    p = pd.DataFrame({"x": [1, 2, 3, 4]}, index=ci)
    meta = unknown_categories(p.iloc[:0].reset_index()).set_index("i")
    df = dd.from_pandas(p, npartitions=2, sort=False).map_partitions(lambda q: q, meta=meta)
    out = df.categorize(index=True)
    assert out.index.dtype == ci.dtype  # both partitions have ["z", "a"]: kept, as pandas
    assert not out.known_divisions
    assert_eq(out, p)


@pytest.mark.parametrize("n", [1, 2])
def test_remove_unused_categories_with_nothing_used(n: int) -> None:
    for cats in (["x", "y"], [1, 2], [True, False]):
        ps = pd.Series(pd.Categorical([None, None], categories=cats))
        out = dd.from_pandas(ps, npartitions=n).cat.remove_unused_categories()
        expected = ps.cat.remove_unused_categories()
        assert out.meta.cat.categories.dtype == expected.cat.categories.dtype
        assert_eq(out, expected)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_ordered_categorical_extrema(n: int) -> None:
    # the sample data behind lazy dtypes kept the categories but dropped `ordered`, so
    # min/max of an ordered categorical failed while building the graph
    s = pd.Series(pd.Categorical(["b", "a", "c", "b"], categories=["c", "b", "a"], ordered=True))
    d = dd.from_pandas(s, npartitions=n)
    assert d.max().compute() == s.max() == "a"
    assert d.min().compute() == s.min() == "c"
    assert_eq(d.to_frame().max(), s.to_frame().max())


@pytest.mark.parametrize("n", [1, 2, 3])
def test_categorize_keeps_the_order_partitions_agree_on(n: int) -> None:
    # unknown categories that every partition has in the same order stay in that order
    # (sorting them would change what an ordered categorical means)
    cats = pd.CategoricalDtype(["low", "mid", "high"], ordered=True)
    pdf = pd.DataFrame({"s": pd.Series(["low", "high", "mid", "low", "mid"], dtype=cats)})
    df = dd.from_pandas(pdf, npartitions=n)
    out = df.assign(s=df.s.cat.as_unknown()).categorize()
    assert out.s.cat.known and out.s.dtype == cats
    assert_eq(out, pdf)
    assert out.s.max().compute() == pdf.s.max() == "high"
