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

import io
import sys
import tokenize
from typing import Any

from pandas.errors import UndefinedVariableError

from tessera.dataframe.graph import nonempty, partitionwise

__all__ = ["ExpressionMixin", "local_names"]


def _closing_backtick(text: str, start: int) -> int:
    """The position after the backtick closing a name opened before ``start`` (a doubled
    backtick is one escaped backtick, as in pandas)."""
    while (end := text.find("`", start)) >= 0 and text[end + 1 : end + 2] == "`":
        start = end + 2
    return len(text) if end < 0 else end + 1


def _at_names(expr: str) -> list[str]:
    """The names written ``@name`` in ``expr``, as pandas finds them: tokens, so an ``@``
    inside a string literal or a backtick-quoted column name is not one.

    >>> _at_names("a > @x and s == 'b@c' and `d@e` < @ y")
    ['x', 'y']
    """
    names: list[str] = []
    rest: str | None = expr
    while rest:
        text, rest, after_at = rest, None, False
        lines = text.splitlines(keepends=True)
        try:
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                if tok.string == "`":  # skip the quoted name, tokenize what follows
                    opened = sum(map(len, lines[: tok.start[0] - 1])) + tok.start[1] + 1
                    rest = text[_closing_backtick(text, opened) :]
                    break
                if after_at and tok.type == tokenize.NAME:
                    names.append(tok.string)
                after_at = tok.type == tokenize.OP and tok.string == "@"
        except (tokenize.TokenError, SyntaxError):
            pass  # a malformed expression: pandas says what is wrong when the meta is made
    return names


def local_names(expr: str, depth: int, given: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``@name`` values of ``expr``, from ``given`` or the frame ``depth`` calls up.

    >>> x = 3
    >>> local_names("a > @x", depth=0)
    {'x': 3}
    >>> local_names("a > @y", depth=0)
    Traceback (most recent call last):
    ...
    pandas.errors.UndefinedVariableError: 'a > @y' uses @y, which is not defined ...
    """
    if not isinstance(expr, str):
        raise TypeError(f"expr must be a string expression, got {type(expr).__name__}.")
    caller = sys._getframe(depth + 1)
    scope = {**caller.f_globals, **caller.f_locals, **(given or {})}
    found = {}
    for name in _at_names(expr):
        if name not in scope:
            error = UndefinedVariableError(name, True)  # pandas' error, with a hint
            error.args = (
                f"{expr!r} uses @{name}, which is not defined where query/eval was called; "
                f"define it there or pass local_dict={{{name!r}: value}}.",
            )
            raise error
        found[name] = scope[name]
    return found


class ExpressionMixin:
    """``query`` and ``eval`` of DataFrames, partition by partition."""

    meta: Any

    def _expression(self, func: Any, expr: str, kwargs: dict[str, Any]) -> Any:
        """``func(part, expr, kwargs)`` per partition, ``@names`` looked up in the caller
        of ``query``/``eval`` (two frames up), pandas' errors raised now."""
        name = func.__name__.strip("_")
        if kwargs.pop("inplace", False):
            raise NotImplementedError(f"{name}(inplace=True) is not supported; assign the result.")
        kwargs["local_dict"] = local_names(expr, 2, kwargs.get("local_dict"))
        meta = func(nonempty(self.meta), expr, kwargs)
        return partitionwise(func, self, expr, kwargs, meta=meta, prefix=name)

    def query(self, expr: str, **kwargs: Any) -> Any:
        """Rows where the boolean expression ``expr`` holds (``@name`` refers to a variable).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2, 3]}, npartitions=2)
        >>> df.query("a != 2").compute().a.tolist()
        [1, 3]
        """
        return self._expression(_query, expr, kwargs)

    def eval(self, expr: str, **kwargs: Any) -> Any:
        """Evaluate ``expr`` over the columns: a Series, or a frame for ``"z = ..."``.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2], "b": [3, 4]}, npartitions=2)
        >>> df.eval("c = a * b").compute().c.tolist()
        [3, 8]
        """
        return self._expression(_eval, expr, kwargs)


def _query(part: Any, expr: str, kwargs: dict[str, Any]) -> Any:
    return part.query(expr, **kwargs)


def _eval(part: Any, expr: str, kwargs: dict[str, Any]) -> Any:
    return part.eval(expr, **kwargs)
