"""Repartitioning, shuffles, sorting, set_index and joins of frames.

Map
---
- :class:`ReshapeMixin` -- mixed into :class:`~tessera.dataframe.core._Frame`.
"""

from __future__ import annotations

__all__ = ["ReshapeMixin"]


class ReshapeMixin:
    """Methods shared by DataFrame and Series (see the module map)."""
