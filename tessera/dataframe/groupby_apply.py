"""Group-wise ``apply`` and ``transform`` through a shuffle.

Map
---
- :class:`GroupByShuffleMixin` -- mixed into :class:`~tessera.dataframe.groupby.GroupBy`.
"""

from __future__ import annotations

__all__ = ["GroupByShuffleMixin"]


class GroupByShuffleMixin:
    """``apply`` and ``transform`` of a GroupBy (see the module map)."""
