"""Writing Parquet into a directory that already holds a dataset: appending to it or
replacing it (the helpers of :func:`~tessera.dataframe.io.parquet_write.to_parquet`).

Map
---
- :func:`appended_schema` -- ``append=True``: the new data's schema checked against the
  dataset's files (a ``ValueError`` listing the differences), with the dataset's types
  for the columns the meta cannot type.
- :func:`check_divisions` -- ``append=True``: the new index must start after the
  dataset's last index value (unless ``ignore_divisions=True``).
- :data:`PART`, :func:`first_number`, :func:`shifted` -- the ``part.<i>`` file names: the
  appended files are numbered after the existing ones.
- :class:`RemoveStale` -- the last task of a plain write into a directory that already
  held a dataset: delete the files this write did not replace.
- :func:`clear` -- ``overwrite=True``: delete the directory first.

>>> import os, tempfile, tessera.dataframe as dd
>>> with tempfile.TemporaryDirectory() as d:
...     dd.from_dict({"a": [1, 2]}, npartitions=1).to_parquet(d, name_function=lambda i: "7")
...     first_number(sorted(os.listdir(d)))
8
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tessera.dataframe.io.parquet import import_pyarrow, last_index_value
from tessera.dataframe.io.parquet_write import arrow_schema

__all__ = [
    "PART",
    "RemoveStale",
    "appended_schema",
    "check_divisions",
    "clear",
    "first_number",
    "shifted",
]


def _fits(new: Any, old: Any) -> bool:
    """Whether data of arrow type ``new`` may join files of type ``old``."""
    pa, _, _ = import_pyarrow()
    t = pa.types
    return bool(
        new == old
        or t.is_null(new)
        or t.is_null(old)
        or (t.is_dictionary(new) and t.is_dictionary(old))
        or (
            (t.is_string(new) or t.is_large_string(new))
            and (t.is_string(old) or t.is_large_string(old))
        )
    )


def appended_schema(
    path: str, meta: pd.DataFrame, write_index: bool, overrides: Any, partition_on: tuple[str, ...]
) -> dict[str, Any]:
    """The ``schema=`` overrides that append ``meta``'s data to the dataset whose file is at
    ``path``: the user's, and the file's types where the meta has none (``object``).

    Raise a ``ValueError`` naming the columns (or types) that differ.
    """
    pa, pq, _ = import_pyarrow()
    old = pq.read_schema(path)
    new = arrow_schema(meta, write_index, overrides)
    own = [f for f in new if f.name not in partition_on]
    if [f.name for f in own] != old.names:
        problems = [
            f"- the dataset has the columns {old.names!r}, the new data {[f.name for f in own]!r}"
        ]
    else:
        problems = [
            f"- column {f.name!r}: the dataset has {old.field(f.name).type}, the new data {f.type}"
            for f in own
            if not _fits(f.type, old.field(f.name).type)
        ]
    if problems:
        raise ValueError(
            f"to_parquet(append=True): the new data does not fit the dataset at "
            f"{os.path.dirname(path)!r} (schema of {os.path.basename(path)!r}):\n"
            + "\n".join(problems)
            + "\nMake the columns, index (write_index=) and dtypes the same (df.astype(...)), "
            "or replace the dataset (overwrite=True)."
        )
    given = (
        {f.name: f.type for f in new}
        if isinstance(overrides, pa.Schema)
        else dict(overrides or {})
    )
    for f in own:
        if pa.types.is_null(f.type) and not pa.types.is_null(old.field(f.name).type):
            given[f.name] = old.field(f.name).type
    return given


def check_divisions(existing: list[str], df: Any) -> None:
    if not df.known_divisions or not existing:
        return
    last = last_index_value(existing)
    try:
        overlap = last is not None and not last < df.divisions[0]
    except TypeError:
        return  # the index types differ: the schema check says so
    if overlap:
        raise ValueError(
            f"to_parquet(append=True): the new data's index starts at {df.divisions[0]!r}, "
            f"not after the dataset's last index value {last!r}, so the dataset's divisions "
            "would overlap. Pass ignore_divisions=True to append anyway (read_parquet then "
            "leaves the divisions unknown)."
        )


PART = re.compile(r"part\.(\d+)\.")


def first_number(existing: list[str]) -> int:
    """The number after the largest ``part.<i>`` among ``existing`` (0 if none)."""
    numbers = [int(m.group(1)) for p in existing if (m := PART.match(os.path.basename(p)))]
    return max(numbers, default=-1) + 1


def shifted(name_function: Callable[[int], Any], first: int, i: int) -> Any:
    return name_function(first + i)


@dataclass(frozen=True)
class RemoveStale:
    """Delete the ``stale`` files (below ``folder``) that the writes did not replace, and
    the hive directories left empty; return the paths written (a flat list).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     old, new = os.path.join(d, "part.1.parquet"), os.path.join(d, "part.0.parquet")
    ...     for p in (old, new):
    ...         open(p, "w").close()
    ...     RemoveStale(d, (old, new))([new]) == [new], os.listdir(d)
    (True, ['part.0.parquet'])
    """

    folder: str
    stale: tuple[str, ...]

    def __call__(self, written: list[Any]) -> list[str]:
        paths = [p for group in written for p in (group if isinstance(group, list) else [group])]
        keep = {os.path.abspath(p) for p in paths}
        root = os.path.abspath(self.folder)
        for path in self.stale:
            if os.path.abspath(path) in keep:
                continue
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
            parent = os.path.dirname(os.path.abspath(path))
            while parent != root and parent.startswith(root) and "=" in os.path.basename(parent):
                try:
                    os.rmdir(parent)  # only if empty
                except OSError:
                    break
                parent = os.path.dirname(parent)
        return paths


def clear(path: str) -> None:
    if os.path.abspath(os.getcwd()).startswith(os.path.abspath(path)):
        raise ValueError(
            f"to_parquet: overwrite=True would delete {path!r}, which holds the current "
            "working directory; write somewhere else."
        )
    shutil.rmtree(path, ignore_errors=True)
