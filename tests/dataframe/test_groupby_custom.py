"""User-defined ``Aggregation`` in ``GroupBy.agg``: alone, in lists, dicts, named, split_out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import tessera.dataframe as dd
from tessera.dataframe import Aggregation
from tessera.dataframe.testing import assert_eq
from tests.dataframe.conftest import NPARTS

custom_sum = Aggregation("custom_sum", lambda s: s.sum(), lambda s: s.sum())
custom_mean = Aggregation(
    "custom_mean",
    lambda s: (s.count(), s.sum()),
    lambda count, total: (count.sum(), total.sum()),
    lambda count, total: total / count,
)
spread = Aggregation(
    "spread",
    lambda s: (s.max(), s.min()),
    lambda hi, lo: (hi.max(), lo.min()),
    lambda hi, lo: hi - lo,
)


def _spread(s: pd.Series) -> float:
    return s.max() - s.min()


@pytest.mark.parametrize("n", NPARTS)
def test_alone_list_dict_named(pdf: pd.DataFrame, n: int) -> None:
    num = pdf[["k", "x", "y", "z"]]
    df = dd.from_pandas(num, npartitions=n)
    g, pg = df.groupby("k"), num.groupby("k")
    assert_eq(g.agg(custom_sum), pg.agg("sum"))
    assert_eq(g.y.agg(custom_mean), pg.y.agg("mean"))
    got = g.agg([custom_mean, "max", spread], split_every=2)
    expected = pg.agg(["mean", "max", _spread]).rename(
        columns={"mean": "custom_mean", "_spread": "spread"}
    )
    assert_eq(got, expected)
    got = g.agg({"y": [spread, "sum"], "x": custom_sum})
    expected = pg.agg({"y": [_spread, "sum"], "x": "sum"}).rename(
        columns={"_spread": "spread", "sum": "custom_sum"}, level=1
    )
    expected.columns = pd.MultiIndex.from_tuples([("y", "spread"), ("y", "sum"),
                                                  ("x", "custom_sum")])  # fmt: skip
    assert_eq(got, expected)
    assert_eq(g.agg(m=("z", custom_mean), top=("z", "max")),
              pg.agg(m=("z", "mean"), top=("z", "max")))  # fmt: skip


@pytest.mark.parametrize("opts", [{"sort": False}, {"dropna": False}, {"as_index": False}])
def test_options_and_split_out(opts: dict[str, bool]) -> None:
    rng = np.random.default_rng(9)
    pdf = pd.DataFrame({"k": np.where(rng.random(200) < 0.1, np.nan, rng.integers(0, 30, 200)),
                        "v": rng.random(200)})  # fmt: skip
    df = dd.from_pandas(pdf, npartitions=5)
    got = df.groupby("k", **opts).agg({"v": [custom_mean, "count"]})
    expected = pdf.groupby("k", **opts).agg({"v": ["mean", "count"]})
    assert_eq(got, expected.rename(columns={"mean": "custom_mean"}))
    split = df.groupby("k", **opts).v.agg(spread, split_out=3)
    assert split.npartitions == 3
    whole = split.compute()
    expected = pdf.groupby("k", **opts).v.agg(_spread)
    if opts.get("as_index") is False:
        whole = whole.sort_values("k", ignore_index=True)
    else:
        whole = whole.sort_index(na_position="last")
        expected = expected.sort_index(na_position="last")
    assert_eq(whole, expected)


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(pdf: pd.DataFrame, scheduler: str) -> None:
    df = dd.from_pandas(pdf, npartitions=3)
    got = df.groupby("s").agg({"y": custom_mean, "x": [custom_sum, "min"]})
    expected = pdf.groupby("s").agg({"y": "mean", "x": ["sum", "min"]})
    expected.columns = pd.MultiIndex.from_tuples(
        [("y", "custom_mean"), ("x", "custom_sum"), ("x", "min")]
    )
    assert_eq(got, expected, scheduler=scheduler)


def test_bad_aggregations(pdf: pd.DataFrame) -> None:
    df = dd.from_pandas(pdf, npartitions=2)
    with pytest.raises(TypeError, match="chunk must be callable"):
        Aggregation("a", 1, sum)
    with pytest.raises(TypeError, match="name"):
        Aggregation(3, sum, sum)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="finalize"):
        Aggregation("a", sum, sum, finalize=2)  # type: ignore[arg-type]
    two = Aggregation("two", lambda s: (s.sum(), s.count()), lambda a, b: (a.sum(), b.sum()))
    with pytest.raises(TypeError, match="no finalize"):
        df.groupby("k").y.agg(two)
    scalar = Aggregation("scalar", lambda s: 1, lambda s: s.sum())
    with pytest.raises(TypeError, match="must return a pandas Series"):
        df.groupby("k").y.agg(scalar)
    with pytest.raises(pd.errors.SpecificationError, match="unique"):
        df.groupby("k").y.agg([custom_sum, custom_sum])
