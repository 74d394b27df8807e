"""Random arrays: ``da.random.random``, ``normal``, ``integers``... drawn block by block.

Map
---
- :class:`Generator` -- ``default_rng(seed)``: methods :meth:`~Generator.random`,
  :meth:`~Generator.standard_normal`, :meth:`~Generator.normal`,
  :meth:`~Generator.uniform`, :meth:`~Generator.integers`,
  :meth:`~Generator.exponential`, :meth:`~Generator.poisson`; and from the mixin
  :class:`~tessera.array.randmore.MoreSamplers`: ``binomial``, ``gamma``, ``beta``,
  ``lognormal``, ``choice``, ``permutation``.
- :class:`RandomState` -- the same with Dask's legacy names (``random_sample``,
  ``randint``) and a :meth:`~RandomState.seed` method.
- Module functions (``random``, ``normal``, ``randint``, ``randn``, ``choice``...) draw
  from one module-level :class:`RandomState`, reseeded by :func:`seed`.
- :mod:`~tessera.array.randblock` -- how one block is drawn
  (:class:`~tessera.array.randblock.Draw`), seeds, sizes and per-block parameters.

State: a generator keeps one :class:`numpy.random.SeedSequence`.  Each array it makes
spawns one child sequence from it (so two calls give different arrays), and each block
of that array gets its own grandchild, spawned in C order of block index; the block is
``np.random.default_rng(grandchild).<method>(..., size=block_shape)``, drawn straight
into a new array.  The seeds are fixed when the array is built, so the values depend
only on the seed, the order of calls and the chunks: not on the scheduler, the order
tasks run in, the number of workers, or how often the array is computed.  Without a
seed, fresh entropy is drawn once when the generator is made (at import for the module
functions).  The same seed and chunks give the same values; other chunks give other
values (each block is its own stream), and the values are not those NumPy's
``default_rng(seed)`` would give for the whole array at once.

Distribution parameters may be scalars or NumPy arrays that broadcast to ``size``.

>>> import tessera.array as da
>>> x = da.random.default_rng(42).random((4, 6), chunks=(2, 3))
>>> x.shape, x.dtype, x.numblocks
((4, 6), dtype('float64'), (2, 2))
>>> same = da.random.default_rng(42).random((4, 6), chunks=(2, 3))
>>> bool((x.compute(scheduler="sync") == same.compute(scheduler="threads")).all())
True
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import product
from typing import Any

import numpy as np

from tessera.array.chunks import normalize_chunks, slices_from_chunks
from tessera.array.core import Array, new_array
from tessera.array.randblock import (
    Draw,
    broadcast_or_none,
    param_part,
    parse_size,
    seed_sequence,
)
from tessera.array.randmore import (
    MoreSamplers,
    beta,
    binomial,
    choice,
    gamma,
    lognormal,
    permutation,
    randn,
)
from tessera.hashing import tokenize

__all__ = [
    "Generator",
    "RandomState",
    "beta",
    "binomial",
    "choice",
    "default_rng",
    "exponential",
    "gamma",
    "integers",
    "lognormal",
    "normal",
    "permutation",
    "poisson",
    "randint",
    "randn",
    "random",
    "random_sample",
    "seed",
    "standard_normal",
    "uniform",
]


_SPAWN_LOCK = threading.Lock()


class Generator(MoreSamplers):
    """Makes random tessera arrays; the lazy counterpart of :class:`numpy.random.Generator`.

    Parameters
    ----------
    seed : None, int, sequence of int, SeedSequence, numpy Generator or BitGenerator
        Where the entropy comes from; ``None``: fresh entropy from the OS.

    Examples
    --------
    >>> rng = Generator(7)
    >>> a, b = rng.random(3, chunks=2), rng.random(3, chunks=2)
    >>> a.name == b.name, a.name == Generator(7).random(3, chunks=2).name
    (False, True)
    """

    def __init__(self, seed: Any = None) -> None:
        self._seq = seed_sequence(seed)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(entropy={self._seq.entropy})"

    def _spawn(self) -> np.random.SeedSequence:
        """A new child of this generator's seed sequence (one per array made)."""
        with _SPAWN_LOCK:  # SeedSequence.spawn counts its children without a lock
            return self._seq.spawn(1)[0]

    def _wrap(
        self, method: str, params: Sequence[Any], size: Any, chunks: Any, **kwargs: Any
    ) -> Array:
        """An array whose blocks are ``method`` draws with their own seeds."""
        shape = parse_size(size)
        arrays = [p if p is None else np.asarray(p) for p in params]
        per_block = any(p is not None and p.ndim for p in arrays)
        rng = np.random.default_rng(0)
        # a small draw checks the parameters and gives the dtype, with NumPy's own errors
        if not per_block:
            dtype = np.asarray(getattr(rng, method)(*params, size=1, **kwargs)).dtype
            shape = () if shape is None else shape
        else:
            probe = np.asarray(getattr(rng, method)(*arrays, **kwargs))
            dtype = probe.dtype
            if shape is None:
                shape = probe.shape
            elif broadcast_or_none(probe.shape, shape) != shape:
                raise ValueError(
                    f"shape mismatch: parameters of shape {probe.shape} cannot be broadcast "
                    f"to size {shape}"
                )
        normalized = normalize_chunks(chunks, shape, dtype=dtype)
        array_seq = self._spawn()
        block_ids = list(product(*(range(len(c)) for c in normalized)))
        name = f"{method}-{tokenize(array_seq.entropy, array_seq.spawn_key, method, arrays, kwargs, normalized)}"  # noqa: E501
        slices = slices_from_chunks(normalized)
        shared = Draw(method, tuple(params), kwargs)
        layer: dict[Any, Any] = {}
        for idx, seed, index in zip(
            block_ids, array_seq.spawn(len(block_ids)), slices, strict=True
        ):
            draw = shared
            if per_block:
                draw = Draw(method, tuple(param_part(p, shape, index) for p in arrays), kwargs)
            key = (name, *idx)
            layer[key] = (draw, seed, tuple(s.stop - s.start for s in index))
        return new_array(name, layer, normalized, dtype)

    def random(self, size: Any = None, dtype: Any = np.float64, chunks: Any = "auto") -> Array:
        """Floats uniform in ``[0, 1)`` (``float64`` or ``float32``).

        >>> x = Generator(0).random((3, 4), dtype="f4", chunks=2)
        >>> x.dtype, bool(((x >= 0) & (x < 1)).compute().all())
        (dtype('float32'), True)
        """
        return self._wrap("random", (), size, chunks, dtype=dtype)

    def standard_normal(
        self, size: Any = None, dtype: Any = np.float64, chunks: Any = "auto"
    ) -> Array:
        """Samples of the standard normal distribution (mean 0, standard deviation 1).

        >>> Generator(1).standard_normal(1000, chunks=100).compute().std().round(1)
        np.float64(1.0)
        """
        return self._wrap("standard_normal", (), size, chunks, dtype=dtype)

    def normal(
        self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None, chunks: Any = "auto"
    ) -> Array:
        """Samples of the normal distribution of mean ``loc`` and standard deviation ``scale``.

        >>> x = Generator(2).normal(10, 0.5, size=(100, 100), chunks=50)
        >>> round(float(x.compute().mean()))
        10
        >>> Generator(2).normal(0, -1, size=3)
        Traceback (most recent call last):
        ...
        ValueError: scale < 0
        """
        return self._wrap("normal", (loc, scale), size, chunks)

    def uniform(
        self, low: Any = 0.0, high: Any = 1.0, size: Any = None, chunks: Any = "auto"
    ) -> Array:
        """Floats uniform in ``[low, high)``.

        >>> x = Generator(3).uniform(-2, 2, size=50, chunks=20).compute()
        >>> bool(x.min() >= -2 and x.max() < 2), x.shape
        (True, (50,))
        """
        return self._wrap("uniform", (low, high), size, chunks)

    def integers(
        self,
        low: Any,
        high: Any = None,
        size: Any = None,
        dtype: Any = np.int64,
        endpoint: bool = False,
        chunks: Any = "auto",
    ) -> Array:
        """Integers in ``[low, high)`` (``[0, low)`` without ``high``; ``endpoint``: closed).

        >>> Generator(4).integers(5, size=8, chunks=4, dtype="i2").compute().dtype
        dtype('int16')
        >>> sorted(set(Generator(4).integers(1, 3, 100, endpoint=True).compute().tolist()))
        [1, 2, 3]
        """
        return self._wrap("integers", (low, high), size, chunks, dtype=dtype, endpoint=endpoint)

    def exponential(self, scale: Any = 1.0, size: Any = None, chunks: Any = "auto") -> Array:
        """Samples of the exponential distribution of mean ``scale``.

        >>> float(Generator(5).exponential(2.0, 10_000, chunks=1000).compute().mean()) > 1.8
        True
        """
        return self._wrap("exponential", (scale,), size, chunks)

    def poisson(self, lam: Any = 1.0, size: Any = None, chunks: Any = "auto") -> Array:
        """Samples of the Poisson distribution of mean ``lam``.

        >>> Generator(6).poisson(3.0, (2, 2)).dtype
        dtype('int64')
        """
        return self._wrap("poisson", (lam,), size, chunks)


