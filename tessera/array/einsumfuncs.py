"""Einstein summation: :func:`einsum`, block by block.

Map
---
- :func:`einsum` -- ``np.einsum`` on tessera arrays: any subscripts (explicit or implicit
  output, ``...``, repeated labels), or the interleaved form ``einsum(a, [0, 1], b, [1,
  2])``.
- :func:`parse_subscripts` -- the subscripts as one label string per operand and one for
  the output, ``...`` spelled out with spare letters.

Plan: the subscripts are first checked by NumPy itself (``np.einsum`` on one-element
stand-ins for the syntax, dtypes and casting; ``np.einsum_path`` on zero-memory views of
the real shapes for label sizes), so errors are NumPy's.  Then one
:func:`~tessera.array.blockwise.blockwise` call whose output has the output labels followed
by the contracted ones: each task runs ``np.einsum`` on one block of each operand, keeping
a length-1 axis per contracted label; a tree :func:`~tessera.array.reductions.sum` over
those axes adds the block results up (in the result dtype, as ``np.einsum`` does).
``optimize=`` and the other keywords go to every ``np.einsum`` call.

>>> import numpy as np, tessera.array as da
>>> a = da.from_array(np.arange(6).reshape(2, 3), chunks=2)
>>> da.einsum("ij,jk->ik", a, a.T).compute()
array([[ 5, 14],
       [14, 50]])
>>> da.einsum("ii", da.eye(3, chunks=2)).compute(), da.einsum("ij->", a).compute()
(np.float64(3.0), np.int64(15))
"""

from __future__ import annotations

import math
import string
from collections import Counter
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from tessera.array.blockwise import blockwise
from tessera.array.core import Array
from tessera.array.reductions import sum as _sum
from tessera.hashing import tokenize

__all__ = ["einsum", "parse_subscripts"]

_LABELS = string.ascii_uppercase + string.ascii_lowercase


def _interleaved(args: Sequence[Any]) -> tuple[str, list[Any]]:
    """``(a, [0, 1], b, [1, 2], [0, 2])`` as ``("Ab,bC->AC"-like subscripts, [a, b])``."""

    def labels(sub: Any) -> str:
        out = []
        for s in sub:
            if s is Ellipsis:
                out.append("...")
            elif isinstance(s, (int, np.integer)) and 0 <= s < len(_LABELS):
                out.append(_LABELS[s])
            else:
                raise ValueError(
                    f"subscript {s!r} is not an int in [0, {len(_LABELS)}) or Ellipsis: "
                    "in the interleaved form each operand is followed by a list of ints"
                )
        return "".join(out)

    operands = list(args[0::2])
    subs = [labels(s) for s in args[1::2]]
    if len(args) % 2 == 0:
        return ",".join(subs), operands
    return ",".join(subs) + "->" + labels(operands[-1]), operands[:-1]


def parse_subscripts(subscripts: str, ndims: Sequence[int]) -> tuple[list[str], str]:
    """Labels of each operand and of the output, ``...`` replaced by spare letters.

    The subscripts must be valid for operands of ``ndims`` axes (NumPy checks them first).

    >>> parse_subscripts("ij,jk", [2, 2])
    (['ij', 'jk'], 'ik')
    >>> parse_subscripts("...i,i->...", [3, 1])
    (['ABi', 'i'], 'AB')
    >>> parse_subscripts("zA", [2])
    (['zA'], 'Az')
    """
    text = subscripts.replace(" ", "")
    inputs, arrow, output = text.partition("->")
    terms = inputs.split(",")
    spare = [c for c in _LABELS if c not in text]
    widths = [nd - (len(t) - 3) for t, nd in zip(terms, ndims, strict=True) if "..." in t]
    ellipsis = "".join(spare[: max(widths, default=0)])

    def expand(term: str, ndim: int) -> str:
        if "..." not in term:
            return term
        width = ndim - (len(term) - 3)
        return term.replace("...", ellipsis[len(ellipsis) - width :])

    labels = [expand(t, nd) for t, nd in zip(terms, ndims, strict=True)]
    if arrow:
        return labels, output.replace("...", ellipsis)
    counts = Counter(c for t in terms for c in t.replace("...", ""))
    return labels, ellipsis + "".join(sorted(c for c, n in counts.items() if n == 1))


