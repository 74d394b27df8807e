"""Writing frames to CSV: one file per partition, or one file (``single_file=True``).

Map
---
- :func:`to_csv` -- build the graph and compute it (or return a lazy
  :class:`~tessera.dataframe.io.write.WriteResult`).
- :class:`WriteCSV` -- one partition -> one file, through a temporary file renamed
  into place.
- Single file: :class:`RenderCSV` turns each partition into CSV bytes (in parallel;
  the header only in the first), :class:`AppendBytes` appends them in partition order
  to one temporary file (a chain of tasks), and :class:`Commit` renames it into place.
  The temporary file is deleted if the compute fails (see
  :mod:`~tessera.dataframe.io.write`).

Compression (``"infer"`` from the target's extension, or a name) is applied per file;
in a single file each partition is its own compressed stream, which gzip, bz2, xz and
zstd readers read as one.

>>> import os, tempfile, tessera.dataframe as dd
>>> with tempfile.TemporaryDirectory() as d:
...     df = dd.from_dict({"a": [1, 2, 3]}, npartitions=2)
...     paths = df.to_csv(os.path.join(d, "part-*.csv.gz"), name_function=lambda i: f"{i:02d}")
...     [os.path.basename(p) for p in paths], dd.read_csv(paths).a.sum().compute()
(['part-00.csv.gz', 'part-01.csv.gz'], np.int64(6))
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tessera.dataframe.io.write import TempFile, WriteResult
from tessera.hashing import tokenize
from tessera.paths import atomic_write, output_files, temp_name

__all__ = ["AppendBytes", "Commit", "RenderCSV", "WriteCSV", "to_csv"]

_PANDAS_COMPRESSION = {"gzip": "gzip", "bz2": "bz2", "xz": "xz", "lzma": "xz", "zstd": "zstd"}


@dataclass(frozen=True)
class RenderCSV:
    """One partition as CSV bytes (``header`` as pandas takes it)."""

    kwargs: dict[str, Any]
    header: Any = True

    def __call__(self, part: pd.DataFrame | pd.Series) -> bytes:
        buf = io.BytesIO()
        part.to_csv(buf, header=self.header, **self.kwargs)
        return buf.getvalue()


@dataclass(frozen=True)
class WriteCSV:
    """Write one partition to ``path`` atomically; return ``path``."""

    path: str
    render: RenderCSV

    def __call__(self, part: pd.DataFrame | pd.Series) -> str:
        data = self.render(part)
        with atomic_write(self.path, "wb") as f:
            f.write(data)
        return self.path


@dataclass(frozen=True)
class AppendBytes(TempFile):
    """Append a partition's bytes to the temporary file (created by the first one)."""

    first: bool = False

    def __call__(self, *args: Any) -> None:
        with open(os.fspath(self.tmp), "wb" if self.first else "ab") as f:
            f.write(args[-1])  # args: (previous append,) data


@dataclass(frozen=True)
class Commit(TempFile):
    """Rename the finished temporary file to ``path``; return ``[path]``."""

    path: str = ""

    def __call__(self, _: None) -> list[str]:
        os.replace(os.fspath(self.tmp), self.path)
        return [self.path]


def _compression(compression: Any, path: str) -> Any:
    from tessera.bag.compression import resolve_compression

    if compression != "infer" and not isinstance(compression, str | None):
        return compression  # a dict of pandas compression options
    name = resolve_compression(compression, path)
    return None if name is None else _PANDAS_COMPRESSION[name]


def to_csv(
    df: Any,
    filename: Any,
    single_file: bool = False,
    name_function: Callable[[int], Any] | None = None,
    compression: Any = "infer",
    compute: bool = True,
    compute_kwargs: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Write ``df`` to CSV files: one per partition, or one with ``single_file=True``.

    Parameters
    ----------
    df : DataFrame or Series
        What to write.
    filename : str, path or list
        A pattern with one ``*`` (replaced by ``name_function(i)``, default ``i``), a
        directory (``<dir>/<i>.part``), a list of paths (one per partition), or the
        file (``single_file=True``).
    single_file : bool
        Write every partition, in order, to one file (the header once).
    name_function : callable, optional
        ``i -> str`` for the ``*`` of the pattern.
    compression : str or None
        ``"infer"`` (from the extension), ``None``, ``"gzip"``, ``"bz2"``, ``"xz"``,
        ``"zstd"``.
    compute : bool
        Write now and return the paths, or return a lazy object that does so.
    compute_kwargs : dict, optional
        Keywords for ``compute`` (``scheduler=``...).
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv` (``index``, ``sep``, ``header``...).

    Examples
    --------
    >>> import os, tempfile, tessera.dataframe as dd
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = dd.from_dict({"a": [1, 2]}, npartitions=2).to_csv(d, index=False)
    ...     [os.path.basename(p) for p in paths]
    ['0.part', '1.part']
    """
    if single_file:
        files = [os.path.abspath(os.fspath(filename))]
    elif isinstance(filename, list | tuple):
        files = [os.fspath(p) for p in filename]
        if len(files) != df.npartitions:
            raise ValueError(
                f"to_csv: got {len(files)} paths for {df.npartitions} partitions; give one "
                "path per partition, or a pattern with one '*'."
            )
    else:
        pattern = os.fspath(filename)
        pattern = pattern if "*" in pattern else os.path.join(pattern, "*.part")
        files = output_files(pattern, df.npartitions, name_function)
    header = kwargs.pop("header", True)
    kwargs["compression"] = _compression(compression, files[0])
    tmp = temp_name(files[0]) if single_file else None
    name = f"to-csv-{tokenize(df, files, tmp, header, kwargs)}"
    layers = dict(df.layers)
    parts = [(df._name, i) for i in range(df.npartitions)]
    if tmp is not None:
        os.makedirs(os.path.dirname(tmp), exist_ok=True)
        layers.update(_single_file_layers(name, parts, files[0], tmp, header, kwargs))
        result = WriteResult.collect(layers, name, 1)
    else:
        render = RenderCSV(kwargs, header)
        layers[name] = {
            (name, i): (WriteCSV(os.path.abspath(p), render), key)
            for i, (p, key) in enumerate(zip(files, parts, strict=True))
        }
        result = WriteResult.collect(layers, name, len(files))
    return result.compute(**(compute_kwargs or {})) if compute else result


def _single_file_layers(
    name: str, parts: list[Any], path: str, tmp: str, header: Any, kwargs: dict[str, Any]
) -> dict[str, dict[Any, Any]]:
    """Render every partition (in parallel), append them in order to ``tmp``, rename it."""
    rname, aname = f"{name}-render", f"{name}-append"
    first, rest = RenderCSV(kwargs, header), RenderCSV(kwargs, False)
    render = {(rname, i): (first if i == 0 else rest, key) for i, key in enumerate(parts)}
    append: dict[Any, Any] = {(aname, 0): (AppendBytes(tmp, first=True), (rname, 0))}
    for i in range(1, len(parts)):
        append[(aname, i)] = (AppendBytes(tmp), (aname, i - 1), (rname, i))
    commit = {(name, 0): (Commit(tmp, path), (aname, len(parts) - 1))}
    return {rname: render, aname: append, name: commit}