class RandomState(Generator):
    """A :class:`Generator` with Dask's ``RandomState`` names and a ``seed`` method.

    The streams are the per-block ``default_rng`` streams of :class:`Generator`, not
    NumPy's legacy Mersenne Twister.

    >>> rs = RandomState(42)
    >>> first = rs.random_sample(4, chunks=2).compute()
    >>> rs.seed(42)
    >>> bool((rs.random_sample(4, chunks=2).compute() == first).all())
    True
    """

    def seed(self, seed: Any = None) -> None:
        """Start again from ``seed`` (``None``: fresh entropy).

        >>> RandomState().seed(3)
        """
        self._seq = seed_sequence(seed)

    def random_sample(self, size: Any = None, chunks: Any = "auto") -> Array:
        """Floats uniform in ``[0, 1)``.

        >>> RandomState(0).random_sample((2, 3)).shape
        (2, 3)
        """
        return self.random(size, chunks=chunks)

    def randint(
        self, low: Any, high: Any = None, size: Any = None, chunks: Any = "auto", dtype: Any = int
    ) -> Array:
        """Integers in ``[low, high)`` (``[0, low)`` without ``high``).

        >>> bool((RandomState(0).randint(10, size=20, chunks=5).compute() < 10).all())
        True
        """
        return self.integers(low, high, size, dtype=dtype, chunks=chunks)


