"""Hive-partitioned Parquet directories (``dir/k=1/part.0.parquet``): finding, reading,
filtering and naming them.

Map
---
- :func:`is_hive` -- whether a path is a directory with ``name=value`` subdirectories.
- :class:`HiveColumns` -- the partition columns of a dataset: names and, per column,
  every value found (pyarrow's dictionary, in its order), so each partition column is a
  categorical with the same categories in every file -- as ``pandas.read_parquet``.
- :func:`discover` -- the dataset (pyarrow, ``partitioning="hive"``), its files in
  natural order of their paths (``k=2`` before ``k=10``, as for flat directories) with
  each file's partition values.
- :func:`with_partitions` -- append a file's partition columns to a table read from it.
- :func:`file_filters` -- the filters left for one file once its partition values are
  known: terms on partition columns are decided now (a file that fails them is pruned
  without being opened), the rest is pushed into the file's reader.
- :func:`directory_name` -- ``name=value`` for a writer (values %-escaped, a missing
  value as ``__HIVE_DEFAULT_PARTITION__``), as pyarrow reads them back.

>>> directory_name("k", 3), directory_name("s", "a/b"), directory_name("k", None)
('k=3', 's=a%2Fb', 'k=__HIVE_DEFAULT_PARTITION__')
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from tessera.paths import natural_key

__all__ = [
    "PRUNED",
    "HiveColumns",
    "directory_name",
    "discover",
    "file_filters",
    "is_hive",
    "with_partitions",
]

#: The directory name pyarrow (and Hive) give a missing partition value.
NULL_NAME = "__HIVE_DEFAULT_PARTITION__"

#: What :func:`file_filters` returns for a file whose partition values rule it out.
PRUNED = "pruned"

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda v, options: v in options,
    "not in": lambda v, options: v not in options,
}


def is_hive(path: Any) -> bool:
    """Whether ``path`` is a directory holding ``name=value`` subdirectories.

    >>> is_hive("/no/such/dir"), is_hive(["a.parquet"])
    (False, False)
    """
    if not isinstance(path, str | os.PathLike) or not os.path.isdir(path):
        return False
    with os.scandir(os.fspath(path)) as entries:
        return any(e.is_dir() and "=" in e.name for e in entries)


@dataclass(frozen=True)
class HiveColumns:
    """Partition column ``names`` and their ``dictionaries`` (pyarrow arrays)."""

    names: tuple[str, ...]
    dictionaries: tuple[Any, ...]

    def code(self, i: int, value: Any) -> int:
        """The position of ``value`` in column ``i``'s dictionary (-1: missing)."""
        return -1 if value is None else self.dictionaries[i].to_pylist().index(value)


