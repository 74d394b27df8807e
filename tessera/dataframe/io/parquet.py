"""Reading Parquet datasets into dataframes: :func:`read_parquet` (needs pyarrow).

Map
---
- :func:`import_pyarrow` -- the one seam where pyarrow is imported, with an
  ``ImportError`` that says ``pip install "tessera[parquet]"``.
- :func:`read_parquet` -- a directory, a file, a glob or a list of files; one partition
  per file.  ``columns`` and ``filters`` (pyarrow's DNF syntax, as in pandas and Dask)
  are pushed into the reader; files whose row-group statistics rule out every row are
  dropped before anything runs.  A directory of hive subdirectories (``k=1/...``) is
  read recursively, its partition columns restored as categoricals and filters on
  them deciding which files are read (:mod:`~tessera.dataframe.io.parquet_hive`).
- :class:`FrameSpec` -- which fields to read and how to turn a table into the frame
  (index, column order, Series or DataFrame); applied to an empty table it gives the
  meta, so meta and partitions agree by construction.
- :class:`ReadParquetFile` -- the task reading one file.
- :func:`dataset_files`, :func:`last_index_value` -- what a directory holds, for
  :func:`~tessera.dataframe.io.parquet_write.to_parquet` (appending, replacing).

Categoricals: a Parquet file stores a categorical column as a dictionary column, one
dictionary per row group, and the pandas metadata records only how many categories there
were -- not which.  Each partition therefore has the categories its own file holds, and
the meta marks them *unknown* (the convention of :mod:`tessera.dataframe.categorical`,
as in Dask; ``df.categorize()`` finds them).  Hive partition columns are the exception:
their categories are every directory value, the same in each partition, so known.

Divisions are known when the index is one stored column (the pandas index written by
``to_parquet``, or ``index=``) whose row-group statistics put the files in strictly
increasing, non-overlapping order; otherwise unknown.

>>> import os, tempfile, pandas as pd, tessera.dataframe as dd
>>> with tempfile.TemporaryDirectory() as d:
...     pdf = pd.DataFrame({"x": range(6)}, index=pd.Index(range(6), name="i"))
...     dd.from_pandas(pdf, npartitions=2).to_parquet(d)
...     df = dd.read_parquet(d, filters=[("x", ">", 0)])
...     df.divisions, df.x.sum().compute()
((0, 3, 5), np.int64(15))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd

from tessera.dataframe.categorical import UNKNOWN_CATEGORIES, unknown_categories
from tessera.dataframe.graph import new_collection
from tessera.dataframe.io.parquet_hive import (
    PRUNED,
    HiveColumns,
    discover,
    file_filters,
    files_below,
    is_hive,
    with_partitions,
)
from tessera.extras import import_extra
from tessera.hashing import tokenize
from tessera.paths import input_files

__all__ = [
    "FrameSpec",
    "ReadParquetFile",
    "dataset_files",
    "import_pyarrow",
    "last_index_value",
    "read_parquet",
]

_SUFFIXES = (".parquet", ".parq", ".pq")


def import_pyarrow() -> tuple[Any, Any, Any]:
    """``(pyarrow, pyarrow.parquet, pyarrow.dataset)``, or a clear ``ImportError``."""
    modules = ("pyarrow", "pyarrow.parquet", "pyarrow.dataset")
    pa, pq, ds = (import_extra(m, "Parquet support", "parquet", "pyarrow") for m in modules)
    return pa, pq, ds


def _stored_index(schema: Any) -> list[str]:
    """The fields holding the pandas index, from the pandas metadata (if any)."""
    meta = schema.pandas_metadata or {}
    return [c for c in meta.get("index_columns", []) if isinstance(c, str)]


@dataclass(frozen=True)
class FrameSpec:
    """How a table becomes the frame.

    Read ``fields``; the index is ``index_fields`` (``index=None``: the stored pandas
    index; ``False``: none, stored index fields become columns); keep ``columns`` (a
    list, or one name for a Series).
    """

    fields: tuple[str, ...]
    index: Any
    index_fields: tuple[str, ...]
    columns: Any

    def to_frame(self, table: Any) -> Any:
        """The pandas object for ``table`` (a pyarrow table with :attr:`fields`)."""
        df = table.to_pandas()  # sets the stored pandas index when its fields were read
        if self.index is not None:
            stored = [c for c in _stored_index(table.schema) if c in table.column_names]
            if stored:
                df.index.names = stored
                df = df.reset_index()
            if self.index_fields:
                df = df.set_index(list(self.index_fields))
        if isinstance(self.columns, str) or list(df.columns) != list(self.columns):
            df = df[self.columns]
        return df


@dataclass(frozen=True)
class ReadParquetFile:
    """Read the file at ``path`` through :class:`FrameSpec`, with ``filters`` on its rows;
    in a hive directory, the partition columns (``hive``) hold the file's ``values``."""

    spec: FrameSpec
    filters: Any
    path: str
    hive: HiveColumns | None = None
    values: tuple[Any, ...] = ()

    def __call__(self) -> Any:
        _, pq, _ = import_pyarrow()
        fields = list(self.spec.fields)
        if self.hive is not None:
            fields = [f for f in fields if f not in self.hive.names]
        if self.filters is None:  # the plain file reader costs less than a dataset
            with pq.ParquetFile(self.path) as f:
                table = f.read(columns=fields)
        else:
            table = pq.read_table(self.path, columns=fields, filters=self.filters)
        if self.hive is not None:
            table = with_partitions(table, self.hive, self.values, self.spec.fields)
        return self.spec.to_frame(table)


