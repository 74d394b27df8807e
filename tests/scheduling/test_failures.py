"""Failures that only some schedulers can have: dead workers, Ctrl-C, remote tracebacks."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tessera.errors import RemoteTraceback, WorkerDiedError
from tessera.scheduling import multiprocessing as mp_get
from tessera.scheduling import threaded
from tests.scheduling.tasks import exit_process, inc, kill_self, pid, raise_custom, segfault


@pytest.mark.parametrize("task", [exit_process, kill_self, segfault])
def test_dead_worker_names_the_task_and_the_pool_recovers(task: Any) -> None:
    dsk = {"a": 3, "victim": (task, "a"), "ok": (inc, "a")}
    with pytest.raises(WorkerDiedError, match="while running task 'victim'") as info:
        mp_get.get(dsk, ["victim", "ok"], num_workers=2)
    assert info.value.keys == ["victim"]
    assert mp_get.get(dsk, "ok") == 4
    assert mp_get.get({("x", i): (inc, i) for i in range(50)}, ("x", 49)) == 50


def test_remote_traceback_is_attached() -> None:
    from tests.scheduling.tasks import CustomError

    with pytest.raises(CustomError) as info:
        mp_get.get({"x": (raise_custom, 5)}, "x")
    cause = info.value.__cause__
    assert isinstance(cause, RemoteTraceback)
    assert "raise_custom" in str(cause) and "custom 5" in str(cause)


def test_pool_is_kept_warm_between_computes() -> None:
    first = set(mp_get.get({("p", i): (pid, i) for i in range(20)}, [("p", i) for i in range(20)]))
    second = set(
        mp_get.get({("q", i): (pid, i) for i in range(20)}, [("q", i) for i in range(20)])
    )
    assert first & second, "the second compute should reuse worker processes"
    assert os.getpid() not in first


#: Which thread receives the SIGINT.  A user's Ctrl-C is a process-directed signal: the
#: kernel may deliver it to any thread, and even one sent to the main thread can land just
#: as it starts a C-level wait, before the wait can notice it.  Python runs the handler in
#: the main thread only when that thread next runs bytecode, so a scheduler whose main
#: thread blocks without a timeout never raises the KeyboardInterrupt (the test hangs).
RECEIVERS = ["main-thread", "other-thread"]


def _interrupt_when(
    started: threading.Event, give_up: threading.Event, receiver: str
) -> threading.Thread:
    """Send SIGINT to ``receiver`` once ``started`` is set (not if ``give_up`` is)."""
    main = threading.main_thread().ident
    assert main is not None

    def fire() -> None:
        started.wait()
        if not give_up.is_set():
            target = main if receiver == "main-thread" else threading.get_ident()
            signal.pthread_kill(target, signal.SIGINT)

    t = threading.Thread(target=fire, name="tessera-test-interrupter")
    t.start()
    return t


@pytest.fixture
def sigint_default() -> Iterator[None]:
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)


@pytest.mark.parametrize("receiver", RECEIVERS)
def test_ctrl_c_with_threads_stops_promptly(sigint_default: None, receiver: str) -> None:
    started, release = threading.Event(), threading.Event()
    running: list[int] = []
    ran: list[int] = []

    def blocker(x: int) -> int:
        running.append(x)
        if len(running) >= 2:  # both workers busy: the compute now waits for a result
            started.set()
        release.wait()
        ran.append(x)
        return x

    dsk: dict[Any, Any] = {("t", i): (blocker, i) for i in range(100)}
    give_up = threading.Event()
    t = _interrupt_when(started, give_up, receiver)
    try:
        with pytest.raises(KeyboardInterrupt):
            threaded.get(dsk, list(dsk), num_workers=2)
    finally:
        release.set()
        give_up.set()  # if no task ever started, let the interrupter end quietly
        started.set()
        t.join()
    # the pool is free again, and at most the batches in flight (2 per worker) ran
    assert threaded.get({"x": (inc, 1)}, "x") == 2
    assert len(ran) <= 4


@pytest.mark.parametrize("receiver", RECEIVERS)
def test_ctrl_c_with_processes_kills_busy_workers(
    sigint_default: None, tmp_path: Any, receiver: str
) -> None:
    fifo = str(tmp_path / "started")
    os.mkfifo(fifo)
    started, give_up = threading.Event(), threading.Event()
    pids: list[int] = []

    def watch() -> None:
        with open(fifo) as f:
            line = f.readline()
        if line:
            pids.append(int(line))
        started.set()

    watcher = threading.Thread(target=watch, name="tessera-test-watcher")
    watcher.start()
    t = _interrupt_when(started, give_up, receiver)
    try:
        with pytest.raises(KeyboardInterrupt):
            mp_get.get({"x": (_announce_then_block, fifo)}, "x")
    finally:
        give_up.set()  # whatever happened, end the helper threads without an interrupt
        if watcher.is_alive():  # the task never ran: release the watcher
            with open(fifo, "w"):
                pass
        watcher.join()
        t.join()
    import multiprocessing

    assert pids and pids[0] not in {p.pid for p in multiprocessing.active_children()}
    assert mp_get.get({"x": (inc, 1)}, "x") == 2


def _announce_then_block(path: str) -> None:
    with open(path, "w") as f:
        f.write(f"{os.getpid()}\n")
    threading.Event().wait()
