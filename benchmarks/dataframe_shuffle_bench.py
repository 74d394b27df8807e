"""Dataframe shuffle benchmarks: merge and set_index, tessera vs pandas vs Dask, peak memory.

Map
---
- :func:`generate` -- the data, written once under :data:`DATA_DIR` and reused: a *big*
  table of ``rows`` rows in ``files`` Parquet files (``k`` int 0..``keys``-1, ``v``
  float, ``w`` int) and a *small* table of ``keys`` rows (``k`` unique, ``x`` float),
  as one Parquet file and as ``files // 2`` files; seeded.
- :data:`CASES` -- the workloads, each an expression for tessera, plain pandas and Dask
  plus a checksum of its result:

  ``merge, broadcast``
      ``big.merge(small, on="k").x.sum()`` with the small table in one partition (a
      broadcast join);
  ``merge, hash shuffle``
      the same with the small table in several partitions and ``broadcast=False``:
      both sides go through the disk shuffle;
  ``set_index``
      ``big.set_index("v")``, computed in full (quantiles, range shuffle, sort).

- :func:`measure` -- run one expression in a fresh interpreter: best-of-3 seconds, peak
  resident memory (``VmHWM``, this process only) and the checksum.
- :func:`run_section` -- the ``dataframe-shuffle`` benchmark section.

tessera reads each file in its own task with pandas (a frame of file numbers mapped with
``pd.read_parquet``), so the time covers reading, building the graph and computing on
the default scheduler (threads); plain pandas reads every file and concatenates them;
Dask uses ``dd.read_parquet`` and its default scheduler.  The checksums must agree.
Dask runs only when it is importable here; tessera never imports it.

Run: ``python -m benchmarks --only dataframe-shuffle`` (``--quick`` for small data).
"""

from __future__ import annotations

import glob
import math
import os
import sys
from dataclasses import dataclass
from typing import Any

from benchmarks.overhead import dask_version
from benchmarks.report import Column, Section, number, run_snippet

__all__ = ["CASES", "DATA_DIR", "Case", "generate", "measure", "run_section"]

#: Where the generated data lives (kept between runs; delete it to regenerate).
DATA_DIR = "/tmp/tessera-shuffle-bench"
SIZES = {"rows": 8_000_000, "keys": 1_000_000, "files": 8}
QUICK_SIZES = {"rows": 400_000, "keys": 50_000, "files": 8}
REPEAT = 3

_SETUP = {
    "tessera": """
import pandas as pd
import tessera.dataframe as dd
def load(files):
    numbers = dd.from_dict({"i": range(len(files))}, npartitions=len(files))
    meta = pd.read_parquet(files[0]).iloc[:0]
    return numbers.map_partitions(
        lambda d: pd.read_parquet(files[int(d.i.iloc[0])]), meta=meta
    )
""",
    "pandas": """
import pandas as pd
def load(files):
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
""",
    "dask": """
import dask.dataframe as dd
def load(files):
    return dd.read_parquet(files)
""",
}


@dataclass(frozen=True)
class Case:
    """One workload: an expression per side over ``{big}``, ``{small}``, ``{small_parts}``
    (lists of files) and a checksum expression of ``result``."""

    name: str
    tessera: str
    pandas: str
    dask: str
    check: str


_MERGE_CHECK = "result"
_INDEX_CHECK = "result.w.iloc[::1000].sum() + result.index[::1000].to_numpy().sum()"

CASES = [
    Case(
        "big.merge(small, on=k), broadcast",
        "load({big}).merge(load({small}), on='k').x.sum().compute()",
        "load({big}).merge(load({small}), on='k').x.sum()",
        "load({big}).merge(load({small}), on='k').x.sum().compute()",
        _MERGE_CHECK,
    ),
    Case(
        "big.merge(small, on=k), hash shuffle",
        "load({big}).merge(load({small_parts}), on='k', broadcast=False).x.sum().compute()",
        "load({big}).merge(load({small_parts}), on='k').x.sum()",
        "load({big}).merge(load({small_parts}), on='k', broadcast=False).x.sum().compute()",
        _MERGE_CHECK,
    ),
    Case(
        "big.set_index('v')",
        "load({big}).set_index('v').compute()",
        "load({big}).set_index('v').sort_index()",
        "load({big}).set_index('v').compute()",
        _INDEX_CHECK,
    ),
]


