"""The profile as a self-contained HTML page, drawn with bokeh.

Map
---
- :func:`render_html` -- write a :class:`~tessera.diagnostics.timeline.Timeline` to an
  HTML file: a task timeline (one row per worker, bars coloured by task group, a tooltip
  with key, group and duration), then CPU and memory lines, then the cache size, all
  sharing one time axis.

Policy: the page embeds bokeh's JavaScript (``bokeh.resources.INLINE``), so it opens
offline and can be mailed around; nothing is displayed, no browser is started.  bokeh
is imported here only, with an error naming the extra to install.

>>> from tessera.diagnostics.timeline import gather
>>> from tessera.diagnostics import TaskData
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "p.html")
>>> render_html(gather([[TaskData(("inc-12345678", 0), None, 0.0, 1.0, 42)]]), path, "t")
>>> text = open(path).read()
>>> "inc" in text and "worker 42" in text
True
>>> os.remove(path); os.rmdir(os.path.dirname(path))
"""

from __future__ import annotations

from typing import Any

from tessera.diagnostics.timeline import Timeline
from tessera.extras import import_extra

__all__ = ["render_html"]

_WIDTH = 900


def _import_bokeh() -> Any:
    hint = " Or write a .png with matplotlib."
    return import_extra("bokeh.plotting", "visualize_profile(filename='....html')",
                        "diagnostics", "bokeh", hint)  # fmt: skip


def _task_figure(tl: Timeline, x_range: Any, title: str) -> Any:
    from bokeh.models import ColumnDataSource, HoverTool, Range1d
    from bokeh.plotting import figure

    source = ColumnDataSource(
        {
            "lane": [b.lane for b in tl.bars],
            "start": [b.start for b in tl.bars],
            "end": [b.end for b in tl.bars],
            "duration": [b.end - b.start for b in tl.bars],
            "group": [b.group for b in tl.bars],
            "color": [b.color for b in tl.bars],
            "key": [b.key for b in tl.bars],
        }
    )
    fig = figure(
        title=title,
        x_range=x_range,
        width=_WIDTH,
        height=max(160, 40 + 28 * len(tl.workers)),
        y_range=Range1d(start=len(tl.workers) - 0.5, end=-0.5),  # first worker on top
        tools="xpan,xwheel_zoom,box_zoom,reset,save",
        y_axis_label="worker",
    )
    fig.hbar(
        y="lane",
        left="start",
        right="end",
        height=0.8,
        color="color",
        legend_field="group",
        source=source,
    )
    fig.add_tools(
        HoverTool(
            tooltips=[("key", "@key"), ("group", "@group"), ("duration", "@duration{0.000000} s")]
        )
    )
    fig.yaxis.ticker = list(range(len(tl.workers)))
    fig.yaxis.major_label_overrides = {i: f"worker {w}" for i, w in enumerate(tl.workers)}
    fig.legend.location = "top_right"
    fig.legend.click_policy = "hide"
    return fig


def _resource_figure(tl: Timeline, x_range: Any) -> Any:
    from bokeh.models import LinearAxis, Range1d
    from bokeh.plotting import figure

    fig = figure(
        title="CPU and memory of the process tree",
        x_range=x_range,
        width=_WIDTH,
        height=220,
        tools="xpan,xwheel_zoom,box_zoom,reset,save",
        y_axis_label="CPU (%)",
    )
    fig.y_range = Range1d(start=0, end=max([*tl.cpu, 100.0]) * 1.05)
    fig.line(tl.times, tl.cpu, color="#4b73af", line_width=2, legend_label="CPU (%)")
    fig.extra_y_ranges = {"mem": Range1d(start=0, end=max(tl.mem) * 1.1)}
    fig.add_layout(LinearAxis(y_range_name="mem", axis_label="memory (MB)"), "right")
    fig.line(
        tl.times, tl.mem, color="#af4b56", line_width=2, y_range_name="mem", legend_label="memory"
    )
    fig.legend.location = "top_left"
    return fig


def _cache_figure(tl: Timeline, x_range: Any) -> Any:
    from bokeh.plotting import figure

    fig = figure(
        title=f"Results held ({tl.metric_name})",
        x_range=x_range,
        width=_WIDTH,
        height=180,
        tools="xpan,xwheel_zoom,box_zoom,reset,save",
        x_axis_label="time (s)",
    )
    fig.step(tl.cache_times, tl.cache_sizes, mode="after", color="#4baf5d", line_width=2)
    return fig


def render_html(tl: Timeline, path: str, title: str) -> None:
    """Write ``tl`` as a self-contained bokeh page to ``path``.

    Parameters
    ----------
    tl : Timeline
        What to draw.
    path : str
        The file to write (the caller makes it atomic).
    title : str
        The page and first plot's title.
    """
    _import_bokeh()
    from bokeh.embed import file_html
    from bokeh.layouts import column
    from bokeh.models import Range1d
    from bokeh.resources import INLINE

    x_range = Range1d(start=0, end=tl.end)
    figures = []
    if tl.bars:
        figures.append(_task_figure(tl, x_range, title))
    if tl.times:
        figures.append(_resource_figure(tl, x_range))
    if tl.cache_times:
        figures.append(_cache_figure(tl, x_range))
    figures[-1].xaxis.axis_label = "time (s)"
    html = file_html(column(*figures), INLINE, title)
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
