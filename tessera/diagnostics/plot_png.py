"""The profile as a picture (PNG, SVG or PDF), drawn with matplotlib.

Map
---
- :func:`render_image` -- write a :class:`~tessera.diagnostics.timeline.Timeline` to an
  image file: task bars per worker coloured by task group (with a legend), CPU and
  memory of the process tree on twin axes, and the cache size, stacked on one time axis.

Policy: the figure is a plain :class:`matplotlib.figure.Figure` rendered by the Agg
canvas -- pyplot is never imported, so no window opens, no global figure state is
touched and it works without a display.  matplotlib is imported here only, with an
error naming the extra to install.

>>> from tessera.diagnostics.timeline import gather
>>> from tessera.diagnostics import TaskData
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "p.png")
>>> render_image(gather([[TaskData(("inc-12345678", 0), None, 0.0, 1.0, 42)]]), path, "t")
>>> open(path, "rb").read(8) == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> os.remove(path); os.rmdir(os.path.dirname(path))
"""

from __future__ import annotations

from typing import Any

from tessera.diagnostics.output import file_format
from tessera.diagnostics.timeline import Timeline
from tessera.extras import import_extra

__all__ = ["render_image"]


def _import_matplotlib() -> Any:
    hint = " Or write a .html with bokeh."
    return import_extra("matplotlib", "visualize_profile(filename='....png')",
                        "diagnostics", hint=hint)  # fmt: skip


def _draw_tasks(ax: Any, tl: Timeline, title: str) -> None:
    from matplotlib.patches import Patch

    ax.barh(
        [b.lane for b in tl.bars],
        [b.end - b.start for b in tl.bars],
        left=[b.start for b in tl.bars],
        color=[b.color for b in tl.bars],
        height=0.8,
    )
    ax.set_yticks(range(len(tl.workers)), [f"worker {w}" for w in tl.workers])
    ax.invert_yaxis()
    ax.set_title(title)
    handles = [Patch(color=c, label=g) for g, c in tl.colors.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")


def _draw_resources(ax: Any, tl: Timeline) -> None:
    ax.plot(tl.times, tl.cpu, color="#4b73af", label="CPU (%)")
    ax.set_ylabel("CPU (%)")
    ax.set_ylim(0, max([*tl.cpu, 100.0]) * 1.05)
    mem = ax.twinx()
    mem.plot(tl.times, tl.mem, color="#af4b56", label="memory (MB)")
    mem.set_ylabel("memory (MB)")
    mem.set_ylim(0, max(tl.mem) * 1.1)
    ax.set_title("CPU and memory of the process tree")


def _draw_cache(ax: Any, tl: Timeline) -> None:
    ax.step(tl.cache_times, tl.cache_sizes, where="post", color="#4baf5d")
    ax.set_ylabel(tl.metric_name)
    ax.set_title("Results held")


def render_image(tl: Timeline, path: str, title: str) -> None:
    """Write ``tl`` as an image to ``path`` (format from its extension).

    Parameters
    ----------
    tl : Timeline
        What to draw.
    path : str
        The file to write: ``.png``, ``.svg`` or ``.pdf`` (the caller makes it atomic).
    title : str
        The title of the task plot.
    """
    _import_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = [
        (_draw_tasks, (tl, title), 1.0 + 0.35 * len(tl.workers)) if tl.bars else None,
        (_draw_resources, (tl,), 2.2) if tl.times else None,
        (_draw_cache, (tl,), 1.8) if tl.cache_times else None,
    ]
    used = [p for p in panels if p is not None]
    heights = [h for _, _, h in used]
    fig = Figure(figsize=(10, sum(heights) + 0.8), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(used), 1, sharex=True, squeeze=False, height_ratios=heights)
    for ax, (draw, args, _) in zip(axes[:, 0], used, strict=True):
        draw(ax, *args)
    axes[-1, 0].set_xlim(0, tl.end)
    axes[-1, 0].set_xlabel("time (s)")
    fig.savefig(path, format=file_format(path), dpi=100)