def generate(rows: int, keys: int, nfiles: int, seed: int = 0) -> dict[str, list[str]]:
    """Write (once) the big and small tables as Parquet files; return their paths."""
    import numpy as np
    import pandas as pd

    folder = os.path.join(DATA_DIR, f"{rows}-{keys}-{nfiles}")
    done = os.path.join(folder, "done")
    if not os.path.exists(done):
        for sub in ("big", "small", "small_parts"):
            os.makedirs(os.path.join(folder, sub), exist_ok=True)
        rng = np.random.default_rng(seed)
        per_file = rows // nfiles
        for i in range(nfiles):
            part = pd.DataFrame(
                {
                    "k": rng.integers(0, keys, per_file),
                    "v": rng.random(per_file),
                    "w": rng.integers(0, 10**6, per_file),
                }
            )
            part.to_parquet(os.path.join(folder, "big", f"part.{i}.parquet"), index=False)
        small = pd.DataFrame({"k": rng.permutation(keys), "x": rng.random(keys)})
        small.to_parquet(os.path.join(folder, "small", "part.0.parquet"), index=False)
        for i, piece in enumerate(np.array_split(np.arange(keys), max(1, nfiles // 2))):
            path = os.path.join(folder, "small_parts", f"part.{i}.parquet")
            small.iloc[piece].to_parquet(path, index=False)
        with open(done, "w") as f:
            f.write("ok\n")
    return {
        sub: sorted(glob.glob(os.path.join(folder, sub, "*.parquet")))
        for sub in ("big", "small", "small_parts")
    }


def measure(side: str, expr: str, check: str, repeat: int = REPEAT) -> dict[str, Any]:
    """Run ``expr`` (best of ``repeat``) after ``side``'s setup in a fresh interpreter."""
    return run_snippet(
        _SETUP[side], expr, repeat=repeat, check=f"float({check})", label=f"{side} benchmark"
    )


def _row(case: Case, data: dict[str, list[str]], with_dask: bool) -> dict[str, Any]:
    mine = measure("tessera", case.tessera.format(**data), case.check)
    base = measure("pandas", case.pandas.format(**data), case.check)
    dask = measure("dask", case.dask.format(**data), case.check) if with_dask else None
    for other in (base, dask):
        if other is not None and not math.isclose(mine["check"], other["check"], rel_tol=1e-9):
            raise RuntimeError(f"{case.name}: results differ: {mine} vs {other}")
    return {
        "case": case.name,
        "seconds": mine["seconds"],
        "peak_mb": mine["peak_mb"],
        "pandas_seconds": base["seconds"],
        "pandas_peak_mb": base["peak_mb"],
        "vs_pandas": mine["seconds"] / base["seconds"],
        "dask_seconds": dask and dask["seconds"],
        "dask_peak_mb": dask and dask["peak_mb"],
        "vs_dask": dask and mine["seconds"] / dask["seconds"],
    }


def run_section(quick: bool) -> Section:
    """The shuffle workloads (merge, set_index), side by side."""
    sizes = QUICK_SIZES if quick else SIZES
    data = generate(sizes["rows"], sizes["keys"], sizes["files"])
    with_dask = dask_version() is not None
    rows = [_row(case, data, with_dask) for case in CASES]
    columns = [
        Column("case", "case"),
        number("s", "seconds", 2),
        number("peak MB", "peak_mb", 0),
        number("pandas s", "pandas_seconds", 2),
        number("pandas MB", "pandas_peak_mb", 0),
        number("x pandas", "vs_pandas", 2),
        number("dask s", "dask_seconds", 2),
        number("dask MB", "dask_peak_mb", 0),
        number("x dask", "vs_dask", 2),
    ]
    notes = [
        f"big: {sizes['rows']:,} rows in {sizes['files']} Parquet files; small: "
        f"{sizes['keys']:,} rows (one file, or {max(1, sizes['files'] // 2)} for the hash "
        f"join) under {DATA_DIR}; each side in a fresh interpreter, best of {REPEAT} runs "
        "(reading, graph building and compute); peak MB is the process's VmHWM",
    ]
    return Section("dataframe-shuffle", "tessera.dataframe shuffles", columns, rows, notes)


if __name__ == "__main__":
    from benchmarks.report import format_section

    print(format_section(run_section("--quick" in sys.argv)))
