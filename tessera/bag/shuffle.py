"""The disk shuffle behind ``Bag.groupby``: hash-partition, spill to files, regroup.

Map
---
- :func:`stable_hash` -- a hash that is the same in every process (Python's ``hash``
  of ``str`` is salted per process, so it cannot route keys between workers).
- :class:`WriteGroups` -- input stage, one task per input partition: split it into
  ``nout`` groups by ``stable_hash(key(x)) % nout`` (:func:`hash_codes`, with fast
  loops for all-int and all-str keys) and pickle each non-empty group to
  ``<spill>/<i>-<j>.pkl``; returns the group sizes.  A task that fails removes the
  files it wrote.
- :func:`sizes_table` -- the barrier: every input task's sizes, so that the output
  stage starts only when all files exist, and knows which ones do.
- :class:`CollectGroup` -- output stage, one task per output partition: read that
  partition's files (deleting each once read), group by key, return ``(key, values)``
  pairs; the task that empties the directory removes it.
- Where the files go: :class:`SpillPlaceholder` in the graph as built;
  :func:`materialize_spill_dirs` (run by the bags' optimizer in the calling process at
  every compute) replaces it with a fresh :class:`SpillDir` made with
  :func:`tempfile.mkdtemp` (in ``config.get("temporary-directory")`` if set).  The
  ``SpillDir`` lives exactly as long as the compute's graph: when it is released --
  after a success or a failure -- a :func:`weakref.finalize` deletes the directory and
  whatever is left in it (and, at the latest, at interpreter exit).  In workers it is a
  plain :class:`SpillPath`.
- :func:`~tessera.spill.spill_scope` (from :mod:`tessera.spill`, as are ``SpillDir``
  and ``SpillPath``) -- the context ``Bag.compute``/``persist`` run in: every spill
  directory made inside it is deleted when it exits, so a failed compute leaves nothing
  behind even while its exception (and the graph its traceback holds) is still alive.

Memory: an input task holds one input partition; an output task holds one output
partition; nothing else is held, so a groupby over more data than memory finishes when
each partition fits.

>>> stable_hash("word") == stable_hash("word"), stable_hash(1) == stable_hash(1.0)
(True, True)
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from tessera.hashing import tokenize
from tessera.scheduling.graph import gc_paused
from tessera.spill import SpillDir, SpillPath, spill_scope, track

__all__ = [
    "SPILL_PREFIX",
    "CollectGroup",
    "SpillDir",
    "SpillPath",
    "SpillPlaceholder",
    "WriteGroups",
    "hash_codes",
    "materialize_spill_dirs",
    "sizes_table",
    "spill_scope",
    "stable_hash",
]

#: Prefix of the spill directories' names.
SPILL_PREFIX = "tessera-shuffle-"
_MASK = (1 << 61) - 1


def stable_hash(key: Any) -> int:
    """A non-negative hash of ``key``, equal in every process; equal keys hash equal.

    >>> stable_hash(("a", 1)) == stable_hash(("a", 1.0))
    True
    """
    if isinstance(key, str):
        return zlib.crc32(key.encode("utf-8", "surrogatepass"))
    if isinstance(key, (int, float, complex, Decimal, Fraction)):
        return hash(key) & _MASK  # numeric hashes are not salted
    if isinstance(key, tuple):
        h = 0x345678
        for x in key:
            h = ((h * 1000003) ^ stable_hash(x)) & _MASK
        return h
    if key is None:
        return 0
    if isinstance(key, bytes):
        return zlib.crc32(key)
    if isinstance(key, frozenset):
        h = 0
        for x in key:
            h ^= stable_hash(x)
        return h
    return int(tokenize(key)[:15], 16)


@dataclass(frozen=True)
class SpillPlaceholder:
    """The spill directory of a graph that was not optimized: a fixed temp path.

    >>> os.path.basename(SpillPlaceholder("abc").path)
    'tessera-shuffle-abc'
    """

    token: str

    @property
    def path(self) -> str:
        """``<tempdir>/tessera-shuffle-<token>``, the same in every local process.

        >>> SpillPlaceholder("t").path.endswith("tessera-shuffle-t")
        True
        """
        return os.path.join(tempfile.gettempdir(), SPILL_PREFIX + self.token)


def _file(spill: Any, i: int, j: int) -> str:
    return os.path.join(spill.path, f"{i:06d}-{j:06d}.pkl")


@dataclass(frozen=True)
class WriteGroups:
    """Input stage for input partition ``i``: spill its ``nout`` groups; return sizes.

    >>> spill = SpillDir(tempfile.mkdtemp(prefix=SPILL_PREFIX))
    >>> WriteGroups(abs, 2, 0, spill)([1, -1, 2])
    [1, 2]
    >>> sorted(os.listdir(spill.path))
    ['000000-000000.pkl', '000000-000001.pkl']
    """

    key: Callable[[Any], Any]
    nout: int
    i: int
    spill: Any

    def __call__(self, part: list[Any]) -> list[int]:
        nout = self.nout
        if nout == 1:
            groups = [part]
        else:
            groups = [[] for _ in range(nout)]
            appends = [g.append for g in groups]
            for x, j in zip(part, hash_codes(list(map(self.key, part)), nout), strict=True):
                appends[j](x)
        os.makedirs(self.spill.path, exist_ok=True)
        written: list[str] = []
        try:
            for j, g in enumerate(groups):
                if g:
                    path = _file(self.spill, self.i, j)
                    written.append(path)
                    with open(path, "wb") as f:
                        _dump(g, f)
        except BaseException:
            for path in written:
                with contextlib.suppress(OSError):
                    os.remove(path)
            raise
        return [len(g) for g in groups]


def hash_codes(keys: list[Any], n: int) -> list[int]:
    """``stable_hash(k) % n`` for each key, with fast loops for all-int and all-str keys.

    >>> hash_codes([1, 5, 2], 4) == [stable_hash(k) % 4 for k in [1, 5, 2]]
    True
    """
    types = set(map(type, keys))
    if types == {int}:
        return [(hash(k) & _MASK) % n for k in keys]
    if types == {str}:
        crc = zlib.crc32
        return [crc(k.encode("utf-8", "surrogatepass")) % n for k in keys]
    return [stable_hash(k) % n for k in keys]


def _dump(obj: Any, f: Any) -> None:
    try:
        pickle.dump(obj, f, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        import cloudpickle

        f.seek(0)
        f.truncate()
        cloudpickle.dump(obj, f, protocol=5)


def sizes_table(sizes: list[list[int]]) -> list[list[int]]:
    """The barrier between the stages: ``sizes[i][j]`` elements went from ``i`` to ``j``.

    >>> sizes_table([[1, 0], [2, 3]])
    [[1, 0], [2, 3]]
    """
    return sizes


@dataclass(frozen=True)
class CollectGroup:
    """Output stage for output partition ``j``: read, delete and group its files.

    >>> spill = SpillDir(tempfile.mkdtemp(prefix=SPILL_PREFIX))
    >>> sizes = [WriteGroups(abs, 1, i, spill)(p) for i, p in enumerate([[1, -1], [2]])]
    >>> CollectGroup(abs, 0, spill)(sizes), os.path.exists(spill.path)
    ([(1, [1, -1]), (2, [2])], False)
    """

    key: Callable[[Any], Any]
    j: int
    spill: Any

    def __call__(self, sizes: list[list[int]]) -> list[tuple[Any, list[Any]]]:
        key, j = self.key, self.j
        groups: defaultdict[Any, list[Any]] = defaultdict(list)
        for i, row in enumerate(sizes):
            if not row[j]:
                continue
            path = _file(self.spill, i, j)
            with open(path, "rb") as f, gc_paused():
                values = pickle.load(f)
            os.remove(path)
            for k, x in zip(map(key, values), values, strict=True):
                groups[k].append(x)
        with contextlib.suppress(OSError):
            os.rmdir(self.spill.path)  # succeeds for whichever output task finishes last
        return list(groups.items())


def materialize_spill_dirs(dsk: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """Give each shuffle in ``dsk`` a fresh :class:`SpillDir` for this compute.

    Returns ``dsk`` itself when it holds no shuffle.

    >>> dsk = {"w": (WriteGroups(abs, 1, 0, SpillPlaceholder("t")), "p"), "p": [1]}
    >>> out = materialize_spill_dirs(dsk)
    >>> type(out["w"][0].spill).__name__, materialize_spill_dirs({"p": [1]}) is not None
    ('SpillDir', True)
    """
    from tessera import config

    found = [
        k
        for k, v in dsk.items()
        if type(v) is tuple and v and isinstance(v[0], (WriteGroups, CollectGroup))
    ]
    if not found:
        return dsk
    base = config.get("temporary-directory", None)
    dirs: dict[str, SpillDir] = {}
    out = dict(dsk)
    for k in found:
        fn = out[k][0]
        if not isinstance(fn.spill, SpillPlaceholder):
            continue
        token = fn.spill.token
        if token not in dirs:
            prefix = f"{SPILL_PREFIX}{token[:8]}-"
            dirs[token] = track(SpillDir(tempfile.mkdtemp(prefix=prefix, dir=base)))
        out[k] = (replace(fn, spill=dirs[token]), *out[k][1:])
    return out
