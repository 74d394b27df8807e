"""Reading CSV files into dataframes: :func:`read_csv` and :func:`read_table`.

Map
---
- :func:`read_csv`, :func:`read_table` -- find the files, cut them into blocks, infer
  the meta from a sample, and build one task per block.
- :class:`CSVBlock` -- where one partition's rows are: a whole file, or a byte range of
  an uncompressed file (with the file's header lines, prepended when parsing).
- :class:`ReadCSV` -- the task: parse one block with pandas, check it against the meta.
- :mod:`~tessera.dataframe.io.csv_check` -- the dtypes blocks are parsed with, the
  dtype-mismatch error, and the meta of categoricals.

Policy
------
- Blocks: an uncompressed file larger than ``blocksize`` is cut into byte blocks on line
  boundaries (see :func:`tessera.bag.text.block_bounds`: no line is lost or read twice);
  each block after the first is parsed with the file's header lines in front of it.
  Compressed files (``compression="infer"`` looks at the extension) cannot be cut and
  are one partition each; so are files read with options that make line counting
  ambiguous (a list or callable ``skiprows``, a multi-row ``header``).  A quoted field
  holding a newline may be cut in two: use ``blocksize=None`` for such files.
- Meta: the head of the first file (``sample`` bytes, completed to a whole line and
  grown until it holds a data row) parsed with the same options.  Every block is then
  parsed with the meta's dtypes passed to pandas as ``dtype=`` (except dates,
  categoricals and object columns, which pandas infers per block: booleans with
  missing values), so a float column whose later blocks hold only integers, or a string
  column with digits, come out as pandas would read the whole file.  Values that do not
  fit (``1.5`` in a column inferred as int64) raise a ``ValueError`` naming the column,
  the dtypes and the ``dtype=`` fix.  ``assume_missing=True`` makes the integer columns
  of the sample float64, except those named in a ``dtype=`` dict.
- Categoricals (as in Dask): ``dtype="category"`` or ``{"c": "category"}`` gives each
  block the categories found in its values, so the meta's are unknown; the result has
  their sorted union (as pandas reading all the rows at once).
  ``{"c": pd.CategoricalDtype(categories)}`` gives known ones (values outside are NaN).
- Index: each partition has its own ``RangeIndex`` from 0 (as in Dask); divisions are
  unknown.
- Parsing uses pandas' C parser: it releases the GIL, so the threads scheduler parses
  blocks in parallel (pyarrow's CSV reader measured slower per core here).  pandas
  (3.1+) also parses one big file with threads of its own; with at least as many
  partitions as cores, tessera hands it open files instead of paths, so the partitions
  are the only parallelism (no threads inside threads, no re-joined chunks).

>>> import os, tempfile, tessera.dataframe as dd
>>> with tempfile.TemporaryDirectory() as d:
...     for i in range(2):
...         with open(os.path.join(d, f"{i}.csv"), "w") as f:
...             _ = f.write(f"k,v\\n{i},1.5\\n{i},2.5\\n")
...     df = dd.read_csv(os.path.join(d, "*.csv"))
...     df.npartitions, df.v.sum().compute()
(2, np.float64(8.0))
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import new_collection
from tessera.dataframe.io.csv_check import (
    block_dtypes,
    categorical_meta,
    conform,
    empty_block,
    mismatch_error,
)
from tessera.hashing import tokenize
from tessera.paths import input_files

__all__ = ["CSVBlock", "ReadCSV", "read_csv", "read_table"]

#: Default size of the byte blocks a big uncompressed file is cut into.
DEFAULT_BLOCKSIZE = 64 * 2**20
_UNSUPPORTED = ("nrows", "chunksize", "iterator", "skipfooter")
_PANDAS_COMPRESSION = {"gzip": "gzip", "bz2": "bz2", "xz": "xz", "lzma": "xz", "zstd": "zstd"}


@dataclass(frozen=True)
class CSVBlock:
    """One partition's bytes: all of ``path`` (``offset is None``) or a block of it.

    A block at ``offset`` of nominal size ``length`` starts after the first newline at
    or after ``offset`` (at 0 for the first) and ends after the first newline at or
    after ``offset + length``; ``header`` (the file's header lines) is parsed first.
    """

    path: str
    compression: str | None
    offset: int | None = None
    length: int = 0
    header: bytes = b""

    def source(self, by_path: bool = True) -> Any:
        """What to hand pandas: the path (or, unless ``by_path``, an open file), or the
        block's bytes; ``None`` if the block is empty."""
        if self.offset is None:
            return self.path if by_path or self.compression else open(self.path, "rb")
        from tessera.bag.text import block_bounds

        with open(self.path, "rb") as f:
            start, end = block_bounds(f, self.offset, self.length, b"\n")
            if end <= start:
                return None
            f.seek(start)
            data = f.read(end - start)
        return io.BytesIO(self.header + data if self.offset else data)

    def where(self) -> str:
        """The block, for error messages."""
        if self.offset is None:
            return repr(self.path)
        return f"{self.path!r} (the block at byte {self.offset})"


@dataclass(frozen=True)
class ReadCSV:
    """Parse a :class:`CSVBlock` with ``reader`` and the meta's dtypes.

    ``dtype`` is what every block is parsed with (the meta's dtypes merged with the
    user's); ``user_dtype`` is the user's own, used to explain a failure.  ``by_path``:
    hand pandas whole files by path, so that it may parse them with threads of its own.
    ``columns``: the columns to return, in this order (set by column projection).
    """

    reader: Callable[..., pd.DataFrame]
    kwargs: dict[str, Any]
    dtype: Any
    user_dtype: Any
    meta: pd.DataFrame
    path_column: str | None = None
    path_dtype: pd.CategoricalDtype | None = None
    by_path: bool = True
    columns: list[Any] | None = None

    def __call__(self, block: CSVBlock) -> pd.DataFrame:
        src = block.source(self.by_path)
        if src is None:
            df = empty_block(self.meta)
        else:
            try:
                df = self.reader(
                    src, dtype=self.dtype, compression=block.compression, **self.kwargs
                )
            except ValueError as e:
                explained = self._explain(block)
                if explained is None:
                    raise
                raise explained from e
            finally:
                if not isinstance(src, str):
                    src.close()
            df = conform(df, self.meta, block.where(), self.reader.__name__)
        if self.path_column is not None:
            assert self.path_dtype is not None
            code = self.path_dtype.categories.get_loc(block.path)
            codes = np.full(len(df), code, dtype=np.int32)
            df[self.path_column] = pd.Categorical.from_codes(codes, dtype=self.path_dtype)
        if self.columns is not None and list(df.columns) != self.columns:
            df = df[self.columns]
        return df

    def _explain(self, block: CSVBlock) -> ValueError | None:
        """The dtype-mismatch error behind a failed parse of ``block``, if that is it."""
        try:
            found = self.reader(
                block.source(), dtype=self.user_dtype, compression=block.compression, **self.kwargs
            )
        except Exception:
            return None
        return mismatch_error(found, self.meta, block.where(), self.reader.__name__)


def _open_binary(path: str, compression: str | None) -> IO[bytes]:
    if compression is None:
        return open(path, "rb")
    if compression == "zstd":
        import zstandard

        stream: IO[bytes] = zstandard.open(path, "rb")
        return stream
    opener: Any = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}[compression]
    stream = opener(path, "rb")
    return stream


