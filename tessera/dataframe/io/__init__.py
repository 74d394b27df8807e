"""Reading and writing dataframes: CSV and Parquet files.

Map
---
- :mod:`~tessera.dataframe.io.csv` -- ``read_csv``, ``read_table`` (byte blocks,
  compression, meta from a sample), with :mod:`~tessera.dataframe.io.csv_check` (the
  dtypes blocks are parsed with, and the dtype-mismatch error).
- :mod:`~tessera.dataframe.io.parquet` -- ``read_parquet`` (pyarrow; column and
  filter pushdown, divisions from statistics).
- :mod:`~tessera.dataframe.io.write` -- :class:`WriteMixin` (``to_csv``,
  ``to_parquet`` methods) and the lazy :class:`~tessera.dataframe.io.write.WriteResult`;
  the writers themselves are :mod:`~tessera.dataframe.io.csv_write` and
  :mod:`~tessera.dataframe.io.parquet_write`.
- :mod:`~tessera.dataframe.io.project` -- column projection into the readers
  (``df[cols]`` straight after ``read_csv``/``read_parquet`` reads only ``cols``).
- :mod:`tessera.paths` (shared with the bags) -- input globs and directories, output patterns,
  atomic (temporary name + rename) writes.

``from_array`` lives with the other constructors in :mod:`tessera.dataframe.creation`.
"""
