"""``visualize_profile``: draw what the profilers recorded, to an HTML page or an image.

Map
---
- :func:`visualize_profile` -- profilers (or their records) -> one file: ``.html``
  (bokeh, interactive and self-contained, :mod:`~tessera.diagnostics.plot_html`) or
  ``.png`` / ``.svg`` / ``.pdf`` (matplotlib, :mod:`~tessera.diagnostics.plot_png`).

Policy: the records are gathered on one time axis
(:func:`~tessera.diagnostics.timeline.gather`); the file is written under a temporary
name and renamed (:func:`~tessera.diagnostics.output.atomic_path`), so a failed render
leaves nothing behind.  Plotting never opens a window or a browser.

>>> import os, tempfile
>>> from tessera.diagnostics import Profiler
>>> from tessera.scheduling import threaded
>>> with Profiler() as prof:
...     threaded.get({("inc-1234abcd", i): (abs, -i) for i in range(4)}, [("inc-1234abcd", 0)])
[0]
>>> d = tempfile.mkdtemp()
>>> path = visualize_profile(prof, filename=os.path.join(d, "profile.html"))
>>> "inc" in open(path).read()
True
>>> os.remove(path); os.rmdir(d)
"""

from __future__ import annotations

import os
from typing import Any

from tessera.diagnostics.output import atomic_path, file_format
from tessera.diagnostics.timeline import RECORD_TYPES, gather

__all__ = ["visualize_profile"]

_IMAGE_FORMATS = ("png", "svg", "pdf")


def _sources(profilers: Any) -> list[Any]:
    """One profiler, a list of records, or a list of profilers -> a list of sources."""
    if not isinstance(profilers, list | tuple) or isinstance(profilers, RECORD_TYPES):
        return [profilers]
    if profilers and isinstance(profilers[0], RECORD_TYPES):
        return [profilers]
    return list(profilers)


def visualize_profile(
    profilers: Any, filename: str | os.PathLike[str] = "profile.html", *, title: str = "Profile"
) -> str:
    """Draw profiler records to ``filename``: task timeline per worker, CPU, memory, cache.

    Parameters
    ----------
    profilers : profiler or list of them
        :class:`~tessera.diagnostics.Profiler`, :class:`~tessera.diagnostics.ResourceProfiler`
        and :class:`~tessera.diagnostics.CacheProfiler` objects (or lists of their
        records), drawn on one time axis.
    filename : str or path
        ``.html`` for a self-contained interactive page (needs bokeh), or ``.png``,
        ``.svg`` or ``.pdf`` for an image (needs matplotlib).
    title : str
        The title of the task timeline.

    Returns
    -------
    str
        ``filename``.

    Raises
    ------
    ValueError
        When the extension is not one of the above, or there is nothing to draw.

    Examples
    --------
    >>> visualize_profile([], filename="profile.gif")
    Traceback (most recent call last):
    ...
    ValueError: visualize_profile writes .html, .png, .svg or .pdf files, got 'profile.gif'. ...
    """
    fmt = file_format(filename)
    if fmt not in ("html", "htm", *_IMAGE_FORMATS):
        raise ValueError(
            f"visualize_profile writes .html, .png, .svg or .pdf files, got "
            f"{os.fspath(filename)!r}. Pass filename='profile.html' (bokeh) or "
            "filename='profile.png' (matplotlib)."
        )
    tl = gather(_sources(profilers))
    if not (tl.bars or tl.times or tl.cache_times):
        raise ValueError(
            "visualize_profile: the profilers hold no records. Run a compute inside "
            "`with Profiler() as prof:` (or ResourceProfiler/CacheProfiler) first."
        )
    if fmt in _IMAGE_FORMATS:
        from tessera.diagnostics.plot_png import render_image as render
    else:
        from tessera.diagnostics.plot_html import render_html as render
    with atomic_path(filename) as tmp:
        render(tl, tmp, title)
    return os.fspath(filename)
