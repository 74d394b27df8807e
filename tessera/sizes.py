"""Sizes in bytes written the way users write them: ``"128MiB"``, ``"64 MB"``, ``1000``.

Map
---
- :func:`parse_bytes` -- the one parser of sizes, used by array chunking
  (``"array.chunk-size"``), bag ``read_text(blocksize=)``, dataframe
  ``repartition(partition_size=)`` and the shuffle's in-memory limit.

Decimal units (``kB``, ``MB``, ``GB``, ``TB``; also ``k``, ``M``, ``G``, ``T``) are
powers of 1000, binary units (``KiB``, ``MiB``, ``GiB``, ``TiB``) powers of 1024, as in
Dask; case does not matter.

>>> parse_bytes("128MiB"), parse_bytes("1.5 kB"), parse_bytes("5e6"), parse_bytes(12)
(134217728, 1500, 5000000, 12)
"""

from __future__ import annotations

import re

__all__ = ["parse_bytes"]

_UNITS = {
    "": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
    "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
}  # fmt: skip


def parse_bytes(size: int | str) -> int:
    """The number of bytes in ``size``: an int, or a number with an optional unit.

    >>> parse_bytes("64 MB")
    64000000
    >>> parse_bytes("lots")
    Traceback (most recent call last):
    ...
    ValueError: Could not read 'lots' as a size in bytes. ...
    """
    if isinstance(size, int) and not isinstance(size, bool):
        return size
    if not isinstance(size, str):
        raise TypeError(f"A size must be an int or a string like '64MB', got {size!r}.")
    m = re.fullmatch(r"\s*([\d.]+(?:e[+-]?\d+)?)\s*([a-zA-Z]*)\s*", size, re.IGNORECASE)
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(
            f"Could not read {size!r} as a size in bytes. Use a number with an optional "
            "unit, like '128MiB', '64 MB' or 1000000."
        )
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])
