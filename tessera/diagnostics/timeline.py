"""What the profile plots draw, gathered from the profilers' records.

Map
---
- :class:`Bar` -- one task as drawn: lane (worker), start and end (seconds since the
  first record), task group, colour and key text.
- :class:`Timeline` -- everything a plot needs: the task bars, the worker lanes, the
  group colours, the resource samples and the cache size over time, all on one time axis.
- :func:`gather` -- build a :class:`Timeline` from profilers (or their ``results``).

Policy: every profiler stamps ``time.time()`` seconds, so one origin (the earliest
record of any of them) puts tasks, resource samples and cache records on one axis.
Worker lanes are ordered by each worker's first task.  A profiler is recognised by
the type of its records (:class:`~tessera.diagnostics.TaskData`,
:class:`~tessera.diagnostics.ResourceData`, :class:`~tessera.diagnostics.CacheData`).

>>> from tessera.diagnostics import TaskData
>>> tl = gather([[TaskData(("a-12345678", 0), None, 10.0, 10.5, 7)]])
>>> tl.bars[0].group, tl.bars[0].start, tl.bars[0].end, tl.workers
('a', 0.0, 0.5, [7])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tessera.diagnostics.cache import CacheData
from tessera.diagnostics.groups import key_group, palette
from tessera.diagnostics.profile import TaskData
from tessera.diagnostics.resource import ResourceData

__all__ = ["RECORD_TYPES", "Bar", "Timeline", "gather"]

#: The record types a timeline is made of.
RECORD_TYPES = (TaskData, ResourceData, CacheData)


@dataclass(frozen=True)
class Bar:
    """One task on the timeline."""

    lane: int
    start: float
    end: float
    group: str
    color: str
    key: str


@dataclass
class Timeline:
    """Tasks, resources and cache size on one time axis (seconds since ``origin``)."""

    origin: float = 0.0
    bars: list[Bar] = field(default_factory=list)
    workers: list[Any] = field(default_factory=list)
    colors: dict[str, str] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    mem: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    cache_times: list[float] = field(default_factory=list)
    cache_sizes: list[float] = field(default_factory=list)
    metric_name: str = "bytes"

    @property
    def end(self) -> float:
        """The last time on the axis (at least a millisecond, so axes are never empty)."""
        ends = [b.end for b in self.bars] + self.times + self.cache_times
        return max([*ends, 1e-3])


def _records(source: Any) -> list[Any]:
    results = getattr(source, "results", source)
    if not isinstance(results, Iterable):
        raise TypeError(
            f"visualize_profile expects profilers (Profiler, ResourceProfiler, "
            f"CacheProfiler) or lists of their records, got {type(source).__name__}."
        )
    return list(results)


def _cache_curve(records: Sequence[CacheData], origin: float) -> tuple[list[float], list[float]]:
    """Total size held over time: +metric at ``cache_time``, -metric at ``free_time``."""
    events = sorted(
        [(r.cache_time, r.metric) for r in records] + [(r.free_time, -r.metric) for r in records]
    )
    times, sizes, total = [], [], 0.0
    for t, delta in events:
        total += delta
        times.append(t - origin)
        sizes.append(total)
    return times, sizes


def gather(sources: Iterable[Any]) -> Timeline:
    """Collect the records of ``sources`` into a :class:`Timeline`.

    Parameters
    ----------
    sources : iterable
        Profilers or lists of their records, in any mix.

    Returns
    -------
    Timeline

    Examples
    --------
    >>> from tessera.diagnostics import ResourceData
    >>> tl = gather([[ResourceData(5.0, 100.0, 50.0), ResourceData(6.0, 120.0, 90.0)]])
    >>> tl.times, tl.mem, tl.cpu
    ([0.0, 1.0], [100.0, 120.0], [50.0, 90.0])
    """
    tasks: list[TaskData] = []
    samples: list[ResourceData] = []
    cached: list[CacheData] = []
    tl = Timeline()
    for source in sources:
        tl.metric_name = getattr(source, "metric_name", tl.metric_name)
        for r in _records(source):
            if isinstance(r, TaskData):
                tasks.append(r)
            elif isinstance(r, ResourceData):
                samples.append(r)
            elif isinstance(r, CacheData):
                cached.append(r)
            else:
                raise TypeError(
                    f"visualize_profile: unknown record type {type(r).__name__}; expected "
                    "TaskData, ResourceData or CacheData."
                )
    stamps = [t.start_time for t in tasks] + [s.time for s in samples]
    stamps += [c.cache_time for c in cached]
    tl.origin = min(stamps, default=0.0)
    tasks.sort(key=lambda t: t.start_time)
    lanes: dict[Any, int] = {}
    for t in tasks:
        lanes.setdefault(t.worker_id, len(lanes))
    tl.workers = list(lanes)
    groups = sorted({key_group(t.key) for t in tasks})
    tl.colors = dict(zip(groups, palette(len(groups)), strict=True))
    for t in tasks:
        group = key_group(t.key)
        tl.bars.append(
            Bar(
                lanes[t.worker_id],
                t.start_time - tl.origin,
                t.end_time - tl.origin,
                group,
                tl.colors[group],
                str(t.key),
            )
        )
    samples.sort(key=lambda s: s.time)
    tl.times = [s.time - tl.origin for s in samples]
    tl.mem = [s.mem for s in samples]
    tl.cpu = [s.cpu for s in samples]
    tl.cache_times, tl.cache_sizes = _cache_curve(cached, tl.origin)
    return tl
