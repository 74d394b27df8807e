"""File names for readers and writers of every collection: inputs, outputs, atomic writes.

Map
---
- :func:`input_files` -- the files a path, glob, directory or list names, for a reader
  (``caller`` names it in errors).  A glob matching nothing is a ``FileNotFoundError``
  naming the pattern; a directory stands for the files in it with the given suffixes
  (hidden and ``_``-prefixed names such as ``_SUCCESS`` are skipped), in natural order
  (``part.2`` before ``part.10``).
- :func:`output_files` -- one file per partition from a pattern with one ``*``
  (replaced by ``name_function(i)``, default ``i``).
- :func:`temp_name` -- a hidden temporary name next to a target file.
- :func:`atomic_write` -- write a file through a temporary name and :func:`os.replace`;
  the temporary file is removed if writing fails.

>>> output_files("out/*.csv", 2)
['out/0.csv', 'out/1.csv']
>>> natural_key("part.10.parquet") > natural_key("part.2.parquet")
True
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

__all__ = ["atomic_write", "input_files", "natural_key", "output_files", "temp_name"]


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key that orders the numbers inside names numerically.

    >>> sorted(["p10", "p9", "p1"], key=natural_key)
    ['p1', 'p9', 'p10']
    """
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def _directory_files(folder: str, suffixes: tuple[str, ...], caller: str) -> list[str]:
    names = [
        n
        for n in os.listdir(folder)
        if not n.startswith((".", "_"))
        and n.endswith(suffixes)
        and os.path.isfile(os.path.join(folder, n))
    ]
    if not names:
        raise FileNotFoundError(
            f"{caller}: the directory {folder!r} holds no {' or '.join(suffixes)} files."
        )
    return [os.path.join(folder, n) for n in sorted(names, key=natural_key)]


def input_files(urlpath: Any, caller: str, dir_suffixes: tuple[str, ...] = ()) -> list[str]:
    """The absolute paths of the files ``urlpath`` (path, glob, directory or list) names.

    Directories are accepted only when ``dir_suffixes`` is given.

    >>> input_files("/no/such/dir/*.csv", "read_csv")
    Traceback (most recent call last):
    ...
    FileNotFoundError: read_csv: no files match the pattern '/no/such/dir/*.csv'. ...
    """
    if isinstance(urlpath, str | os.PathLike):
        patterns = [os.fspath(urlpath)]
    elif isinstance(urlpath, Sequence) and urlpath:
        patterns = [os.fspath(p) for p in urlpath]
    else:
        raise TypeError(
            f"{caller} expects a path, a glob pattern or a non-empty list of them, got "
            f"{urlpath!r:.80}."
        )
    out: list[str] = []
    for p in patterns:
        if glob.has_magic(p):
            found = sorted(f for f in glob.glob(p, recursive=True) if os.path.isfile(f))
            if not found:
                raise FileNotFoundError(
                    f"{caller}: no files match the pattern {p!r}. Check the directory and the "
                    "pattern (globs use *, ? and [...])."
                )
            out.extend(found)
        elif os.path.isdir(p):
            if not dir_suffixes:
                raise IsADirectoryError(
                    f"{caller}: {p!r} is a directory; pass a glob such as "
                    f"{os.path.join(p, '*')!r} to read the files in it."
                )
            out.extend(_directory_files(p, dir_suffixes, caller))
        elif not os.path.exists(p):
            raise FileNotFoundError(f"{caller}: no such file: {p!r}.")
        else:
            out.append(p)
    return [os.path.abspath(p) for p in out]


def output_files(
    pattern: str, npartitions: int, name_function: Callable[[int], Any] | None = None
) -> list[str]:
    """One path per partition: the ``*`` of ``pattern`` replaced by ``name_function(i)``.

    >>> output_files("d/part.*.parquet", 2, lambda i: f"{i:02d}")
    ['d/part.00.parquet', 'd/part.01.parquet']
    """
    if pattern.count("*") != 1:
        raise ValueError(
            f"The output pattern {pattern!r} must contain exactly one '*', replaced by "
            "each partition's name (e.g. 'out/part-*.csv')."
        )
    if name_function is not None and not callable(name_function):
        raise TypeError(f"name_function must be callable, got {name_function!r}.")
    names = [str(name_function(i)) if name_function else str(i) for i in range(npartitions)]
    paths = [pattern.replace("*", n) for n in names]
    if len(set(paths)) != len(paths):
        raise ValueError(
            "name_function gave the same name to two partitions; it must return a "
            "distinct name for each partition number."
        )
    return paths


def temp_name(path: str) -> str:
    """A fresh hidden name in the directory of ``path``: ``.<name>.<random>.tmp``.

    >>> temp_name("/out/a.csv").startswith("/out/.a.csv.")
    True
    """
    folder, base = os.path.split(path)
    return os.path.join(folder, f".{base}.{uuid.uuid4().hex[:12]}.tmp")


@contextlib.contextmanager
def atomic_write(path: str, mode: str = "wb", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on success rename it to ``path``.

    If the block raises, the temporary file is removed and ``path`` is left as it was.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     target = os.path.join(d, "x.txt")
    ...     with atomic_write(target, "w") as f:
    ...         _ = f.write("hi")
    ...     os.listdir(d)
    ['x.txt']
    """
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tmp = temp_name(path)
    try:
        with open(tmp, mode.replace("w", "x"), **kwargs) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