def default_rng(seed: Any = None) -> Generator:
    """A :class:`Generator` seeded by ``seed`` (returned as it is if it is one already).

    >>> rng = default_rng(42)
    >>> default_rng(rng) is rng
    True
    >>> rng.normal(size=(3, 2), chunks=1).compute().round(2).shape
    (3, 2)
    """
    return seed if isinstance(seed, Generator) else Generator(seed)


_state = RandomState()


def seed(seed: Any = None) -> None:
    """Seed the generator behind the module functions (``da.random.random``...).

    >>> import tessera.array as da
    >>> da.random.seed(42)
    >>> a = da.random.random(5, chunks=2)
    >>> da.random.seed(42)
    >>> a.name == da.random.random(5, chunks=2).name
    True
    """
    _state.seed(seed)


def random(size: Any = None, chunks: Any = "auto", dtype: Any = np.float64) -> Array:
    """Floats uniform in ``[0, 1)``; see :meth:`Generator.random`.

    >>> random((20000, 20000), chunks=(2000, 2000)).numblocks
    (10, 10)
    """
    return _state.random(size, dtype=dtype, chunks=chunks)


def random_sample(size: Any = None, chunks: Any = "auto") -> Array:
    """Same as :func:`random` (Dask's legacy name).

    >>> random_sample(3).dtype
    dtype('float64')
    """
    return _state.random_sample(size, chunks=chunks)


def standard_normal(size: Any = None, chunks: Any = "auto", dtype: Any = np.float64) -> Array:
    """Standard normal samples; see :meth:`Generator.standard_normal`.

    >>> standard_normal((2, 2), chunks=1).npartitions
    4
    """
    return _state.standard_normal(size, dtype=dtype, chunks=chunks)


def normal(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, chunks: Any = "auto") -> Array:
    """Normal samples; see :meth:`Generator.normal`.

    >>> normal(5, 1, size=4, chunks=2).chunks
    ((2, 2),)
    """
    return _state.normal(loc, scale, size, chunks=chunks)


def uniform(low: Any = 0.0, high: Any = 1.0, size: Any = None, chunks: Any = "auto") -> Array:
    """Uniform samples in ``[low, high)``; see :meth:`Generator.uniform`.

    >>> bool((uniform(1, 2, size=10).compute() >= 1).all())
    True
    """
    return _state.uniform(low, high, size, chunks=chunks)


def integers(
    low: Any,
    high: Any = None,
    size: Any = None,
    dtype: Any = np.int64,
    endpoint: bool = False,
    chunks: Any = "auto",
) -> Array:
    """Random integers; see :meth:`Generator.integers`.

    >>> integers(0, 10, size=(2, 3)).shape
    (2, 3)
    """
    return _state.integers(low, high, size, dtype=dtype, endpoint=endpoint, chunks=chunks)


def randint(
    low: Any, high: Any = None, size: Any = None, chunks: Any = "auto", dtype: Any = int
) -> Array:
    """Random integers in ``[low, high)``; see :meth:`RandomState.randint`.

    >>> randint(3, size=4, chunks=2).dtype
    dtype('int64')
    """
    return _state.randint(low, high, size, chunks=chunks, dtype=dtype)


def exponential(scale: Any = 1.0, size: Any = None, chunks: Any = "auto") -> Array:
    """Exponential samples; see :meth:`Generator.exponential`.

    >>> exponential(size=3).shape
    (3,)
    """
    return _state.exponential(scale, size, chunks=chunks)


def poisson(lam: Any = 1.0, size: Any = None, chunks: Any = "auto") -> Array:
    """Poisson samples; see :meth:`Generator.poisson`.

    >>> poisson(2.0, size=3).dtype
    dtype('int64')
    """
    return _state.poisson(lam, size, chunks=chunks)
