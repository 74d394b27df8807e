"""More element-wise methods, accessors, label indexing and statistics for frames.

Map
---
- :class:`MethodsMixin` -- mixed into :class:`~tessera.dataframe.core._Frame`.
"""

from __future__ import annotations

__all__ = ["MethodsMixin"]


class MethodsMixin:
    """Methods shared by DataFrame and Series (see the module map)."""
