"""tessera's benchmarks: run them with ``python -m benchmarks`` (or ``make bench``).

Map
---
- :mod:`benchmarks.__main__` -- the command line: ``--only NAME``, ``--quick``,
  ``--json PATH``.
- :mod:`benchmarks.overhead` -- the ``overhead`` benchmark (per-task scheduler time on
  100,000 trivial tasks, a tree reduction and a linear chain, on every scheduler) and the
  ``memory`` benchmark (scheduler bookkeeping bytes per task).
- :mod:`benchmarks.array_bench` -- the ``array`` benchmark: the array issue's four
  workloads, tessera vs NumPy vs Dask, with peak memory.
- :mod:`benchmarks.bag_bench` -- the ``bag`` benchmark: word count over 128 MB of text,
  ``foldby`` and ``groupby`` on 10M records, against plain Python and Dask.
- :mod:`benchmarks.dataframe_bench` -- the ``dataframe`` benchmark: CSV and Parquet
  ``groupby("k").v.mean()`` on 8M rows.
- :mod:`benchmarks.dataframe_shuffle_bench` -- the ``dataframe-shuffle`` benchmark: merge
  8M x 1M rows and ``set_index`` on 8M rows.
- :mod:`benchmarks.cluster_bench` -- the ``cluster`` benchmark: per-task overhead and a
  chunked array mean on a local Dask cluster and a local Ray vs the local schedulers.
- :mod:`benchmarks.report` -- the tables printed to stdout and the JSON file.

When Dask is importable in the same interpreter, every benchmark also runs Dask's
matching scheduler on the very same graph and reports the ratio tessera/Dask.  Dask is
never a dependency of tessera or of these benchmarks: it is imported only inside a
``try`` block.

Adding a benchmark: write a module with a function ``run(quick: bool) -> Section`` and
register it in :data:`BENCHMARKS`.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks import (
    array_bench,
    bag_bench,
    cluster_bench,
    dataframe_bench,
    dataframe_shuffle_bench,
    overhead,
)
from benchmarks.report import Section

__all__ = ["BENCHMARKS"]

#: Benchmark name (for ``--only``) -> function that runs it.
BENCHMARKS: dict[str, Callable[[bool], Section]] = {
    "overhead": overhead.run_overhead,
    "memory": overhead.run_memory,
    "array": array_bench.run_array,
    "bag": bag_bench.run_section,
    "dataframe": dataframe_bench.run_section,
    "dataframe-shuffle": dataframe_shuffle_bench.run_section,
    "cluster": cluster_bench.run_cluster,
}