def _validate(subscripts: str, arrays: list[Array], kwargs: dict[str, Any]) -> np.dtype[Any]:
    """NumPy's errors for bad subscripts, shapes, dtypes; the result dtype.

    An unknown length (nan) is checked as 1 here, which matches any length; the chunks
    of such labels are lined up by :func:`~tessera.array.blockwise.unify_chunks`, and
    each task checks that its blocks' lengths agree
    (:class:`~tessera.array.blockwise.LengthCheck`)."""
    shapes = [tuple(1 if math.isnan(n) else n for n in a.shape) for a in arrays]
    probes = [
        np.ones(tuple(min(n, 1) for n in shape), dtype=a.dtype)
        for a, shape in zip(arrays, shapes, strict=True)
    ]
    dtype = np.asarray(np.einsum(subscripts, *probes, **kwargs)).dtype
    views = [
        np.broadcast_to(np.empty((), dtype=a.dtype), shape)
        for a, shape in zip(arrays, shapes, strict=True)
    ]
    np.einsum_path(subscripts, *views, optimize=False)
    return dtype


def _einsum_block(*blocks: Any, subscripts: str, ncontracted: int, kwargs: Any) -> Any:
    out = np.asarray(np.einsum(subscripts, *blocks, **kwargs))
    return out.reshape(out.shape + (1,) * ncontracted)


def einsum(
    *operands: Any,
    dtype: Any = None,
    optimize: Any = False,
    split_every: Any = None,
    **kwargs: Any,
) -> Array:
    """Einstein summation over tessera arrays, like :func:`numpy.einsum`.

    Parameters
    ----------
    *operands
        ``subscripts, a, b, ...`` (a string of labels) or the interleaved form
        ``a, [0, 1], b, [1, 2], [0, 2]``.  Arrays may be tessera or NumPy arrays.
    dtype : dtype, optional
        The accumulator and result dtype (``np.einsum``'s ``dtype``).
    optimize : bool or str
        Passed to every per-block ``np.einsum`` call.
    split_every : None, int or dict
        Fan-in of the tree that adds up the block results over contracted labels.
    **kwargs
        ``casting`` and ``order``, passed to ``np.einsum``.

    Returns
    -------
    Array
        The result, chunked like the operands along the output labels.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.arange(6, chunks=4)
    >>> da.einsum("i,i", x, x).compute(), da.einsum(x, [0], x, [1]).shape
    (np.int64(55), (6, 6))
    >>> da.einsum("...i,i->...", da.ones((2, 3), chunks=1), np.arange(3)).compute()
    array([3., 3.])
    >>> da.einsum("ij,jk", da.ones((2, 3)), da.ones((4, 2)))
    Traceback (most recent call last):
    ...
    ValueError: Size of label 'j' for operand 1 (3) does not match previous terms (4).
    """
    from tessera.array.creation import asarray

    if kwargs.get("out") is not None:
        raise TypeError("einsum does not take out=: the result is a new lazy array")
    kwargs.pop("out", None)
    if not operands:
        raise TypeError("einsum needs subscripts and at least one operand")
    if isinstance(operands[0], str):
        subscripts, arrays = operands[0], [asarray(a) for a in operands[1:]]
    else:
        subscripts, raw = _interleaved(operands)
        arrays = [asarray(a) for a in raw]
    np_kwargs = dict(kwargs, optimize=optimize, **({"dtype": dtype} if dtype is not None else {}))
    out_dtype = _validate(subscripts, arrays, np_kwargs)
    labels, output = parse_subscripts(subscripts, [a.ndim for a in arrays])
    contracted = "".join(sorted({c for t in labels for c in t} - set(output)))
    block_subscripts = ",".join(labels) + "->" + output
    func = partial(
        _einsum_block,
        subscripts=block_subscripts,
        ncontracted=len(contracted),
        kwargs=np_kwargs,
    )
    pairs = [x for a, t in zip(arrays, labels, strict=True) for x in (a, t)]
    parts = blockwise(
        func,
        output + contracted,
        *pairs,
        dtype=out_dtype,
        name=f"einsum-{tokenize(block_subscripts, np_kwargs, *arrays)}",
        adjust_chunks=dict.fromkeys(contracted, 1),
    )
    if not contracted:
        return parts
    axes = tuple(range(len(output), len(output) + len(contracted)))
    return _sum(parts, axis=axes, dtype=out_dtype, split_every=split_every)
