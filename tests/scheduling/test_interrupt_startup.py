"""Ctrl-C while a local scheduler starts or feeds a worker: nothing is orphaned or lost.

Pools start their workers lazily, inside the compute that first needs them.  A SIGINT
whose handler runs between "the thread (or process) exists" and "the pool has recorded
it" used to leave a worker running that the pool did not know about (and, for processes,
workers leased to nobody, or a worker holding a batch nobody waits for).

Each test puts the interrupt at one exact point: a patched ``start`` (or ``send_bytes``)
calls ``signal.raise_signal(SIGINT)`` just before or just after the real call.  Python
runs the SIGINT handler inside ``raise_signal`` itself, so the ``KeyboardInterrupt``
happens exactly there, with no sleeps and no timing.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import pytest

from tessera.scheduling import multiprocessing as mp_get
from tessera.scheduling import pool as pool_mod
from tessera.scheduling import threaded
from tessera.scheduling.local import default_num_workers, defer_interrupt
from tests.scheduling.tasks import inc

DSK: dict[Any, Any] = {("x", i): (inc, i) for i in range(8)}
KEYS = list(DSK)
EXPECTED = [i + 1 for i in range(8)]

#: Arm an interrupt: ``arm(cls, method, when, match, nth=1)`` (see :func:`arm`).
Arm = Callable[..., None]


@pytest.fixture
def sigint_default() -> Iterator[None]:
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "handler not restored"
    signal.signal(signal.SIGINT, old)


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch, sigint_default: None) -> Arm:
    """Make the ``nth`` call of ``cls.method`` on a ``match``-ing object raise SIGINT.

    ``when`` is ``"before"`` or ``"after"`` the real call.  Later calls run unchanged.
    """

    def arm_(
        cls: type, method: str, when: str, match: Callable[[Any], bool], nth: int = 1
    ) -> None:
        real = getattr(cls, method)
        seen = [0]

        def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
            fire = match(self) and threading.current_thread() is threading.main_thread()
            if fire:
                seen[0] += 1
                fire = seen[0] == nth
            if fire and when == "before":
                signal.raise_signal(signal.SIGINT)
            out = real(self, *args, **kwargs)
            if fire and when == "after":
                signal.raise_signal(signal.SIGINT)
            return out

        monkeypatch.setattr(cls, method, patched)

    return arm_


@pytest.fixture
def fresh_thread_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Give the threaded scheduler a new shared pool for this test, then shut it down."""
    monkeypatch.setattr(threaded, "_default_pool", None)
    yield
    if threaded._default_pool is not None:
        threaded._default_pool.shutdown(wait=True)


def _is_pool_thread(t: threading.Thread) -> bool:
    return t.name.startswith("tessera-worker")


def _is_temp_thread(t: threading.Thread) -> bool:
    return t.name.startswith("tessera-temp")


def _unknown_threads(
    pool: Any, before: set[threading.Thread], named: Callable[[threading.Thread], bool]
) -> list[threading.Thread]:
    """Threads started during the test that ``pool`` would not join on shutdown.

    ``_threads`` is the set ``ThreadPoolExecutor.shutdown`` joins and sizes the pool by.
    """
    return [
        t for t in threading.enumerate() if t not in before and named(t) and t not in pool._threads
    ]


@pytest.mark.parametrize("when", ["before", "after"])
def test_ctrl_c_while_the_shared_pool_starts_a_thread(
    fresh_thread_pool: None, arm: Arm, when: str
) -> None:
    before = set(threading.enumerate())
    arm(threading.Thread, "start", when, _is_pool_thread)
    with pytest.raises(KeyboardInterrupt):
        threaded.get(DSK, KEYS)
    pool = threaded.default_pool()
    assert _unknown_threads(pool, before, _is_pool_thread) == []
    # the same pool computes again, within its size, and still knows all its threads
    assert threaded.get(DSK, KEYS) == EXPECTED
    assert _unknown_threads(pool, before, _is_pool_thread) == []
    assert len(pool._threads) <= pool._max_workers