def _sample_meta(
    reader: Callable[..., pd.DataFrame], block: CSVBlock, sample: int, kwargs: dict[str, Any]
) -> pd.DataFrame:
    """Parse the head of ``block``'s file (grown until it holds a row) and return it empty."""
    chunk = sample
    head = b""
    with _open_binary(block.path, block.compression) as f:
        while True:
            data = f.read(chunk)
            head += data + (f.readline() if data else b"")
            df = reader(io.BytesIO(head), **kwargs)
            if len(df) or not data:
                return df.iloc[:0]
            chunk *= 2


def _header_lines(kwargs: dict[str, Any]) -> int | None:
    """How many lines precede the data rows, or ``None`` if that is not a plain count."""
    skip = kwargs.get("skiprows") or 0
    header = kwargs.get("header", "infer")
    if header == "infer":
        header = None if kwargs.get("names") is not None else 0
    if type(skip) is not int or (header is not None and type(header) is not int):
        return None
    return skip + (0 if header is None else header + 1)


def _file_blocks(
    path: str, compression: str | None, blocksize: int | None, nhead: int | None, comment: Any
) -> list[CSVBlock]:
    """The blocks of one file; one block when it cannot (or need not) be cut.

    Blank and comment lines among the header lines make pandas count lines differently
    from us, so such a file is not cut either.
    """
    size = os.path.getsize(path)
    if blocksize is None or compression is not None or nhead is None or size <= blocksize:
        return [CSVBlock(path, compression)]
    with open(path, "rb") as f:
        lines = [f.readline() for _ in range(nhead)]
    mark = comment.encode() if isinstance(comment, str) else None
    if any(not ln.strip() or (mark and ln.lstrip().startswith(mark)) for ln in lines):
        return [CSVBlock(path, compression)]
    header = b"".join(lines)
    offsets = [0, *range(max(blocksize, len(header)), size, blocksize)]
    ends = [*offsets[1:], size]
    return [CSVBlock(path, None, o, e - o, header) for o, e in zip(offsets, ends, strict=True)]


