"""Bag benchmarks: a word count over text files, a foldby and a groupby over records.

Map
---
- :func:`generate_text` -- ``nfiles`` text files of about ``total_bytes`` together:
  words drawn from a Zipf distribution (exponent 1.1) over a seeded vocabulary of
  50,000 pseudo-words, 5 to 15 words per line.
- The word count, ``read_text(files).str.split().flatten().frequencies().topk(10,
  key=1)``, three ways: :func:`wordcount_tessera` (processes), :func:`wordcount_plain`
  (one process: read each file, split, update a ``collections.Counter``) and
  :func:`wordcount_dask` (``dask.bag``, its default process scheduler).
- The records benchmarks on ``n`` records ``make_record(i) = (i % 1000, i)`` made inside
  the bag (``range(n).map(make_record)``): :func:`foldby_tessera` (sum per key) and
  :func:`groupby_tessera` (group sizes), against the same loops in one plain process and
  ``dask.bag``.
- :func:`measure`, :func:`cpu_seconds` -- best wall time, peak memory and CPU time.
- :class:`PeakMemory` -- the peak resident memory of this process and its children
  (psutil, sampled every 10 ms), or the parent's traced peak (tracemalloc) without it.
- :func:`run` -- every benchmark; one result dict per benchmark.
- :func:`run_section` -- the same as a :class:`~benchmarks.report.Section` (for
  ``python -m benchmarks``).

Timing: one untimed warm-up run of each (it starts tessera's worker pool and fills the
page cache; its peak memory is sampled), then the best of :data:`REPEATS` runs, with the
CPU seconds (user + system, this process and its workers: :func:`cpu_seconds`) of that
run, which a busy machine disturbs much less than wall time; Dask (which starts a new process
pool at every compute) runs :data:`DASK_REPEATS` times.  Results are checked against
the plain answer; a mismatch raises.  Data generation is not timed.

Targets: word count and foldby at most 0.6x the plain process (2 cores, nearly linear);
groupby (a disk shuffle against an in-memory dict) at most half the plain process's
peak memory.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Callable
from operator import add, itemgetter
from typing import Any

__all__ = [
    "PeakMemory",
    "cpu_seconds",
    "foldby_tessera",
    "generate_text",
    "groupby_tessera",
    "make_record",
    "measure",
    "run",
    "run_section",
    "wordcount_dask",
    "wordcount_plain",
    "wordcount_tessera",
]

REPEATS = 3
#: What :func:`measure` returns: best seconds, peak MB, result, CPU seconds of the best run.
Measured = tuple[float, float, Any, float]
DASK_REPEATS = 1
#: Sizes: text bytes, text files, records, partitions of the records bags.
SIZES = {"text": 128 * 2**20, "files": 16, "records": 10_000_000, "partitions": 16}
QUICK_SIZES = {"text": 8 * 2**20, "files": 16, "records": 1_000_000, "partitions": 16}


# -- data --------------------------------------------------------------------------
def vocabulary(n: int, seed: int) -> list[str]:
    """``n`` distinct pseudo-words of 2 to 10 letters."""
    rnd = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < n:
        w = "".join(rnd.choices(letters, k=rnd.randint(2, 10)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def generate_text(directory: str, total_bytes: int, nfiles: int, seed: int = 0) -> list[str]:
    """Write ``nfiles`` files of Zipf-distributed words; return their paths."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vocab = np.array(vocabulary(50_000, seed), dtype=object)
    p = 1.0 / np.arange(1, len(vocab) + 1) ** 1.1
    p /= p.sum()
    bytes_per_word = float(np.dot(p, [len(w) for w in vocab])) + 1.0
    nwords = int(total_bytes / nfiles / bytes_per_word)
    paths = []
    for i in range(nfiles):
        words = vocab[rng.choice(len(vocab), size=nwords, p=p)]
        cuts = np.cumsum(rng.integers(5, 16, size=nwords // 5 + 1))
        lines = [" ".join(chunk) for chunk in np.split(words, cuts[cuts < nwords])]
        path = os.path.join(directory, f"words-{i:02d}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def make_record(i: int) -> tuple[int, int]:
    """Record ``i``: ``(key, value)`` with 1000 distinct keys."""
    return i % 1000, i


def add_value(total: int, record: tuple[int, int]) -> int:
    """The foldby binop: add a record's value to a total."""
    return total + record[1]


def group_size(group: tuple[int, list[Any]]) -> tuple[int, int]:
    """A group's key and size."""
    return group[0], len(group[1])


# -- the computations --------------------------------------------------------------
def wordcount_tessera(files: list[str]) -> list[tuple[str, int]]:
    """The word count on tessera's process scheduler."""
    import tessera.bag as db

    expr = db.read_text(files).str.split().flatten().frequencies().topk(10, key=1)
    return list(expr.compute())


def wordcount_plain(files: list[str]) -> list[tuple[str, int]]:
    """The word count in one process: read each file, split, update a Counter."""
    counts: Counter[str] = Counter()
    for path in files:
        with open(path, encoding="utf-8") as f:
            counts.update(f.read().split())
    return counts.most_common(10)


def wordcount_dask(files: list[str]) -> list[tuple[str, int]]:
    """The word count with ``dask.bag`` (processes, its default)."""
    import dask.bag as dab

    expr = dab.read_text(files).str.split().flatten().frequencies().topk(10, key=1)
    return list(expr.compute())


def foldby_tessera(n: int, npartitions: int) -> list[tuple[int, int]]:
    """Sum of values per key with ``Bag.foldby``."""
    import tessera.bag as db

    records = db.range(n, npartitions=npartitions).map(make_record)
    return list(records.foldby(itemgetter(0), add_value, 0, add, 0).compute())


def foldby_plain(n: int) -> list[tuple[int, int]]:
    """Sum of values per key in one process, with the same functions."""
    totals: dict[int, int] = {}
    key = itemgetter(0)
    for record in map(make_record, range(n)):
        k = key(record)
        totals[k] = add_value(totals.get(k, 0), record)
    return list(totals.items())


def foldby_dask(n: int, npartitions: int) -> list[tuple[int, int]]:
    """Sum of values per key with ``dask.bag``."""
    import dask.bag as dab

    records = dab.range(n, npartitions=npartitions).map(make_record)
    return list(records.foldby(itemgetter(0), add_value, 0, add, 0).compute())


def groupby_tessera(n: int, npartitions: int) -> list[tuple[int, int]]:
    """Group sizes with ``Bag.groupby`` (disk shuffle)."""
    import tessera.bag as db

    records = db.range(n, npartitions=npartitions).map(make_record)
    groups = records.groupby(itemgetter(0), npartitions=npartitions)
    return list(groups.map(group_size).compute())


def groupby_plain(n: int) -> list[tuple[int, int]]:
    """Group sizes in one process: every group held in a dict of lists."""
    groups: dict[int, list[Any]] = defaultdict(list)
    key = itemgetter(0)
    for record in map(make_record, range(n)):
        groups[key(record)].append(record)
    return [group_size(g) for g in groups.items()]


def groupby_dask(n: int, npartitions: int) -> list[tuple[int, int]]:
    """Group sizes with ``dask.bag`` (its default shuffle)."""
    import dask.bag as dab

    records = dab.range(n, npartitions=npartitions).map(make_record)
    return list(records.groupby(itemgetter(0)).map(group_size).compute())


# -- measuring ---------------------------------------------------------------------
class PeakMemory:
    """Peak RSS (MB) of this process and its children while the block runs.

    Without psutil, the parent's peak traced allocation (tracemalloc) instead.
    """

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            import psutil

            self._proc: Any = psutil.Process()
        except ImportError:
            self._proc = None

    def _rss(self) -> float:
        total = 0
        procs = [self._proc]
        with contextlib.suppress(Exception):  # psutil.Error: a child just exited
            procs += self._proc.children(recursive=True)
        for p in procs:
            with contextlib.suppress(Exception):
                total += p.memory_info().rss
        return total / 2**20

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        if self._proc is None:
            tracemalloc.start()
        else:
            self.peak_mb = self._rss()
            self._thread = threading.Thread(target=self._sample, name="bench-rss", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is None:
            self.peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        else:
            self._stop.set()
            assert self._thread is not None
            self._thread.join()
            self.peak_mb = max(self.peak_mb, self._rss())


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and all its children so far.

    Live children (tessera's warm workers) are read with psutil; children that have
    exited are counted once reaped.  Without psutil, only this process and its reaped
    children.
    """
    try:
        import psutil
    except ImportError:
        me, kids = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    proc = psutil.Process()
    t = proc.cpu_times()
    total = t.user + t.system + t.children_user + t.children_system
    for child in proc.children(recursive=True):
        with contextlib.suppress(Exception):  # psutil.Error: a child just exited
            c = child.cpu_times()
            total += c.user + c.system
    return float(total)


def measure(fn: Callable[[], Any], repeats: int, warmup: bool) -> Measured:
    """``(best seconds, peak MB, result, CPU seconds of the best run)``.

    With ``warmup``, the peak memory is sampled during the untimed warm-up run and the
    timed runs are left alone: the sampler (a psutil scan of the process tree every
    10 ms) costs a sixth of a core, which on two cores slows parallel code far more than
    a single process.  Without warm-up, the timed runs are sampled.
    """
    peak = 0.0
    if warmup:
        gc.collect()
        with PeakMemory() as mem:
            fn()
        peak = mem.peak_mb
    best, result, cpu = float("inf"), None, 0.0
    for _ in range(repeats):
        gc.collect()
        with PeakMemory() if not warmup else contextlib.nullcontext() as sampled:
            c0, t0 = cpu_seconds(), time.perf_counter()
            result = fn()
            seconds, used = time.perf_counter() - t0, cpu_seconds() - c0
        if sampled is not None:
            peak = max(peak, sampled.peak_mb)
        if seconds < best:
            best, cpu = seconds, used
    return best, peak, result, cpu


def dask_available() -> bool:
    """Whether ``dask.bag`` can be imported here."""
    try:
        import dask.bag  # noqa: F401
    except ImportError:
        return False
    return True


def _same_top(a: list[tuple[str, int]], b: list[tuple[str, int]]) -> bool:
    return sorted(a, key=lambda t: (-t[1], t[0])) == sorted(b, key=lambda t: (-t[1], t[0]))


def _row(
    name: str, target: str, ours: Measured, base: Measured, dask: Measured | None, passed: bool
) -> dict[str, Any]:
    return {
        "name": name,
        "seconds": ours[0],
        "baseline_seconds": base[0],
        "ratio": ours[0] / base[0],
        "cpu_seconds": ours[3],
        "baseline_cpu_seconds": base[3],
        "cpu_ratio": ours[3] / base[3],
        "dask_seconds": dask[0] if dask else None,
        "dask_ratio": dask[0] / base[0] if dask else None,
        "peak_mb": ours[1],
        "baseline_peak_mb": base[1],
        "dask_peak_mb": dask[1] if dask else None,
        "target": target,
        "passed": passed,
    }


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Run the three benchmarks; one result dict each (see the module docstring)."""
    sizes = QUICK_SIZES if quick else SIZES
    with_dask = dask_available()
    rows = []
    folder = tempfile.mkdtemp(prefix="tessera-bag-bench-", dir="/tmp")
    try:
        files = generate_text(folder, sizes["text"], sizes["files"])
        ours = measure(lambda: wordcount_tessera(files), REPEATS, True)
        base = measure(lambda: wordcount_plain(files), REPEATS, True)
        dask = measure(lambda: wordcount_dask(files), DASK_REPEATS, False) if with_dask else None
        if not _same_top(ours[2], base[2]) or (dask and not _same_top(dask[2], base[2])):
            raise AssertionError(f"word counts differ: {ours[2]} / {base[2]}")
        mb = sum(os.path.getsize(f) for f in files) / 2**20
        ok = ours[0] <= 0.6 * base[0]
        rows.append(_row(f"wordcount {mb:.0f} MB", "<= 0.6x plain", ours, base, dask, ok))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    n, parts = sizes["records"], sizes["partitions"]
    ours = measure(lambda: foldby_tessera(n, parts), REPEATS, True)
    base = measure(lambda: foldby_plain(n), REPEATS, True)
    dask = measure(lambda: foldby_dask(n, parts), DASK_REPEATS, False) if with_dask else None
    if sorted(ours[2]) != sorted(base[2]) or (dask and sorted(dask[2]) != sorted(base[2])):
        raise AssertionError("foldby results differ")
    ok = ours[0] <= 0.6 * base[0]
    rows.append(_row(f"foldby {n:,} records", "<= 0.6x plain", ours, base, dask, ok))
    ours = measure(lambda: groupby_tessera(n, parts), REPEATS, True)
    base = measure(lambda: groupby_plain(n), REPEATS, True)
    dask = measure(lambda: groupby_dask(n, parts), DASK_REPEATS, False) if with_dask else None
    if sorted(ours[2]) != sorted(base[2]) or (dask and sorted(dask[2]) != sorted(base[2])):
        raise AssertionError("groupby results differ")
    target = "peak <= 0.5x plain peak"
    rows.append(_row(f"groupby {n:,} records", target, ours, base, dask, ours[1] <= 0.5 * base[1]))
    return rows


def run_section(quick: bool = False) -> Any:
    """:func:`run` as a report section for ``python -m benchmarks``."""
    from benchmarks.report import Column, Section, number, verdict

    columns = [
        Column("benchmark", "name"),
        number("tessera s", "seconds", 2),
        number("plain s", "baseline_seconds", 2),
        number("ratio", "ratio", 2),
        number("cpu ratio", "cpu_ratio", 2),
        number("dask s", "dask_seconds", 2),
        number("dask ratio", "dask_ratio", 2),
        number("peak MB", "peak_mb", 0),
        number("plain peak MB", "baseline_peak_mb", 0),
        number("dask peak MB", "dask_peak_mb", 0),
        Column("target", "target"),
        Column("", "passed", verdict),
    ]
    notes = [
        "ratio = tessera seconds / plain seconds (one Python process); dask ratio likewise.",
        "cpu ratio = CPU seconds (user + system, parent and workers) of the same runs: "
        "what the work costs, whatever else shares the machine.",
        "peak MB: resident memory of the process and its workers, sampled every 10 ms.",
    ]
    return Section("bag", "Bag: word count, foldby, groupby", columns, run(quick), notes)


def main() -> None:
    """Print the results as a table."""
    parser = argparse.ArgumentParser(description="tessera.bag benchmarks")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:  # run as a script: make the benchmarks package importable
        sys.path.insert(0, root)
    from benchmarks.report import format_section

    print(format_section(run_section(args.quick)))


if __name__ == "__main__":
    main()
