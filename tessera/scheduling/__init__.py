"""Running task graphs: the graph spec, one engine, and the schedulers that drive it.

Map
---
- :mod:`~tessera.scheduling.graph` -- keys, tasks, references; compile, cull, toposort.
- :mod:`~tessera.scheduling.order` -- the static execution order (low peak memory).
- :mod:`~tessera.scheduling.engine` -- the one execution engine;
  :mod:`~tessera.scheduling.tracker` -- its per-compute state and callbacks' ``state``.
- :mod:`~tessera.scheduling.batch` -- what a worker runs; chains stay in one worker.
- :mod:`~tessera.scheduling.synchronous`, :mod:`~tessera.scheduling.threaded`,
  :mod:`~tessera.scheduling.multiprocessing`, :mod:`~tessera.scheduling.executor` --
  the ``get`` functions.
- :mod:`~tessera.scheduling.pool`, :mod:`~tessera.scheduling.serialize` -- worker
  processes and what crosses to them.
- :mod:`~tessera.scheduling.callbacks` -- hooks for diagnostics.
- :mod:`~tessera.scheduling.registry` -- names to get functions.
- :mod:`~tessera.scheduling.optimize` -- graph rewriting: cull and chain fusion.
- :mod:`~tessera.scheduling.distributed` (+ ``distributed_check``),
  :mod:`~tessera.scheduling.ray` -- Dask and Ray clusters; ``remote`` (worker side),
  ``remote_plan``, ``remote_lift``, ``remote_report`` -- graphs and callbacks prepared
  for them.

This package imports neither numpy nor pandas nor any collection.

>>> from operator import add
>>> from tessera.scheduling import synchronous, threaded, multiprocessing
>>> dsk = {'a': 1, 'b': 2, 'c': (add, 'a', 'b'), 'd': (sum, ['a', 'b', 'c'])}
>>> synchronous.get(dsk, 'c'), threaded.get(dsk, 'd'), multiprocessing.get(dsk, ['a', 'b', 'c'])
(3, 6, [1, 2, 3])
"""
