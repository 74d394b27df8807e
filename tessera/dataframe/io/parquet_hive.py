"""Hive-partitioned Parquet directories (``dir/k=1/part.0.parquet``): finding, reading,
filtering and naming them.

Map
---
- :func:`is_hive` -- whether a path is a directory with ``name=value`` subdirectories.
- :class:`HiveColumns` -- the partition columns of a dataset: names and, per column,
  every value found (pyarrow's dictionary, in its order), so each partition column is a
  categorical with the same categories in every file -- as ``pandas.read_parquet``.
- :func:`files_below` -- the data files below a directory, for readers and writers.
- :func:`discover` -- the dataset (pyarrow, ``partitioning="hive"``), its files in
  natural order of their paths (``k=2`` before ``k=10``, as for flat directories) with
  each file's partition values.
- :func:`with_partitions` -- append a file's partition columns to a table read from it.
- :func:`file_filters` -- the filters left for one file once its partition values are
  known: terms on partition columns are decided now (a file that fails them is pruned
  without being opened), the rest is pushed into the file's reader.  pyarrow evaluates
  each such term once, on the column's dictionary (:meth:`HiveColumns.passing`), so
  literals are cast and type errors raised as ``pandas.read_parquet`` does.
- :func:`directory_name` -- ``name=value`` for a writer (values %-escaped, a missing
  value as ``__HIVE_DEFAULT_PARTITION__``), as pyarrow reads them back.

>>> directory_name("k", 3), directory_name("s", "a/b"), directory_name("k", None)
('k=3', 's=a%2Fb', 'k=__HIVE_DEFAULT_PARTITION__')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
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
    "files_below",
    "is_hive",
    "with_partitions",
]

#: The directory name pyarrow (and Hive) give a missing partition value.
NULL_NAME = "__HIVE_DEFAULT_PARTITION__"

#: What :func:`file_filters` returns for a file whose partition values rule it out.
PRUNED = "pruned"


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
    _passing: dict[str, frozenset[int]] = field(default_factory=dict, compare=False, repr=False)

    def code(self, i: int, value: Any) -> int:
        """The position of ``value`` in column ``i``'s dictionary (-1: missing)."""
        return -1 if value is None else self.dictionaries[i].to_pylist().index(value)

    def passing(self, term: tuple[Any, ...]) -> frozenset[int]:
        """The codes of the values of ``term``'s column that pass it (-1: a missing value).

        pyarrow evaluates the term once, on the column's dictionary and a null, so literals
        are cast (``"1"`` matches ``1`` in ``in``), nulls compare false and mismatched
        types raise, exactly as when ``pandas.read_parquet`` filters the dataset.

        >>> import pyarrow as pa
        >>> cols = HiveColumns(("k",), (pa.array([1, 10, 2], pa.int32()),))
        >>> sorted(cols.passing(("k", "in", ["1", "2"]))), sorted(cols.passing(("k", "!=", 1)))
        ([0, 2], [1, 2])
        """
        key = repr(term)
        if key not in self._passing:
            self._passing[key] = self._evaluate(term)
        return self._passing[key]

    def _evaluate(self, term: tuple[Any, ...]) -> frozenset[int]:
        from tessera.dataframe.io.parquet import import_pyarrow

        pa, pq, ds = import_pyarrow()
        name = term[0]
        values = self.dictionaries[self.names.index(name)]
        column = pa.concat_arrays([values, pa.nulls(1, values.type)])
        try:
            keep = ds.dataset(pa.table({name: column})).to_table(
                columns={"keep": pq.filters_to_expression([term])}
            )
        except (pa.ArrowException, TypeError) as e:
            raise type(e)(
                f"read_parquet: the filter {term!r} cannot compare the partition column "
                f"{name!r} (read as {values.type}: {values.to_pylist()[:3]}...) with {term[2]!r}: "
                f"{e}. Give a {values.type} value, as pandas.read_parquet needs."
            ) from e
        mask = keep.column("keep").to_pylist()
        return frozenset(-1 if i == len(values) else i for i, ok in enumerate(mask) if ok)


def files_below(folder: str, suffixes: tuple[str, ...]) -> list[str]:
    """The files with ``suffixes`` below ``folder`` (maybe none), hidden and ``_`` names
    skipped, sorted as plain strings (the order in which pyarrow meets partition values).

    >>> files_below("/no/such/dir", (".parquet",))
    []
    """
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        found += [
            os.path.join(root, n)
            for n in names
            if n.endswith(suffixes) and not n.startswith((".", "_"))
        ]
    return sorted(found)


def discover(
    folder: str, suffixes: tuple[str, ...]
) -> tuple[Any, list[Any], HiveColumns, list[tuple[Any, ...]]]:
    """``(dataset, fragments, columns, values)`` of the files with ``suffixes`` below the
    hive directory ``folder``: fragments in natural order of their relative paths,
    ``values[i]`` the partition values of fragment ``i`` (None where missing)."""
    from tessera.dataframe.io.parquet import import_pyarrow

    _, _, ds = import_pyarrow()
    files = files_below(folder, suffixes)
    if not files:
        raise FileNotFoundError(
            f"read_parquet: the directory {folder!r} holds no {' or '.join(suffixes)} files."
        )
    dataset = ds.dataset(
        files,
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
    if term[0] not in columns.names:
        return None
    i = columns.names.index(term[0])
    return columns.code(i, values[i]) in columns.passing(term)


def file_filters(filters: Any, columns: HiveColumns, values: tuple[Any, ...]) -> Any:
    """The DNF ``filters`` for one file with partition ``values``: :data:`PRUNED` when no
    row can pass, None when every row passes, else the terms on the file's own columns.

    >>> import pyarrow as pa
    >>> cols = HiveColumns(("k",), (pa.array([1, 2], pa.int32()),))
    >>> file_filters([("k", "==", 1), ("v", ">", 0)], cols, (1,))
    [[('v', '>', 0)]]
    >>> file_filters([[("k", "==", 2)], [("k", "in", [1])]], cols, (1,)) is None
    True
    >>> file_filters([("k", ">", 5)], cols, (1,))
    'pruned'
    >>> file_filters([("k", "in", ["1", "2"])], cols, (1,)) is None  # cast, as pyarrow does
    True
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
