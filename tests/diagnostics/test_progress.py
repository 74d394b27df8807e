"""ProgressBar: the built-in text bar, the tqdm bar, rate limits and failure behaviour."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from tessera.diagnostics import ProgressBar
from tessera.diagnostics import progress as progress_mod
from tessera.scheduling import multiprocessing, synchronous, threaded
from tests.diagnostics.tasks import chain_and_fan, fail, inc

GETS: dict[str, Callable[..., Any]] = {
    "sync": synchronous.get,
    "threads": threaded.get,
    "processes": multiprocessing.get,
}


def lines(out: io.StringIO) -> list[str]:
    """The successive states the bar was drawn in."""
    return [part.rstrip("\n") for part in out.getvalue().split("\r") if part]


@pytest.mark.parametrize("name", sorted(GETS))
def test_text_bar_ends_at_100_percent_on_every_scheduler(name: str) -> None:
    out = io.StringIO()
    dsk = chain_and_fan(5)
    with ProgressBar(out=out, use_tqdm=False) as pbar:
        assert GETS[name](dsk, "total") == sum(i + 2 for i in range(5))
    text = out.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1
    last = lines(out)[-1]
    assert last.startswith("[" + "#" * 40 + "] | 100% Completed | 16/16 tasks | ")
    assert "ETA" not in last
    assert pbar.last_line == last


def test_default_uses_text_bar_when_tqdm_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_mod, "_tqdm_class", lambda: None)
    out = io.StringIO()
    with ProgressBar(out=out):
        synchronous.get({"a": 1, "b": (inc, "a")}, "b")
    assert "100% Completed | 2/2 tasks" in out.getvalue()
    with pytest.raises(ImportError, match=r"tessera\[complete\]"):
        ProgressBar(use_tqdm=True)


def test_default_output_is_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    with ProgressBar(use_tqdm=False):
        synchronous.get({"a": 1}, "a")
    assert "100% Completed | 1/1 tasks" in capsys.readouterr().out


def test_dt_zero_draws_after_every_task_with_an_eta() -> None:
    out = io.StringIO()
    dsk = {("a", i): (inc, i) for i in range(4)}
    with ProgressBar(out=out, dt=0, use_tqdm=False):
        synchronous.get(dsk, list(dsk))
    drawn = lines(out)
    assert len(drawn) == 5  # one per task, then the final line
    assert [d.split(" | ")[2] for d in drawn] == [f"{k}/4 tasks" for k in (1, 2, 3, 4, 4)]
    assert " | ETA " in drawn[0] and "25%" in drawn[0]
    assert "ETA" not in drawn[-1]


def test_rate_limit_draws_nothing_mid_compute_for_fast_graphs() -> None:
    out = io.StringIO()
    with ProgressBar(out=out, dt=3600, use_tqdm=False):
        synchronous.get(chain_and_fan(20), "total")
    assert len(lines(out)) == 1


def test_minimum_silences_short_computes() -> None:
    out = io.StringIO()
    with ProgressBar(minimum=3600, out=out, use_tqdm=False):
        synchronous.get(chain_and_fan(3), "total")
    assert out.getvalue() == ""


def test_failure_leaves_the_bar_where_it_stood() -> None:
    out = io.StringIO()
    dsk = {"a": 1, "b": (inc, "a"), "c": (fail, "b"), "d": (inc, "c")}
    with ProgressBar(out=out, use_tqdm=False), pytest.raises(ZeroDivisionError):
        synchronous.get(dsk, "d")
    last = lines(out)[-1]
    assert "|  50% Completed | 2/4 tasks |" in last
    assert out.getvalue().endswith("\n")


def test_nothing_printed_after_the_compute_or_outside_the_block() -> None:
    out = io.StringIO()
    pbar = ProgressBar(out=out, use_tqdm=False)
    with pbar:
        threaded.get({"a": (inc, 1)}, "a")
    after = out.getvalue()
    threaded.get({"a": (inc, 1)}, "a")
    assert out.getvalue() == after


def test_register_globally_and_reuse() -> None:
    out = io.StringIO()
    pbar = ProgressBar(out=out, use_tqdm=False)
    pbar.register()
    try:
        synchronous.get({"a": 1}, "a")
        threaded.get({"a": 1, "b": (inc, "a"), "c": (inc, "b")}, "c")
    finally:
        pbar.unregister()
    finals = [line for line in out.getvalue().split("\n") if line]
    assert len(finals) == 2
    assert "1/1 tasks" in finals[0] and "3/3 tasks" in finals[1]


@pytest.mark.parametrize("kwargs", [{"dt": -1}, {"minimum": -0.5}])
def test_bad_arguments(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="ProgressBar needs"):
        ProgressBar(**kwargs)


def test_per_task_work_is_bookkeeping_only() -> None:
    out = io.StringIO()
    pbar = ProgressBar(out=out, dt=3600, use_tqdm=False)
    pbar._start({("inc-1234abcd", i): None for i in range(1000)})
    for i in range(1000):
        pbar._task_time(("inc-1234abcd", i), {}, 1.0, 1.5, 0)
        pbar._posttask(("inc-1234abcd", i), None, {}, None, 0)
    assert pbar._done == 1000
    assert pbar._eta.groups == ["inc"] and pbar._eta.done == [1000]
    assert pbar._eta.busy == [500.0] and pbar._eta.left == [0]
    assert out.getvalue() == ""


class FakeClock:
    """Stands in for the ``time`` module of progress.py: the test sets the time."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


