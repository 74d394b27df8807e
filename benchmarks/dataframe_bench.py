"""Dataframe IO benchmarks: CSV and Parquet into a groupby, tessera vs pandas vs Dask.

Map
---
- :func:`generate` -- the data, written once under :data:`DATA_DIR` and reused:
  ``nfiles`` CSV files and a directory of as many Parquet files, ``rows`` rows in all
  (``k`` int 0..999, ``v`` float, ``w`` int; seeded).
- :data:`CASES` -- each workload as an expression for tessera, plain pandas and Dask.
- :func:`measure` -- run one expression in a fresh interpreter: best-of-``repeat``
  seconds (wall and CPU, all threads), peak resident memory (``VmHWM``) and a checksum
  of the result.
- :func:`run_section` -- the ``dataframe`` benchmark section.

Every side runs in its own subprocess, so its peak memory is its own.  The time covers
building the graph and computing it (reading the files included), best of 3 runs after
one untimed warm-up run (lazy imports, thread pools, the page cache).  The three results
must agree (checksums within 1e-9 relative); a mismatch raises.  Dask runs only when
it is importable here.

Target (the dataframe issue): the CSV groupby takes at most 0.6x the time of plain
pandas (``pd.concat`` of ``pd.read_csv`` per file, then the groupby) on 2 cores.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from benchmarks.overhead import dask_version
from benchmarks.report import Column, Section, number, run_snippet, verdict

__all__ = ["CASES", "DATA_DIR", "Case", "generate", "measure", "run_section"]

#: Where the generated data lives (kept between runs; delete it to regenerate).
DATA_DIR = "/tmp/tessera-dataframe-bench"
SIZES = {"rows": 8_000_000, "files": 8}
QUICK_SIZES = {"rows": 400_000, "files": 8}

_SETUP = {
    "tessera": "import tessera.dataframe as dd",
    "pandas": "import pandas as pd",
    # pandas 3.1+ parses one big CSV file with threads of its own (``mode.max_threads``);
    # this side is the same code held to one thread, the baseline the target
    # was set against (pandas without that option is single-threaded anyway).
    "pandas1": (
        "import pandas as pd\n"
        "try:\n"
        "    pd.set_option('mode.max_threads', 1)\n"
        "except pd.errors.OptionError:\n"
        "    pass"
    ),
    "dask": "import dask.dataframe as dd",
}


@dataclass(frozen=True)
class Case:
    """One workload: an expression per side, over ``{csv}`` (a list) or ``{parquet}``."""

    name: str
    tessera: str
    pandas: str
    dask: str
    target: float | None  # the most tessera may take, as a fraction of pandas' time


CASES = [
    Case(
        "read_csv(8 files).groupby('k').v.mean()",
        "dd.read_csv({csv}).groupby('k').v.mean().compute()",
        "pd.concat([pd.read_csv(p) for p in {csv}]).groupby('k').v.mean()",
        "dd.read_csv({csv}).groupby('k').v.mean().compute()",
        0.6,
    ),
    Case(
        "read_parquet(8 files).groupby('k').v.mean()",
        "dd.read_parquet({parquet!r}).groupby('k').v.mean().compute()",
        "pd.read_parquet({parquet!r}).groupby('k').v.mean()",
        "dd.read_parquet({parquet!r}).groupby('k').v.mean().compute()",
        None,
    ),
]


def generate(rows: int, nfiles: int, seed: int = 0) -> dict[str, Any]:
    """Write (once) the CSV files and the Parquet directory; return their paths."""
    import numpy as np
    import pandas as pd

    folder = os.path.join(DATA_DIR, f"{rows}-{nfiles}")
    csv = [os.path.join(folder, "csv", f"part-{i}.csv") for i in range(nfiles)]
    parquet = os.path.join(folder, "parquet")
    done = os.path.join(folder, "done")
    if not os.path.exists(done):
        os.makedirs(os.path.dirname(csv[0]), exist_ok=True)
        os.makedirs(parquet, exist_ok=True)
        rng = np.random.default_rng(seed)
        per_file = rows // nfiles
        for i, path in enumerate(csv):
            part = pd.DataFrame(
                {
                    "k": rng.integers(0, 1000, per_file),
                    "v": rng.random(per_file),
                    "w": rng.integers(0, 10**6, per_file),
                }
            )
            part.to_csv(path, index=False)
            part.to_parquet(os.path.join(parquet, f"part.{i}.parquet"), index=False)
        with open(done, "w") as f:
            f.write("ok\n")
    return {"csv": csv, "parquet": parquet}


def measure(side: str, expr: str, repeat: int = 3) -> dict[str, Any]:
    """Run ``expr`` (best of ``repeat``) after ``side``'s imports in a fresh interpreter."""
    return run_snippet(
        _SETUP[side],
        expr,
        repeat=repeat,
        warm_up=True,
        check="float(result.sum())",
        label=f"{side} benchmark",
    )


