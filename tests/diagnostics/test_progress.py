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


def test_per_task_cost_is_an_increment_and_a_clock_read() -> None:
    out = io.StringIO()
    pbar = ProgressBar(out=out, dt=3600, use_tqdm=False)
    pbar._start({})
    for _ in range(1000):
        pbar._posttask("k", None, {}, None, 0)
    assert pbar._done == 1000
    assert out.getvalue() == ""


@pytest.mark.parametrize("name", sorted(GETS))
def test_tqdm_bar(name: str) -> None:
    pytest.importorskip("tqdm")
    out = io.StringIO()
    with ProgressBar(out=out, dt=0, use_tqdm=True):
        GETS[name](chain_and_fan(4), "total")
    text = out.getvalue()
    assert "13/13" in text and "100%" in text
    assert text.endswith("\n")


def test_tqdm_bar_on_failure_stops_short_of_100() -> None:
    pytest.importorskip("tqdm")
    out = io.StringIO()
    dsk = {"a": 1, "b": (inc, "a"), "c": (fail, "b"), "d": (inc, "c")}
    with ProgressBar(out=out, use_tqdm=True), pytest.raises(ZeroDivisionError):
        synchronous.get(dsk, "d")
    text = out.getvalue()
    assert "2/4" in text and "100%" not in text