def _files_below(folder: str, suffixes: tuple[str, ...]) -> list[str]:
    """The files with ``suffixes`` below ``folder``, hidden and ``_`` names skipped,
    sorted as plain strings (the order in which pyarrow meets partition values)."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        found += [
            os.path.join(root, n)
            for n in names
            if n.endswith(suffixes) and not n.startswith((".", "_"))
        ]
    if not found:
        raise FileNotFoundError(
            f"read_parquet: the directory {folder!r} holds no {' or '.join(suffixes)} files."
        )
    return sorted(found)


def discover(
    folder: str, suffixes: tuple[str, ...]
) -> tuple[Any, list[Any], HiveColumns, list[tuple[Any, ...]]]:
    """``(dataset, fragments, columns, values)`` of the files with ``suffixes`` below the
    hive directory ``folder``: fragments in natural order of their relative paths,
    ``values[i]`` the partition values of fragment ``i`` (None where missing)."""
    from tessera.dataframe.io.parquet import import_pyarrow

    _, _, ds = import_pyarrow()
    dataset = ds.dataset(
        _files_below(folder, suffixes),
        format="parquet",
        partitioning=ds.HivePartitioning.discover(infer_dictionary=True),
        partition_base_dir=folder,
    )
    names = tuple(dataset.partitioning.schema.names)
    columns = HiveColumns(names, tuple(dataset.partitioning.dictionaries))
    fragments = sorted(
        dataset.get_fragments(), key=lambda f: natural_key(os.path.relpath(f.path, folder))
    )
    values = []
    for f in fragments:
        keys = ds.get_partition_keys(f.partition_expression)
        values.append(tuple(keys.get(n) for n in names))
    return dataset, fragments, columns, values


def with_partitions(table: Any, columns: HiveColumns, values: tuple[Any, ...], wanted: Any) -> Any:
    """``table`` with the partition columns in ``wanted`` appended (constant ``values``),
    each a dictionary column with the dataset-wide dictionary.

    >>> import pyarrow as pa
    >>> cols = HiveColumns(("k",), (pa.array([1, 10, 2], pa.int32()),))
    >>> t = with_partitions(pa.table({"v": [0.5, 1.5]}), cols, (10,), ["v", "k"])
    >>> t.to_pandas().k.cat.categories.tolist(), t.column("k").to_pylist()
    ([1, 10, 2], [10, 10])
    """
    from tessera.dataframe.io.parquet import import_pyarrow

    pa, _, _ = import_pyarrow()
    for i, name in enumerate(columns.names):
        if name in wanted:
            code = columns.code(i, values[i])
            indices = (
                pa.nulls(table.num_rows, pa.int32())
                if code < 0
                else pa.array(np.full(table.num_rows, code, dtype=np.int32))
            )
            column = pa.DictionaryArray.from_arrays(indices, columns.dictionaries[i])
            table = table.append_column(name, column)
    return table


def _decide(term: Any, columns: HiveColumns, values: tuple[Any, ...]) -> bool | None:
    """A filter term on a partition column: True or False; None for another column."""
    name, op, literal = term
    if name not in columns.names:
        return None
    if op not in _OPS:
        raise ValueError(
            f"read_parquet: unknown filter operator {op!r} in {term!r}; use one of {sorted(_OPS)}."
        )
    value = values[columns.names.index(name)]
    if value is None:  # a missing value satisfies no comparison, as in pyarrow
        return False
    try:
        return bool(_OPS[op](value, literal))
    except TypeError as e:
        raise TypeError(
            f"read_parquet: the filter {term!r} compares the partition column {name!r} "
            f"(values like {value!r}) with {literal!r}; give a value of the same type."
        ) from e


def file_filters(filters: Any, columns: HiveColumns, values: tuple[Any, ...]) -> Any:
    """The DNF ``filters`` for one file with partition ``values``: :data:`PRUNED` when no
    row can pass, None when every row passes, else the terms on the file's own columns.

    >>> cols = HiveColumns(("k",), ())
    >>> file_filters([("k", "==", 1), ("v", ">", 0)], cols, (1,))
    [[('v', '>', 0)]]
    >>> file_filters([[("k", "==", 2)], [("k", "in", [1])]], cols, (1,)) is None
    True
    >>> file_filters([("k", ">", 5)], cols, (1,))
    'pruned'
    """
    if filters is None:
        return None
    groups = [filters] if filters and isinstance(filters[0][0], str) else filters
    kept: list[list[Any]] = []
    for group in groups:
        rest, possible = [], True
        for term in group:
            decided = _decide(tuple(term), columns, values)
            if decided is None:
                rest.append(tuple(term))
            possible = possible and decided is not False
        if possible and not rest:
            return None  # this group keeps every row of the file
        if possible:
            kept.append(rest)
    return kept or PRUNED


def directory_name(name: str, value: Any) -> str:
    """``name=value``, %-escaped, as a hive directory (see the module map)."""
    missing = value is None or (not isinstance(value, str) and bool(pd.isna(value)))
    text = NULL_NAME if missing else quote(str(value), safe="")
    return f"{name}={text}"
