"""tessera end to end: what exists today, run for real.  ``make demo`` runs this file.

Sections (one function each, called in order from :func:`main`):

1. :func:`scheduler_overview` -- a four-key graph in Dask's dict spec on the three
   schedulers, next to the expected answers.
2. :func:`tree_reduction` -- a 10,000-task tree reduction on every scheduler: the result,
   the plain-Python answer, and the scheduler's overhead per task.
3. :func:`array_statistics` -- column statistics of a 256 MB array stored as ``.npy``
   under a temp directory, read block by block with ``tessera.array``, next to NumPy.
4. :func:`bag_word_count` -- the ten most common words of 16 generated text files with
   ``tessera.bag`` on processes, next to ``collections.Counter`` in one process.
5. :func:`dataframe_groupby` -- a grouped mean over 4M generated rows with
   ``tessera.dataframe``, next to pandas.

Later sections (one per collection) go in as new functions listed in :data:`SECTIONS`.
The process scheduler starts its workers with ``spawn``, so everything runs under the
``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import operator
import os
import tempfile
import time
from collections.abc import Callable, Hashable
from typing import Any

import tessera
from tessera.scheduling import multiprocessing, synchronous, threaded

Graph = dict[Hashable, Any]

#: The schedulers, by the name you would pass as ``scheduler=``.
SCHEDULERS: dict[str, Callable[..., Any]] = {
    "sync": synchronous.get,
    "threads": threaded.get,
    "processes": multiprocessing.get,
}


def header(title: str) -> None:
    """Print a section title."""
    print(f"\n== {title} ==")


def show(label: str, got: Any, expected: Any) -> None:
    """Print one result next to the expected value, and whether they agree."""
    mark = "ok" if got == expected else "MISMATCH"
    print(f"  {label:<42} -> {got!r:<12} expected {expected!r:<12} {mark}")


def scheduler_overview() -> None:
    """Section 1: the scheduler-overview examples on sync, threads and processes."""
    header("1. Scheduler overview: one graph, three schedulers")
    dsk = {"a": 1, "b": 2, "c": (operator.add, "a", "b"), "d": (sum, ["a", "b", "c"])}
    print("  dsk = {'a': 1, 'b': 2, 'c': (add, 'a', 'b'), 'd': (sum, ['a', 'b', 'c'])}")
    show("tessera.get(dsk, 'c')", tessera.get(dsk, "c"), 3)
    show("threaded.get(dsk, 'd')", threaded.get(dsk, "d"), 6)
    show(
        "multiprocessing.get(dsk, ['a', 'b', 'c'])",
        multiprocessing.get(dsk, ["a", "b", "c"]),
        [1, 2, 3],
    )


def inc(x: int) -> int:
    """Return ``x + 1``."""
    return x + 1


def tree_graph(leaves: int) -> tuple[Graph, Hashable]:
    """Return a tree reduction: ``inc`` on each leaf, then pairwise ``add`` to one root."""
    dsk: Graph = {("leaf", i): (inc, i) for i in range(leaves)}
    level: list[Hashable] = list(dsk)
    depth = 0
    while len(level) > 1:
        depth += 1
        nxt: list[Hashable] = []
        for j in range(0, len(level) - 1, 2):
            key = ("sum", depth, j // 2)
            dsk[key] = (operator.add, level[j], level[j + 1])
            nxt.append(key)
        odd_one_out = level[-1:] if len(level) % 2 else []
        level = nxt + odd_one_out
    return dsk, level[0]


def timed(get: Callable[..., Any], dsk: Graph, key: Hashable) -> tuple[Any, float]:
    """Return ``get(dsk, key)`` and its wall time in seconds."""
    start = time.perf_counter()
    result = get(dsk, key)
    return result, time.perf_counter() - start


def tree_reduction(leaves: int = 5_000) -> None:
    """Section 2: a tree reduction of about ``2 * leaves`` tasks on every scheduler."""
    dsk, root = tree_graph(leaves)
    expected = sum(inc(i) for i in range(leaves))
    header(f"2. Tree reduction: {len(dsk):,} tasks, sum(inc(i) for i in range({leaves:,}))")
    print(f"  plain Python: {expected:,}")
    for name, get in SCHEDULERS.items():
        _, first = timed(get, dsk, root)  # warm-up: the first call pays one-time costs
        result, seconds = timed(get, dsk, root)
        mark = "ok" if result == expected else "MISMATCH"
        print(
            f"  {name:<10} result {result:,}  {mark}   "
            f"{seconds / len(dsk) * 1e6:5.2f} us/task  "
            f"(warm-up call {first * 1e3:5.1f} ms, timed call {seconds * 1e3:5.1f} ms)"
        )


def array_statistics(rows: int = 2_000_000, cols: int = 16) -> None:
    """Section 3: mean and std of every column of an on-disk array, tessera vs NumPy."""
    import numpy as np

    import tessera.array as da

    header(f"3. tessera.array: column mean and std of a {rows:,} x {cols} float64 .npy file")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.npy")
        data = np.lib.format.open_memmap(path, mode="w+", dtype="f8", shape=(rows, cols))
        rng = np.random.default_rng(0)
        for start in range(0, rows, 250_000):
            stop = min(start + 250_000, rows)
            data[start:stop] = rng.normal(np.arange(cols), 1.0, size=(stop - start, cols))
        data.flush()
        del data

        start = time.perf_counter()
        plain = np.load(path)
        expected = (plain.mean(axis=0), plain.std(axis=0))
        numpy_seconds = time.perf_counter() - start
        del plain

        start = time.perf_counter()
        x = da.from_array(np.load(path, mmap_mode="r"), chunks=(250_000, cols))
        got = da.compute(x.mean(axis=0), x.std(axis=0))
        tessera_seconds = time.perf_counter() - start
    same = all(np.allclose(g, e) for g, e in zip(got, expected, strict=True))
    print(f"  column means (first 4): tessera {np.round(got[0][:4], 3)}")
    print(f"                          numpy   {np.round(expected[0][:4], 3)}")
    print(f"  means and stds agree: {'ok' if same else 'MISMATCH'}")
    print(
        f"  time: tessera {tessera_seconds:.2f} s ({x.npartitions} blocks, threads), "
        f"numpy {numpy_seconds:.2f} s (whole file in memory)"
    )


def write_texts(directory: str, files: int = 16, lines: int = 60_000) -> list[str]:
    """Write ``files`` text files of random words (Zipf-distributed) and return their paths."""
    import numpy as np

    rng = np.random.default_rng(1)
    vocabulary = np.array([f"word{i}" for i in range(20_000)])
    paths = []
    for f in range(files):
        ranks = np.minimum(rng.zipf(1.3, size=lines * 8), len(vocabulary)) - 1
        words = vocabulary[ranks].reshape(lines, 8)
        path = os.path.join(directory, f"part-{f:02d}.txt")
        with open(path, "w") as out:
            out.write("\n".join(" ".join(row) for row in words) + "\n")
        paths.append(path)
    return paths


def bag_word_count() -> None:
    """Section 4: word count over generated files, tessera.bag vs collections.Counter."""
    from collections import Counter

    import tessera.bag as db

    with tempfile.TemporaryDirectory() as tmp:
        paths = write_texts(tmp)
        megabytes = sum(os.path.getsize(p) for p in paths) / 2**20
        header(f"4. tessera.bag: top 10 words of {len(paths)} files, {megabytes:.0f} MB of text")
        start = time.perf_counter()
        counts: Counter[str] = Counter()
        for path in paths:
            with open(path) as f:
                counts.update(f.read().split())
        expected = counts.most_common(10)
        plain_seconds = time.perf_counter() - start

        words = db.read_text(os.path.join(tmp, "*.txt")).str.split().flatten()
        start = time.perf_counter()
        got = words.frequencies().topk(10, key=1).compute()
        bag_seconds = time.perf_counter() - start
    print(f"  tessera.bag: {got[:3]} ...")
    print(f"  Counter:     {expected[:3]} ...")
    print(f"  top 10 agree: {'ok' if sorted(got) == sorted(expected) else 'MISMATCH'}")
    print(f"  time: tessera {bag_seconds:.2f} s (processes), plain Python {plain_seconds:.2f} s")


def dataframe_groupby(rows: int = 4_000_000) -> None:
    """Section 5: ``groupby("k").v.mean()`` with tessera.dataframe next to pandas."""
    import numpy as np
    import pandas as pd

    import tessera.dataframe as dd

    header(f"5. tessera.dataframe: groupby('k').v.mean() over {rows:,} rows")
    rng = np.random.default_rng(2)
    pdf = pd.DataFrame({"k": rng.integers(0, 1000, rows), "v": rng.random(rows)})
    start = time.perf_counter()
    expected = pdf.groupby("k").v.mean()
    pandas_seconds = time.perf_counter() - start
    df = dd.from_pandas(pdf, npartitions=8)
    start = time.perf_counter()
    got = df.groupby("k").v.mean().compute()
    tessera_seconds = time.perf_counter() - start
    same = got.index.equals(expected.index) and np.allclose(got.to_numpy(), expected.to_numpy())
    print(f"  first groups: tessera {np.round(got.to_numpy()[:3], 4)}")
    print(f"                pandas  {np.round(expected.to_numpy()[:3], 4)}")
    print(f"  all {len(expected)} group means agree: {'ok' if same else 'MISMATCH'}")
    print(
        f"  time: tessera {tessera_seconds:.2f} s (8 partitions, threads), "
        f"pandas {pandas_seconds:.2f} s"
    )


#: The demo's sections, in order.
SECTIONS: list[Callable[[], None]] = [
    scheduler_overview,
    tree_reduction,
    array_statistics,
    bag_word_count,
    dataframe_groupby,
]


def main() -> None:
    """Run every section."""
    print(f"tessera {tessera.__version__}")
    for section in SECTIONS:
        section()


if __name__ == "__main__":
    main()