def _path_column(include_path_column: bool | str, meta: pd.DataFrame) -> str | None:
    if include_path_column is False:
        return None
    name = "path" if include_path_column is True else include_path_column
    if not isinstance(name, str):
        raise TypeError(
            f"include_path_column must be a bool or a column name, got {include_path_column!r}."
        )
    if name in meta.columns:
        raise ValueError(
            f"include_path_column: the files already have a column {name!r}; pass "
            "include_path_column='<another name>' for the path column."
        )
    return name


def _read(
    reader: Callable[..., pd.DataFrame],
    urlpath: Any,
    blocksize: int | str | None,
    lineterminator: str | None,
    compression: str | None,
    sample: int | str,
    assume_missing: bool,
    include_path_column: bool | str,
    kwargs: dict[str, Any],
) -> Any:
    """The body of :func:`read_csv` and :func:`read_table`, parsing with ``reader``."""
    from tessera.bag.compression import resolve_compression
    from tessera.bag.text import parse_bytes

    if lineterminator is not None:
        kwargs["lineterminator"] = lineterminator
    caller = reader.__name__
    for k in _UNSUPPORTED:
        if k in kwargs:
            raise ValueError(
                f"{caller}: {k}= is not supported on partitioned data; read everything and "
                "use .head(n) or .partitions instead."
            )
    paths = input_files(urlpath, caller)
    comps = [resolve_compression(compression, p) for p in paths]
    comps = [None if c is None else _PANDAS_COMPRESSION[c] for c in comps]
    size = (
        parse_bytes(DEFAULT_BLOCKSIZE if blocksize == "default" else blocksize)
        if blocksize is not None
        else None
    )
    user_dtype = kwargs.pop("dtype", None)
    first = CSVBlock(paths[0], comps[0])
    meta = _sample_meta(reader, first, parse_bytes(sample), {**kwargs, "dtype": user_dtype})
    meta = categorical_meta(meta, user_dtype)
    if assume_missing and (user_dtype is None or isinstance(user_dtype, dict)):
        named = user_dtype or {}  # a dtype= for every column leaves none to assume
        ints = [c for c, dt in meta.dtypes.items() if dt.kind in "iu" and c not in named]
        meta = meta.astype(dict.fromkeys(ints, "float64"))
    forced = block_dtypes(meta, user_dtype, kwargs.get("converters"))
    path_col = _path_column(include_path_column, meta)
    path_dtype = pd.CategoricalDtype(pd.Index(paths)) if path_col else None
    encoding = kwargs.get("encoding") or "utf-8"
    splittable = kwargs.get("lineterminator") in (None, "\n") and "\n".encode(encoding) == b"\n"
    nhead = _header_lines(kwargs) if splittable else None
    blocks = [
        b
        for p, c in zip(paths, comps, strict=True)
        for b in _file_blocks(p, c, size, nhead, kwargs.get("comment"))
    ]
    by_path = len(blocks) < (os.cpu_count() or 1)
    task = ReadCSV(reader, kwargs, forced, user_dtype, meta, path_col, path_dtype, by_path)
    stats = [(os.path.getsize(p), os.path.getmtime(p)) for p in paths]
    name = f"{caller.replace('_', '-')}-{tokenize(task, blocks, stats)}"
    layer = {(name, i): (task, b) for i, b in enumerate(blocks)}
    if path_col is not None:
        meta = meta.assign(**{path_col: pd.Categorical([], dtype=path_dtype)})
    return new_collection({name: layer}, name, meta, (None,) * (len(blocks) + 1))


