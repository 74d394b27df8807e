"""Diagnostics: watch, measure, draw and explain computes.

Map
---
- :class:`ProgressBar` (``progress.py``) -- tasks done/total, elapsed time and an ETA
  priced per task group (``eta.py``) while a compute runs; tqdm when installed, else a
  built-in text bar.
- :class:`Profiler` (``profile.py``) -- one :class:`TaskData` per task: ``key, task,
  start_time, end_time, worker_id``, timed in the worker.
- :class:`ResourceProfiler` (``resource.py``) -- :class:`ResourceData` samples ``time, mem,
  cpu`` of the process tree, taken by a background thread that stops with the compute.
- :class:`CacheProfiler` (``cache.py``) -- :class:`CacheData` ``key, task, metric,
  cache_time, free_time``: how big each result is and how long it is held.
- :class:`~tessera.diagnostics.recorder.Recorder` (``recorder.py``) -- what the three
  profilers share: cleared on entry, ``visualize()``.
- :func:`visualize_profile` (``plot.py``) -- the profilers' records as a self-contained
  HTML timeline (bokeh) or an image (matplotlib).
- :func:`visualize` (``graph_picture.py``; :func:`to_dot` in ``dot.py``) -- a picture
  of the task graph of collections, coloured by order or task group; large graphs
  collapse into one node per operation.  Also ``tessera.visualize`` and
  ``x.visualize()``.
- :func:`explain` (``explain.py``; operations from ``layering.py``, sizes from
  ``sizes.py``, warnings from ``footguns.py``) -- the plan of a collection: operations,
  task and partition counts, bytes, projected peak memory and warnings.  Also
  ``x.explain()``.
- Helpers: task groups and colours (``groups.py``), the shared time axis of the plots
  (``timeline.py``), atomic file output (``output.py``).

Each profiler and the bar is a :class:`tessera.callbacks.Callback`: use it as a context
manager around ``compute`` or ``register()`` it globally.  Record types keep Dask's
field names.

>>> from tessera.scheduling import threaded
>>> with Profiler() as prof, ResourceProfiler(dt=0.01) as rprof:
...     threaded.get({"a": 1, "b": (abs, "a")}, "b")
1
>>> len(prof.results), len(rprof.results) >= 1
(2, True)
"""

from tessera.diagnostics.cache import CacheData, CacheProfiler
from tessera.diagnostics.dot import to_dot
from tessera.diagnostics.explain import Plan, explain
from tessera.diagnostics.graph_picture import visualize
from tessera.diagnostics.plot import visualize_profile
from tessera.diagnostics.profile import Profiler, TaskData
from tessera.diagnostics.progress import ProgressBar
from tessera.diagnostics.resource import ResourceData, ResourceProfiler

__all__ = [
    "CacheData",
    "CacheProfiler",
    "Plan",
    "Profiler",
    "ProgressBar",
    "ResourceData",
    "ResourceProfiler",
    "TaskData",
    "explain",
    "to_dot",
    "visualize",
    "visualize_profile",
]
