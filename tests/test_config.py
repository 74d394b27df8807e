"""Configuration: get/set, context manager and global, key spellings, scheduler choice."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tessera import config


@pytest.fixture(autouse=True)
def fresh_config() -> Iterator[None]:
    config.refresh()
    yield
    config.refresh()


def test_defaults() -> None:
    assert config.get("scheduler") is None
    assert config.get("multiprocessing.context") == "spawn"
    assert config.get("missing", "fallback") == "fallback"
    with pytest.raises(KeyError, match=r"config\.get\('missing', None\)"):
        config.get("missing")


def test_set_as_context_manager_restores() -> None:
    with config.set(scheduler="processes", num_workers=3):
        assert config.get("scheduler") == "processes"
        assert config.get("num-workers") == 3 == config.get("num_workers")
        with config.set(scheduler="sync"):
            assert config.get("scheduler") == "sync"
        assert config.get("scheduler") == "processes"
    assert config.get("scheduler") is None and config.get("num_workers") is None


def test_set_globally() -> None:
    config.set(scheduler="threads")
    assert config.get("scheduler") == "threads"


def test_nested_dicts_and_double_underscore() -> None:
    with config.set({"multiprocessing": {"context": "forkserver"}}):
        assert config.get("multiprocessing.context") == "forkserver"
    with config.set(multiprocessing__context="fork", array__chunk_size="1MiB"):
        assert config.get("multiprocessing.context") == "fork"
        assert config.get("array.chunk-size") == "1MiB"
    assert config.get("multiprocessing") == {"context": "spawn"}


def test_new_keys_are_removed_on_exit() -> None:
    with config.set({"my.option": 1}):
        assert config.get("my.option") == 1
    assert config.get("my.option", None) is None


def test_bad_argument() -> None:
    with pytest.raises(TypeError, match="expects a mapping"):
        config.set(["scheduler", "sync"])  # type: ignore[arg-type]


def test_pool_from_config_runs_threaded_computes() -> None:
    from tessera.scheduling import threaded

    seen = []

    def who(x: int) -> int:
        import threading

        seen.append(threading.current_thread().name)
        return x

    with (
        ThreadPoolExecutor(2, thread_name_prefix="tessera-test-config") as ex,
        config.set(pool=ex),
    ):
        assert threaded.get({"a": (who, 1)}, "a") == 1
    assert seen and seen[0].startswith("tessera-test-config")


def test_context_from_config_reaches_the_process_pool() -> None:
    from tessera.scheduling import multiprocessing as mp_get
    from tessera.scheduling.pool import _pools

    with config.set({"multiprocessing.context": "forkserver"}):
        assert mp_get.get({"a": (abs, -3)}, "a") == 3
    assert "forkserver" in _pools
    with config.set({"multiprocessing.context": "nonsense"}), pytest.raises(ValueError) as info:
        mp_get.get({"a": 1}, "a")
    assert "'nonsense'" in str(info.value) and "spawn" in str(info.value)
