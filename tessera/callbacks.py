"""Scheduler callbacks, importable as ``tessera.callbacks`` like ``dask.callbacks``.

The implementation lives in :mod:`tessera.scheduling.callbacks`.

>>> from tessera.callbacks import Callback
>>> Callback.__module__
'tessera.scheduling.callbacks'
"""

from tessera.scheduling.callbacks import Callback, active_callbacks

__all__ = ["Callback", "active_callbacks"]