@pytest.mark.parametrize("when", ["before", "after"])
def test_ctrl_c_while_a_temporary_pool_starts_a_thread(
    monkeypatch: pytest.MonkeyPatch, arm: Arm, when: str
) -> None:
    num_workers = default_num_workers() + 1  # not the default: a temporary pool
    backends: list[threaded.ThreadBackend] = []

    def thread_backend(*args: Any) -> threaded.ThreadBackend:
        backends.append(real(*args))
        return backends[-1]

    real = threaded.thread_backend
    monkeypatch.setattr(threaded, "thread_backend", thread_backend)
    before = set(threading.enumerate())
    arm(threading.Thread, "start", when, _is_temp_thread)
    with pytest.raises(KeyboardInterrupt):
        threaded.get(DSK, KEYS, num_workers=num_workers)
    temp = backends[0].executor
    assert _unknown_threads(temp, before, _is_temp_thread) == []
    with pytest.raises(RuntimeError, match="shutdown"):  # the compute shut its pool down
        temp.submit(inc, 1)
    assert threaded.get(DSK, KEYS, num_workers=num_workers) == EXPECTED


@pytest.fixture
def fresh_process_pools(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Give the process scheduler new pools for this test; stop them (and strays) after."""
    before = set(multiprocessing.active_children())
    pools: dict[str, Any] = {}
    monkeypatch.setattr(pool_mod, "_pools", pools)
    yield pools
    for pool in pools.values():
        pool.shutdown()
    for p in set(multiprocessing.active_children()) - before:  # orphans, if any
        p.kill()
        p.join()


def _is_worker_process(p: BaseProcess) -> bool:
    return p.name == "tessera-worker"


def _check_pool(pool: Any, before: set[BaseProcess]) -> None:
    """Every process started since ``before`` is the pool's, and none is lost in a lease."""
    started = {p for p in multiprocessing.active_children() if p not in before}
    assert started <= {w.proc for w in pool.workers}, "a worker process outside the pool"
    assert set(pool.idle) == pool.workers, "workers leased to a compute that has ended"


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("nth", [1, 2])
def test_ctrl_c_while_the_process_pool_starts_a_worker(
    fresh_process_pools: dict[str, Any], arm: Arm, when: str, nth: int
) -> None:
    before = set(multiprocessing.active_children())
    # nth=2: the first worker is already started and leased when the second one starts
    arm(BaseProcess, "start", when, _is_worker_process, nth)
    with pytest.raises(KeyboardInterrupt):
        mp_get.get(DSK, KEYS, num_workers=2, context="spawn")
    pool = fresh_process_pools["spawn"]
    _check_pool(pool, before)
    assert mp_get.get(DSK, KEYS, num_workers=2, context="spawn") == EXPECTED
    _check_pool(pool, before)


def test_ctrl_c_while_sending_a_batch_to_a_worker(
    fresh_process_pools: dict[str, Any], arm: Arm
) -> None:
    before = set(multiprocessing.active_children())
    # the worker has the batch, but the interrupt comes before the pool notes it is busy
    arm(Connection, "send_bytes", "after", lambda c: True)
    with pytest.raises(KeyboardInterrupt):
        mp_get.get({"x": (inc, 1)}, "x", num_workers=1, context="spawn")
    _check_pool(fresh_process_pools["spawn"], before)
    # a worker still holding the old batch's answer must not serve this compute
    assert mp_get.get({"y": (inc, 10)}, "y", num_workers=1, context="spawn") == 11


def test_defer_interrupt_calls_the_users_handler_once_at_the_end() -> None:
    calls: list[int] = []
    old = signal.signal(signal.SIGINT, lambda signum, frame: calls.append(signum))
    try:
        with defer_interrupt():
            with defer_interrupt():  # nested: the outer block delivers
                signal.raise_signal(signal.SIGINT)
                signal.raise_signal(signal.SIGINT)
            assert calls == []
        assert calls == [signal.SIGINT]
        with defer_interrupt():
            pass
        assert calls == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, old)
