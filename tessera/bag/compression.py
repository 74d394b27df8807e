"""Compressed files for ``read_text`` and ``to_textfiles``: names, inference, opening.

Map
---
- :data:`COMPRESSIONS` -- the supported names: ``gzip``, ``bz2``, ``xz``, ``lzma``
  (standard library) and ``zstd`` (needs the ``zstandard`` package).
- :func:`infer_compression` -- from the file extension (``.gz``, ``.bz2``, ``.xz``,
  ``.lzma``, ``.zst``); ``None`` for anything else.
- :func:`resolve_compression` -- ``"infer"``, ``None`` or a name, checked, and checked
  to be importable (a clear ``ImportError`` names the package to install).
- :func:`open_text` -- open a file for reading or writing text, decompressing or
  compressing on the fly.

Compressed files cannot be split into byte blocks: ``read_text`` reads each of them in
one partition.

>>> infer_compression("logs/2024.json.gz"), infer_compression("a.txt")
('gzip', None)
>>> resolve_compression("infer", "x.bz2")
'bz2'
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
from typing import IO, Any, cast

from tessera.extras import import_extra

__all__ = ["COMPRESSIONS", "EXTENSIONS", "infer_compression", "open_text", "resolve_compression"]

#: Compression names and the module that implements each.
COMPRESSIONS = {"gzip": "gzip", "bz2": "bz2", "xz": "lzma", "lzma": "lzma", "zstd": "zstandard"}
#: File extension -> compression name.
EXTENSIONS = {
    ".gz": "gzip",
    ".gzip": "gzip",
    ".bz2": "bz2",
    ".xz": "xz",
    ".lzma": "lzma",
    ".zst": "zstd",
    ".zstd": "zstd",
}


def infer_compression(path: str | os.PathLike[str]) -> str | None:
    """The compression implied by ``path``'s extension, or ``None``.

    >>> infer_compression("data.ZST")
    'zstd'
    """
    ext = os.path.splitext(os.fspath(path))[1].lower()
    return EXTENSIONS.get(ext)


def _zstandard() -> Any:
    return import_extra("zstandard", "Reading or writing zstd-compressed files", "zstd")


def resolve_compression(compression: str | None, path: str | os.PathLike[str]) -> str | None:
    """The compression to use for ``path``: ``"infer"`` looks at the extension.

    Raises ``ValueError`` for an unknown name and ``ImportError`` if ``zstd`` is needed
    but ``zstandard`` is missing.

    >>> resolve_compression(None, "a.gz") is None
    True
    >>> resolve_compression("snappy", "a")
    Traceback (most recent call last):
    ...
    ValueError: Unknown compression 'snappy'. Supported: 'infer', None, 'gzip', 'bz2', ...
    """
    if compression == "infer":
        compression = infer_compression(path)
    if compression is None:
        return None
    if compression not in COMPRESSIONS:
        names = ", ".join(repr(c) for c in COMPRESSIONS)
        raise ValueError(
            f"Unknown compression {compression!r}. Supported: 'infer', None, {names}."
        )
    if compression == "zstd":
        _zstandard()
    return compression


def open_text(
    path: str,
    mode: str,
    compression: str | None,
    encoding: str,
    errors: str = "strict",
    newline: str | None = None,
) -> IO[str]:
    """Open ``path`` in text ``mode`` (``"rt"``, ``"wt"`` or ``"xt"``), (de)compressing.

    >>> import shutil, tempfile
    >>> d = tempfile.mkdtemp()
    >>> p = os.path.join(d, "x.gz")
    >>> with open_text(p, "wt", "gzip", "utf-8") as f:
    ...     _ = f.write("hi\\n")
    >>> with open_text(p, "rt", "gzip", "utf-8") as f:
    ...     f.read()
    'hi\\n'
    >>> shutil.rmtree(d)
    """
    kw: dict[str, Any] = {"encoding": encoding, "errors": errors, "newline": newline}
    if compression is None:
        return open(path, mode, **kw)
    if compression == "gzip":
        return cast(IO[str], gzip.open(path, mode, **kw))
    if compression == "bz2":
        return cast(IO[str], bz2.open(path, mode, **kw))
    if compression in ("xz", "lzma"):
        fmt = lzma.FORMAT_ALONE if compression == "lzma" and "r" not in mode else None
        if fmt is None:
            return cast(IO[str], lzma.open(path, mode, **kw))
        return cast(IO[str], lzma.open(path, mode, format=fmt, **kw))
    if compression == "zstd":
        return cast(IO[str], _zstandard().open(path, mode.replace("x", "w"), **kw))
    raise ValueError(f"Unknown compression {compression!r}.")
