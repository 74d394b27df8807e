"""groupby (disk shuffle) and foldby against plain Python; spill files never outlive a compute."""

from __future__ import annotations

import os
from collections import defaultdict
from functools import reduce
from operator import add
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tessera
import tessera.bag as db
from tessera.bag.partitions import no_default
from tessera.bag.shuffle import SPILL_PREFIX, SpillPlaceholder, stable_hash
from tests.bag.funcs import fail_on_7, mod3

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
keys = st.one_of(st.integers(-5, 5), st.sampled_from(["a", "b", "ç", ""]), st.none())


def plain_groupby(data: list[Any], key: Any) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = defaultdict(list)
    for x in data:
        out[key(x)].append(x)
    return dict(out)


def plain_foldby(
    data: list[Any], key: Any, binop: Any, initial: Any = no_default
) -> dict[Any, Any]:
    groups = plain_groupby(data, key)
    if initial is no_default:
        return {k: reduce(binop, v) for k, v in groups.items()}
    return {k: reduce(binop, v, initial) for k, v in groups.items()}


def canon(pairs: list[tuple[Any, list[Any]]]) -> dict[Any, list[Any]]:
    out = dict(pairs)
    assert len(out) == len(pairs), "a key was split across output partitions"
    return out


@SETTINGS
@given(
    st.lists(st.tuples(keys, st.integers()), max_size=40),
    st.integers(1, 6),
    st.integers(1, 6),
    st.sampled_from(["sync", "threads"]),
)
def test_groupby_matches_plain(
    spill_dir: Path, data: list[tuple[Any, int]], n: int, nout: int, scheduler: str
) -> None:
    b = db.from_sequence(data, npartitions=n)
    g = b.groupby(lambda t: t[0], npartitions=nout)
    assert g.npartitions == nout
    assert canon(g.compute(scheduler=scheduler)) == plain_groupby(data, lambda t: t[0])
    assert not os.listdir(spill_dir)


def test_groupby_on_processes(spill_dir: Path) -> None:
    data = list(range(1000))
    b = db.from_sequence(data, npartitions=7)
    g = b.groupby(mod3, npartitions=3)
    assert canon(g.compute()) == plain_groupby(data, mod3)
    assert not os.listdir(spill_dir)
    sums = dict(g.map(lambda kv: (kv[0], sum(kv[1]))).compute())
    assert sums == {k: sum(v) for k, v in plain_groupby(data, mod3).items()}
    by_field = db.from_sequence([{"k": x % 2, "v": x} for x in range(6)]).groupby("k")
    assert canon(by_field.compute()) == plain_groupby(
        [{"k": x % 2, "v": x} for x in range(6)], lambda r: r["k"]
    )


def test_groupby_default_npartitions_and_order_of_values() -> None:
    b = db.from_sequence(range(20), npartitions=4)
    g = b.groupby(lambda x: x % 2)
    assert g.npartitions == 4
    assert canon(g.compute(scheduler="sync")) == {
        0: list(range(0, 20, 2)),
        1: list(range(1, 20, 2)),
    }


@pytest.mark.parametrize("scheduler", ["sync", "processes"])
def test_failed_groupby_leaves_no_spill_files(scheduler: str, spill_dir: Path) -> None:
    b = db.from_sequence(range(30), npartitions=6)
    with pytest.raises(ZeroDivisionError):
        b.map(fail_on_7).groupby(mod3).compute(scheduler=scheduler)
    assert not os.listdir(spill_dir)  # no gc needed: compute() cleans up on the way out
    downstream = b.groupby(mod3).map(lambda kv: 1 / kv[0])
    with pytest.raises(ZeroDivisionError):
        downstream.compute(scheduler=scheduler)
    assert not os.listdir(spill_dir)


def test_spill_directory_of_tessera_compute_and_persist(spill_dir: Path) -> None:
    b = db.from_sequence(range(30), npartitions=3).groupby(mod3)
    (result,) = tessera.compute(b, scheduler="sync")
    assert len(result) == 3 and not os.listdir(spill_dir)
    p = b.persist(scheduler="sync")
    assert not os.listdir(spill_dir)
    assert canon(p.compute(scheduler="sync")) == canon(result)


