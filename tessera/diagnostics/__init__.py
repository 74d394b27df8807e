"""Diagnostics: watch and measure computes through scheduler callbacks.

Map
---
- :class:`ProgressBar` (``progress.py``) -- tasks done/total, elapsed time and ETA while a
  compute runs; tqdm when installed, else a built-in text bar.
- :class:`Profiler` (``profile.py``) -- one :class:`TaskData` per task: ``key, task,
  start_time, end_time, worker_id``.
- :class:`ResourceProfiler` (``resource.py``) -- :class:`ResourceData` samples ``time, mem,
  cpu`` of the process tree, taken by a background thread that stops with the compute.

Each is a :class:`tessera.callbacks.Callback`: use it as a context manager around
``compute`` or ``register()`` it globally.  Record types keep Dask's field names.

>>> from tessera.scheduling import threaded
>>> with Profiler() as prof, ResourceProfiler(dt=0.01) as rprof:
...     threaded.get({"a": 1, "b": (abs, "a")}, "b")
1
>>> len(prof.results), len(rprof.results) >= 1
(2, True)
"""

from tessera.diagnostics.profile import Profiler, TaskData
from tessera.diagnostics.progress import ProgressBar
from tessera.diagnostics.resource import ResourceData, ResourceProfiler

__all__ = ["Profiler", "ProgressBar", "ResourceData", "ResourceProfiler", "TaskData"]