def _spec(schema: Any, columns: Any, index: Any) -> FrameSpec:
    names = list(schema.names)
    stored = _stored_index(schema)
    if index is None:
        index_fields = stored
    elif index is False:
        index_fields, stored = [], []
    else:
        index_fields = [index] if isinstance(index, str) else list(index)
    if columns is None:
        wanted = [n for n in names if n not in stored and n not in index_fields]
    else:
        wanted = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in [*wanted, *index_fields] if c not in names]
    if missing:
        raise KeyError(f"read_parquet: column(s) {missing!r} not found; the files hold {names!r}.")
    fields = tuple(dict.fromkeys([*wanted, *index_fields]))
    keep = columns if isinstance(columns, str) else [c for c in wanted if c not in index_fields]
    return FrameSpec(fields, index, tuple(index_fields), keep)


def _unknown_dtype(dtype: Any) -> Any:
    return pd.CategoricalDtype([UNKNOWN_CATEGORIES], ordered=dtype.ordered)


def _file_categories(frame: Any, known: tuple[str, ...]) -> Any:
    """The meta of ``frame`` (read from an empty table) with unknown categories in its
    categorical columns and index, but for the columns in ``known`` (hive partitions).

    >>> meta = pd.DataFrame({"c": pd.Categorical([]), "k": pd.Categorical([], ["x"])})
    >>> out = _file_categories(meta.set_index(meta.c.rename("i")), ("k",))
    >>> out.c.cat.categories.tolist(), out.index.categories.tolist(), out.k.cat.categories.tolist()
    (['__UNKNOWN_CATEGORIES__'], ['__UNKNOWN_CATEGORIES__'], ['x'])
    """
    if isinstance(frame, pd.Series):
        cat = isinstance(frame.dtype, pd.CategoricalDtype) and frame.name not in known
        out = unknown_categories(frame) if cat else frame
    else:
        cats = [c for c, d in frame.dtypes.items() if isinstance(d, pd.CategoricalDtype)]
        unknown = [c for c in cats if c not in known]
        out = unknown_categories(frame, unknown) if unknown else frame
    index = out.index
    if isinstance(index, pd.CategoricalIndex) and index.name not in known:
        dtype = _unknown_dtype(index.dtype)
        out = out.set_axis(pd.CategoricalIndex([], dtype=dtype, name=index.name))
    return out


def _file_bounds(fragment: Any, field: str) -> tuple[Any, Any] | None:
    """``(min, max)`` of ``field`` over the fragment's row groups, if all are known."""
    md = fragment.metadata
    col = (
        next(
            (
                j
                for j in range(md.num_columns)
                if md.row_group(0).column(j).path_in_schema == field
            ),
            None,
        )
        if md.num_row_groups
        else None
    )
    if col is None:
        return None
    lows, highs = [], []
    for r in range(md.num_row_groups):
        stats = md.row_group(r).column(col).statistics
        if stats is None or not stats.has_min_max:
            return None
        lows.append(stats.min)
        highs.append(stats.max)
    return min(lows), max(highs)


def dataset_files(folder: str) -> list[str]:
    """The files :func:`read_parquet` reads for the directory ``folder`` (none if absent).

    >>> dataset_files("/no/such/dir")
    []
    """
    if is_hive(folder):
        return files_below(folder, _SUFFIXES)
    if not os.path.isdir(folder):
        return []
    names = [
        n for n in os.listdir(folder) if n.endswith(_SUFFIXES) and not n.startswith((".", "_"))
    ]
    return [os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))]


def last_index_value(paths: list[str]) -> Any:
    """The largest value of the stored pandas index of the files at ``paths`` (from their
    row-group statistics); ``None`` if there is no single index column or no statistics.

    >>> import tempfile, tessera.dataframe as dd
    >>> with tempfile.TemporaryDirectory() as d:
    ...     dd.from_dict({"a": [1, 2, 3]}, npartitions=2).to_parquet(d)
    ...     last_index_value(dataset_files(d))
    2
    """
    _, _, ds = import_pyarrow()
    dataset = ds.dataset(paths, format="parquet")
    stored = _stored_index(dataset.schema)
    if len(stored) != 1:
        return None
    bounds = [_file_bounds(f, stored[0]) for f in dataset.get_fragments()]
    highs = [b[1] for b in bounds if b is not None]
    return max(highs) if highs and len(highs) == len(bounds) else None


