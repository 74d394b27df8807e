"""Reading text files into bags of lines: :func:`read_text`.

Map
---
- :func:`read_text` -- paths, globs or lists of them -> a bag of lines (each with its
  line ending, like iterating over a file).  One partition per file; with
  ``blocksize=``, uncompressed files are cut into byte blocks so one big file still
  runs in parallel; with ``files_per_partition=``, small files are grouped.
- Input files come from :func:`tessera.paths.input_files` (a glob matching nothing is a
  ``FileNotFoundError`` naming the pattern).
- :func:`block_bounds` -- where a block really starts and ends: a block with offset
  ``o > 0`` starts just after the first delimiter at or after byte ``o``, and ends just
  after the first delimiter at or after ``o + blocksize`` (or at the end of the file).
  Block ``k`` ends exactly where block ``k + 1`` starts, so no line is lost or read
  twice, wherever the offsets fall.
- :class:`ReadText` -- the task of one partition: read its files or block, decode and
  split lines in the worker; :meth:`ReadText.iterable` streams the words of a word
  count block by block (:data:`WORD_BLOCK`).
- :func:`split_lines` -- decoded text -> lines, with Python's newline rules.
- :func:`parse_blocksize` -- ``"64MB"``, ``"1MiB"``, ``1000`` -> a block size in bytes.

Lines follow :func:`open`'s ``newline`` rules: with ``linedelimiter=None`` (universal
newlines) ``\\r\\n`` and ``\\r`` end lines and become ``\\n``; ``"\\n"``, ``"\\r"`` and
``"\\r\\n"`` end lines only with that string, untranslated; any other delimiter splits
the text on it (kept at the end of each line).

>>> import os, shutil, tempfile
>>> d = tempfile.mkdtemp()
>>> for i in range(2):
...     with open(os.path.join(d, f"{i}.txt"), "w") as f:
...         _ = f.write(f"line a{i}\\nline b{i}\\n")
>>> import tessera.bag as db
>>> b = db.read_text(os.path.join(d, "*.txt"))
>>> b.npartitions, b.compute(scheduler="sync")
(2, ['line a0\\n', 'line b0\\n', 'line a1\\n', 'line b1\\n'])
>>> db.read_text(os.path.join(d, "0.txt"), blocksize=5).npartitions
4
>>> shutil.rmtree(d)
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import chain
from typing import IO, TYPE_CHECKING, Any

from tessera.bag.compression import open_text, resolve_compression
from tessera.bag.graph import Layers, new_bag
from tessera.bag.partitions import SplitWords
from tessera.bag.pipeline import Pipeline
from tessera.hashing import tokenize
from tessera.paths import input_files
from tessera.scheduling.graph import gc_paused
from tessera.sizes import parse_bytes

if TYPE_CHECKING:
    from tessera.bag.core import Bag

__all__ = [
    "ReadText",
    "block_bounds",
    "parse_blocksize",
    "read_text",
    "split_lines",
]

_NEWLINES = (None, "", "\n", "\r", "\r\n")
#: Characters of text split into words at a time by :meth:`ReadText.iterable`.
WORD_BLOCK = 1 << 14


def parse_blocksize(size: int | str) -> int:
    """A ``blocksize`` in bytes (:func:`tessera.sizes.parse_bytes`), at least 1.

    >>> parse_blocksize("64MB"), parse_blocksize("1 KiB"), parse_blocksize(10)
    (64000000, 1024, 10)
    """
    value = parse_bytes(size)
    if value < 1:
        raise ValueError(f"blocksize must be at least 1 byte, got {size!r}.")
    return value


def _seek_after(f: IO[bytes], pos: int, delim: bytes, chunk: int = 1 << 16) -> int:
    """The position just after the first ``delim`` starting at or after ``pos`` (or EOF)."""
    f.seek(pos)
    tail = b""
    base = pos
    while True:
        data = f.read(chunk)
        if not data:
            return base + len(tail)
        buf = tail + data
        i = buf.find(delim)
        if i >= 0:
            return base + i + len(delim)
        keep = len(delim) - 1
        tail = buf[len(buf) - keep :] if keep else b""
        base += len(buf) - len(tail)


def block_bounds(f: IO[bytes], offset: int, length: int, delim: bytes) -> tuple[int, int]:
    """``(start, end)`` of the block at ``offset`` of nominal size ``length``.

    >>> block_bounds(io.BytesIO(b"ab\\ncd\\nef\\n"), 1, 4, b"\\n")
    (3, 6)
    """
    start = 0 if offset == 0 else _seek_after(f, offset, delim)
    end = _seek_after(f, offset + length, delim)
    return start, max(start, end)


def _blocks(text: str) -> Iterator[str]:
    """``text`` cut just after newlines into pieces of about :data:`WORD_BLOCK` characters.

    >>> list(_blocks("a b\\nc\\n" * 2)), list(_blocks(""))
    (['a b\\nc\\na b\\nc\\n'], [])
    """
    i, n = 0, len(text)
    while i < n:
        j = text.find("\n", i + WORD_BLOCK)
        j = n if j < 0 else j + 1
        yield text[i:j]
        i = j


def split_lines(text: str, linedelimiter: str | None) -> list[str]:
    """Split decoded text into lines, each keeping its delimiter.

    >>> split_lines("a\\r\\nb\\rc", None), split_lines("a|b|", "|")
    (['a\\n', 'b\\n', 'c'], ['a|', 'b|'])
    """
    if linedelimiter in (None, "", "\n"):
        return io.StringIO(text, newline=linedelimiter).readlines()
    if not text:
        return []
    parts = text.split(linedelimiter)
    out = [p + linedelimiter for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


@dataclass(frozen=True)
class ReadText:
    """One partition: whole ``paths``, or bytes ``[offset, offset + length)`` of one.

    >>> import shutil, tempfile
    >>> d = tempfile.mkdtemp()
    >>> path = os.path.join(d, "t.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("a b\\nc\\n")
    >>> ReadText((path,), (None,), 2, 2, "utf-8", "strict", None, False)()
    ['c\\n']
    >>> shutil.rmtree(d)

    ``post`` (set by :func:`~tessera.bag.pipeline.fuse_pipelines`) is a pipeline of
    element-wise steps applied in the same task.  When it starts with
    :class:`~tessera.bag.partitions.SplitWords` (``.str.split().flatten()``) and lines
    end with newlines, the words come from one ``text.split()`` of the whole text:
    newline delimiters are whitespace, so the result is the same, without any lines.
    """

    paths: tuple[str, ...]
    compressions: tuple[str | None, ...]
    offset: int | None
    length: int
    encoding: str
    errors: str
    linedelimiter: str | None
    include_path: bool
    post: Pipeline | None = None

    def with_post(self, stage: Any) -> ReadText:
        """This read followed by ``stage`` (a stage or pipeline).

        >>> from tessera.bag.partitions import SplitWords
        >>> r = ReadText(("f",), (None,), None, 0, "utf-8", "strict", None, False)
        >>> r.with_post(SplitWords()).post
        Pipeline(splitwords)
        """
        post = Pipeline((stage,)) if self.post is None else Pipeline((self.post, stage))
        return replace(self, post=post)

    def _words_first(self) -> bool:
        post = self.post
        return (
            post is not None
            and type(post.stages[0]) is SplitWords
            and self.linedelimiter in _NEWLINES
            and not self.include_path
        )

    def __call__(self) -> list[Any]:
        post = self.post
        if self._words_first():
            assert post is not None
            pairs = list(zip(self.paths, self.compressions, strict=True))
            words = self._text(*pairs[0]).split()
            for path, comp in pairs[1:]:
                words.extend(self._text(path, comp).split())
            rest = post.stages[1:]
            return Pipeline(rest)(words) if rest else words
        out: list[Any] = []
        for path, comp in zip(self.paths, self.compressions, strict=True):
            lines = self._lines(path, comp)
            if self.include_path:
                with gc_paused():
                    out.extend([(line, path) for line in lines])
            else:
                out.extend(lines)
        return out if post is None else post(out)

    def iterable(self) -> Iterable[Any]:
        """The elements for a consumer that iterates them once (a streaming reduction).

        With ``.str.split().flatten()`` fused in, the words come from one block of text
        (:data:`WORD_BLOCK` characters, cut after a newline) at a time: each block's
        words are counted while they are still in the CPU cache, instead of building
        the list of all words first.  Otherwise, the partition.
        """
        post = self.post
        if not self._words_first():
            return self()
        assert post is not None
        pairs = zip(self.paths, self.compressions, strict=True)
        blocks = (b for p in pairs for b in _blocks(self._text(*p)))
        words = chain.from_iterable(map(str.split, blocks))
        rest = post.stages[1:]
        return Pipeline(rest).lazy(words) if rest else words

    def _text(self, path: str, compression: str | None) -> str:
        if self.offset is not None:
            sep = (self.linedelimiter or "\n").encode(self.encoding)
            with open(path, "rb") as f:
                start, end = block_bounds(f, self.offset, self.length, sep)
                f.seek(start)
                data = f.read(end - start)
            return data.decode(self.encoding, self.errors)
        delim = self.linedelimiter
        newline = delim if delim in _NEWLINES else ""
        with open_text(path, "rt", compression, self.encoding, self.errors, newline) as f:
            return f.read()

    def _lines(self, path: str, compression: str | None) -> list[str]:
        delim = self.linedelimiter
        if self.offset is None and delim in _NEWLINES:
            with open_text(path, "rt", compression, self.encoding, self.errors, delim) as f:
                return f.readlines()
        return split_lines(self._text(path, compression), delim)


def read_text(
    urlpath: Any,
    blocksize: int | str | None = None,
    compression: str | None = "infer",
    encoding: str = "utf-8",
    errors: str = "strict",
    linedelimiter: str | None = None,
    files_per_partition: int | None = None,
    include_path: bool = False,
) -> Bag:
    """Read lines from text files into a bag.

    Parameters
    ----------
    urlpath : str, path or list
        A path, a glob (``"logs/*.json.gz"``, ``**`` included) or a list of either.
    blocksize : int or str, optional
        Cut uncompressed files into blocks of about this many bytes (``"64MB"``), one
        partition each, split on line boundaries.  Default: one partition per file.
    compression : str or None
        ``"infer"`` (from the extension), ``None``, ``"gzip"``, ``"bz2"``, ``"xz"``,
        ``"lzma"`` or ``"zstd"`` (needs ``zstandard``).  Compressed files are never split.
    encoding, errors : str
        How bytes are decoded, as for :func:`open`.
    linedelimiter : str, optional
        What ends a line; default: universal newlines (see the module docstring).
    files_per_partition : int, optional
        Put this many files in each partition (not with ``blocksize``).
    include_path : bool
        Make each element a ``(line, path)`` tuple.

    Examples
    --------
    >>> import os, shutil, tempfile, tessera.bag as db
    >>> d = tempfile.mkdtemp()
    >>> path = os.path.join(d, "a.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("one\\ntwo\\n")
    >>> db.read_text(path).str.strip().compute(scheduler="sync")
    ['one', 'two']
    >>> db.read_text(path, include_path=True).pluck(1).map(os.path.basename).compute()
    ['a.txt', 'a.txt']
    >>> shutil.rmtree(d)
    """
    paths = input_files(urlpath, "read_text")
    if blocksize is not None and files_per_partition is not None:
        raise ValueError(
            "read_text: blocksize and files_per_partition cannot be used together; "
            "pass one of them."
        )
    if linedelimiter is not None and not isinstance(linedelimiter, str):
        raise TypeError(f"linedelimiter must be a string or None, got {linedelimiter!r}.")
    comps = [resolve_compression(compression, p) for p in paths]
    "".encode(encoding)  # an unknown encoding fails here, not in every task
    common = (encoding, errors, linedelimiter, include_path)
    parts: list[ReadText] = []
    if files_per_partition is not None:
        if not isinstance(files_per_partition, int) or files_per_partition < 1:
            raise ValueError(
                f"files_per_partition must be a positive integer, got {files_per_partition!r}."
            )
        for s in range(0, len(paths), files_per_partition):
            group = slice(s, s + files_per_partition)
            parts.append(ReadText(tuple(paths[group]), tuple(comps[group]), None, 0, *common))
    else:
        size = None if blocksize is None else parse_blocksize(blocksize)
        splittable = "\n".encode(encoding) == b"\n"
        for p, c in zip(paths, comps, strict=True):
            if size is None or c is not None or not splittable:
                parts.append(ReadText((p,), (c,), None, 0, *common))
                continue
            nbytes = os.path.getsize(p)
            for off in range(0, max(nbytes, 1), size):
                parts.append(ReadText((p,), (c,), off, size, *common))
    stats = [(os.path.getsize(p), os.path.getmtime(p)) for p in paths]
    name = f"read_text-{tokenize(parts, stats)}"
    layer = {(name, i): (part,) for i, part in enumerate(parts)}
    return new_bag(Layers({name: layer}), name, len(parts))
