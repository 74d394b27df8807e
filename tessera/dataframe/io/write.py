"""Writers of frames.

Map
---
- :class:`WriteMixin` -- mixed into :class:`~tessera.dataframe.core._Frame`.
"""

from __future__ import annotations

__all__ = ["WriteMixin"]


class WriteMixin:
    """Writer methods of DataFrame and Series (see the module map)."""
