"""Writing frames to Parquet: one ``part.<i>.parquet`` file per partition (needs pyarrow).

Map
---
- :func:`to_parquet` -- the graph: one :class:`WriteParquet` task per partition, plus,
  when the meta cannot give every column's type (``object`` columns), one
  :class:`InferSchema` task that looks at the first partition.
- :func:`arrow_schema` -- the one schema every file is written with, so files written
  from empty partitions, or partitions whose ``object`` column is all ``None``, still
  read back as one dataset.
- :class:`WriteParquet` -- convert one partition with that schema and write it through
  a temporary file renamed into place; with ``partition_on``, one file per group of
  equal partition values, under hive directories ``k=<value>/part.<i>.parquet`` (names
  from :func:`~tessera.dataframe.io.parquet_hive.directory_name`), without the
  partition columns, which the directory names hold.
- :mod:`~tessera.dataframe.io.parquet_append` -- appending to or replacing a dataset
  already in the directory (schema and index checks, file numbers, stale files).

Existing data (as in Dask): ``append=True`` adds files numbered after the existing
``part.<i>`` files (their schema must match; an index that does not start after the
dataset's last index value raises, unless ``ignore_divisions=True``);
``overwrite=True`` deletes the directory first.  A plain write builds the dataset from
scratch: once every file is written, the dataset's other ``part.<i>`` files (from an
earlier write, flat or hive) are deleted, so that ``read_parquet`` reads what was written
(Dask would leave them to be read); files with other names are left alone.

The pandas index is written as a column (``write_index=True``, as in Dask) and named in
the pandas metadata, so :func:`~tessera.dataframe.read_parquet` restores it (and its
divisions).

>>> import os, tempfile, tessera.dataframe as dd
>>> with tempfile.TemporaryDirectory() as d:
...     dd.from_dict({"a": [1, 2, 3]}, npartitions=2).to_parquet(d)
...     sorted(os.listdir(d))
['part.0.parquet', 'part.1.parquet']
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd

from tessera.dataframe.io.parquet import dataset_files, import_pyarrow
from tessera.dataframe.io.parquet_hive import directory_name
from tessera.hashing import tokenize
from tessera.paths import atomic_write, output_files

__all__ = ["InferSchema", "WriteParquet", "arrow_schema", "to_parquet"]


def arrow_schema(
    meta: pd.DataFrame, write_index: bool, overrides: Any = None, sample: Any = None
) -> Any:
    """The pyarrow schema of ``meta``; ``null`` (object) types are taken from ``sample``.

    ``overrides`` maps column names to pyarrow types (a full ``pyarrow.Schema`` is used
    as it is).

    >>> import pyarrow as pa
    >>> meta = pd.DataFrame({"a": pd.Series([], dtype="int64")})
    >>> arrow_schema(meta, False, {"a": pa.int32()}).types
    [DataType(int32)]
    """
    pa, _, _ = import_pyarrow()
    if isinstance(overrides, pa.Schema):
        return overrides
    schema = pa.Schema.from_pandas(meta, preserve_index=write_index)
    guessed = (
        pa.Schema.from_pandas(sample, preserve_index=write_index) if sample is not None else schema
    )
    for i, field in enumerate(schema):
        new_type = (overrides or {}).get(field.name)
        if new_type is None and pa.types.is_null(field.type):
            new_type = guessed.field(field.name).type
        if new_type is not None:
            schema = schema.set(i, field.with_type(new_type))
    return schema


def _needs_sample(meta: pd.DataFrame, write_index: bool, overrides: Any) -> bool:
    pa, _, _ = import_pyarrow()
    if isinstance(overrides, pa.Schema):
        return False
    schema = pa.Schema.from_pandas(meta, preserve_index=write_index)
    return any(pa.types.is_null(f.type) and f.name not in (overrides or {}) for f in schema)


@dataclass(frozen=True)
class InferSchema:
    """The schema of :func:`arrow_schema`, given the first partition."""

    meta: pd.DataFrame
    write_index: bool
    overrides: Any

    def __call__(self, part: pd.DataFrame) -> Any:
        return arrow_schema(self.meta, self.write_index, self.overrides, part)


@dataclass(frozen=True)
class WriteParquet:
    """Write one partition to ``path`` with ``schema`` (with ``partition_on``: one file per
    group, under hive directories next to ``path``); return the paths written."""

    path: str
    write_index: bool
    kwargs: dict[str, Any]
    partition_on: tuple[str, ...] = ()

    def __call__(self, part: pd.DataFrame, schema: Any) -> str | list[str]:
        if not self.partition_on:
            self._write(part, schema, self.path)
            return self.path
        for name in self.partition_on:
            schema = schema.remove(schema.get_field_index(name))
        folder, base = os.path.split(self.path)
        written = []
        groups = part.groupby(list(self.partition_on), sort=False, dropna=False, observed=True)
        for key, group in groups:
            dirs = [directory_name(n, v) for n, v in zip(self.partition_on, key, strict=True)]
            target = os.path.join(folder, *dirs, base)
            self._write(group.drop(columns=list(self.partition_on)), schema, target)
            written.append(target)
        return written

    def _write(self, part: pd.DataFrame, schema: Any, path: str) -> None:
        pa, pq, _ = import_pyarrow()
        try:
            table = pa.Table.from_pandas(part, schema=schema, preserve_index=self.write_index)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            raise ValueError(
                f"to_parquet: the partition for {path!r} does not fit the schema "
                f"inferred from the first partition ({e}). Pass schema={{'column': "
                "pyarrow_type}} (or a pyarrow.Schema) to to_parquet."
            ) from e
        with atomic_write(path, "wb") as f:
            pq.write_table(table, f, **self.kwargs)


def _check_options(options: dict[str, Any]) -> None:
    """Raise now, with the keywords named, if ``pyarrow.parquet.write_table`` rejects them."""
    pa, pq, _ = import_pyarrow()
    try:
        pq.write_table(pa.table({"x": pa.array([], pa.int64())}), io.BytesIO(), **options)
    except TypeError as e:
        raise TypeError(
            f"to_parquet: pyarrow.parquet.write_table does not take the keywords "
            f"{sorted(options)!r} ({e}); see its documentation for the options it takes."
        ) from None
    except (pa.ArrowException, ValueError, KeyError):
        pass  # options about columns of the real data are checked when writing it


def _partition_columns(df: Any, partition_on: Any) -> tuple[str, ...]:
    if partition_on is None:
        return ()
    on = [partition_on] if isinstance(partition_on, str) else list(partition_on)
    missing = [c for c in on if c not in df.columns]
    if missing:
        raise KeyError(
            f"to_parquet: partition_on column(s) {missing!r} not found; available columns: "
            f"{list(df.columns)!r}."
        )
    return tuple(on)


def to_parquet(
    df: Any,
    path: str | os.PathLike[str],
    compression: str | None = "snappy",
    write_index: bool = True,
    append: bool = False,
    overwrite: bool = False,
    ignore_divisions: bool = False,
    schema: Any = None,
    name_function: Callable[[int], Any] | None = None,
    partition_on: str | list[str] | None = None,
    compute: bool = True,
    compute_kwargs: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Write ``df`` to a directory of Parquet files, one ``part.<i>.parquet`` per partition.

    Parameters
    ----------
    df : DataFrame
        What to write (a Series is written as a one-column frame).
    path : str or path
        The directory (created if missing).
    compression : str or None
        Parquet compression codec (``"snappy"``, ``"zstd"``, ``"gzip"``, ``None``...).
    write_index : bool
        Store the index as a column (restored by ``read_parquet``).
    append : bool
        Add files to the dataset already in ``path`` (numbered after its ``part.<i>``
        files; written afresh if there is none).  The columns, index and types must
        match the dataset's, and the index must start after the dataset's last index
        value (its divisions stay known).
    overwrite : bool
        Delete the directory first (not with ``append``).  Without ``append`` or
        ``overwrite``, the write replaces the dataset's ``part.<i>`` files too, but
        deletes the old ones only once every new file is written.
    ignore_divisions : bool
        With ``append``, skip the index check (the divisions read back are unknown).
    schema : dict or pyarrow.Schema, optional
        Column name -> pyarrow type for columns whose type the meta cannot tell
        (``object`` columns, inferred from the first partition otherwise), or a
        whole schema.
    name_function : callable, optional
        ``i -> str``: the name of part ``i`` (default ``str(i)``).
    partition_on : str or list, optional
        Columns whose values name hive directories: partition ``i``'s rows with
        ``k == 1`` go to ``<path>/k=1/part.<i>.parquet``, without the column;
        ``read_parquet(path)`` (and ``pandas.read_parquet``) restore it as a categorical.
    compute : bool
        Write now (returns ``None``), or return a lazy object that writes when computed.
    compute_kwargs : dict, optional
        Keywords for ``compute`` (``scheduler=``...).
    **kwargs
        Passed to :func:`pyarrow.parquet.write_table` (``row_group_size``...).

    Examples
    --------
    >>> import tempfile, tessera.dataframe as dd
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = dd.from_dict({"a": [1, 2]}, npartitions=1).to_parquet(d, compute=False)
    ...     [os.path.basename(p) for p in out.compute()]
    ['part.0.parquet']
    >>> import pandas as pd
    >>> with tempfile.TemporaryDirectory() as d:
    ...     dd.from_dict({"a": [1, 2]}, npartitions=1).to_parquet(d)
    ...     more = dd.from_pandas(pd.DataFrame({"a": [3]}, index=[2]), npartitions=1)
    ...     more.to_parquet(d, append=True)
    ...     sorted(os.listdir(d)), dd.read_parquet(d).divisions
    (['part.0.parquet', 'part.1.parquet'], (0, 2, 2))
    """
    from tessera.dataframe.core import Series
    from tessera.dataframe.io.parquet_append import (
        PART,
        RemoveStale,
        appended_schema,
        check_divisions,
        clear,
        first_number,
        shifted,
    )
    from tessera.dataframe.io.write import WriteResult

    import_pyarrow()
    if isinstance(df, Series):
        df = df.to_frame()
    on = _partition_columns(df, partition_on)
    folder = os.fspath(path)
    if append and overwrite:
        raise ValueError(
            "to_parquet: append=True adds to the dataset and overwrite=True deletes it; "
            "pass only one of them."
        )
    if overwrite:
        clear(folder)
    existing = dataset_files(folder)
    first = 0
    if append and existing:
        schema = appended_schema(existing[0], df.meta, write_index, schema, on)
        if write_index and not ignore_divisions:
            check_divisions(existing, df)
        first = first_number(existing)
    numbers = partial(shifted, name_function or str, first) if first else name_function
    files = output_files(os.path.join(folder, "part.*.parquet"), df.npartitions, numbers)
    stale = () if append else tuple(p for p in existing if PART.match(os.path.basename(p)))
    if append and {os.path.basename(f) for f in files} & {os.path.basename(f) for f in existing}:
        raise ValueError(
            f"to_parquet(append=True): name_function gives names that the dataset at "
            f"{folder!r} already has; it is called with the numbers from {first} on."
        )
    token = tokenize(df, folder, compression, write_index, schema, files, on, kwargs, stale)
    name = f"to-parquet-{token}"
    layers = dict(df.layers)
    if _needs_sample(df.meta, write_index, schema):
        schema_key: Any = (f"parquet-schema-{token}", 0)
        layers[schema_key[0]] = {
            schema_key: (InferSchema(df.meta, write_index, schema), (df._name, 0))
        }
    else:
        schema_key = arrow_schema(df.meta, write_index, schema)
    options = {"compression": compression, **kwargs}
    _check_options(options)
    layers[name] = {
        (name, i): (WriteParquet(p, write_index, options, on), (df._name, i), schema_key)
        for i, p in enumerate(files)
    }
    if stale:
        last = f"{name}-replace"
        writes = [(name, i) for i in range(len(files))]
        layers[last] = {(last, 0): (RemoveStale(folder, stale), writes)}
        result = WriteResult.collect(layers, last, 1)
    else:
        result = WriteResult.collect(layers, name, len(files))
    if compute:
        result.compute(**(compute_kwargs or {}))
        return None
    return result
