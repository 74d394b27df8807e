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
- :class:`Publish` -- the last task of every write: the files, staged under a hidden
  directory inside the target, are moved into place once all are written, and the
  files of the dataset they replace are removed (:data:`METADATA` names its non-data
  files).
- :func:`refuse_reading` -- a write that replaces a dataset must not read from it.

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

from tessera.dataframe.io.parquet import (
    ReadParquetFile,
    dataset_files,
    import_pyarrow,
    last_index_value,
)
from tessera.dataframe.io.parquet_write import arrow_schema
from tessera.dataframe.io.write import TempFile

__all__ = [
    "METADATA",
    "PART",
    "Publish",
    "appended_schema",
    "check_divisions",
    "first_number",
    "refuse_reading",
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
    """A ``ValueError`` if ``df``'s index does not start after the last index value of the
    dataset's ``existing`` files (an append would make the divisions overlap)."""
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
    """The name of appended partition ``i``: numbered after the ``first`` free number.

    >>> shifted(lambda i: f"part.{i}.parquet", 3, 0)
    'part.3.parquet'
    """
    return name_function(first + i)


#: Files of a dataset that are not data: Dask's and pyarrow's metadata, Spark's marker.
METADATA = ("_metadata", "_common_metadata", "_SUCCESS")


@dataclass(frozen=True)
class Publish(TempFile):
    """The last task of a write: move the files staged under the hidden directory ``tmp``
    into ``folder``, then remove the files of the earlier dataset that this write replaces
    but did not overwrite (``mode``: ``"overwrite"`` -- every data file and the
    :data:`METADATA` files; ``"replace"`` -- the ``part.<i>`` files; ``"append"`` --
    none) and the hive directories left empty; return the paths written.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     for name in ("part.1.parquet", "notes.txt", ".stage/part.0.parquet"):
    ...         os.makedirs(os.path.dirname(os.path.join(d, name)), exist_ok=True)
    ...         open(os.path.join(d, name), "w").close()
    ...     out = Publish(os.path.join(d, ".stage"), d, "replace")([["part.0.parquet"]])
    ...     [os.path.basename(p) for p in out], sorted(os.listdir(d))
    (['part.0.parquet'], ['notes.txt', 'part.0.parquet'])
    """

    folder: str = ""
    mode: str = "replace"

    def __call__(self, written: list[list[str]]) -> list[str]:
        names = [name for group in written for name in group]
        paths = [os.path.join(self.folder, name) for name in names]
        keep = {os.path.abspath(p) for p in paths}
        old = [p for p in self._previous() if os.path.abspath(p) not in keep]
        for name, path in zip(names, paths, strict=True):
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            os.replace(os.path.join(os.fspath(self.tmp), name), path)
        for path in old:
            self._remove(path)
        shutil.rmtree(os.fspath(self.tmp), ignore_errors=True)
        return paths

    def _previous(self) -> list[str]:
        """The files of the dataset in ``folder`` that this write replaces."""
        files = dataset_files(self.folder)
        if self.mode == "append":
            return []
        if self.mode == "replace":
            return [p for p in files if PART.match(os.path.basename(p))]
        return files + [p for n in METADATA if os.path.isfile(p := os.path.join(self.folder, n))]

    def _remove(self, path: str) -> None:
        """Delete ``path`` and the hive directories (``k=v``) it leaves empty."""
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
        root = os.path.abspath(self.folder)
        parent = os.path.dirname(os.path.abspath(path))
        while parent != root and parent.startswith(root) and "=" in os.path.basename(parent):
            try:
                os.rmdir(parent)  # only if empty
            except OSError:
                break
            parent = os.path.dirname(parent)


def refuse_reading(layers: dict[str, Any], folder: str, option: str) -> None:
    """Raise a ``ValueError`` if a task of ``layers`` reads a Parquet file below ``folder``
    (as Dask, a write never replaces the files its own graph reads).

    >>> refuse_reading({"x": {("x", 0): (print,)}}, "/data", "overwrite=True")  # no reads
    """
    root = os.path.realpath(folder)
    for layer in layers.values():
        for task in layer.values():
            if type(task) is tuple and task and isinstance(task[0], ReadParquetFile):
                path = os.path.realpath(task[0].path)
                if path.startswith(root + os.sep):
                    raise ValueError(
                        f"to_parquet: the data being written is read from {task[0].path!r}, "
                        f"inside {folder!r}, whose dataset this write ({option}) replaces. "
                        "Write to another directory, or persist() the frame first."
                    )
