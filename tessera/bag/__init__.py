"""tessera.bag: parallel lists of Python objects (``import tessera.bag as db``).

Map
---
- :class:`Bag` (:mod:`~tessera.bag.core`) -- a lazy list split into partitions; its
  methods come from one module per concept:
  :mod:`~tessera.bag.elementwise` (``map``, ``filter``, ``pluck``, ``flatten``,
  ``map_partitions``...), :mod:`~tessera.bag.strings` (``Bag.str``),
  :mod:`~tessera.bag.reductions` (``sum``, ``fold``, ``frequencies``, ``topk``...),
  :mod:`~tessera.bag.groupby` (``groupby``, ``foldby``), :mod:`~tessera.bag.shape`
  (``repartition``, ``join``, ``product``) and :mod:`~tessera.bag.write`
  (``to_textfiles``).
- :class:`Item` (:mod:`~tessera.bag.items`) -- one lazy value (a reduction's result).
- Creating bags: :func:`from_sequence`, :func:`range` (:mod:`~tessera.bag.creation`),
  :func:`read_text` (:mod:`~tessera.bag.text`, with :mod:`~tessera.bag.compression`).
- :func:`concat`, :func:`zip`, :func:`map_partitions` -- functions of several bags.
- :func:`compute` -- :func:`tessera.compute` (compute several collections at once).
- Machinery: :mod:`~tessera.bag.graph` (layers, the partition-wise waist, the
  optimizer), :mod:`~tessera.bag.partitions` (what runs on a partition),
  :mod:`~tessera.bag.pipeline` (fusing element-wise steps), :mod:`~tessera.bag.tree`
  and :mod:`~tessera.bag.aggregations` (the tree reduction and its functions),
  :mod:`~tessera.bag.leafgroups` (a reduction's leaves gathered per worker),
  :mod:`~tessera.bag.shuffle` (the disk shuffle of ``groupby``).

Bags run on processes by default: each partition's chain of element-wise steps runs
inside the worker that read it, a reduction's partitions are reduced in one task per
worker, and only reduced results travel back.

>>> import tessera.bag as db
>>> b = db.from_sequence(["to be or", "not to be"], npartitions=2)
>>> b.str.split().flatten().frequencies(sort=True).topk(2, key=1).compute()
[('to', 2), ('be', 2)]
>>> db.compute(b.count(), b.map(len).max(), scheduler="sync")
(2, 9)
"""

from tessera.bag.core import Bag
from tessera.bag.creation import from_sequence, range
from tessera.bag.elementwise import map_partitions
from tessera.bag.items import Item
from tessera.bag.shape import concat, zip
from tessera.bag.text import read_text
from tessera.base import compute

__all__ = [
    "Bag",
    "Item",
    "compute",
    "concat",
    "from_sequence",
    "map_partitions",
    "range",
    "read_text",
    "zip",
]
