"""More samplers of :class:`~tessera.array.random.Generator`: ``binomial``, ``choice``...

Map
---
- :class:`MoreSamplers` -- a mixin of :class:`~tessera.array.random.Generator` with
  :meth:`~MoreSamplers.binomial`, :meth:`~MoreSamplers.gamma`, :meth:`~MoreSamplers.beta`,
  :meth:`~MoreSamplers.lognormal` (drawn block by block, like the other distributions),
  :meth:`~MoreSamplers.choice` and :meth:`~MoreSamplers.permutation`.
- the module functions ``randn``, ``binomial``, ``gamma``, ``beta``, ``lognormal``,
  ``choice``, ``permutation`` (public in :mod:`tessera.array.random`), drawing from its
  module-level generator.

Plan: ``choice`` with replacement draws every block on its own (one ``rng.choice`` per
block, from the block's seed).  Without replacement, and for ``permutation``, the
positions depend on each other: they are drawn at once, when the array is built, from a
seed spawned like an array's (as Dask does; they are ``size`` integers), and the
elements are then taken lazily.  A tessera ``a`` is sampled through its positions.

>>> import tessera.array as da
>>> rng = da.random.default_rng(0)
>>> sorted(rng.permutation(5).compute().tolist())
[0, 1, 2, 3, 4]
>>> rng.choice(10, size=6, chunks=3, replace=False).chunks
((3, 3),)
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from tessera.array.core import Array

if TYPE_CHECKING:
    from tessera.array.random import RandomState

__all__ = [
    "MoreSamplers",
    "beta",
    "binomial",
    "choice",
    "gamma",
    "lognormal",
    "permutation",
    "randn",
]


class MoreSamplers:
    """The samplers :class:`~tessera.array.random.Generator` gets from this module."""

    _wrap: Callable[..., Array]
    _spawn: Callable[[], np.random.SeedSequence]

    def binomial(self, n: Any, p: Any, size: Any = None, chunks: Any = "auto") -> Array:
        """Samples of the binomial distribution: successes in ``n`` trials of probability ``p``.

        >>> from tessera.array.random import Generator
        >>> x = Generator(0).binomial(10, 0.5, size=100, chunks=30).compute()
        >>> bool(((x >= 0) & (x <= 10)).all()), x.dtype
        (True, dtype('int64'))
        """
        return self._wrap("binomial", (n, p), size, chunks)

    def gamma(self, shape: Any, scale: Any = 1.0, size: Any = None, chunks: Any = "auto") -> Array:
        """Samples of the gamma distribution of ``shape`` (k) and ``scale`` (theta).

        >>> from tessera.array.random import Generator
        >>> round(float(Generator(1).gamma(2.0, 3.0, 20_000, chunks=5000).mean()))
        6
        """
        return self._wrap("gamma", (shape, scale), size, chunks)

    def beta(self, a: Any, b: Any, size: Any = None, chunks: Any = "auto") -> Array:
        """Samples of the beta distribution of parameters ``a`` and ``b`` (in ``[0, 1]``).

        >>> from tessera.array.random import Generator
        >>> x = Generator(2).beta(2.0, 5.0, size=(4, 4), chunks=2).compute()
        >>> bool(((x >= 0) & (x <= 1)).all())
        True
        """
        return self._wrap("beta", (a, b), size, chunks)

    def lognormal(
        self, mean: Any = 0.0, sigma: Any = 1.0, size: Any = None, chunks: Any = "auto"
    ) -> Array:
        """Samples whose logarithm is normal of ``mean`` and standard deviation ``sigma``.

        >>> from tessera.array.random import Generator
        >>> bool((Generator(3).lognormal(0, 1, size=50).compute() > 0).all())
        True
        """
        return self._wrap("lognormal", (mean, sigma), size, chunks)

    def choice(
        self,
        a: Any,
        size: Any = None,
        replace: bool = True,
        p: Any = None,
        chunks: Any = "auto",
    ) -> Array:
        """Random elements of the 1-d ``a`` (``range(a)`` if an int), with probabilities ``p``.

        Parameters
        ----------
        a : int, 1-d array-like or 1-d tessera array
            The population.
        size : int or tuple of int, optional
            The output shape (``None``: one element, a 0-d array).
        replace : bool
            Draw with replacement (block by block) or without (positions drawn eagerly).
        p : 1-d array-like, optional
            The probability of each element (default: uniform).
        chunks : chunk specification
            The output's chunks.

        >>> from tessera.array.random import Generator
        >>> x = Generator(4).choice([10, 20, 30], size=8, chunks=3, p=[0.0, 0.5, 0.5])
        >>> sorted(set(x.compute().tolist())) <= [20, 30], x.chunks
        (True, ((3, 3, 2),))
        """
        from tessera.array.creation import asarray

        if isinstance(a, Array):
            if a.ndim != 1:
                raise ValueError(f"a must be 1-dimensional, got shape {a.shape}")
            return a[self.choice(a.shape[0], size, replace, p, chunks)]  # type: ignore[index]
        population = np.arange(operator.index(a)) if np.ndim(a) == 0 else np.asarray(a)
        probs = None if p is None else np.asarray(p)
        if replace:
            return self._wrap("choice", (), size, chunks, a=population, replace=True, p=probs)
        rng = np.random.default_rng(self._spawn())
        return asarray(rng.choice(population, size, replace=False, p=probs), chunks=chunks)

    def permutation(self, x: Any) -> Array:
        """``x`` shuffled along its first axis (``arange(x)`` if an int).

        >>> import tessera.array as da
        >>> from tessera.array.random import Generator
        >>> y = Generator(5).permutation(da.arange(12, chunks=5).reshape(6, 2))
        >>> sorted(y.compute()[:, 0].tolist())
        [0, 2, 4, 6, 8, 10]
        """
        from tessera.array.creation import arange, asarray
        from tessera.array.take import take

        arr = arange(operator.index(x)) if np.ndim(x) == 0 else asarray(x)
        if arr.ndim == 0:
            raise ValueError("permutation needs an int or an array of at least one dimension")
        order = np.random.default_rng(self._spawn()).permutation(arr.shape[0])
        return take(arr, order, axis=0)


def _module_state() -> RandomState:
    """The generator behind the module functions of :mod:`tessera.array.random`."""
    from tessera.array.random import _state

    return _state


def randn(*shape: int, chunks: Any = "auto") -> Array:
    """Standard normal samples of shape ``shape`` (NumPy's ``randn(d0, d1, ...)``).

    >>> randn(3, 4, chunks=2).shape
    (3, 4)
    """
    return _module_state().standard_normal(shape, chunks=chunks)


def binomial(n: Any, p: Any, size: Any = None, chunks: Any = "auto") -> Array:
    """Binomial samples; see :meth:`~tessera.array.randmore.MoreSamplers.binomial`.

    >>> binomial(5, 0.3, size=4).dtype
    dtype('int64')
    """
    return _module_state().binomial(n, p, size, chunks=chunks)


def gamma(shape: Any, scale: Any = 1.0, size: Any = None, chunks: Any = "auto") -> Array:
    """Gamma samples; see :meth:`~tessera.array.randmore.MoreSamplers.gamma`.

    >>> gamma(2.0, size=(2, 3), chunks=1).numblocks
    (2, 3)
    """
    return _module_state().gamma(shape, scale, size, chunks=chunks)


def beta(a: Any, b: Any, size: Any = None, chunks: Any = "auto") -> Array:
    """Beta samples; see :meth:`~tessera.array.randmore.MoreSamplers.beta`.

    >>> beta(1.0, 2.0, size=3).shape
    (3,)
    """
    return _module_state().beta(a, b, size, chunks=chunks)


def lognormal(mean: Any = 0.0, sigma: Any = 1.0, size: Any = None, chunks: Any = "auto") -> Array:
    """Log-normal samples; see :meth:`~tessera.array.randmore.MoreSamplers.lognormal`.

    >>> lognormal(size=3).dtype
    dtype('float64')
    """
    return _module_state().lognormal(mean, sigma, size, chunks=chunks)


def choice(
    a: Any, size: Any = None, replace: bool = True, p: Any = None, chunks: Any = "auto"
) -> Array:
    """Random elements of ``a``; see :meth:`~tessera.array.randmore.MoreSamplers.choice`.

    >>> choice(3, size=5, chunks=2).chunks
    ((2, 2, 1),)
    """
    return _module_state().choice(a, size, replace, p, chunks=chunks)


def permutation(x: Any) -> Array:
    """``x`` shuffled along its first axis; see
    :meth:`~tessera.array.randmore.MoreSamplers.permutation`.

    >>> sorted(permutation(4).compute().tolist())
    [0, 1, 2, 3]
    """
    return _module_state().permutation(x)