def test_unoptimized_groupby_uses_a_fixed_spill_path(spill_dir: Path) -> None:
    b = db.from_sequence(range(10), npartitions=2).groupby(mod3)
    assert canon(b.compute(scheduler="sync", optimize_graph=False)) == plain_groupby(
        list(range(10)), mod3
    )
    token = b.name.split("-")[-1]
    assert not os.path.exists(SpillPlaceholder(token).path)


def test_groupby_bad_arguments() -> None:
    b = db.from_sequence([1, 2])
    with pytest.raises(ValueError, match="only 'disk'"):
        b.groupby(mod3, method="tasks")
    with pytest.raises(ValueError, match="only 'disk'"):
        b.groupby(mod3, shuffle="p2p")
    with pytest.raises(ValueError, match="positive integer"):
        b.groupby(mod3, npartitions=0)


def _hash_in_worker(part: list[Any]) -> list[int]:
    return [stable_hash(x) for x in part]


def test_stable_hash_is_the_same_in_every_process() -> None:
    values = ["word", ("a", 1), 1.5, None, b"xy", frozenset({1, 2}), ("ç", (2, None))]
    here = [stable_hash(v) for v in values]
    there = db.from_sequence(values, npartitions=2).map_partitions(_hash_in_worker).compute()
    assert here == there
    assert stable_hash(1) == stable_hash(1.0) == stable_hash(True)
    assert stable_hash((1, "a")) == stable_hash((1.0, "a"))
    assert all(stable_hash(v) >= 0 for v in values)


def test_spill_prefix_names_the_directories(spill_dir: Path) -> None:
    from tessera.bag.shuffle import materialize_spill_dirs

    b = db.from_sequence(range(4), npartitions=2).groupby(mod3)
    dsk = materialize_spill_dirs(b.dask)
    made = os.listdir(spill_dir)
    assert len(made) == 1 and made[0].startswith(SPILL_PREFIX)
    del dsk
    assert not os.listdir(spill_dir)


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(-20, 20)), max_size=40),
    st.integers(1, 8),
    st.sampled_from([None, 2, 3]),
)
def test_foldby_matches_plain(data: list[tuple[int, int]], n: int, split_every: Any) -> None:
    b = db.from_sequence(data, npartitions=n)

    def key(t: tuple[int, int]) -> int:
        return t[0]

    def binop(acc: int, t: tuple[int, int]) -> int:
        return acc + t[1]

    got = b.foldby(key, binop, 0, add, split_every=split_every).compute(scheduler="sync")
    assert dict(got) == plain_foldby(data, key, binop, 0) and len(got) == len(dict(got))
    got = b.foldby(0, binop, 0, add, 0).compute(scheduler="threads")
    assert dict(got) == plain_foldby(data, key, binop, 0)
    pairs = b.foldby(key, lambda a, c: a if a[1] >= c[1] else c).compute(scheduler="sync")
    assert dict(pairs) == plain_foldby(data, key, lambda a, c: a if a[1] >= c[1] else c)
    lists = b.foldby(key, lambda acc, t: [*acc, t[1]], list, lambda x, y: x + y, list)
    expected = {k: [t[1] for t in v] for k, v in plain_groupby(data, key).items()}
    got_lists = dict(lists.compute(scheduler="sync"))
    assert {k: sorted(v) for k, v in got_lists.items()} == {
        k: sorted(v) for k, v in expected.items()
    }


def test_foldby_on_processes_and_errors() -> None:
    b = db.from_sequence(range(10), npartitions=3)
    got = dict(b.foldby(lambda x: x % 2 == 0, add).compute())
    assert got == {True: 20, False: 25}
    with pytest.raises(TypeError, match="foldby binop must be a callable"):
        b.foldby(mod3, "add")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="foldby combine must be a callable"):
        b.foldby(mod3, add, combine=3)  # type: ignore[arg-type]
