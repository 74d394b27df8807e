"""Writing frames to Parquet: one ``part.<i>.parquet`` file per partition (needs pyarrow).

Map
---
- :func:`to_parquet` -- the graph: one :class:`WriteParquet` task per partition, plus,
  when the meta cannot give every column's type (``object`` columns), one
  :class:`InferSchema` task that looks at the first partition.
- :func:`arrow_schema` -- the one schema every file is written with, so files written
  from empty partitions, or partitions whose ``object`` column is all ``None``, still
  read back as one dataset.
- :class:`WriteParquet` -- convert one partition with that schema and write it into
  the write's hidden staging directory; with ``partition_on``, one file per group of
  equal partition values, under hive directories ``k=<value>/part.<i>.parquet`` (names
  from :func:`~tessera.dataframe.io.parquet_hive.directory_name`), without the
  partition columns, which the directory names hold.
- :mod:`~tessera.dataframe.io.parquet_append` -- the last task, which moves the staged
  files into place and removes the files they replace; appending to a dataset (schema
  and index checks, file numbers); refusing to replace a dataset the graph reads.

Staging: every file is written under ``<path>/.to-parquet.<random>.tmp/`` (hidden, so
readers skip it); only once every partition is written does the last task touch the
dataset.  A compute that fails leaves the directory exactly as it was: the staging
directory is a :class:`~tessera.dataframe.io.write.TempFile`, removed when the compute
ends.

Existing data: ``append=True`` adds files numbered after the existing ``part.<i>`` files
(their schema must match; an index that does not start after the dataset's last index
value raises, unless ``ignore_divisions=True``), as in Dask.  A plain write replaces the
dataset: the earlier ``part.<i>`` files (flat or hive) that it did not overwrite are
deleted, so that ``read_parquet`` reads what was written (Dask would leave them to be
read); other files are left alone.  ``overwrite=True`` also deletes the other data files
(every file ``read_parquet`` would read) and the metadata files (``_metadata``,
``_common_metadata``, ``_SUCCESS``); unlike Dask, which deletes the whole directory, it
keeps files that are not part of a dataset (``notes.txt``).  Both refuse, at call time,
a graph that reads Parquet files below ``path`` (a ``ValueError``, as Dask's
``overwrite=True``): ``persist()`` it first, or write elsewhere.

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
from tessera.dataframe.io.write import TempFile, WriteResult
from tessera.hashing import tokenize
from tessera.paths import atomic_write, output_files, temp_name

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
class WriteParquet(TempFile):
    """Write one partition with ``schema`` to ``name`` inside the staging directory
    ``tmp`` (with ``partition_on``: one file per group, under hive directories); return
    the names written, relative to ``tmp``."""

    name: str
    write_index: bool
    kwargs: dict[str, Any]
    partition_on: tuple[str, ...] = ()

    def __call__(self, part: pd.DataFrame, schema: Any) -> list[str]:
        if not self.partition_on:
            self._write(part, schema, self.name)
            return [self.name]
        for name in self.partition_on:
            schema = schema.remove(schema.get_field_index(name))
        written = []
        groups = part.groupby(list(self.partition_on), sort=False, dropna=False, observed=True)
        for key, group in groups:
            dirs = [directory_name(n, v) for n, v in zip(self.partition_on, key, strict=True)]
            target = os.path.join(*dirs, self.name)
            self._write(group.drop(columns=list(self.partition_on)), schema, target)
            written.append(target)
        return written

    def _write(self, part: pd.DataFrame, schema: Any, name: str) -> None:
        pa, pq, _ = import_pyarrow()
        try:
            table = pa.Table.from_pandas(part, schema=schema, preserve_index=self.write_index)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            raise ValueError(
                f"to_parquet: the partition for {name!r} does not fit the schema "
                f"inferred from the first partition ({e}). Pass schema={{'column': "
                "pyarrow_type}} (or a pyarrow.Schema) to to_parquet."
            ) from e
        with atomic_write(os.path.join(os.fspath(self.tmp), name), "wb") as f:
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
        Replace every data and metadata file of the dataset in ``path`` (not with
        ``append``); other files are kept.  Without ``append`` or ``overwrite``, the
        write replaces the dataset's ``part.<i>`` files.  Either way the old files are
        deleted only once every new file is written, and a graph that reads Parquet
        files below ``path`` is refused (``ValueError``).
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
        Publish,
        appended_schema,
        check_divisions,
        first_number,
        refuse_reading,
        shifted,
    )

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
    mode = "append" if append else "overwrite" if overwrite else "replace"
    if not append:
        refuse_reading(df.layers, folder, "overwrite=True" if overwrite else "no append=True")
    existing = dataset_files(folder) if append else []
    first = 0
    if existing:
        schema = appended_schema(existing[0], df.meta, write_index, schema, on)
        if write_index and not ignore_divisions:
            check_divisions(existing, df)
        first = first_number(existing)
    numbers = partial(shifted, name_function or str, first) if first else name_function
    names = output_files("part.*.parquet", df.npartitions, numbers)
    if {os.path.basename(f) for f in existing} & set(names):
        raise ValueError(
            f"to_parquet(append=True): name_function gives names that the dataset at "
            f"{folder!r} already has; it is called with the numbers from {first} on."
        )
    stage = temp_name(os.path.join(folder, "to-parquet"))
    token = tokenize(df, folder, compression, write_index, schema, names, on, kwargs, mode, stage)
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
        (name, i): (WriteParquet(stage, n, write_index, options, on), (df._name, i), schema_key)
        for i, n in enumerate(names)
    }
    last = f"{name}-publish"
    writes = [(name, i) for i in range(len(names))]
    layers[last] = {(last, 0): (Publish(stage, folder, mode), writes)}
    result = WriteResult.collect(layers, last, 1)
    if compute:
        result.compute(**(compute_kwargs or {}))
        return None
    return result
