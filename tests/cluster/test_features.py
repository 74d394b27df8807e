"""What both cluster schedulers promise: persist, errors, large literals, fused chains."""

from __future__ import annotations

from operator import add
from typing import Any

import numpy as np
import pytest

import tessera
import tessera.array as da
from tessera.array.testing import assert_eq
from tessera.errors import RemoteTraceback
from tests.scheduling.tasks import CustomError, inc, raise_custom


def _is_handle(x: object) -> bool:
    return type(x).__name__ in ("Future", "ObjectRef")


def test_persist_keeps_results_on_the_cluster(cluster: Any) -> None:
    x = np.arange(40.0)
    d = (da.from_array(x, chunks=10) + 1) * 2
    p = d.persist(scheduler=cluster)
    graph = p.__tessera_graph__()
    assert len(graph) == 4 and all(_is_handle(v) for v in graph.values())
    # later computes start from the handles: no task of d is left to run
    assert_eq(p, (x + 1) * 2, scheduler=cluster)
    assert_eq(p.sum() + p.max(), ((x + 1) * 2).sum() + ((x + 1) * 2).max(), scheduler=cluster)


def test_persist_several_collections_shares_work(cluster: Any) -> None:
    x = np.arange(30)
    d = da.from_array(x, chunks=7) + 1
    y, z = tessera.persist(d.sum(), d.max(), scheduler=cluster)
    assert all(_is_handle(v) for v in {**y.__tessera_graph__(), **z.__tessera_graph__()}.values())
    assert tessera.compute(y, z, scheduler=cluster) == ((x + 1).sum(), (x + 1).max())


def test_user_exception_carries_the_worker_traceback(get: Any) -> None:
    with pytest.raises(CustomError, match="custom 2") as info:
        get({"a": 1, "b": (inc, "a"), "c": (raise_custom, "b")}, "c")
    cause = info.value.__cause__
    assert isinstance(cause, RemoteTraceback)
    assert "raise_custom" in cause.tb and "CustomError: custom 2" in cause.tb
    assert info.value.__notes__ == ["while computing task 'c'"]


def test_large_literals(get: Any) -> None:
    big = np.arange(200_000)  # 1.6 MB, used by three tasks: uploaded once (test_remote.py)
    dsk = {"s": (np.sum, big), "m": (np.max, [big]), "n": (len, big), "all": (add, "s", "n")}
    assert get(dsk, ["all", "m"]) == [big.sum() + len(big), big.max()]
    assert get(dsk, "n", scatter_threshold=10**9) == len(big)


def test_chains_and_persisted_handles_inside_fused_tasks(cluster: Any) -> None:
    x = np.arange(12.0)
    p = da.from_array(x, chunks=4).persist(scheduler=cluster)
    assert all(_is_handle(v) for v in p.__tessera_graph__().values())
    # (p + 1) * 3 fuses each chunk's chain, whose first link is a persisted handle
    assert_eq(((p + 1) * 3).sum(), ((x + 1) * 3).sum(), scheduler=cluster)
