"""How benchmarks are measured and shown: timing helpers, a text table each, a JSON file.

Map
---
- :func:`best_of` -- the best wall time of a few calls in this process (a garbage
  collection before each) and the last result.
- :func:`run_snippet` -- run a code snippet in a fresh interpreter: optional untimed
  warm-up, best of ``repeat`` timed runs (wall and CPU time), a checksum, and the
  process's own peak resident memory (``VmHWM``; ``ru_maxrss`` is inherited at fork).
- :class:`Column` -- one column of a table: its header, the row field it shows, and how
  a value is written.
- :class:`Section` -- one benchmark's results: a title, columns, rows and notes.
- :func:`format_section` -- a section as an aligned text table.
- :func:`write_json` -- every section (and some facts about the run) as one JSON file.
- :func:`number` -- a right-aligned column of numbers.
- :func:`fixed`, :func:`verdict` -- value formatters for columns.

>>> s = Section("demo", "Demo", [number("x", "x", 1)], [{"x": 1.25}, {"x": None}])
>>> print(format_section(s))
Demo
x
---
1.2
  -
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "Column",
    "Section",
    "best_of",
    "fixed",
    "format_section",
    "number",
    "run_snippet",
    "verdict",
    "write_json",
]

T = TypeVar("T")

Formatter = Callable[[Any], str]

#: Notes under a table are wrapped to this width.
WIDTH = 99


def fixed(digits: int) -> Formatter:
    """Return a formatter writing numbers with ``digits`` decimals and ``None`` as ``-``."""

    def fmt(value: Any) -> str:
        return "-" if value is None else f"{value:,.{digits}f}"

    return fmt


def verdict(passed: Any) -> str:
    """Write a pass/fail flag as ``PASS`` or ``FAIL`` (``-`` when there is no target)."""
    if passed is None:
        return "-"
    return "PASS" if passed else "FAIL"


@dataclass(frozen=True)
class Column:
    """One column: ``header`` on top, ``key`` in each row, ``fmt`` to write the value.

    ``right`` aligns the column to the right (numbers).
    """

    header: str
    key: str
    fmt: Formatter = str
    right: bool = False


def number(header: str, key: str, digits: int) -> Column:
    """Return a right-aligned column of numbers written with ``digits`` decimals."""
    return Column(header, key, fixed(digits), right=True)


@dataclass
class Section:
    """The results of one benchmark."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def _cells(section: Section) -> list[list[str]]:
    return [[c.fmt(row[c.key]) for c in section.columns] for row in section.rows]


def _align(cells: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    parts = [
        cell.rjust(w) if r else cell.ljust(w)
        for cell, w, r in zip(cells, widths, right, strict=True)
    ]
    return "  ".join(parts).rstrip()


def format_section(section: Section) -> str:
    """Return ``section`` as a title, an aligned table and its notes."""
    headers = [c.header for c in section.columns]
    body = _cells(section)
    widths = [max(len(x) for x in col) for col in zip(headers, *body, strict=True)]
    right = [c.right for c in section.columns]
    lines = [section.title, _align(headers, widths, right)]
    lines.append("  ".join("-" * w for w in widths))
    lines += [_align(cells, widths, right) for cells in body]
    lines += [
        textwrap.fill(note, width=WIDTH, initial_indent="  * ", subsequent_indent="    ")
        for note in section.notes
    ]
    return "\n".join(lines)


def write_json(path: Path, meta: dict[str, Any], sections: Sequence[Section]) -> None:
    """Write ``meta`` and every section's rows and notes to ``path`` as JSON."""
    data = {
        "meta": meta,
        "benchmarks": {
            s.name: {"title": s.title, "rows": s.rows, "notes": s.notes} for s in sections
        },
    }
    path.write_text(json.dumps(data, indent=2) + "\n")


def best_of(run: Callable[[], T], repeats: int) -> tuple[float, T]:
    """The best wall time of ``repeats`` calls of ``run`` (each after a garbage
    collection) and the result of the last call.

    >>> seconds, result = best_of(lambda: 2 + 2, 3)
    >>> seconds >= 0, result
    (True, 4)
    """
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


_SNIPPET = """
import json, time
{setup}
if {warm_up}:
    result = {expr}  # untimed: lazy imports, thread pools, the page cache
seconds = cpu = float("inf")
for _ in range({repeat}):
    t0, c0 = time.perf_counter(), time.process_time()
    result = {expr}
    wall, used = time.perf_counter() - t0, time.process_time() - c0
    if wall < seconds:
        seconds, cpu = wall, used
check = {check}
del result
with open("/proc/self/status") as status:
    hwm = [line for line in status if line.startswith("VmHWM")]
peak = int(hwm[0].split()[1]) / 1024
print(json.dumps({{"seconds": seconds, "cpu": cpu, "peak_mb": peak, "check": check}}))
"""


def run_snippet(
    setup: str,
    expr: str,
    *,
    repeat: int = 3,
    warm_up: bool = False,
    check: str = "None",
    label: str = "benchmark",
) -> dict[str, Any]:
    """Run ``expr`` after ``setup`` in a fresh interpreter and measure it.

    Parameters
    ----------
    setup : str
        Statements run first (imports, data loading), untimed.
    expr : str
        The expression timed; its value is ``result`` in ``check``.
    repeat : int
        Timed runs; the fastest counts (its CPU time of all threads is ``cpu``).
    warm_up : bool
        Evaluate ``expr`` once, untimed, before the timed runs.
    check : str
        An expression giving a JSON-able checksum of ``result`` (say
        ``"float(result.sum())"``); ``"None"`` for none.
    label : str
        Names the snippet in the error raised when it fails.

    Returns
    -------
    dict
        ``seconds``, ``cpu``, ``peak_mb`` (the process's ``VmHWM`` in MiB) and ``check``.

    Examples
    --------
    >>> out = run_snippet("import math", "math.factorial(20)", repeat=2, check="result % 7")
    >>> sorted(out), out["check"], out["peak_mb"] > 0
    (['check', 'cpu', 'peak_mb', 'seconds'], 0, True)
    """
    code = _SNIPPET.format(setup=setup, expr=expr, repeat=repeat, warm_up=warm_up, check=check)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{label} failed:\n{done.stderr[-2000:]}")
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return out
