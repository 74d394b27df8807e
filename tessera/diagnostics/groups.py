"""Task groups: the operation a key belongs to, and a colour for each.

Map
---
- :func:`key_name` -- the name part of a key: ``("sum-3f2a...", 0, 1) -> "sum-3f2a..."``.
- :func:`key_group` -- the task group of a key: its name without the token, so all the
  blocks of one operation share a group (``"sum"``, ``"from-pandas"``).
- :func:`palette` -- ``n`` distinct colours as ``#rrggbb`` strings, the same for the same
  ``n`` every time (plots and graph pictures colour task groups with it).

Policy: a name is split on ``-``; its first word is always kept, and later words that
look like tokens (8 or more hexadecimal digits, or all digits) are dropped.  Keys that
are not strings or tuples (ints, floats) are their own group.

>>> key_group(("from-pandas-ac38ae8548d17f938b00c40431581be5", 3))
'from-pandas'
>>> key_group("total"), key_group(("x", 0))
('total', 'x')
"""

from __future__ import annotations

import colorsys
import functools
import string
from typing import Any

__all__ = ["key_group", "key_name", "palette"]

_HEX = frozenset(string.hexdigits)


def key_name(key: Any) -> Any:
    """Return the name part of ``key``: its first item when it is a tuple, else itself.

    >>> key_name(("x", 0, 1)), key_name("y")
    ('x', 'y')
    """
    return key[0] if type(key) is tuple and key else key


def _is_token(word: str) -> bool:
    return word.isdigit() or (len(word) >= 8 and set(word) <= _HEX)


@functools.lru_cache(maxsize=4096)
def _group_of_name(name: str) -> str:
    words = name.split("-")
    return "-".join([words[0], *(w for w in words[1:] if not _is_token(w))])


def key_group(key: Any) -> str:
    """Return the task group of ``key``: its name without tokens.

    Parameters
    ----------
    key : str, bytes, tuple or number
        A graph key.

    Returns
    -------
    str
        The group name.

    Examples
    --------
    >>> key_group(("groupby-mean-chunk-4b6aa36b09d60c717670cd2b10088342", 0))
    'groupby-mean-chunk'
    >>> key_group(b"raw-0123abcd"), key_group(7)
    ('raw', '7')
    """
    name = key_name(key)
    if isinstance(name, bytes):
        name = name.decode("utf-8", "replace")
    return _group_of_name(str(name))


def palette(n: int) -> list[str]:
    """Return ``n`` distinct colours (``#rrggbb``), spread around the colour wheel.

    Parameters
    ----------
    n : int
        How many colours.

    Returns
    -------
    list of str

    Examples
    --------
    >>> palette(3)
    ['#6e94cf', '#cf6e78', '#6ecf7f']
    >>> len(set(palette(12)))
    12
    """
    out = []
    for i in range(n):
        # golden-angle steps keep neighbouring groups apart; darker every other lap
        hue = (0.6 + i * 0.381966) % 1.0
        light = 0.62 if (i // 8) % 2 == 0 else 0.5
        r, g, b = colorsys.hls_to_rgb(hue, light, 0.5)
        out.append(f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}")
    return out
