"""How benchmark results are shown: a plain-text table per benchmark, and a JSON file.

Map
---
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

import json
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Column", "Section", "fixed", "format_section", "number", "verdict", "write_json"]

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
