"""The common part of the profilers: records cleared on entry, drawn by ``visualize``.

Map
---
- :class:`Recorder` -- a :class:`~tessera.scheduling.callbacks.Callback` that collects
  records in ``results``: entering it as a context manager forgets the old ones
  (``clear``, defined by each profiler), and :meth:`Recorder.visualize` draws them with
  :func:`~tessera.diagnostics.visualize_profile`.  :class:`~tessera.diagnostics.Profiler`,
  :class:`~tessera.diagnostics.ResourceProfiler` and
  :class:`~tessera.diagnostics.CacheProfiler` are recorders.

>>> from tessera.diagnostics import Profiler
>>> issubclass(Profiler, Recorder)
True
"""

from __future__ import annotations

from typing import Any, TypeVar

from tessera.scheduling.callbacks import Callback

__all__ = ["Recorder"]

R = TypeVar("R", bound="Recorder")


class Recorder(Callback):
    """A callback collecting records; subclasses define ``results`` and ``clear()``."""

    def clear(self) -> None:
        """Forget the records collected so far."""
        raise NotImplementedError

    def __enter__(self: R) -> R:
        self.clear()
        super().__enter__()
        return self

    def visualize(self, filename: str = "profile.html", **kwargs: Any) -> str:
        """Draw the records: see :func:`tessera.diagnostics.visualize_profile`.

        Parameters
        ----------
        filename : str
            Where to write: ``.html`` (bokeh) or an image (``.png``, ``.svg``... with
            matplotlib).
        **kwargs
            Passed to :func:`~tessera.diagnostics.visualize_profile`.

        Returns
        -------
        str
            The path written.

        Examples
        --------
        >>> import os, shutil, tempfile
        >>> from tessera.diagnostics import CacheProfiler, Profiler, ResourceProfiler
        >>> from tessera.scheduling import synchronous
        >>> d = tempfile.mkdtemp()
        >>> for rec, name in [(Profiler(), "p.png"), (CacheProfiler(), "c.svg"),
        ...                   (ResourceProfiler(dt=0.01), "r.png")]:
        ...     with rec:
        ...         _ = synchronous.get({"a": (abs, -1)}, "a")
        ...     print(os.path.getsize(rec.visualize(os.path.join(d, name))) > 0)
        True
        True
        True
        >>> shutil.rmtree(d)
        """
        from tessera.diagnostics.plot import visualize_profile

        return visualize_profile([self], filename=filename, **kwargs)
