"""Writers of frames: the ``to_csv``/``to_parquet`` methods and the lazy write result.

Map
---
- :class:`WriteMixin` -- mixed into :class:`~tessera.dataframe.core._Frame`: ``to_csv``
  (:mod:`~tessera.dataframe.io.csv_write`) and ``to_parquet``
  (:mod:`~tessera.dataframe.io.parquet_write`).
- :class:`WriteResult` -- what ``compute=False`` returns: a lazy
  :class:`~tessera.dataframe.Scalar` whose value is the list of files written.
- :class:`TempFile`, :class:`TempGuard` -- temporary files (or directories) that outlive
  one task (the single CSV file is appended to by a chain of tasks, then renamed; the
  Parquet files are staged in a directory until the last task moves them).  A task that
  uses one is a :class:`TempFile` subclass; ``WriteResult``'s optimizer gives each of
  them a ``TempGuard`` in the calling process, which deletes the file or directory when
  the compute's graph is released, and ``WriteResult.compute`` deletes them on the way
  out, so a failed compute leaves no temporary file even while its traceback is alive.

Policy (every writer): a file is written under a hidden temporary name in its target
directory and renamed with :func:`os.replace` once complete, so each target is either
absent, left as it was, or complete.  ``to_parquet`` goes further: its files wait in a
hidden staging directory inside the target until every partition is written, then the
last task moves them all into place.

>>> import os, tempfile, tessera.dataframe as dd
>>> with tempfile.TemporaryDirectory() as d:
...     paths = dd.from_dict({"a": [1, 2, 3]}, npartitions=2).to_csv(os.path.join(d, "*.csv"))
...     [os.path.basename(p) for p in paths], sorted(os.listdir(d))
(['0.csv', '1.csv'], ['0.csv', '1.csv'])
"""

from __future__ import annotations

import contextlib
import os
import shutil
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from tessera.dataframe import spill
from tessera.dataframe.scalar import Scalar

__all__ = ["TempFile", "TempGuard", "WriteMixin", "WriteResult"]


def _remove(path: str) -> None:
    """Delete the temporary file, or directory (with what it holds), at ``path``."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    with contextlib.suppress(OSError):
        os.remove(path)


class TempGuard:
    """A temporary file's (or directory's) path that deletes it when this object is
    released.

    It travels to worker processes as a plain ``str``.

    >>> g = TempGuard("/tmp/no-such-file.tmp")
    >>> os.fspath(g)
    '/tmp/no-such-file.tmp'
    """

    def __init__(self, path: str) -> None:
        self.path = path
        weakref.finalize(self, _remove, path)

    def __fspath__(self) -> str:
        return self.path

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return str, (self.path,)


@dataclass(frozen=True)
class TempFile:
    """Base of the task callables that write to the temporary file (or directory)
    ``tmp``."""

    tmp: Any


def _tasks_with_temps(dsk: Mapping[Any, Any]) -> list[Any]:
    return [k for k, v in dsk.items() if type(v) is tuple and v and isinstance(v[0], TempFile)]


def guard_temps(dsk: Mapping[Any, Any], keys: Any, **kwargs: Any) -> dict[Any, Any]:
    """``WriteResult``'s optimizer: a :class:`TempGuard` per temporary file, then the usual.

    >>> guard_temps({"x": 1}, ["x"])
    {'x': 1}
    """
    found = _tasks_with_temps(dsk)
    if found:
        dsk = dict(dsk)
        guards: dict[str, TempGuard] = {}
        for k in found:
            fn = dsk[k][0]
            path = os.fspath(fn.tmp)
            guard = guards.setdefault(path, TempGuard(path))
            dsk[k] = (replace(fn, tmp=guard), *dsk[k][1:])
    return dict(spill.optimize(dsk, keys, **kwargs))


def _as_list(paths: list[Any]) -> list[Any]:
    return [p for group in paths for p in (group if isinstance(group, list) else [group])]


class WriteResult(Scalar):
    """A lazy write; computing it writes the files and returns their paths.

    >>> import tempfile, tessera.dataframe as dd
    >>> with tempfile.TemporaryDirectory() as d:
    ...     w = dd.from_dict({"a": [1]}, npartitions=1).to_csv(d + "/*.csv", compute=False)
    ...     [os.path.basename(p) for p in w.compute()]
    ['0.csv']
    """

    __tessera_optimize__ = staticmethod(guard_temps)

    @classmethod
    def collect(cls, layers: dict[str, Any], name: str, n: int) -> WriteResult:
        """A result over the tasks ``(name, 0..n-1)`` of ``layers`` (each returns paths)."""
        final = f"{name}-paths"
        layers = {**layers, final: {(final, 0): (_as_list, [(name, i) for i in range(n)])}}
        return cls(layers, final, [])

    def compute(self, **kwargs: Any) -> Any:
        """Write; keywords as for :func:`tessera.compute` (``scheduler=``...)."""
        try:
            return super().compute(**kwargs)
        finally:
            graph = self.__tessera_graph__()
            for tmp in {os.fspath(graph[k][0].tmp) for k in _tasks_with_temps(graph)}:
                _remove(tmp)


class WriteMixin:
    """Writer methods of DataFrame and Series (see the module map)."""

    def to_csv(
        self,
        filename: Any,
        single_file: bool = False,
        name_function: Callable[[int], Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Write CSV files; see :func:`tessera.dataframe.io.csv_write.to_csv`.

        >>> import os, tempfile, tessera.dataframe as dd
        >>> with tempfile.TemporaryDirectory() as d:
        ...     path = os.path.join(d, "all.csv")
        ...     _ = dd.from_dict({"a": [1, 2, 3]}, npartitions=3).to_csv(
        ...         path, single_file=True, index=False)
        ...     open(path).read()
        'a\\n1\\n2\\n3\\n'
        """
        from tessera.dataframe.io.csv_write import to_csv

        return to_csv(
            self, filename, single_file=single_file, name_function=name_function, **kwargs
        )

    def to_parquet(self, path: Any, **kwargs: Any) -> Any:
        """Write a directory of Parquet files; see
        :func:`tessera.dataframe.io.parquet_write.to_parquet`.

        >>> import os, tempfile, tessera.dataframe as dd
        >>> with tempfile.TemporaryDirectory() as d:
        ...     dd.from_dict({"a": [1, 2, 3]}, npartitions=2).to_parquet(d)
        ...     dd.read_parquet(d).a.compute().tolist()
        [1, 2, 3]
        """
        from tessera.dataframe.io.parquet_write import to_parquet

        return to_parquet(self, path, **kwargs)
