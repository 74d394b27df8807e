"""Column projection into the readers: ``df[cols]`` on a fresh ``read_csv``/``read_parquet``.

Map
---
- :func:`project_columns` -- given a frame straight out of a reader and a list of its
  columns, the same read restricted to those columns (CSV: ``usecols``; Parquet: the
  fields read), or ``None`` when the frame is anything else.  Meant for
  ``DataFrame.__getitem__`` with a list of columns (and a groupby that selects its
  columns), so that selecting columns right after reading parses or reads only them:
  a groupby that needs two of three CSV columns skips converting the third.

The result equals ``df[cols]``: same columns in the same order, same dtypes (the meta
is the reader's meta restricted to ``cols``; CSV blocks keep being parsed with those
dtypes, so categoricals keep their known or unknown categories), same partitions and
divisions.

>>> import os, tempfile, tessera.dataframe as dd
>>> with tempfile.TemporaryDirectory() as d:
...     path = os.path.join(d, "a.csv")
...     with open(path, "w") as f:
...         _ = f.write("a,b,c\\n1,2,3\\n4,5,6\\n")
...     df = project_columns(dd.read_csv(path), ["c", "a"])
...     df.compute().values.tolist()
[[3, 1], [6, 4]]
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tessera.dataframe.graph import new_collection
from tessera.dataframe.io.csv import ReadCSV
from tessera.dataframe.io.parquet import FrameSpec, ReadParquetFile
from tessera.hashing import tokenize

__all__ = ["project_columns"]


def _project_csv(task: ReadCSV, columns: list[Any]) -> ReadCSV | None:
    kwargs = dict(task.kwargs)
    if kwargs.get("index_col") not in (None, False) or isinstance(
        kwargs.get("parse_dates"), bool | dict
    ):
        return None
    parsed = [c for c in columns if c != task.path_column]
    if not parsed:
        return None
    kwargs["usecols"] = parsed
    if isinstance(kwargs.get("parse_dates"), list):
        kwargs["parse_dates"] = [c for c in kwargs["parse_dates"] if c in parsed]
    keep = set(parsed)
    if isinstance(kwargs.get("converters"), dict):
        kwargs["converters"] = {c: f for c, f in kwargs["converters"].items() if c in keep}
    dtype = (
        {c: t for c, t in task.dtype.items() if c in keep}
        if isinstance(task.dtype, dict)
        else task.dtype
    )
    return replace(
        task,
        kwargs=kwargs,
        dtype=dtype,
        meta=task.meta[[c for c in task.meta.columns if c in keep]],
        path_column=task.path_column if task.path_column in columns else None,
        columns=list(columns),
    )


def _project_parquet(task: ReadParquetFile, columns: list[Any]) -> ReadParquetFile:
    spec = task.spec
    fields = tuple(dict.fromkeys([*columns, *spec.index_fields]))
    return replace(task, spec=FrameSpec(fields, spec.index, spec.index_fields, list(columns)))


def project_columns(frame: Any, columns: list[Any]) -> Any:
    """``frame[columns]`` read directly, if ``frame`` is a reader's output; else ``None``.

    >>> import tessera.dataframe as dd
    >>> project_columns(dd.from_dict({"a": [1]}, npartitions=1), ["a"]) is None
    True
    """
    layer = frame.layers.get(frame._name, {})
    tasks = list(layer.values())
    if not tasks or len(set(map(str, columns))) != len(columns):
        return None
    first = tasks[0][0]
    new: dict[Any, Any] = {}
    if isinstance(first, ReadCSV):
        task = _project_csv(first, columns)
        if task is None or any(t[0] is not first for t in tasks):
            return None
        new = {k: (task, *t[1:]) for k, t in layer.items()}
    elif all(isinstance(t[0], ReadParquetFile) and len(t) == 1 for t in tasks):
        new = {k: (_project_parquet(t[0], columns),) for k, t in layer.items()}
    else:
        return None
    name = f"{frame._name.rsplit('-', 1)[0]}-{tokenize(frame._name, columns)}"
    layer_new = {(name, k[1]): v for k, v in new.items()}
    meta = frame.meta[columns]
    return new_collection({name: layer_new}, name, meta, frame.divisions)