def test_eta_is_priced_per_task_group(monkeypatch: pytest.MonkeyPatch) -> None:
    """4 slow loads then 4 fast sums: the ETA after the loads is the sums' cost, not half."""
    clock = FakeClock()
    monkeypatch.setattr(progress_mod, "time", clock)
    out = io.StringIO()
    keys = [("load-1234abcd", i) for i in range(4)] + [("sum-1234abcd", i) for i in range(4)]
    pbar = ProgressBar(out=out, dt=0, use_tqdm=False)
    pbar._start(dict.fromkeys(keys))
    for k in keys[:4]:  # each load: 2 s of work; one worker: 2 s of wall time each
        clock.now += 2.0
        pbar._task_time(k, {}, 0.0, 2.0, 0)
    assert pbar.last_line.endswith("| 8.0s | ETA 8.0s")  # loads' cost for the unknown sums
    clock.now += 0.01
    pbar._task_time(keys[4], {}, 0.0, 0.01, 0)  # the first sum: fast
    # 3 sums left at 0.01 s each: 0.03 s of work, at the observed 8.01 s per 8.01 s of work
    assert pbar.last_line.endswith("| ETA 0.0s")
    assert "5/8 tasks" in pbar.last_line


def test_eta_in_the_text_bar_for_a_real_compute() -> None:
    out = io.StringIO()
    with ProgressBar(out=out, dt=0, use_tqdm=False):
        synchronous.get(chain_and_fan(5), "total")
    drawn = lines(out)
    assert all(" | ETA " in d for d in drawn[:-2])  # every line before the end has one
    assert "ETA" not in drawn[-1]


def test_finished_compute_counts_only_tasks_that_ran() -> None:
    out = io.StringIO()
    dsk = {"a": 1, "b": (inc, "a"), "unused": (inc, "a")}
    with ProgressBar(out=out, use_tqdm=False) as pbar:
        synchronous.get(dsk, "b")
    assert "100% Completed | 2/2 tasks" in pbar.last_line


@pytest.mark.parametrize("name", sorted(GETS))
def test_tqdm_bar(name: str) -> None:
    pytest.importorskip("tqdm")
    out = io.StringIO()
    with ProgressBar(out=out, dt=0, use_tqdm=True):
        GETS[name](chain_and_fan(4), "total")
    text = out.getvalue()
    assert "13/13" in text and "100%" in text
    assert ", ETA " in text  # tessera's per-group ETA replaces tqdm's linear one
    assert text.endswith("\n")
    after = out.getvalue()
    GETS[name](chain_and_fan(4), "total")
    assert out.getvalue() == after  # nothing written once the compute is over


def test_tqdm_bar_on_failure_stops_short_of_100() -> None:
    pytest.importorskip("tqdm")
    out = io.StringIO()
    dsk = {"a": 1, "b": (inc, "a"), "c": (fail, "b"), "d": (inc, "c")}
    with ProgressBar(out=out, use_tqdm=True), pytest.raises(ZeroDivisionError):
        synchronous.get(dsk, "d")
    text = out.getvalue()
    assert "2/4" in text and "100%" not in text
