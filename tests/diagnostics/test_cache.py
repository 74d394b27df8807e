"""CacheProfiler: every result measured once, held from its task's end to its last use."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pytest

from tessera.diagnostics import CacheData, CacheProfiler
from tessera.diagnostics.cache import default_metric
from tessera.scheduling import synchronous
from tests.diagnostics.tasks import chain_and_fan, fail, inc


def test_cache_data_has_dasks_field_names() -> None:
    assert CacheData._fields == ("key", "task", "metric", "cache_time", "free_time")


def test_every_result_recorded_once_and_freed_after_its_last_use(get: Any) -> None:
    dsk = chain_and_fan(6)
    with CacheProfiler() as cprof:
        get(dsk, "total")
    rec = {r.key: r for r in cprof.results}
    assert len(rec) == len(cprof.results) == len(dsk)
    for r in cprof.results:
        assert r.task == dsk[r.key]
        assert r.cache_time <= r.free_time
        assert r.metric > 0
    for i in range(6):  # x_i is freed when y_i (its only dependent) is reported
        assert rec[("y", i)].cache_time == rec[("x", i)].free_time
        assert rec[("z", i)].free_time >= rec["total"].cache_time
    assert rec["total"].free_time >= max(r.cache_time for r in cprof.results)


def test_default_metric_is_nbytes_or_getsizeof() -> None:
    assert default_metric(np.zeros(5)) == 40
    assert default_metric("abc") == sys.getsizeof("abc")
    dsk = {"a": (np.ones, 100), "n": (len, "a")}
    with CacheProfiler() as cprof:
        synchronous.get(dsk, "n")
    sizes = {r.key: r.metric for r in cprof.results}
    assert sizes == {"a": 800, "n": sys.getsizeof(100)}
    assert cprof.metric_name == "bytes"


def test_custom_metric_and_name() -> None:
    with CacheProfiler(metric=len) as cprof:
        synchronous.get({"a": (list, "xyz"), "b": (list, "a")}, "b")
    assert [(r.key, r.metric) for r in cprof.results] == [("a", 3), ("b", 3)]
    assert cprof.metric_name == "len"
    assert CacheProfiler(metric=len, metric_name="items").metric_name == "items"


def test_failure_frees_what_was_held() -> None:
    with CacheProfiler() as cprof, pytest.raises(ZeroDivisionError):
        synchronous.get({"a": 1, "b": (inc, "a"), "c": (fail, "b")}, "c")
    assert sorted(r.key for r in cprof.results) == ["a", "b"]
    assert cprof._held == {}


def test_bad_metric() -> None:
    with pytest.raises(TypeError, match="must be a callable"):
        CacheProfiler(metric=3)  # type: ignore[arg-type]


def test_clear_on_enter() -> None:
    cprof = CacheProfiler()
    with cprof:
        synchronous.get({"a": 1}, "a")
    with cprof:
        synchronous.get({"b": 1}, "b")
    assert [r.key for r in cprof.results] == ["b"]