def read_csv(
    urlpath: Any,
    blocksize: int | str | None = "default",
    lineterminator: str | None = None,
    compression: str | None = "infer",
    sample: int | str = 256_000,
    assume_missing: bool = False,
    include_path_column: bool | str = False,
    **kwargs: Any,
) -> Any:
    """Read CSV files into a lazy DataFrame, one partition per file or byte block.

    Parameters
    ----------
    urlpath : str, path or list
        A file, a glob (``"data/*.csv"``) or a list of them.
    blocksize : int, str or None
        Cut uncompressed files into blocks of about this many bytes (default 64 MiB);
        ``None``: one partition per file.
    lineterminator : str, optional
        As in pandas; files are only cut on ``"\\n"``.
    compression : str or None
        ``"infer"`` (from the extension), ``None``, ``"gzip"``, ``"bz2"``, ``"xz"`` or
        ``"zstd"``.  Compressed files are one partition each.
    sample : int or str
        Bytes at the head of the first file used to infer the dtypes.
    assume_missing : bool
        Make the integer columns found in the sample float64 (they may hold NaN later),
        except those named in a ``dtype=`` dict.
    include_path_column : bool or str
        Add a categorical column (``"path"`` or this name) holding each row's file.
    **kwargs
        Passed to :func:`pandas.read_csv` (``dtype``, ``usecols``, ``parse_dates``,
        ``sep``, ``names``, ``header``...).  ``dtype="category"`` (or
        ``{"c": "category"}``) gives categoricals whose categories are unknown until
        computed; ``pd.CategoricalDtype(categories)`` gives known ones.

    Examples
    --------
    >>> import os, tempfile, tessera.dataframe as dd
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = os.path.join(d, "a.csv")
    ...     with open(path, "w") as f:
    ...         _ = f.write("k,v,when\\n" + "".join(f"{i},{i / 2},2024-01-0{i + 1}\\n"
    ...                                             for i in range(4)))
    ...     df = dd.read_csv(path, blocksize=20, usecols=["k", "when"], parse_dates=["when"])
    ...     df.npartitions, df.dtypes.astype(str).tolist(), df.k.sum().compute()
    (4, ['int64', 'datetime64[us]'], np.int64(6))

    Categoricals: each block finds its own categories; the result has their union.

    >>> with tempfile.TemporaryDirectory() as d:
    ...     for i, rows in enumerate(["b\\na\\n", "c\\nb\\n"]):
    ...         with open(os.path.join(d, f"{i}.csv"), "w") as f:
    ...             _ = f.write("s\\n" + rows)
    ...     df = dd.read_csv(os.path.join(d, "*.csv"), dtype={"s": "category"})
    ...     df.s.cat.known, df.s.cat.as_known().cat.categories.tolist()
    (False, ['a', 'b', 'c'])
    """
    options = (blocksize, lineterminator, compression, sample, assume_missing)
    return _read(pd.read_csv, urlpath, *options, include_path_column, kwargs)


def read_table(
    urlpath: Any,
    blocksize: int | str | None = "default",
    lineterminator: str | None = None,
    compression: str | None = "infer",
    sample: int | str = 256_000,
    assume_missing: bool = False,
    include_path_column: bool | str = False,
    **kwargs: Any,
) -> Any:
    """Read delimited (default: tab-separated) files; like :func:`read_csv`.

    Parameters
    ----------
    urlpath, blocksize, lineterminator, compression, sample
        As in :func:`read_csv`.
    assume_missing, include_path_column, **kwargs
        As in :func:`read_csv`; ``sep`` defaults to a tab (:func:`pandas.read_table`).

    Examples
    --------
    >>> import os, tempfile, tessera.dataframe as dd
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = os.path.join(d, "a.tsv")
    ...     with open(path, "w") as f:
    ...         _ = f.write("a\\tb\\n1\\tx\\n2\\ty\\n")
    ...     dd.read_table(path).compute().b.tolist()
    ['x', 'y']
    """
    options = (blocksize, lineterminator, compression, sample, assume_missing)
    return _read(pd.read_table, urlpath, *options, include_path_column, kwargs)