def _divisions(fragments: list[Any], meta: Any, spec: FrameSpec) -> tuple[Any, ...] | None:
    if (
        len(spec.index_fields) != 1
        or not fragments
        or isinstance(meta.index.dtype, pd.CategoricalDtype)
    ):
        return None
    field = spec.index_fields[0]
    bounds = [_file_bounds(f, field) for f in fragments]
    if any(b is None for b in bounds):
        return None
    lows = [b[0] for b in bounds if b is not None]
    highs = [b[1] for b in bounds if b is not None]
    try:
        if any(not h < lo for h, lo in zip(highs, lows[1:], strict=False)):
            return None
        values = pd.Index([*lows, highs[-1]]).astype(meta.index.dtype)
    except (TypeError, ValueError):
        return None
    return tuple(values.tolist())


def read_parquet(
    path: Any,
    columns: Any = None,
    filters: Any = None,
    index: Any = None,
    calculate_divisions: bool = True,
) -> Any:
    """Read a Parquet dataset into a lazy DataFrame (or Series), one partition per file.

    Parameters
    ----------
    path : str, path or list
        A directory (its ``*.parquet`` files, in natural order), a file, a glob or a
        list of files.  A directory with hive subdirectories (``k=1/part.0.parquet``)
        is read with every file below it (in natural order of the paths) and gets the
        partition columns back, last, as categoricals with every value found (the
        dtype ``pandas.read_parquet`` gives).
    columns : str or list, optional
        Only these columns (a single name gives a Series).  Only they are read.
    filters : list, optional
        Row filters in pyarrow's DNF syntax: ``[("x", ">", 0)]`` (AND of tuples) or
        ``[[...], [...]]`` (OR of ANDs).  Files whose statistics (or, in a hive
        directory, partition values) rule out every row are skipped; the remaining
        rows are filtered while reading.
    index : str, list, False or None
        The index: ``None`` the stored pandas index, a column name (or names), or
        ``False`` for no index (the stored one becomes a column).
    calculate_divisions : bool
        Derive divisions from the index's row-group statistics.

    Examples
    --------
    >>> import tempfile, pandas as pd, tessera.dataframe as dd
    >>> with tempfile.TemporaryDirectory() as d:
    ...     dd.from_dict({"a": [1, 2, 3], "b": list("xyz")}, npartitions=2).to_parquet(d)
    ...     dd.read_parquet(d, columns="b", filters=[("a", "!=", 2)]).compute().tolist()
    ['x', 'z']
    >>> with tempfile.TemporaryDirectory() as d:
    ...     dd.from_dict({"k": [1, 2, 1], "v": [5, 6, 7]}, npartitions=2).to_parquet(
    ...         d, partition_on="k")
    ...     hive = dd.read_parquet(d, filters=[("k", "==", 1)])
    ...     hive.npartitions, hive.k.dtype, hive.v.compute().tolist()
    (2, CategoricalDtype(categories=[1, 2], ordered=False, categories_dtype=int32), [5, 7])
    """
    pa, pq, ds = import_pyarrow()
    if filters is not None:
        pq.filters_to_expression(filters)  # pyarrow's checks and errors, as in pandas
    hive: HiveColumns | None = None
    values: list[tuple[Any, ...]]
    if is_hive(path):
        dataset, fragments, hive, values = discover(os.fspath(path), _SUFFIXES)
        files_only = [f for f in dataset.schema if f.name not in hive.names]
        empty = pa.schema(files_only, metadata=dataset.schema.metadata).empty_table()
        empty = with_partitions(empty, hive, (None,) * len(hive.names), hive.names)
    else:
        dataset = ds.dataset(input_files(path, "read_parquet", _SUFFIXES), format="parquet")
        fragments, empty = list(dataset.get_fragments()), dataset.schema.empty_table()
        values = [()] * len(fragments)
    spec = _spec(dataset.schema, columns, index)
    empty_frame = spec.to_frame(empty)
    meta = _file_categories(empty_frame, () if hive is None else hive.names)
    kept, tasks = [], []
    for fragment, vals in zip(fragments, values, strict=True):
        own = filters if hive is None else file_filters(filters, hive, vals)
        if own is PRUNED or (
            own is not None
            and not fragment.subset(filter=pq.filters_to_expression(own)).num_row_groups
        ):
            continue
        kept.append(fragment)
        tasks.append(ReadParquetFile(spec, own, fragment.path, hive, vals))
    divisions = _divisions(kept, meta, spec) if calculate_divisions else None
    stats = [(os.path.getsize(t.path), os.path.getmtime(t.path)) for t in tasks]
    name = f"read-parquet-{tokenize(tasks, stats)}"
    if not tasks:
        layer: dict[Any, Any] = {(name, 0): (partial(_empty, empty_frame),)}
        return new_collection({name: layer}, name, meta, (None, None))
    layer = {(name, i): (t,) for i, t in enumerate(tasks)}
    return new_collection({name: layer}, name, meta, divisions or (None,) * (len(tasks) + 1))


def _empty(meta: Any) -> Any:
    return meta.copy()
