"""Spill directories shared by the disk shuffles of bags and dataframes.

Map
---
- :class:`SpillPath` -- a directory as tasks (also in worker processes) see it: its
  ``path``.
- :class:`SpillDir` -- a directory owned by the calling process, deleted with its files
  when the object dies (a :func:`weakref.finalize`, at the latest at interpreter exit);
  it pickles as a plain :class:`SpillPath`, so workers never own it.
- :func:`spill_scope` -- the context a collection's ``compute``/``persist`` run in: every
  directory :func:`track`-ed inside it is deleted on exit, so a failed compute leaves
  nothing behind even while its exception (and the graph its traceback holds) is alive.
- :func:`track` -- register a directory with the innermost active :func:`spill_scope`.

>>> import os, tempfile
>>> with spill_scope():
...     d = track(SpillDir(tempfile.mkdtemp()))
>>> os.path.exists(d.path)
False
"""

from __future__ import annotations

import contextlib
import contextvars
import shutil
import weakref
from collections.abc import Iterator

__all__ = ["SpillDir", "SpillPath", "spill_scope", "track"]


class SpillPath:
    """A spill directory as tasks in worker processes see it.

    >>> SpillPath("/tmp/x").path
    '/tmp/x'
    """

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[type[SpillPath], tuple[str]]:
        return SpillPath, (self.path,)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r})"


class SpillDir(SpillPath):
    """A spill directory owned by this process, deleted (if it exists) when the object dies.

    >>> import os, tempfile
    >>> d = SpillDir(tempfile.mkdtemp()); path = d.path
    >>> del d; os.path.exists(path)
    False
    """

    __slots__ = ("__weakref__", "_finalizer")

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._finalizer = weakref.finalize(self, shutil.rmtree, path, ignore_errors=True)

    def remove(self) -> None:
        """Delete the directory and its files now (nothing happens if it does not exist).

        >>> import os, tempfile
        >>> d = SpillDir(tempfile.mkdtemp()); d.remove(); os.path.exists(d.path)
        False
        """
        self._finalizer()


_scope: contextvars.ContextVar[list[SpillDir] | None] = contextvars.ContextVar(
    "tessera_spill_scope", default=None
)


@contextlib.contextmanager
def spill_scope() -> Iterator[None]:
    """Delete, on exit, the spill directories tracked inside the block."""
    made: list[SpillDir] = []
    token = _scope.set(made)
    try:
        yield
    finally:
        _scope.reset(token)
        for d in made:
            d.remove()


def track(d: SpillDir) -> SpillDir:
    """Register ``d`` with the innermost active :func:`spill_scope` (if any); return it."""
    scope = _scope.get()
    if scope is not None:
        scope.append(d)
    return d
