"""Reading and writing dataframes: CSV, Parquet, NumPy arrays.

Map
---
- :mod:`~tessera.dataframe.io.write` -- :class:`WriteMixin` (``to_csv``, ``to_parquet``).
"""
