"""tessera: parallel computing on data larger than one core or one memory.

Map
---
- :func:`get` -- the synchronous scheduler's ``get`` (debugging, tests).
- :func:`compute`, :func:`persist`, :func:`optimize`, :func:`tokenize`,
  :func:`is_collection` -- from :mod:`tessera.base`.
- :mod:`tessera.config` -- configuration (``config.set(scheduler="processes")``).
- :mod:`tessera.scheduling` -- graphs, the engine and the schedulers.
- :mod:`tessera.callbacks` -- scheduler callbacks for diagnostics.
- :mod:`tessera.paths`, :mod:`tessera.spill` -- file names and spill directories shared
  by the collections' readers, writers and shuffles.
- :func:`visualize` -- a picture of the task graph (:mod:`tessera.diagnostics`).

Importing tessera imports neither numpy nor pandas; the collections do.

>>> from operator import add
>>> import tessera
>>> tessera.get({'a': 1, 'b': 2, 'c': (add, 'a', 'b')}, 'c')
3
>>> from tessera.base import compute
>>> compute is tessera.compute
True
"""

from tessera import config
from tessera.base import compute, is_collection, optimize, persist, tokenize
from tessera.diagnostics.graph_picture import visualize
from tessera.scheduling.synchronous import get

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "compute",
    "config",
    "get",
    "is_collection",
    "optimize",
    "persist",
    "tokenize",
    "visualize",
]
