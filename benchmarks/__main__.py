"""Command line: ``python -m benchmarks [--only NAME] [--quick] [--json PATH]``.

Runs the benchmarks of :data:`benchmarks.BENCHMARKS` in order, printing one table each,
and with ``--json`` also writes every result to a file.  Run it from the repository root.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import BENCHMARKS
from benchmarks.overhead import dask_version
from benchmarks.report import Section, format_section, write_json


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Run tessera's benchmarks."
    )
    parser.add_argument(
        "--only", choices=sorted(BENCHMARKS), metavar="NAME", help="run only this benchmark"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results here")
    return parser.parse_args(argv)


def run_info(quick: bool) -> dict[str, Any]:
    """Facts about this run, printed first and stored in the JSON file."""
    import tessera

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "tessera": tessera.__version__,
        "dask": dask_version(),
        "quick": quick,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmarks; return 1 if a result missed its target, else 0."""
    args = parse_args(argv)
    info = run_info(args.quick)
    print(", ".join(f"{k}: {v}" for k, v in info.items()), end="\n\n", flush=True)
    names = [args.only] if args.only else list(BENCHMARKS)
    sections: list[Section] = []
    for name in names:
        sections.append(BENCHMARKS[name](args.quick))
        print(format_section(sections[-1]), end="\n\n", flush=True)
    if args.json:
        write_json(args.json, info, sections)
        print(f"results written to {args.json}")
    # a row without a target (no "passed", or None) cannot miss it
    missed = any(row.get("passed") is False for s in sections for row in s.rows)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