def _row(case: Case, data: dict[str, Any], with_dask: bool) -> dict[str, Any]:
    mine = measure("tessera", case.tessera.format(**data))
    base = measure("pandas", case.pandas.format(**data))
    single = measure("pandas1", case.pandas.format(**data))
    dask = measure("dask", case.dask.format(**data)) if with_dask else None
    for other in (base, single, dask):
        if other is not None and not math.isclose(mine["check"], other["check"], rel_tol=1e-9):
            raise RuntimeError(f"{case.name}: results differ: {mine} vs {other}")
    ratio = mine["seconds"] / base["seconds"]
    return {
        "case": case.name,
        "seconds": mine["seconds"],
        "cpu": mine["cpu"],
        "peak_mb": mine["peak_mb"],
        "pandas_seconds": base["seconds"],
        "pandas_cpu": base["cpu"],
        "pandas_peak_mb": base["peak_mb"],
        "vs_pandas": ratio,
        "pandas1_seconds": single["seconds"],
        "vs_pandas1": mine["seconds"] / single["seconds"],
        "dask_seconds": dask and dask["seconds"],
        "dask_peak_mb": dask and dask["peak_mb"],
        "dask_vs_pandas": dask and dask["seconds"] / base["seconds"],
        "target": "-" if case.target is None else f"<= {case.target}x pandas",
        "passed": None if case.target is None else ratio <= case.target,
    }


def run_section(quick: bool) -> Section:
    """The dataframe IO workloads, side by side."""
    sizes = QUICK_SIZES if quick else SIZES
    data = generate(sizes["rows"], sizes["files"])
    with_dask = dask_version() is not None
    rows = [_row(case, data, with_dask) for case in CASES]
    columns = [
        Column("case", "case"),
        number("s", "seconds", 3),
        number("cpu s", "cpu", 3),
        number("peak MB", "peak_mb", 0),
        number("pandas s", "pandas_seconds", 3),
        number("pandas cpu", "pandas_cpu", 3),
        number("pandas MB", "pandas_peak_mb", 0),
        number("x pandas", "vs_pandas", 2),
        number("pandas 1-thread s", "pandas1_seconds", 3),
        number("x pandas 1-thread", "vs_pandas1", 2),
        number("dask s", "dask_seconds", 3),
        number("dask MB", "dask_peak_mb", 0),
        number("dask x pandas", "dask_vs_pandas", 2),
        Column("target", "target"),
        Column("pass", "passed", verdict),
    ]
    notes = [
        f"{sizes['rows']:,} rows in {sizes['files']} files (k int 0..999, v float, w int) "
        f"under {DATA_DIR}; each side in a fresh interpreter, best of 3 runs after a "
        "warm-up (graph building and reading included); cpu s is the CPU time of all the "
        "process's threads in the fastest run (on a shared machine, wall times above "
        "cpu s / cores mean other load); peak MB is the process's VmHWM",
        "pandas 1-thread: the pandas code with mode.max_threads=1 (pandas 3.1+ otherwise "
        "parses each CSV file with threads of its own); the target is against default pandas",
    ]
    return Section("dataframe", "tessera.dataframe IO workloads", columns, rows, notes)
