"""Writing bags to text files: ``Bag.to_textfiles``.

Map
---
- :class:`WriteMixin` -- the :class:`~tessera.bag.Bag` method ``to_textfiles``.
- :func:`output_paths` -- one file name per partition, from a glob with one ``*``, a
  directory, or a list.
- :class:`WriteText` -- the task writing one partition, as the last link of that
  partition's chain (so the data never leaves the worker that made it).

Policy (every writer): a partition is written to a hidden temporary name in the target
directory (``.<name>.<random>.tmp``) and renamed over the target with
:func:`os.replace` only once complete; if anything fails, the temporary file is removed.
A failed compute therefore leaves no partial file: each target is either absent, left
as it was, or complete.  Elements must be ``str`` (``bytes`` are decoded); they are
joined with ``"\\n"``, as in Dask (``last_endline=True`` adds a final newline).

>>> import os, shutil, tempfile, tessera.bag as db
>>> d = tempfile.mkdtemp()
>>> paths = db.from_sequence(["a", "b", "c"], npartitions=2).to_textfiles(
...     os.path.join(d, "*.txt"), scheduler="sync")
>>> [os.path.basename(p) for p in paths], sorted(os.listdir(d))
(['0.txt', '1.txt'], ['0.txt', '1.txt'])
>>> with open(paths[1]) as f:
...     f.read()
'b\\nc'
>>> shutil.rmtree(d)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tessera.bag.compression import open_text, resolve_compression
from tessera.bag.graph import BagBase, check_callable, new_bag
from tessera.hashing import tokenize
from tessera.paths import temp_name

__all__ = ["WriteMixin", "WriteText", "output_paths"]


def output_paths(
    path: Any, npartitions: int, name_function: Callable[[int], str] | None = None
) -> list[str]:
    """The file of each partition: ``*`` replaced by ``name_function(i)`` (default ``i``).

    A path without ``*`` is a directory, holding ``<i>.part`` files; a list gives the
    paths directly.

    >>> output_paths("out/*.json.gz", 2)
    ['out/0.json.gz', 'out/1.json.gz']
    >>> output_paths("out", 2, lambda i: f"{i:03d}")
    ['out/000.part', 'out/001.part']
    """
    if isinstance(path, (list, tuple)):
        paths = [os.fspath(p) for p in path]
        if len(paths) != npartitions:
            raise ValueError(
                f"to_textfiles: got {len(paths)} paths for {npartitions} partitions; "
                "give one path per partition, or a pattern with one '*'."
            )
        return paths
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"to_textfiles expects a path, a pattern or a list, got {path!r:.80}.")
    pattern = os.fspath(path)
    if "*" not in pattern:
        pattern = os.path.join(pattern, "*.part")
    if pattern.count("*") != 1:
        raise ValueError(
            f"to_textfiles: the pattern {pattern!r} must contain exactly one '*' "
            "(replaced by the partition's name)."
        )
    if name_function is not None:
        check_callable(name_function, "to_textfiles name_function")
    names = [name_function(i) if name_function else str(i) for i in range(npartitions)]
    paths = [pattern.replace("*", str(n)) for n in names]
    if len(set(paths)) != len(paths):
        raise ValueError(
            "to_textfiles: name_function gave the same name to two partitions; "
            "it must return a distinct name for each partition number."
        )
    return paths


def _as_text(x: Any) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, (bytes, bytearray)):
        return bytes(x).decode()
    raise TypeError(
        f"to_textfiles writes strings, got an element of type {type(x).__name__}: "
        f"{x!r:.80}. Convert elements first, e.g. .map(json.dumps) or .map(str)."
    )


@dataclass(frozen=True)
class WriteText:
    """Write a partition to ``path`` (absolute) through a temporary file; return ``[path]``.

    >>> import shutil, tempfile
    >>> d = tempfile.mkdtemp()
    >>> path = os.path.join(d, "p.txt")
    >>> WriteText(path, None, "utf-8", True)(["a", "b"]) == [path]
    True
    >>> with open(path) as f:
    ...     f.read()
    'a\\nb\\n'
    >>> shutil.rmtree(d)
    """

    path: str
    compression: str | None
    encoding: str
    last_endline: bool

    def __call__(self, part: list[Any]) -> list[str]:
        try:
            text = "\n".join(part)
        except TypeError:
            text = "\n".join(map(_as_text, part))
        if self.last_endline and part:
            text += "\n"
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = temp_name(self.path)
        try:
            with open_text(tmp, "xt", self.compression, self.encoding, newline="") as f:
                f.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise
        return [self.path]


class WriteMixin(BagBase):
    """Writing methods of :class:`~tessera.bag.Bag`.

    >>> import tessera.bag as db
    >>> callable(db.from_sequence(["x"]).to_textfiles)
    True
    """

    def to_textfiles(
        self,
        path: Any,
        name_function: Callable[[int], str] | None = None,
        compression: str | None = "infer",
        encoding: str = "utf-8",
        compute: bool = True,
        last_endline: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Write each partition to a text file, one element per line.

        Parameters
        ----------
        path : str or list of str
            A pattern with one ``*`` (``"out/*.json.gz"``), a directory (files
            ``<i>.part``), or one path per partition.
        name_function : callable, optional
            ``i -> str`` replacing the ``*`` (default ``str(i)``).
        compression : str or None
            ``"infer"`` from each file's extension, ``None``, or a name as for
            :func:`~tessera.bag.read_text`.
        encoding : str
            Text encoding.
        compute : bool
            Write now and return the paths (default), or return a bag whose compute
            writes and yields the paths.
        last_endline : bool
            End each file with a newline.
        **kwargs
            Passed to ``compute`` (e.g. ``scheduler="sync"``).

        Examples
        --------
        >>> import os, shutil, tempfile, tessera.bag as db
        >>> d = tempfile.mkdtemp()
        >>> b = db.from_sequence(["x", "y"], npartitions=1)
        >>> [os.path.basename(p) for p in b.to_textfiles(os.path.join(d, "*.txt.gz"))]
        ['0.txt.gz']
        >>> db.read_text(os.path.join(d, "*.txt.gz")).compute(scheduler="sync")
        ['x\\n', 'y']
        >>> shutil.rmtree(d)
        """
        paths = [os.path.abspath(p) for p in output_paths(path, self.npartitions, name_function)]
        comps = [resolve_compression(compression, p) for p in paths]
        "".encode(encoding)  # an unknown encoding fails here
        name = f"to_textfiles-{tokenize(self, paths, comps, encoding, last_endline)}"
        layer = {
            (name, i): (WriteText(p, c, encoding, last_endline), (self.name, i))
            for i, (p, c) in enumerate(zip(paths, comps, strict=True))
        }
        out = new_bag(self.layers.add(name, layer), name, self.npartitions)
        if not compute:
            return out
        return out.compute(**kwargs)
