"""String expressions over the columns of a DataFrame: ``query`` and ``eval``.

Map
---
- :class:`ExpressionMixin` -- mixed into :class:`~tessera.dataframe.core.DataFrame`:
  ``query(expr)`` keeps the rows where ``expr`` holds, ``eval(expr)`` computes a Series
  (or, for an assignment ``"z = a + b"``, a frame with the new column), each one
  :func:`~tessera.dataframe.graph.partitionwise` call of the pandas method.
- :func:`local_names` -- the values of the ``@name`` variables an expression uses.

pandas looks ``@name`` up in the caller's frame when the method runs; here the method
runs later, in a worker, so the variables are looked up when ``query``/``eval`` is
called and passed along as ``local_dict`` (only the names the expression uses, so the
graph stays small and picklable).

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"a": [1, 2, 3], "b": [4, 5, 6]}, npartitions=2)
>>> limit = 1
>>> df.query("a > @limit").compute().b.tolist()
[5, 6]
>>> df.eval("a + b").compute().tolist()
[5, 7, 9]
"""

from __future__ import annotations

import re
import sys
from typing import Any

from tessera.dataframe.graph import partitionwise

__all__ = ["ExpressionMixin", "local_names"]

_AT_NAME = re.compile(r"@([A-Za-z_]\w*)")


def local_names(expr: str, depth: int, given: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``@name`` values of ``expr``, from ``given`` or the frame ``depth`` calls up.

    >>> x = 3
    >>> local_names("a > @x", depth=0)
    {'x': 3}
    >>> local_names("a > @y", depth=0)
    Traceback (most recent call last):
    ...
    NameError: 'a > @y' uses @y, which is not defined where query/eval was called; ...
    """
    if not isinstance(expr, str):
        raise TypeError(f"expr must be a string expression, got {type(expr).__name__}.")
    caller = sys._getframe(depth + 1)
    scope = {**caller.f_globals, **caller.f_locals, **(given or {})}
    found = {}
    for name in _AT_NAME.findall(expr):
        if name not in scope:
            raise NameError(
                f"{expr!r} uses @{name}, which is not defined where query/eval was called; "
                f"define it there or pass local_dict={{{name!r}: value}}."
            )
        found[name] = scope[name]
    return found


class ExpressionMixin:
    """``query`` and ``eval`` of DataFrames, partition by partition."""

    def query(self, expr: str, **kwargs: Any) -> Any:
        """Rows where the boolean expression ``expr`` holds (``@name`` refers to a variable).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2, 3]}, npartitions=2)
        >>> df.query("a != 2").compute().a.tolist()
        [1, 3]
        """
        if kwargs.pop("inplace", False):
            raise NotImplementedError("query(inplace=True) is not supported; assign the result.")
        kwargs["local_dict"] = local_names(expr, 1, kwargs.get("local_dict"))
        return partitionwise(_query, self, expr, kwargs, prefix="query")

    def eval(self, expr: str, **kwargs: Any) -> Any:
        """Evaluate ``expr`` over the columns: a Series, or a frame for ``"z = ..."``.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2], "b": [3, 4]}, npartitions=2)
        >>> df.eval("c = a * b").compute().c.tolist()
        [3, 8]
        """
        if kwargs.pop("inplace", False):
            raise NotImplementedError("eval(inplace=True) is not supported; assign the result.")
        kwargs["local_dict"] = local_names(expr, 1, kwargs.get("local_dict"))
        return partitionwise(_eval, self, expr, kwargs, prefix="eval")


def _query(part: Any, expr: str, kwargs: dict[str, Any]) -> Any:
    return part.query(expr, **kwargs)


def _eval(part: Any, expr: str, kwargs: dict[str, Any]) -> Any:
    return part.eval(expr, **kwargs)
