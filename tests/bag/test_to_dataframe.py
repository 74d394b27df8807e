"""Bag.to_dataframe: records into DataFrame partitions, meta given or inferred."""

from __future__ import annotations

import pandas as pd
import pytest

import tessera.bag as db
from tessera.dataframe.testing import assert_eq

RECORDS = [{"name": f"n{i}", "x": i, "y": i / 4} for i in range(11)]


@pytest.mark.parametrize("npartitions", [1, 2, 5])
def test_dicts_and_tuples(npartitions: int) -> None:
    b = db.from_sequence(RECORDS, npartitions=npartitions)
    df = b.to_dataframe()
    assert df.npartitions == b.npartitions and not df.known_divisions
    expected = pd.DataFrame(RECORDS)
    assert_eq(df.compute().reset_index(drop=True), expected)
    assert_eq(df.x.sum(), expected.x.sum())
    tuples = b.map(lambda r: (r["x"], r["name"]))
    got = tuples.to_dataframe(columns=["x", "name"])
    assert_eq(got.compute().reset_index(drop=True), expected[["x", "name"]])
    subset = b.to_dataframe(columns=["y"])
    assert_eq(subset.compute().reset_index(drop=True), expected[["y"]])


def test_meta_given_casts_partitions() -> None:
    b = db.from_sequence(RECORDS, npartitions=3)
    df = b.to_dataframe(meta={"x": "float64", "name": "str"})
    assert df.dtypes.astype(str).tolist() == ["float64", "str"]
    expected = pd.DataFrame(RECORDS)[["x", "name"]].astype({"x": "float64"})
    assert_eq(df.compute().reset_index(drop=True), expected)
    as_pairs = b.to_dataframe(meta=[("y", "float64")])
    assert_eq(as_pairs.y.sum(), sum(r["y"] for r in RECORDS))
    empty = pd.DataFrame({"x": pd.Series([], dtype="int64")})
    assert_eq(b.to_dataframe(meta=empty).x.max(), 10)


def test_empty_partitions_and_inference_from_the_first_items() -> None:
    b = db.from_sequence(RECORDS, npartitions=4).filter(lambda r: r["x"] < 2 or r["x"] > 8)
    df = b.to_dataframe()
    expected = pd.DataFrame([r for r in RECORDS if r["x"] < 2 or r["x"] > 8])
    assert_eq(df.compute().reset_index(drop=True), expected)


def test_errors() -> None:
    b = db.from_sequence(RECORDS, npartitions=2)
    with pytest.raises(ValueError, match="not both"):
        b.to_dataframe(meta={"x": "int64"}, columns=["x"])
    with pytest.raises(ValueError, match="first partition is empty"):
        b.filter(lambda r: r["x"] > 8).to_dataframe()
    with pytest.raises(TypeError, match="meta must describe a DataFrame"):
        b.to_dataframe(meta=("x", "int64"))
    bad = b.to_dataframe(meta={"name": "int64"})
    with pytest.raises(ValueError, match="do not fit the meta"):
        bad.compute(scheduler="sync")


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers_and_after_a_shuffle(scheduler: str) -> None:
    b = db.from_sequence(range(30), npartitions=3).groupby(lambda v: v % 4)
    counts = b.map(lambda kv: {"key": kv[0], "n": len(kv[1])}).to_dataframe()
    got = counts.compute(scheduler=scheduler).set_index("key").sort_index()
    assert got.n.to_dict() == {0: 8, 1: 8, 2: 7, 3: 7}
