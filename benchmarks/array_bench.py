"""Array benchmarks: the issue's four workloads, tessera vs NumPy vs Dask, with peak memory.

Map
---
- :data:`CASES` -- each workload as code snippets for tessera, plain NumPy and Dask.
- :func:`measure` -- run one snippet in a fresh interpreter; seconds and peak RSS.
- :func:`run_array` -- the ``array`` benchmark section.

Every snippet runs in its own subprocess, so the peak resident memory it reports
(``VmHWM`` from ``/proc/self/status``; threads share the process) belongs to that
workload alone.  The time
covers building the graph and computing it (data generation included on every side),
best of :attr:`Case.repeat` runs in the same interpreter.
Dask runs only when it is importable in this interpreter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.overhead import dask_version
from benchmarks.report import Column, Section, number, run_snippet, verdict

__all__ = ["CASES", "Case", "measure", "run_array"]


@dataclass(frozen=True)
class Case:
    """One workload: ``expr`` for each side (``{n}`` etc. filled from ``sizes``)."""

    name: str
    tessera: str
    numpy: str | None
    dask: str
    target: str
    sizes: dict[str, int]
    quick_sizes: dict[str, int]
    repeat: int = 3


CASES = [
    Case(
        "arange(N).sum()",
        "da.arange({n}, chunks={c}).sum().compute()",
        "np.arange({n}).sum()",
        "da.arange({n}, chunks={c}).sum().compute()",
        "<= 0.8x dask",
        {"n": 400_000_000, "c": 10_000_000},
        {"n": 4_000_000, "c": 100_000},
    ),
    Case(
        "(a + a.T).mean(axis=0)",
        "(lambda a: (a + a.T).mean(axis=0))(da.random.random(({n}, {n}), chunks=({c}, {c})))"
        ".compute()",
        "(lambda a: (a + a.T).mean(axis=0))(np.random.default_rng(0).random(({n}, {n})))",
        "(lambda a: (a + a.T).mean(axis=0))(da.random.random(({n}, {n}), chunks=({c}, {c})))"
        ".compute()",
        "<= 0.8x dask",
        {"n": 20_000, "c": 2_000},
        {"n": 2_000, "c": 200},
    ),
    Case(
        "compute((x+1).sum(), (x+1).mean())",
        "(lambda x: da.compute((x + 1).sum(), (x + 1).mean()))(da.arange({n}, chunks={c}))",
        "(lambda y: (y.sum(), y.mean()))(np.arange({n}) + 1)",
        "(lambda x: da.compute((x + 1).sum(), (x + 1).mean()))(da.arange({n}, chunks={c}))",
        "<= 1.0x numpy",
        {"n": 200_000_000, "c": 10_000_000},
        {"n": 2_000_000, "c": 100_000},
    ),
    Case(
        "out of core: random((200k, 20k)).mean()",
        "da.random.random(({r}, {k}), chunks=({cr}, {ck})).mean().compute()",
        None,
        "da.random.random(({r}, {k}), chunks=({cr}, {ck})).mean().compute()",
        "peak < 1 GB",
        {"r": 200_000, "k": 20_000, "cr": 10_000, "ck": 2_000},
        {"r": 20_000, "k": 2_000, "cr": 1_000, "ck": 200},
        repeat=1,
    ),
]

_SETUP = {
    "tessera": "import tessera.array as da",
    "numpy": "import numpy as np",
    "dask": "import dask, dask.array as da",
}


def measure(side: str, expr: str, repeat: int = 1) -> dict[str, Any]:
    """Run ``expr`` (best of ``repeat``) after ``side``'s imports in a fresh interpreter."""
    return run_snippet(_SETUP[side], expr, repeat=repeat, label=f"{side} benchmark")


def _passed(case: Case, mine: dict[str, Any], base: Any, dask: Any) -> bool | None:
    if case.target.startswith("peak"):
        return bool(mine["peak_mb"] < 1024)
    if case.target.endswith("dask"):
        return None if dask is None else bool(mine["seconds"] <= 0.8 * dask["seconds"])
    return bool(mine["seconds"] <= base["seconds"])


def _row(case: Case, quick: bool, with_dask: bool) -> dict[str, Any]:
    sizes = case.quick_sizes if quick else case.sizes
    mine = measure("tessera", case.tessera.format(**sizes), case.repeat)
    base = measure("numpy", case.numpy.format(**sizes), case.repeat) if case.numpy else None
    dask = measure("dask", case.dask.format(**sizes), case.repeat) if with_dask else None
    return {
        "case": case.name,
        "seconds": mine["seconds"],
        "peak_mb": mine["peak_mb"],
        "numpy_seconds": base and base["seconds"],
        "numpy_peak_mb": base and base["peak_mb"],
        "vs_numpy": base and mine["seconds"] / base["seconds"],
        "dask_seconds": dask and dask["seconds"],
        "dask_peak_mb": dask and dask["peak_mb"],
        "vs_dask": dask and mine["seconds"] / dask["seconds"],
        "target": case.target,
        "passed": _passed(case, mine, base, dask),
    }


def run_array(quick: bool) -> Section:
    """The four array workloads of the array issue, side by side."""
    with_dask = dask_version() is not None
    rows = [_row(case, quick, with_dask) for case in CASES]
    columns = [
        Column("case", "case"),
        number("s", "seconds", 2),
        number("peak MB", "peak_mb", 0),
        number("numpy s", "numpy_seconds", 2),
        number("numpy MB", "numpy_peak_mb", 0),
        number("x numpy", "vs_numpy", 2),
        number("dask s", "dask_seconds", 2),
        number("dask MB", "dask_peak_mb", 0),
        number("x dask", "vs_dask", 2),
        Column("target", "target"),
        Column("pass", "passed", verdict),
    ]
    notes = [
        "each side runs in a fresh interpreter: best of 3 runs (1 for out of core), each "
        "building and computing the expression; peak MB is the process's peak resident set "
        "size (VmHWM)",
    ]
    return Section("array", "tessera.array workloads", columns, rows, notes)
