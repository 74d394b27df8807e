"""Spill directories of the frames' disk shuffles: one per shuffle and compute, always removed.

Map
---
- :class:`~tessera.spill.SpillPath`, :class:`~tessera.spill.SpillDir`,
  :func:`~tessera.spill.spill_scope` -- shared with the bags (:mod:`tessera.spill`); a
  frame's :class:`SpillDir` is only a reserved name until a task writes into it.
- :func:`reserve` -- a fresh :class:`SpillDir` under ``config.get("temporary-directory")``
  (or the system's temporary directory).
- :class:`SpillTask` -- base of the shuffle's task callables (frozen dataclasses with a
  ``spill`` field).
- :func:`materialize` -- give every shuffle of a graph a fresh :class:`SpillDir` for
  this compute, registered in the active :func:`spill_scope`.
- :class:`SpillScoped` -- base of frames and scalars: :func:`optimize` as their optimizer,
  ``compute``/``persist`` inside a :func:`spill_scope`.
- :func:`optimize` -- the frames' ``__tessera_optimize__``: :func:`materialize`, then
  cull and fuse (:func:`~tessera.scheduling.optimize.optimize_graph`).

Lifetime policy: a shuffle's graph holds a :class:`SpillDir` reserved when the graph is
built, so a compute through any collection finds a directory that lives as long as the
graph.  DataFrame and Series computes go further: their optimizer swaps in a fresh
directory per compute (two computes never share files) and ``compute``/``persist`` run
in a :func:`spill_scope`, so the directory is gone when the compute returns *or raises*.
On success the output tasks already deleted every file they read.

>>> import os
>>> d = reserve("abc")
>>> os.makedirs(d.path); os.path.isdir(d.path)
True
>>> d.remove(); os.path.exists(d.path)
False
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import uuid
from collections.abc import Mapping
from typing import Any

from tessera.base import Collection
from tessera.scheduling.optimize import optimize_graph
from tessera.spill import SpillDir, SpillPath, spill_scope, track

__all__ = [
    "SPILL_PREFIX",
    "SpillDir",
    "SpillPath",
    "SpillScoped",
    "SpillTask",
    "materialize",
    "optimize",
    "reserve",
    "spill_scope",
]

#: Prefix of the spill directories' names.
SPILL_PREFIX = "tessera-frame-shuffle-"


def reserve(token: str) -> SpillDir:
    """A new, unique, not yet created spill directory for the shuffle named by ``token``.

    >>> a, b = reserve("t"), reserve("t")
    >>> a.path != b.path, os.path.basename(a.path).startswith(SPILL_PREFIX)
    (True, True)
    """
    from tessera import config

    base = config.get("temporary-directory", None) or tempfile.gettempdir()
    return SpillDir(os.path.join(base, f"{SPILL_PREFIX}{token[:8]}-{uuid.uuid4().hex[:12]}"))


@dataclasses.dataclass(frozen=True)
class SpillTask:
    """Base of task callables that read or write a spill directory ``spill``."""

    spill: Any


def materialize(dsk: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """Give each shuffle in ``dsk`` a fresh :class:`SpillDir`; ``dsk`` itself if none.

    >>> old = reserve("t")
    >>> new = materialize({"w": (SpillTask(old), "p"), "p": 1})["w"][0].spill
    >>> new.path != old.path
    True
    """
    found = [k for k, v in dsk.items() if type(v) is tuple and v and isinstance(v[0], SpillTask)]
    if not found:
        return dsk
    fresh: dict[str, SpillDir] = {}
    out = dict(dsk)
    for k in found:
        fn = out[k][0]
        old = fn.spill.path
        if old not in fresh:
            fresh[old] = track(reserve(os.path.basename(old)[len(SPILL_PREFIX) :]))
        out[k] = (dataclasses.replace(fn, spill=fresh[old]), *out[k][1:])
    return out


def optimize(dsk: Mapping[Any, Any], keys: Any, **kwargs: Any) -> dict[Any, Any]:
    """Prepare a frame graph for one compute: fresh spill directories, cull, fuse chains.

    >>> sorted(optimize({"a": 1, "b": (abs, "a"), "unused": 2}, ["b"]))
    ['b']
    """
    return optimize_graph(materialize(dsk), keys, **kwargs)


class SpillScoped(Collection):
    """Frames and scalars: each compute gets fresh spill directories, removed when it ends
    (also when it fails)."""

    __tessera_optimize__ = staticmethod(optimize)

    def compute(self, **kwargs: Any) -> Any:
        """Compute; keywords as for :func:`tessera.compute`.  Shuffle files are removed after.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2]}, npartitions=2).a.compute(scheduler="sync").tolist()
        [1, 2]
        """
        with spill_scope():
            return super().compute(**kwargs)

    def persist(self, **kwargs: Any) -> Any:
        """Compute and return a frame backed by the computed partitions.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2]}, npartitions=2).persist().npartitions
        2
        """
        with spill_scope():
            return super().persist(**kwargs)
